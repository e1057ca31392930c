//! Sealing: a case becomes one signed bundle — a zip holding a BagIt 1.0 bag — that
//! anyone can check with stock tools (bagit.py, minisign, sha256sum, age).
//!
//! ```text
//! EK-20261125-3F2A9C.evidence            (zip, stored entries, canonical layout)
//!   bagit.txt
//!   bag-info.txt                         Source-Organization, Contact-Name, Payload-Oxum, …
//!   manifest-sha256.txt                  SHA-256 of every payload file
//!   tagmanifest-sha256.txt               SHA-256 of every tag file below and above
//!   tagmanifest-sha256.txt.minisig       minisign signature of the tag manifest
//!   case.json                            the case and each item's time, date, site, …
//!   custody.jsonl                        the custody chain (other cases' entries redacted)
//!   signer.pub                           the signer's minisign public key
//!   data/001-screen-1.png …              the evidence, byte for byte
//! ```
//! With `--to`, the whole zip is encrypted with age to the designated person: `….evidence.age`.
//!
//! [`mod@format`] is what a second implementation needs (names, records, limits); sealing
//! (`seal.rs`) writes it, with its I/O plumbing (`stream.rs`); `verify` reads it and
//! imports only `format`, `bag`, `casejson` and `zipfmt`. Every item keeps its old path
//! (`bundle::X`) through the re-exports below.

pub mod bag;
pub mod casejson;
pub mod format;
mod seal;
mod stream;
pub mod zipfmt;

pub use format::*;
pub use seal::{SealError, SealRequest, Sealed, seal};
pub use stream::copy_sealed;
