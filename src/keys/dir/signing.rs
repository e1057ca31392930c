//! The signing key in the folder: `signing.key`, `signing.pub` and `signing.json`.

use super::{KeyDir, check_name, write_file, write_private};
use crate::keys::format::{
    KeyError, MAX_KEY_FILE_BYTES, PublicKey, SigningInfo, SigningKey, io, key_id_hex, not_found,
    one_line, read_regular_text, unprotected_cli_key,
};
use std::fs;
use std::path::{Path, PathBuf};

/// The folder in the keys folder where keys no longer used are kept.
pub const RETIRED: &str = "retired";

/// The signing key's files.
const SIGNING_FILES: [&str; 3] = ["signing.key", "signing.pub", "signing.json"];

impl KeyDir {
    /// Make the signing key. `passphrase: None` makes an unencrypted key (warned about
    /// at the edge). Refuses to replace an existing key unless `replace`; a key
    /// replaced is never deleted: its files are moved aside first
    /// ([`KeyDir::retire_signing_key`]).
    pub fn new_signing_key(
        &self,
        name: &str,
        passphrase: Option<&str>,
        replace: bool,
    ) -> Result<PublicKey, KeyError> {
        let name = check_name(name)?;
        if !replace && let Ok(existing) = self.public_signing_key() {
            return Err(KeyError::SigningKeyExists {
                fingerprint: existing.fingerprint(),
            });
        }
        self.ensure()?;
        if replace {
            self.retire_signing_key()?;
        }
        let pair = match passphrase {
            Some(p) => minisign::KeyPair::generate_encrypted_keypair(Some(p.to_string())),
            None => minisign::KeyPair::generate_unencrypted_keypair(),
        }
        .map_err(|e| KeyError::BadKeyFile {
            path: self.path("signing.key"),
            reason: e.to_string(),
        })?;
        let key_id = key_id_hex(pair.pk.keynum());
        let public = PublicKey {
            name: Some(name.clone()),
            key: pair.pk,
            key_id: key_id.clone(),
        };
        let sk_box = pair
            .sk
            .to_box(Some(&format!(
                "Evidence Kit signing key of {} ({})",
                one_line(&name),
                public.fingerprint()
            )))
            .map_err(|e| KeyError::BadKeyFile {
                path: self.path("signing.key"),
                reason: e.to_string(),
            })?;
        write_private(&self.path("signing.key"), sk_box.to_string().as_bytes())?;
        write_file(&self.path("signing.pub"), public.to_pub_file().as_bytes())?;
        let info = SigningInfo {
            name,
            key_id,
            created: crate::clock::now().utc,
        };
        self.write_json("signing.json", &info)?;
        Ok(public)
    }

    /// Move the signing key's files (`signing.key`, `.pub`, `.json`) into
    /// `retired/DATE-FINGERPRINT/` (the date it was retired, the key's fingerprint
    /// without spaces; `-2`, `-3`… if taken). Nothing is deleted. Returns that folder,
    /// or `None` when there was no key.
    pub fn retire_signing_key(&self) -> Result<Option<PathBuf>, KeyError> {
        let files: Vec<PathBuf> = SIGNING_FILES
            .iter()
            .map(|f| self.path(f))
            .filter(|p| p.exists())
            .collect();
        if files.is_empty() {
            return Ok(None);
        }
        let fp = self
            .public_signing_key()
            .map(|k| k.fingerprint().replace(' ', ""))
            .unwrap_or_else(|_| "unreadable".into());
        let date: String = crate::clock::now().utc.chars().take(10).collect();
        let base = self.path(RETIRED).join(format!("{date}-{fp}"));
        let mut to = base.clone();
        let mut n = 1;
        while to.exists() {
            n += 1;
            to = PathBuf::from(format!("{}-{n}", base.display()));
        }
        self.ensure()?;
        fs::create_dir_all(&to).map_err(io("create", &to))?;
        for f in files {
            let dest = to.join(f.file_name().unwrap_or_default());
            fs::rename(&f, &dest).map_err(io("move", &f))?;
        }
        Ok(Some(to))
    }

    /// The public half of the signing key, with its owner's name.
    pub fn public_signing_key(&self) -> Result<PublicKey, KeyError> {
        let p = self.path("signing.pub");
        if !p.exists() {
            return Err(KeyError::NoSigningKey);
        }
        let mut key = PublicKey::read(&p)?;
        if let Ok(info) = self.signing_info() {
            key.name = Some(info.name);
        }
        Ok(key)
    }

    /// `signing.json`.
    pub fn signing_info(&self) -> Result<SigningInfo, KeyError> {
        let p = self.path("signing.json");
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) => KeyError::NoSigningKey,
            e => e,
        })?;
        serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
            path: p,
            reason: e.to_string(),
        })
    }

    /// Whether the secret key needs a passphrase.
    pub fn signing_key_is_encrypted(&self, key_file: Option<&Path>) -> Result<bool, KeyError> {
        let p = key_file.map_or_else(|| self.path("signing.key"), Path::to_path_buf);
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) && key_file.is_none() => KeyError::NoSigningKey,
            e => e,
        })?;
        // minisign's secret key: line 2 is base64 of sig_alg(2) | kdf_alg(2) | …;
        // kdf_alg "Sc" means scrypt-encrypted, two zero bytes mean plain.
        use base64::Engine;
        let raw = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok())
            .filter(|b| b.len() > 4)
            .ok_or_else(|| KeyError::BadKeyFile {
                path: p.clone(),
                reason: "no secret key in it".into(),
            })?;
        match &raw[2..4] {
            b"Sc" => Ok(true),
            [0, 0] => Ok(false),
            _ => Err(KeyError::BadKeyFile {
                path: p,
                reason: "an unknown key protection".into(),
            }),
        }
    }

    /// Open the signing key (`key_file`, or `signing.key` here).
    pub fn signing_key(
        &self,
        key_file: Option<&Path>,
        passphrase: Option<&str>,
    ) -> Result<SigningKey, KeyError> {
        let p = key_file.map_or_else(|| self.path("signing.key"), Path::to_path_buf);
        let encrypted = self.signing_key_is_encrypted(key_file)?;
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES)?;
        let bad = |e: minisign::PError| KeyError::BadKeyFile {
            path: p.clone(),
            reason: e.to_string(),
        };
        let sk_box = minisign::SecretKeyBox::from_string(&text).map_err(bad)?;
        let secret = if encrypted {
            // A wrong passphrase fails minisign's checksum of the decrypted key.
            sk_box
                .into_secret_key(Some(passphrase.unwrap_or("").to_string()))
                .map_err(|_| KeyError::WrongPassphrase)?
        } else {
            match sk_box.into_unencrypted_secret_key() {
                Ok(secret) => secret,
                Err(e) => unprotected_cli_key(&text).ok_or_else(|| bad(e))?,
            }
        };
        let pk =
            minisign::PublicKey::from_secret_key(&secret).map_err(|e| KeyError::BadKeyFile {
                path: p.clone(),
                reason: e.to_string(),
            })?;
        let key_id = key_id_hex(pk.keynum());
        let name = match (key_file, self.signing_info()) {
            (None, Ok(info)) => info.name,
            _ => self
                .public_signing_key()
                .ok()
                .filter(|k| k.key_id == key_id)
                .and_then(|k| k.name)
                .unwrap_or_else(|| "unknown".into()),
        };
        Ok(SigningKey {
            public: PublicKey {
                name: Some(name.clone()),
                key: pk,
                key_id,
            },
            name,
            secret,
        })
    }
}
