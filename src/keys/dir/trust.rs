//! Keys kept as trusted: staff keys trusted to sign bundles (`trusted/`), the
//! designated persons' keys trusted to sign receipts (`receipt-keys/`), and the text
//! a designated person shares so that staff can keep theirs.

use super::{KeyDir, check_name, write_file};
use crate::keys::format::{KeyError, PublicKey, io, one_line};
use std::fs;

impl KeyDir {
    /// Trust `key` as `name`'s signing key (a staff member's, seen in a bundle and
    /// compared in person). Kept as `trusted/KEYID.pub`.
    pub fn trust(&self, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        self.keep_key("trusted", key, name)
    }

    /// Keep `key` as `name`'s in `folder/KEYID.pub`; refused when a different key with the
    /// same id is kept there already (someone may be pretending to be them).
    fn keep_key(&self, folder: &str, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        let name = check_name(name)?;
        let dir = self.path(folder);
        let file = dir.join(format!("{}.pub", key.key_id));
        if let Ok(existing) = PublicKey::read(&file)
            && existing.key.to_base64() != key.key.to_base64()
        {
            return Err(KeyError::KeyIdTaken {
                name: existing.name.unwrap_or_else(|| "someone".into()),
            });
        }
        self.ensure()?;
        fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let named = PublicKey {
            name: Some(name),
            ..key.clone()
        };
        write_file(&file, named.to_pub_file().as_bytes())
    }

    /// The keys kept in `folder` (unreadable files skipped).
    fn keys_in(&self, folder: &str) -> Vec<PublicKey> {
        fs::read_dir(self.path(folder))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| PublicKey::read(&e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the designated person gives staff: their name, the `age1…` to seal to and the
    /// signing key their receipts are checked with. Staff paste it whole into their app.
    pub fn share_text(&self) -> Result<String, KeyError> {
        let id = self.identity_info()?;
        let mut text = format!(
            "Evidence Kit: designated person {}\nSeal evidence to: {}\nFingerprint: {}\n",
            one_line(&id.name),
            id.recipient,
            id.fingerprint()
        );
        if let Ok(k) = self.public_signing_key() {
            text.push_str(&format!(
                "Receipts signed with: {}\nKey fingerprint: {}\n",
                k.key.to_base64(),
                k.fingerprint()
            ));
        }
        Ok(text)
    }

    /// Trust `key` as the designated person `name`'s receipt key (from the text they
    /// shared). Kept in `receipt-keys/`, apart from the keys trusted to sign bundles.
    pub fn trust_for_receipts(&self, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        self.keep_key("receipt-keys", key, name)
    }

    /// Keys a receipt may be signed with: the designated persons' (`receipt-keys/`),
    /// never a staff key trusted for bundles, never this person's own.
    pub fn receipt_keys(&self) -> Vec<PublicKey> {
        let own = self.public_signing_key().ok().map(|k| k.key_id);
        let mut keys = self.keys_in("receipt-keys");
        keys.retain(|k| Some(&k.key_id) != own.as_ref());
        keys
    }

    /// Staff keys trusted for verifying: `trusted/*.pub` and this person's own key.
    pub fn trusted_keys(&self) -> Vec<PublicKey> {
        let mut keys = Vec::new();
        if let Ok(k) = self.public_signing_key() {
            keys.push(k);
        }
        keys.extend(self.keys_in("trusted"));
        keys
    }
}
