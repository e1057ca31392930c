//! The on-disk layout of a store's (or register's) `objects/` and `tmp/` folders:
//! where an object lives, how much of a capture's start is kept for sniffing, and
//! files still arriving in parts ([`Arriving`]). Imports only `fsutil` and `error`.

mod arriving;

pub use arriving::Arriving;

use std::path::{Path, PathBuf};

/// Bytes kept from the start of a capture for sniffing.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// Where the object with this SHA-256 lives in the store at `root`.
pub fn object_path_in(root: &Path, sha256: &str) -> PathBuf {
    let (a, b) = sha256.split_at(2.min(sha256.len()));
    root.join("objects/sha256").join(a).join(b)
}
