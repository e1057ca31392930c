//! The bundle format: what a second implementation needs to write or read a bundle
//! (see docs/bundle-format.md). The names and order of its files, its limits, the
//! signed facts, `case.json`'s and `custody.jsonl`'s records, payload names, the block
//! list's lines and the strict reader of the signature file. No I/O, no store: sealing
//! (`seal.rs`) writes it and `verify` reads it.

use super::bag;
use crate::case::{Case, Item};
use crate::clock::Stamp;
use crate::custody::Entry;
use serde::{Deserialize, Serialize};

/// The `format` of the signed trusted comment.
pub const BUNDLE_FORMAT: &str = "evidence-kit-bundle/1";
/// The `format` of `case.json`.
pub const CASE_FORMAT: &str = "evidence-kit-case/1";

/// Tag files covered by the tag manifest, in the order they are written.
pub const TAG_FILES: &[&str] = &[
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "case.json",
    "custody.jsonl",
    "signer.pub",
    BLOCKS,
];
/// Block hashes of every payload file, one line per file (see [`blocks_line`]).
pub const BLOCKS: &str = "blocks-sha256.txt";
/// The tag manifest and its signature.
pub const TAGMANIFEST: &str = "tagmanifest-sha256.txt";
/// The detached minisign signature of the tag manifest.
pub const SIGNATURE: &str = "tagmanifest-sha256.txt.minisig";

/// Most entries a bundle may have (its tag files and payload files together): the
/// verifier refuses more, so seal refuses to make more.
pub const MAX_ENTRIES: usize = 100_000;

/// [`MAX_ENTRIES`], lowered in debug builds by `EVIDENCE_KIT_TEST_MAX_ENTRIES` so that
/// tests can reach the limit without sealing 100,000 files. Release builds ignore it.
pub fn max_entries() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("EVIDENCE_KIT_TEST_MAX_ENTRIES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        return n.min(MAX_ENTRIES);
    }
    MAX_ENTRIES
}

/// Largest `case.json`, `custody.jsonl` or `blocks-sha256.txt` the verifier reads.
pub const MAX_TAG_BYTES: u64 = 256 * 1024 * 1024;
/// Largest `bagit.txt`, `bag-info.txt`, `signer.pub` or signature file it reads.
pub const MAX_SMALL_TAG_BYTES: u64 = 1024 * 1024;

/// The most bytes the verifier reads of the tag file `name`.
pub fn tag_limit(name: &str) -> u64 {
    match name {
        "manifest-sha256.txt" | TAGMANIFEST => bag::MAX_MANIFEST_BYTES,
        "case.json" | "custody.jsonl" | BLOCKS => MAX_TAG_BYTES,
        _ => MAX_SMALL_TAG_BYTES,
    }
}

/// Most payload files (items) one bundle can hold.
pub fn max_items() -> usize {
    max_entries().saturating_sub(ZIP_ORDER.len())
}

/// The signed facts about a bundle (the minisign trusted comment, as compact JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SealFacts {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The bundle's UUID.
    pub bundle: String,
    /// The case reference.
    pub case: String,
    /// When it was sealed (RFC 3339 UTC).
    pub sealed: String,
    /// The signer's name.
    pub signer: String,
    /// The signer's minisign key id (16 hex).
    pub key_id: String,
    /// The designated persons' age recipients it was encrypted to (empty: not encrypted).
    pub recipients: Vec<String>,
    /// SHA-256 of `tagmanifest-sha256.txt`.
    pub tagmanifest_sha256: String,
}

/// One item as `case.json` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BagItem {
    /// Its payload path (`data/001-…`).
    pub path: String,
    /// The item record, as in the store.
    #[serde(flatten)]
    pub item: Item,
}

/// The line of `blocks-sha256.txt` for one payload file:
/// `PATH<TAB>BLOCK_SIZE<TAB>HEX…` where `HEX…` is the SHA-256 of each consecutive block,
/// concatenated (64 hex digits each). Kept out of `case.json` so that neither seal nor
/// verify holds every block hash in memory at once.
pub fn blocks_line(path: &str, b: &crate::digest::Blocks) -> String {
    let mut s = String::with_capacity(path.len() + 16 + b.digests.len() * 64);
    s.push_str(&bag::encode_path(path));
    s.push('\t');
    s.push_str(&b.size.to_string());
    s.push('\t');
    for d in &b.digests {
        s.push_str(&hex::encode(d));
    }
    s.push('\n');
    s
}

/// Find the block hashes of `path` in a `blocks-sha256.txt` stream (read line by line).
pub fn find_blocks(reader: impl std::io::BufRead, path: &str) -> Option<crate::digest::Blocks> {
    let want = bag::encode_path(path);
    for line in reader.lines() {
        let line = line.ok()?;
        let mut parts = line.splitn(3, '\t');
        if parts.next()? != want {
            continue;
        }
        let size: u64 = parts.next()?.parse().ok()?;
        let hexes = parts.next()?;
        if size == 0 || hexes.len() % 64 != 0 {
            return None;
        }
        let digests = hexes
            .as_bytes()
            .chunks(64)
            .map(|c| {
                let mut a = [0u8; 32];
                let v = hex::decode(c).ok()?;
                a.copy_from_slice(&v);
                Some(a)
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(crate::digest::Blocks {
            size,
            digests,
            crc32: 0,
        });
    }
    None
}

/// `case.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// [`CASE_FORMAT`].
    pub format: String,
    /// The bundle's UUID.
    pub bundle: String,
    /// When it was sealed.
    pub sealed: Stamp,
    /// The case.
    pub case: Case,
    /// Its items, withdrawn ones included.
    pub items: Vec<BagItem>,
}

/// A line of `custody.jsonl`: a whole entry of this case, or only the chain links of
/// an entry about another case (its content is not this bundle's to share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustodyLine {
    /// An entry of this case (or of the store itself).
    Full(Entry),
    /// An entry about another case: its place in the chain only.
    Redacted {
        /// Its sequence number.
        seq: i64,
        /// Always true.
        redacted: bool,
        /// Hash of the entry before it.
        prev_hash: String,
        /// Its hash.
        hash: String,
    },
}

/// The original name reduced to `[A-Za-z0-9._-]` (each other character a `-`, runs
/// of `-` collapsed), trimmed of `-` and `.` at both ends and cut to 80 characters:
/// the name part of a payload name before its second trim.
fn cut_name(original: &str) -> String {
    let mut safe = String::new();
    for c in original.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && safe.ends_with('-')) {
            safe.push(c);
        }
    }
    safe.trim_matches(['-', '.']).chars().take(80).collect()
}

/// `data/NNN-name` from a name part (`item` when it is empty).
fn numbered(index: usize, width: usize, safe: &str) -> String {
    let safe = if safe.is_empty() { "item" } else { safe };
    format!("data/{:0width$}-{safe}", index + 1)
}

/// A payload file name: a number (collision-free) and the original name made safe.
pub fn payload_name(index: usize, width: usize, original: &str) -> String {
    // Trimmed again after the cut, so that a name never ends in a dot (which the
    // verifier refuses as unsafe) or a dash.
    numbered(index, width, cut_name(original).trim_matches(['-', '.']))
}

/// Whether `path` is the payload name, numbered `width` digits wide, of the item at
/// `index` (0-based) named `original`: as [`payload_name`] makes it, or as versions
/// before the second trim made it (the cut at 80 characters could leave a trailing dot
/// or dash; format 1 bundles sealed then still verify).
pub fn is_payload_name(path: &str, index: usize, width: usize, original: &str) -> bool {
    path == payload_name(index, width, original)
        || path == numbered(index, width, &cut_name(original))
}

/// The width of the number in payload names of a case of `count` items: at least 3
/// digits, and as many as the count has.
pub fn payload_width(count: usize) -> usize {
    count.to_string().len().max(3)
}

/// The unsigned first line of the signature file, without its `untrusted comment: `
/// prefix: always exactly this, so that verify can compare it (the line is covered by
/// no signature).
pub fn untrusted_comment(case_id: &str, fingerprint: &str) -> String {
    format!("Evidence Kit seal of {case_id} by {fingerprint}")
}

/// One line of `custody.jsonl`.
pub(crate) fn custody_line(e: &Entry, case_id: &str) -> String {
    let line = match &e.case_id {
        Some(c) if c != case_id => CustodyLine::Redacted {
            seq: e.seq,
            redacted: true,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        },
        _ => CustodyLine::Full(e.clone()),
    };
    serde_json::to_string(&line).unwrap_or_default() + "\n"
}

/// The order of the zip's entries: the BagIt declaration and manifests first, then the
/// signature, the other tag files, and the payload.
pub const ZIP_ORDER: &[&str] = &[
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    TAGMANIFEST,
    SIGNATURE,
    "case.json",
    "custody.jsonl",
    "signer.pub",
    BLOCKS,
];

/// Bytes of a minisign signature line: algorithm (2), key id (8), signature (64).
const SIGNATURE_LINE_BYTES: usize = 74;
/// Bytes of the global signature (over the signature and the trusted comment).
const GLOBAL_SIGNATURE_BYTES: usize = 64;

/// A minisign signature file, read strictly: exactly four lines, each ended by a line
/// feed; the signature lines standard base64 (with padding) of exactly 74 and 64
/// bytes, written as minisign writes them. Lengths are checked before the `minisign`
/// crate sees the file (its verify slices the global signature without checking its
/// length: docs/upstream/minisign-signature-length.md). Returns the signature and its
/// untrusted comment (after `untrusted comment: `).
pub fn parse_signature(bytes: &[u8]) -> Option<(minisign::SignatureBox, String)> {
    use base64::Engine;
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.strip_suffix('\n')?;
    let lines: Vec<&str> = body.split('\n').collect();
    let [untrusted, sig, trusted, global] = lines.as_slice() else {
        return None;
    };
    // minisign trims the trusted comment before checking the global signature over it,
    // so white space around it would be bytes no signature covers: refused.
    let tc = trusted.strip_prefix("trusted comment: ")?;
    if lines.iter().any(|l| l.contains('\r')) || tc.trim() != tc {
        return None;
    }
    let comment = untrusted.strip_prefix("untrusted comment: ")?;
    let b64 = base64::engine::general_purpose::STANDARD;
    for (line, len) in [
        (sig, SIGNATURE_LINE_BYTES),
        (global, GLOBAL_SIGNATURE_BYTES),
    ] {
        let raw = b64.decode(line).ok()?;
        // Canonical: re-encoding gives the same text (no other spelling of the bytes).
        if raw.len() != len || b64.encode(&raw) != **line {
            return None;
        }
    }
    let parsed = minisign::SignatureBox::from_string(text).ok()?;
    Some((parsed, comment.to_string()))
}
