//! Keys: the staff member's minisign (Ed25519) signing key, the designated person's
//! age (X25519) identity, the list of designated persons staff can seal to, and the
//! staff keys a designated person trusts.
//!
//! Everything lives in one folder (the OS config folder, or `$EVIDENCE_KIT_CONFIG`):
//!
//! ```text
//! CONFIG/                0700
//!   signing.key          minisign secret key, scrypt-encrypted with the passphrase (0600)
//!   signing.pub          minisign public key (give it to the designated person)
//!   signing.json         {name, key_id, created}
//!   recipients.json      designated persons staff can seal to: [{name, recipient}]
//!   identity.age         the designated person's age identity (0600)
//!   identity.json        {name, recipient}
//!   trusted/*.pub        staff keys this person trusts (verify also trusts signing.pub)
//!   receipt-keys/*.pub   designated persons' keys that receipts are checked with
//!   settings.json        the staff member's details and the app's mode (crate::settings)
//! ```
//!
//! Both file formats are the tools' own, so `minisign -V -p signing.pub` and
//! `age -d -i identity.age` work on them directly.
//!
//! The code is in two parts, one below the other: [`format`] is the files' formats
//! (parsing and writing the keys, reading a file it is given to a cap) and imports
//! nothing of the folder; `dir` is [`KeyDir`], the folder itself, one file per thing kept
//! in it (`signing`, `identity`, `recipients`, `trust`). `settings.json` is
//! [`crate::settings`], above both. This module only names them: every `keys::…` path
//! resolves as it did when all of it was one file.

pub mod format;

mod dir;

pub use crate::settings::{MAX_SETTING_CHARS, Mode, Profile};
pub use dir::{KeyDir, RETIRED, RetiredRecipient};
pub use format::{
    KeyError, MAX_KEY_FILE_BYTES, MAX_PASSPHRASE_FILE_BYTES, MIN_PASSPHRASE_CHARS, PublicKey,
    RecipientInfo, SigningInfo, SigningKey, check_new_passphrase, find_public_key, find_recipient,
    fingerprint, identity_is_protected, key_id_hex, open_regular, parse_recipient, read_identities,
    read_regular, read_regular_text, recipient_fingerprint,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_wrong_passphrase() {
        let dir = tempfile::tempdir().expect("tmp");
        let keys = KeyDir::at(dir.path().join("cfg"));
        let public = keys
            .new_signing_key("A. Teacher", Some("correct horse"), false)
            .expect("new");
        assert_eq!(public.fingerprint().len(), 19);
        assert!(matches!(
            keys.new_signing_key("A. Teacher", Some("x"), false),
            Err(KeyError::SigningKeyExists { .. })
        ));
        assert!(matches!(
            keys.signing_key(None, Some("wrong")),
            Err(KeyError::WrongPassphrase)
        ));
        let sk = keys.signing_key(None, Some("correct horse")).expect("open");
        assert_eq!(sk.public.key_id, public.key_id);
        assert_eq!(sk.name, "A. Teacher");
        let read = PublicKey::read(&dir.path().join("cfg/signing.pub")).expect("pub");
        assert_eq!(read.key_id, public.key_id);
        assert_eq!(read.name.as_deref(), Some("A. Teacher"));
    }

    #[test]
    fn recipients_resolve_by_name_or_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let dsl = KeyDir::at(dir.path().join("dsl"));
        let me = dsl
            .new_identity("Mrs D. Lead", None, false)
            .expect("identity");
        assert!(me.recipient.starts_with("age1"));
        let staff = KeyDir::at(dir.path().join("staff"));
        staff
            .add_recipient("DSL", &me.recipient, false)
            .expect("add");
        assert_eq!(
            staff.resolve_recipient("dsl").expect("by name"),
            RecipientInfo {
                name: "DSL".into(),
                recipient: me.recipient.clone()
            }
        );
        assert_eq!(
            staff.resolve_recipient(&me.recipient).expect("by key").name,
            "DSL"
        );
        assert!(matches!(
            staff.resolve_recipient("nobody"),
            Err(KeyError::UnknownRecipient { .. })
        ));
        assert!(matches!(
            staff.add_recipient("X", "age1notakey", false),
            Err(KeyError::BadRecipient { .. })
        ));
        let ids = read_identities(&dsl.identity_path(None), None).expect("ids");
        assert_eq!(ids[0].to_public().to_string(), me.recipient);
    }

    #[test]
    fn shared_keys_paste_whole_and_a_trusted_key_is_kept_by_name() {
        let dir = tempfile::tempdir().expect("tmp");
        let dsl = KeyDir::at(dir.path().join("dsl"));
        let me = dsl
            .new_identity("Mrs D. Lead", None, false)
            .expect("identity");
        dsl.new_signing_key("Mrs D. Lead", None, false)
            .expect("key");
        let text = format!(
            "Hello, here are my keys:\n{}\nThanks",
            dsl.share_text().expect("share")
        );
        assert_eq!(find_recipient(&text).expect("recipient"), me.recipient);
        let k = find_public_key(&text).expect("public key");
        assert_eq!(k.key_id, dsl.public_signing_key().expect("pub").key_id);
        assert!(find_public_key("no key here RWxyz").is_none());
        let staff = KeyDir::at(dir.path().join("staff"));
        staff.trust_for_receipts(&k, "Mrs D. Lead").expect("trust");
        let receipts = staff.receipt_keys();
        assert_eq!(receipts.len(), 1);
        assert_eq!(receipts[0].name.as_deref(), Some("Mrs D. Lead"));
        assert_eq!(receipts[0].key_id, k.key_id);
        // Not a key trusted to sign bundles.
        assert!(staff.trusted_keys().is_empty());
        staff.trust(&k, "Mrs D. Lead").expect("trust");
        assert_eq!(staff.trusted_keys()[0].name.as_deref(), Some("Mrs D. Lead"));
    }
}
