//! The signing key: minisign's `.pub` (with our comment naming its owner) and secret
//! key, `signing.json`, and the fingerprints and key ids people compare.

use super::{KeyError, MAX_KEY_FILE_BYTES, one_line, read_regular_text};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A public signing key with its owner's name and id.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Whose key this says it is (from the file's comment; not proof).
    pub name: Option<String>,
    /// The key.
    pub key: minisign::PublicKey,
    /// The key id as minisign prints it (16 hex digits).
    pub key_id: String,
}

impl PublicKey {
    /// The short fingerprint people compare: the first 8 bytes of the SHA-256 of the
    /// whole public key (algorithm, key id and key), in groups of four hex digits. Not the
    /// key id alone: whoever makes a key chooses its id, so a stranger could copy a staff
    /// member's; they cannot make a key whose whole bytes hash the same.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.key.to_bytes());
        fingerprint(&hex::encode_upper(&digest[..8]))
    }

    /// The key in minisign's `.pub` format, with our comment naming its owner.
    pub fn to_pub_file(&self) -> String {
        let who = self.name.as_deref().unwrap_or("unknown");
        format!(
            "untrusted comment: Evidence Kit signing key of {} ({})\n{}\n",
            one_line(who),
            self.fingerprint(),
            self.key.to_base64()
        )
    }

    /// Parse minisign's `.pub` format (or a bare base64 key).
    pub fn parse(text: &str) -> Option<PublicKey> {
        let mut name = None;
        let mut b64 = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(c) = line.strip_prefix("untrusted comment:") {
                name = c
                    .trim()
                    .strip_prefix("Evidence Kit signing key of ")
                    .and_then(|r| r.rsplit_once(" ("))
                    .map(|(n, _)| n.to_string());
            } else if b64.is_none() {
                b64 = Some(line.to_string());
            }
        }
        let key = minisign::PublicKey::from_base64(&b64?).ok()?;
        let key_id = key_id_hex(key.keynum());
        Some(PublicKey { name, key, key_id })
    }

    /// Read a `.pub` file.
    pub fn read(path: &Path) -> Result<PublicKey, KeyError> {
        let text = read_regular_text(path, MAX_KEY_FILE_BYTES)?;
        PublicKey::parse(&text).ok_or_else(|| KeyError::BadKeyFile {
            path: path.into(),
            reason: "no public key in it".into(),
        })
    }
}

/// A secret signing key, opened with its passphrase.
pub struct SigningKey {
    /// Who it belongs to.
    pub name: String,
    /// The public half.
    pub public: PublicKey,
    pub(crate) secret: minisign::SecretKey,
}

/// `3F2A91C0AB12CD34` → `3F2A 91C0 AB12 CD34`.
pub fn fingerprint(key_id: &str) -> String {
    key_id
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first minisign public key in text (a `.pub` file, or the designated person's
/// shared keys pasted with words around them).
pub fn find_public_key(text: &str) -> Option<PublicKey> {
    // A minisign public key is 56 base64 characters starting "RW"; as for recipients,
    // words glued to it are cut off.
    text.match_indices("RW")
        .filter_map(|(i, _)| text.get(i..i + 56))
        .find_map(|t| minisign::PublicKey::from_base64(t).ok())
        .map(|key| PublicKey {
            name: None,
            key_id: key_id_hex(key.keynum()),
            key,
        })
}

/// The key id as minisign prints it: the 8 id bytes as a little-endian u64 in hex.
pub fn key_id_hex(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    let n = keynum.len().min(8);
    b[..n].copy_from_slice(&keynum[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// `signing.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningInfo {
    /// Owner's name.
    pub name: String,
    /// minisign key id (16 hex).
    pub key_id: String,
    /// When it was made (RFC 3339 UTC).
    pub created: String,
}

/// A secret key made by minisign's own CLI without a passphrase (`minisign -G -W`):
/// minisign 0.11 leaves its checksum as zeros, which the minisign crate calls a
/// "Corrupted key". Accepted only in that exact layout (Ed25519, no KDF, BLAKE2b
/// checksum field all zeros), and only when a signature it makes checks with the public
/// half it carries, which is what the checksum would have caught.
pub(crate) fn unprotected_cli_key(text: &str) -> Option<minisign::SecretKey> {
    use base64::Engine;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(line)
        .ok()?;
    // sig_alg 2 | kdf_alg 2 | chk_alg 2 | salt 32 | opslimit 8 | memlimit 8 | keynum 8 |
    // secret key 64 | checksum 32.
    let layout =
        raw.len() == 158 && raw.starts_with(b"Ed\0\0B2") && raw[126..].iter().all(|&b| b == 0);
    if !layout {
        return None;
    }
    let sk = minisign::SecretKey::from_bytes(&raw).ok()?;
    let pk = minisign::PublicKey::from_secret_key(&sk).ok()?;
    // `sign` checks its own signature against `pk` when given one.
    minisign::sign(Some(&pk), &sk, &b"Evidence Kit key check"[..], None, None).ok()?;
    Some(sk)
}
