//! Key files (`src/keys.rs`): public keys (`.pub`, pasted text), age recipients, age
//! identity files, the keys folder's trusted and receipt keys, `signing.json`,
//! `settings.json`, and secret signing keys without a passphrase. The first byte
//! chooses; the rest is the file (written to the scratch keys folder where a file is
//! read).
//!
//! Properties: never panics; memory bounded; a public key that parses writes back
//! (`to_pub_file`) and parses to the same key and name; a recipient found is a valid one
//! and prints as found; identities read give valid recipients; a key kept in
//! `trusted/` is what `PublicKey::parse` reads from the same text.
//!
//! Not fuzzed: a passphrase-protected identity or signing key (their scrypt work factor
//! is the file's own, so any input can ask for seconds of work by design).
#![no_main]

use evidence_kit::keys::{self, KeyDir, PublicKey};
use evidence_kit_fuzz::{put, scratch};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A keys folder in the scratch folder; each input replaces the file it is about.
fn keydir() -> &'static KeyDir {
    static DIR: OnceLock<KeyDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let root: PathBuf = scratch().join("keys");
        for sub in ["trusted", "receipt-keys"] {
            std::fs::create_dir_all(root.join(sub)).expect("keys folder");
        }
        KeyDir::at(root)
    })
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn public_key(text: &str) {
    if let Some(k) = PublicKey::parse(text) {
        let _ = k.fingerprint();
        let again = PublicKey::parse(&k.to_pub_file()).expect("a written .pub parses");
        assert_eq!(
            again.key.to_base64(),
            k.key.to_base64(),
            "a public key does not round-trip"
        );
        assert_eq!(again.key_id, k.key_id);
        let name = k.name.as_deref().map(one_line);
        let name = name.as_deref().unwrap_or("unknown").trim();
        assert_eq!(
            again.name.as_deref().map(str::trim),
            Some(name),
            "a key's name does not round-trip"
        );
    }
    if let Some(k) = keys::find_public_key(text) {
        assert!(PublicKey::parse(&k.key.to_base64()).is_some_and(|p| p.key_id == k.key_id));
    }
}

fn recipient(text: &str) {
    if let Ok(r) = keys::find_recipient(text) {
        let parsed = keys::parse_recipient(&r).expect("a found recipient parses");
        assert_eq!(parsed.to_string(), r);
        assert!(text.contains(&r));
        let _ = keys::recipient_fingerprint(&r);
    }
}

fn kept(dir: &KeyDir, folder: &str, bytes: &[u8]) {
    let name = if folder == "trusted" {
        "trusted/0011223344556677.pub"
    } else {
        "receipt-keys/0011223344556677.pub"
    };
    std::fs::write(dir.root().join(name), bytes).expect("write key");
    let keys = if folder == "trusted" {
        dir.trusted_keys()
    } else {
        dir.receipt_keys()
    };
    let direct = std::str::from_utf8(bytes).ok().and_then(PublicKey::parse);
    assert_eq!(
        keys.iter().map(|k| k.key.to_base64()).collect::<Vec<_>>(),
        direct.iter().map(|k| k.key.to_base64()).collect::<Vec<_>>(),
        "the keys folder reads a key file otherwise than PublicKey::parse"
    );
    std::fs::remove_file(dir.root().join(name)).expect("remove key");
}

fn identity(bytes: &[u8]) {
    let path = put("identity.txt", bytes);
    if let Ok(ids) = keys::read_identities(&path, None) {
        assert!(!ids.is_empty());
        for id in ids {
            let r = id.to_public().to_string();
            assert!(keys::parse_recipient(&r).is_ok());
        }
    }
    let _ = keys::identity_is_protected(&path);
}

fn signing_files(dir: &KeyDir, which: u8, bytes: &[u8]) {
    let root = dir.root();
    let file = match which {
        0 => "signing.json",
        1 => "signing.pub",
        2 => "settings.json",
        _ => "signing.key",
    };
    std::fs::write(root.join(file), bytes).expect("write");
    match which {
        0 | 1 => {
            let _ = dir.signing_info();
            let _ = dir.public_signing_key();
            let _ = dir.identity_info();
        }
        2 => {
            let p = dir.profile();
            if let Ok(strict) = dir.read_profile() {
                assert_eq!(strict, p, "read_profile and profile disagree");
            }
        }
        _ => {
            // Only a key without a passphrase is opened (see the top of this file).
            if matches!(dir.signing_key_is_encrypted(None), Ok(false))
                && let Ok(k) = dir.signing_key(None, None)
            {
                let _ = k.public.fingerprint();
            }
        }
    }
    std::fs::remove_file(root.join(file)).expect("remove");
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = std::str::from_utf8(rest);
    let dir = keydir();
    match which % 9 {
        0 => {
            if let Ok(t) = text {
                public_key(t);
            }
        }
        1 => {
            if let Ok(t) = text {
                recipient(t);
            }
        }
        2 => kept(dir, "trusted", rest),
        3 => kept(dir, "receipt-keys", rest),
        4 => identity(rest),
        w => signing_files(dir, w - 5, rest),
    }
});
