//! What the fuzz targets share: a scratch folder in memory (tmpfs), the TEST-ONLY keys of
//! `tests/vectors/keys/`, the fixtures cut from the `plain` vector, and the oracle for the
//! verifier: the SHA-256 of every bundle known to be genuine.
//!
//! Never used outside fuzzing: the keys here are public test keys.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The signer of every genuine vector (`tests/vectors/keys/staff/signing.pub`).
pub const STAFF_PUB: &str = include_str!("../../tests/vectors/keys/staff/signing.pub");
/// The designated person the encrypted vectors are sealed to (no passphrase).
pub const DSL_IDENTITY: &str = include_str!("../../tests/vectors/keys/dsl/identity.age");
/// `custody.jsonl` of `tests/vectors/plain.evidence` (made by `fuzz/seed.sh`).
pub const PLAIN_CUSTODY: &[u8] = include_bytes!("../fixtures/plain-custody.jsonl");
/// `case.json` of `tests/vectors/plain.evidence` (made by `fuzz/seed.sh`).
pub const PLAIN_CASE: &[u8] = include_bytes!("../fixtures/plain-case.json");
/// SHA-256 of every (plain) bundle that verifies intact with [`STAFF_PUB`] trusted: the
/// genuine vectors and seeds (made by `fuzz/seed.sh`).
const INTACT_SHA256: &str = include_str!("../fixtures/intact.sha256");

/// A folder of this process for the files a target writes: `$EK_FUZZ_SCRATCH` (set by
/// `scripts/fuzz` to a folder in /dev/shm), else one in /dev/shm (or the temp folder).
/// The same paths are reused for every input.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("EK_FUZZ_SCRATCH")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let shm = Path::new("/dev/shm");
                let root = if shm.is_dir() {
                    shm.to_path_buf()
                } else {
                    std::env::temp_dir()
                };
                root.join(format!("ek-fuzz-{}", std::process::id()))
            });
        let dir = base.join(format!("p{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Write `bytes` to `name` in the scratch folder (replacing what was there).
pub fn put(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, bytes).expect("write scratch file");
    p
}

/// The staff test key, parsed.
pub fn staff_key() -> &'static evidence_kit::keys::PublicKey {
    static KEY: OnceLock<evidence_kit::keys::PublicKey> = OnceLock::new();
    KEY.get_or_init(|| evidence_kit::keys::PublicKey::parse(STAFF_PUB).expect("staff key"))
}

/// The designated person's test identity.
pub fn dsl_identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(|| {
        DSL_IDENTITY
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .and_then(|l| l.trim().parse().ok())
            .expect("dsl identity")
    })
}

/// Whether `bytes` (a plain zip) is one of the bundles known to verify intact.
pub fn known_intact(bytes: &[u8]) -> bool {
    static SET: OnceLock<BTreeSet<String>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        INTACT_SHA256
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    });
    set.contains(&hex::encode(Sha256::digest(bytes)))
}

/// Split the custody log into lines as the verifier does (LF; a last line without one).
pub fn custody_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if bytes.ends_with(b"\n") || bytes.is_empty() {
        out.pop();
    }
    out
}
