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

pub mod bag;
pub mod casejson;
pub mod zipfmt;

use crate::StoreError;
use crate::case::{Case, Item};
use crate::clock::Stamp;
use crate::custody::Entry;
use crate::keys::{KeyError, RecipientInfo, SigningKey};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The `format` of the signed trusted comment.
pub const BUNDLE_FORMAT: &str = "evidence-kit-bundle/1";
/// The `format` of `case.json`.
pub const CASE_FORMAT: &str = "evidence-kit-case/1";
/// Default for `Source-Organization`.
pub const DEFAULT_ORGANIZATION: &str = "Newport CE Junior School";

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

/// Something stopped a seal. Nothing is left half-written: the partial file is removed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key could not be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The output file exists already.
    #[error("{path} already exists. Choose another name with --out; nothing was overwritten.")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// Writing the bundle failed.
    #[error("Could not write the bundle {}: {}. Nothing was sealed.", path.display(), crate::error::plain_io(source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The place the bundle was being written to filled up.
    #[error(
        "There is not enough room in {} for the bundle. Free some space or choose another place (a USB stick with more room); nothing was sealed.",
        folder.display()
    )]
    Full {
        /// The folder.
        folder: PathBuf,
    },
    /// A stored object does not match the hash recorded at capture.
    #[error(
        "Item {item} ({name}) no longer matches the SHA-256 recorded when it was captured, so it was not sealed. Run `evidence-kit check` and tell your designated safeguarding person."
    )]
    ObjectChanged {
        /// The item.
        item: i64,
        /// Its original name.
        name: String,
    },
    /// A tag file would be larger than the verifier reads.
    #[error(
        "This record is too large for one sealed file ({file} would be {size} bytes, more than the {max} a sealed file may hold), so nothing was sealed. Ask your designated safeguarding person how to hand it over in parts."
    )]
    TooLarge {
        /// The tag file.
        file: String,
        /// Its size.
        size: u64,
        /// The most allowed.
        max: u64,
    },
    /// More items than one bundle may hold.
    #[error(
        "This record has {items} items, more than the {max} one sealed file can hold, so nothing was sealed. Ask your designated safeguarding person how to hand it over in parts."
    )]
    TooManyItems {
        /// Items that would be sealed.
        items: usize,
        /// The most a bundle holds.
        max: usize,
    },
    /// Encryption failed.
    #[error("The bundle could not be encrypted: {reason}.")]
    Encrypt {
        /// Why.
        reason: String,
    },
}

impl SealError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            SealError::Store(e) => e.code(),
            SealError::Key(e) => e.code(),
            SealError::OutputExists { .. } => "output_exists",
            SealError::Write { .. } => "write",
            SealError::Full { .. } => "disk_full",
            SealError::ObjectChanged { .. } => "object_changed",
            SealError::TooManyItems { .. } => "too_many_items",
            SealError::TooLarge { .. } => "too_large",
            SealError::Encrypt { .. } => "encrypt",
        }
    }
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
pub fn blocks_line(path: &str, b: &crate::store::Blocks) -> String {
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
pub fn find_blocks(reader: impl std::io::BufRead, path: &str) -> Option<crate::store::Blocks> {
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
        return Some(crate::store::Blocks {
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

/// What to seal and where.
#[derive(Debug, Clone)]
pub struct SealRequest {
    /// The case.
    pub case_id: String,
    /// Where to write, exactly as given; default `CASE.evidence` here
    /// (`CASE.evidence.age` when encrypting).
    pub out: Option<PathBuf>,
    /// Encrypt to these designated persons (none: not encrypted).
    pub to: Vec<RecipientInfo>,
    /// `Source-Organization`.
    pub organization: String,
}

/// A sealed bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Sealed {
    /// The file written.
    pub path: PathBuf,
    /// SHA-256 of the whole file.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The bundle's UUID.
    pub bundle_id: String,
    /// The case.
    pub case_id: String,
    /// Whether it is encrypted.
    pub encrypted: bool,
    /// Items in it.
    pub items: usize,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// When.
    pub sealed: Stamp,
    /// Signer fingerprint.
    pub signer_fingerprint: String,
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

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Seal a case. `on_progress(done, total)` counts payload bytes.
///
/// Everything is read from the store inside one read snapshot, so that the tag files
/// made twice (once to hash, once into the zip) come out the same even while another
/// process captures or edits. The case's items are walked, never held: memory does not
/// grow with the number of items beyond a compact plan (id, size, hash, name).
pub fn seal(
    store: &Store,
    key: &SigningKey,
    req: &SealRequest,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<Sealed, SealError> {
    note_clock_set_back(store, &key.name)?;
    let done = store.snapshot(|store| seal_snapshot(store, key, req, on_progress))?;
    let file_name = done
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    store.append_custody(
        &key.name,
        "sealed",
        Some(&done.case_id),
        None,
        &serde_json::json!({
            "bundle": done.bundle_id,
            "file": file_name,
            "sha256": done.sha256,
            "size": done.size,
            "items": done.items,
            "payload_bytes": done.payload_bytes,
            "signer_key_id": key.public.key_id,
            "signer_fingerprint": key.public.fingerprint(),
            "encrypted": done.encrypted,
            "recipients": req.to.iter().map(|t| serde_json::json!({
                "name": t.name, "recipient": t.recipient, "fingerprint": t.fingerprint()
            })).collect::<Vec<_>>(),
            "sealed": done.sealed,
        }),
    )?;
    Ok(done)
}

/// When the clock now reads earlier than a time already in the log (it was set back
/// since), say so in the log before sealing: a store-level `clock_set_back` entry
/// (complete in every bundle; flagged `clock_anomaly` when it goes back from the entry
/// before it). Without it, a capture made before the clock went back would be later
/// than the seal time with nothing in the bundle to explain it (the entry that went
/// back may be another record's, redacted), and the verifier would rightly call that a
/// finding. The replay treats this entry as explaining every capture before it.
fn note_clock_set_back(store: &Store, actor: &str) -> Result<(), SealError> {
    // Every entry's `utc` is written in one format (UTC, milliseconds, `Z`), so the
    // largest text is the latest time.
    let last: Option<String> = store
        .conn()
        .query_row("SELECT max(utc) FROM custody", [], |r| r.get(0))
        .ok()
        .flatten();
    let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    let now = store.now();
    if let (Some(last), Some(t_now)) = (last.as_deref().and_then(instant), instant(&now.utc))
        && t_now < last
    {
        store.append_custody(
            actor,
            "clock_set_back",
            None,
            None,
            &serde_json::json!({ "latest_utc": last.to_rfc3339(), "now_utc": now.utc }),
        )?;
    }
    Ok(())
}

/// One payload file to be: what seal keeps per item (the rest is read again from the
/// store when needed).
struct Planned {
    id: i64,
    size: u64,
    sha256: [u8; 32],
    /// CRC-32 taken at capture (`None` for objects captured before it was recorded).
    crc32: Option<u32>,
    /// `data/001-…`.
    path: Box<str>,
}

impl Planned {
    fn sha_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// The tag files made from the store line by line — twice, once for their hash, size
/// and CRC-32, once into the zip — and never held whole.
struct Generated<'a> {
    store: &'a Store,
    plan: &'a [Planned],
    case_id: &'a str,
    /// `case.json` up to its first item.
    case_head: String,
    /// The chain up to this entry; entries appended while sealing are not in the bundle.
    last_seq: i64,
}

/// Tag files [`Generated`] makes.
const GENERATED: &[&str] = &["manifest-sha256.txt", "case.json", "custody.jsonl", BLOCKS];

/// Where generated text goes.
type Emit<'e> = &'e mut dyn FnMut(&[u8]) -> std::io::Result<()>;

impl Generated<'_> {
    fn emit(&self, name: &str, out: Emit<'_>) -> Result<(), SealError> {
        let werr = |source| SealError::Write {
            path: PathBuf::from(name),
            source,
        };
        match name {
            "manifest-sha256.txt" => {
                // The paths are numbered with a fixed width, so item order is path order.
                for p in self.plan {
                    let line = format!("{}  {}\n", p.sha_hex(), bag::encode_path(&p.path));
                    out(line.as_bytes()).map_err(werr)?;
                }
            }
            "case.json" => {
                out(self.case_head.as_bytes()).map_err(werr)?;
                let mut i = 0;
                self.store.each_item(self.case_id, &mut |item| {
                    if item.removed.is_some() {
                        return Ok(());
                    }
                    let Some(p) = self.plan.get(i).filter(|p| p.id == item.id) else {
                        return Err(StoreError::Changed {
                            what: "the items of this case".into(),
                        });
                    };
                    let text = casejson::item_text(
                        i == 0,
                        &BagItem {
                            path: p.path.to_string(),
                            item,
                        },
                    );
                    i += 1;
                    out(text.as_bytes()).map_err(|e| StoreError::io("write", "case.json", e))
                })?;
                if i != self.plan.len() {
                    return Err(StoreError::Changed {
                        what: "the items of this case".into(),
                    }
                    .into());
                }
                out(casejson::tail_text(i > 0).as_bytes()).map_err(werr)?;
            }
            "custody.jsonl" => {
                self.store.each_custody(self.last_seq, &mut |e| {
                    out(custody_line(e, self.case_id).as_bytes())
                })?;
            }
            BLOCKS => {
                for p in self.plan {
                    if let Some(b) = self.store.blocks(&p.sha_hex())? {
                        out(blocks_line(&p.path, &b).as_bytes()).map_err(werr)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// SHA-256, size and CRC-32 of a generated tag file.
    fn measure(&self, name: &str) -> Result<(String, u64, u32), SealError> {
        let mut sha = Sha256::new();
        let mut crc = crc32fast::Hasher::new();
        let mut n = 0u64;
        self.emit(name, &mut |b| {
            sha.update(b);
            crc.update(b);
            n += b.len() as u64;
            Ok(())
        })?;
        Ok((hex::encode(sha.finalize()), n, crc.finalize()))
    }
}

/// The tag files, ready to write: small ones in memory, generated ones measured.
struct TagFiles<'a> {
    small: BTreeMap<&'static str, String>,
    generated: Generated<'a>,
    /// Size and CRC-32 of each generated file.
    measured: BTreeMap<&'static str, (u64, u32)>,
    tagmanifest: String,
    signature: String,
}

fn seal_snapshot(
    store: &Store,
    key: &SigningKey,
    req: &SealRequest,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<Sealed, SealError> {
    let case = store.case(&req.case_id)?;
    let last_seq = store.last_custody_seq()?;
    let sealed = store.now();
    let bundle_id = uuid::Uuid::new_v4().to_string();

    // `out` is used exactly as given: no suffix is ever added (`--out X.evidence.age
    // --to …` writes X.evidence.age). Only the default name says what the file is.
    let final_path = req.out.clone().unwrap_or_else(|| {
        PathBuf::from(if req.to.is_empty() {
            format!("{}.evidence", case.id)
        } else {
            format!("{}.evidence.age", case.id)
        })
    });
    if final_path.exists() {
        return Err(SealError::OutputExists { path: final_path });
    }

    // The plan: a few dozen bytes per item.
    let mut plan = Vec::new();
    store.each_item(&case.id, &mut |item| {
        // Bytes removed as a possible indecent image of a child are never sealed; the
        // custody log carries their hash and the removal.
        if item.removed.is_some() {
            return Ok(());
        }
        let mut sha256 = [0u8; 32];
        hex::decode_to_slice(&item.sha256, &mut sha256).map_err(|_| StoreError::Changed {
            what: format!("the record of item {}", item.id),
        })?;
        let crc32 = store.blocks(&item.sha256)?.map(|b| b.crc32);
        plan.push(Planned {
            id: item.id,
            size: item.size,
            sha256,
            crc32,
            path: item.original_name.into_boxed_str(),
        });
        Ok(())
    })?;
    plan.shrink_to_fit();
    let n_items = plan.len();
    // Refused before anything is written: a bundle the verifier would refuse is never made.
    if n_items > max_items() {
        return Err(SealError::TooManyItems {
            items: n_items,
            max: max_items(),
        });
    }
    let width = payload_width(n_items);
    for (i, p) in plan.iter_mut().enumerate() {
        p.path = payload_name(i, width, &p.path).into_boxed_str();
    }
    let payload_bytes: u64 = plan.iter().map(|p| p.size).sum();

    let mut info = vec![
        ("Source-Organization", req.organization.clone()),
        ("Contact-Name", case.staff.clone()),
        (
            "Bagging-Date",
            sealed.utc.get(..10).unwrap_or("").to_string(),
        ),
        ("Payload-Oxum", format!("{payload_bytes}.{n_items}")),
        ("External-Identifier", case.id.clone()),
        ("External-Description", case.title.clone()),
        (
            "Bag-Software-Agent",
            format!("evidence-kit {}", env!("CARGO_PKG_VERSION")),
        ),
        ("EK-Bundle-Id", bundle_id.clone()),
        ("EK-Sealed-At", sealed.utc.clone()),
        ("EK-Signer", key.name.clone()),
        ("EK-Signer-Key-Id", key.public.key_id.clone()),
    ];
    if !req.to.is_empty() {
        let all: Vec<&str> = req.to.iter().map(|t| t.recipient.as_str()).collect();
        info.push(("EK-Recipient", all.join(", ")));
    }
    let small: BTreeMap<&'static str, String> = [
        ("bagit.txt", bag::BAGIT_TXT.to_string()),
        ("bag-info.txt", bag::write_bag_info(&info)),
        ("signer.pub", key.public.to_pub_file()),
    ]
    .into_iter()
    .collect();
    let generated = Generated {
        store,
        plan: &plan,
        case_id: &case.id,
        case_head: casejson::head_text(&casejson::CaseHead {
            format: CASE_FORMAT.into(),
            bundle: bundle_id.clone(),
            sealed: sealed.clone(),
            case: case.clone(),
        }),
        last_seq,
    };
    let mut tag_manifest: BTreeMap<String, String> = small
        .iter()
        .map(|(k, v)| (k.to_string(), sha_hex(v.as_bytes())))
        .collect();
    let mut measured = BTreeMap::new();
    for name in GENERATED {
        let (sha, size, crc) = generated.measure(name)?;
        tag_manifest.insert(name.to_string(), sha);
        measured.insert(*name, (size, crc));
    }
    // Never a bundle the verifier would refuse: each tag file within what it reads.
    let sizes = small
        .iter()
        .map(|(n, v)| (*n, v.len() as u64))
        .chain(measured.iter().map(|(n, (size, _))| (*n, *size)));
    for (name, size) in sizes {
        if size > tag_limit(name) {
            return Err(SealError::TooLarge {
                file: name.to_string(),
                size,
                max: tag_limit(name),
            });
        }
    }
    let tagmanifest = bag::write_manifest(&tag_manifest);

    // The signature: over the tag manifest (so over every byte of the bag), with the
    // facts that tie it to this bundle in the signed trusted comment.
    let facts = SealFacts {
        format: BUNDLE_FORMAT.into(),
        bundle: bundle_id.clone(),
        case: case.id.clone(),
        sealed: sealed.utc.clone(),
        signer: key.name.clone(),
        key_id: key.public.key_id.clone(),
        recipients: req.to.iter().map(|t| t.recipient.clone()).collect(),
        tagmanifest_sha256: sha_hex(tagmanifest.as_bytes()),
    };
    let trusted = serde_json::to_string(&facts).unwrap_or_default();
    let signature = minisign::sign(
        Some(&key.public.key),
        &key.secret,
        tagmanifest.as_bytes(),
        Some(&trusted),
        Some(&untrusted_comment(&case.id, &key.public.fingerprint())),
    )
    .map_err(|e| {
        SealError::Key(KeyError::BadKeyFile {
            path: PathBuf::from("signing key"),
            reason: e.to_string(),
        })
    })?
    .to_string();
    let tags = TagFiles {
        small,
        generated,
        measured,
        tagmanifest,
        signature,
    };

    // Write to FILE.partial, then rename: a crash never leaves a file that looks sealed.
    // With --to the zip streams straight into the encryptor: no plain copy on disk.
    let partial = partial_path(&final_path);
    let result = write_bundle(
        &partial,
        &req.to,
        &sealed,
        &tags,
        payload_bytes,
        on_progress,
    )
    .and_then(|done| rename_new(&partial, &final_path).map(|()| done));
    let (sha256, size) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    Ok(Sealed {
        path: final_path,
        sha256,
        size,
        bundle_id,
        case_id: case.id,
        encrypted: !req.to.is_empty(),
        items: n_items,
        payload_bytes,
        sealed,
        signer_fingerprint: key.public.fingerprint(),
    })
}

fn partial_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(".partial");
    PathBuf::from(s)
}

fn werr(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| match source.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => SealError::Full {
            folder: path
                .parent()
                .map_or_else(|| path.to_path_buf(), Path::to_path_buf),
        },
        _ => SealError::Write {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Write the bundle file; returns its (SHA-256, size), hashed as it was written.
fn write_bundle(
    partial: &Path,
    to: &[RecipientInfo],
    sealed: &Stamp,
    tags: &TagFiles<'_>,
    payload_bytes: u64,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<(String, u64), SealError> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(partial)
        .map_err(werr(partial))?;
    let out = zipfmt::HashingWriter::new(BufWriter::with_capacity(
        crate::store::CHUNK_BYTES,
        SyncingFile::new(file).map_err(werr(partial))?,
    ));
    let dos = zipfmt::dos_time(&sealed.instant().unwrap_or_default());
    let out = if to.is_empty() {
        write_zip(
            zipfmt::Writer::new(out, dos),
            tags,
            payload_bytes,
            partial,
            on_progress,
        )?
    } else {
        let recipients = to
            .iter()
            .map(|t| crate::keys::parse_recipient(&t.recipient))
            .collect::<Result<Vec<_>, _>>()?;
        let encryptor =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| SealError::Encrypt {
                    reason: e.to_string(),
                })?;
        let stream = encryptor.wrap_output(out).map_err(werr(partial))?;
        let stream = write_zip(
            zipfmt::Writer::new(stream, dos),
            tags,
            payload_bytes,
            partial,
            on_progress,
        )?;
        stream.finish().map_err(werr(partial))?
    };
    let (buffered, sha, size) = out.finish();
    let file = buffered
        .into_inner()
        .map_err(|e| werr(partial)(e.into_error()))?
        .finish();
    file.sync_all().map_err(werr(partial))?;
    Ok((sha, size))
}

/// Bytes written between background flushes to disk.
const SYNC_EVERY_BYTES: u64 = 64 * 1024 * 1024;

/// A file whose written data is flushed to disk by a second thread as it goes, so the
/// final fsync (which the seal must wait for) has little left to do.
struct SyncingFile {
    file: File,
    since: u64,
    tx: Option<std::sync::mpsc::SyncSender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl SyncingFile {
    fn new(file: File) -> std::io::Result<Self> {
        let other = file.try_clone()?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let handle = std::thread::spawn(move || {
            for () in rx {
                // Best effort: the final sync_all reports any error.
                let _ = other.sync_data();
            }
        });
        Ok(SyncingFile {
            file,
            since: 0,
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    fn finish(mut self) -> File {
        drop(self.tx.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.file
    }
}

impl Write for SyncingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since += n as u64;
        if self.since >= SYNC_EVERY_BYTES {
            self.since = 0;
            if let Some(tx) = &self.tx {
                // If a flush is still running, skip this one: it will catch up.
                let _ = tx.try_send(());
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// One line of `custody.jsonl`.
fn custody_line(e: &Entry, case_id: &str) -> String {
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

fn write_zip<W: Write>(
    mut z: zipfmt::Writer<W>,
    tags: &TagFiles<'_>,
    payload_bytes: u64,
    partial: &Path,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<W, SealError> {
    for name in ZIP_ORDER {
        let bytes = match *name {
            TAGMANIFEST => Some(&tags.tagmanifest),
            SIGNATURE => Some(&tags.signature),
            _ => tags.small.get(name),
        };
        if let Some(b) = bytes {
            z.add_bytes(name, b.as_bytes()).map_err(werr(partial))?;
            continue;
        }
        let Some(&(size, crc)) = tags.measured.get(name) else {
            continue;
        };
        let mut fill_err = None;
        z.add_with(name, size, crc, &mut |w| {
            if let Err(e) = tags.generated.emit(name, &mut |b| w.write_all(b)) {
                fill_err = Some(e);
            }
            Ok(())
        })
        .map_err(werr(partial))?;
        if let Some(e) = fill_err {
            return Err(e);
        }
    }
    let store = tags.generated.store;
    let plan = tags.generated.plan;
    // Threads read the objects ahead (the disk works while this thread hashes and
    // writes); at most a few chunks are in flight, so memory stays flat.
    // READERS threads, each taking every READERS-th object, keep several reads in
    // flight (many small files are mostly waiting on the disk); the objects are
    // consumed in order, round-robin.
    let pool = BufferPool::default();
    let pool = &pool;
    std::thread::scope(|scope| {
        // Inside the scope: on an early return the receivers drop first, so the
        // readers' sends fail and they stop before the scope waits for them.
        let mut rxs = Vec::with_capacity(READERS);
        for k in 0..READERS {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Prefetched>>(1);
            rxs.push(Pieces {
                rx,
                queue: std::collections::VecDeque::new(),
            });
            let root = store.root().to_path_buf();
            let mine = plan.iter().skip(k).step_by(READERS);
            let objects =
                mine.map(move |p| (crate::store::object_path_in(&root, &p.sha_hex()), p.size));
            scope.spawn(move || prefetch(objects, &tx, pool));
        }
        let mut done = 0;
        for (i, p) in plan.iter().enumerate() {
            let sha = p.sha_hex();
            let changed = || match store.item(p.id) {
                Ok(item) => SealError::ObjectChanged {
                    item: p.id,
                    name: item.original_name,
                },
                Err(e) => SealError::Store(e),
            };
            // The CRC-32 taken at capture; for objects captured before it was recorded,
            // read the object once more to compute it.
            let crc32 = match p.crc32 {
                Some(c) => c,
                None => crc_of(&store.object_path(&sha)).map_err(werr(partial))?,
            };
            let mut obj = ChannelReader {
                pieces: &mut rxs[i % READERS],
                pool,
                chunk: Vec::new(),
                pos: 0,
                ended: false,
            };
            let mut hasher = Sha256::new();
            let r = z.add(&p.path, p.size, crc32, &mut obj, &mut |chunk| {
                hasher.update(chunk);
                done += chunk.len() as u64;
                on_progress(done, payload_bytes);
            });
            pool.give(std::mem::take(&mut obj.chunk));
            // Each byte is read once: hashed on its way into the zip, and checked against
            // the hash (and CRC) taken at capture.
            match r {
                Ok(()) if obj.ended && hasher.finalize()[..] == p.sha256[..] => {}
                Ok(()) => return Err(changed()),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(changed()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(SealError::Store(StoreError::ObjectDamaged {
                        path: store.object_path(&sha),
                    }));
                }
                Err(e) => return Err(werr(partial)(e)),
            }
        }
        z.finish().map_err(werr(partial))
    })
}

/// Threads reading objects ahead while sealing.
const READERS: usize = 3;

/// What a prefetching thread sends for each of its objects, in order.
enum Prefetched {
    /// The next bytes; `last`: the file ended right after them.
    Chunk {
        data: Vec<u8>,
        last: bool,
    },
    /// The file ended (it was empty).
    End,
    Failed(std::io::Error),
}

/// Chunk buffers handed back by the writer for the readers to fill again: reusing
/// them keeps memory flat however many bytes pass (allocating and freeing a megabyte
/// per chunk across threads makes the allocator's arenas grow with the bytes).
#[derive(Default)]
struct BufferPool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// Most buffers kept for reuse; any beyond are freed.
    const KEEP: usize = 16;

    /// A buffer of `len` zero-or-stale bytes (pooled when chunk-sized).
    fn take(&self, len: usize) -> Vec<u8> {
        if len >= POOLED_MIN
            && let Some(mut b) = self.free.lock().ok().and_then(|mut f| f.pop())
        {
            b.resize(len, 0);
            return b;
        }
        vec![0u8; len]
    }

    /// Give a buffer back.
    fn give(&self, b: Vec<u8>) {
        if b.capacity() >= POOLED_MIN
            && let Ok(mut f) = self.free.lock()
            && f.len() < Self::KEEP
        {
            f.push(b);
        }
    }
}

/// Buffers at least this large are reused; smaller ones are cheap to allocate.
const POOLED_MIN: usize = 64 * 1024;

/// Small pieces are sent together, up to this many bytes: one hand-over (and one
/// thread wake-up) per batch rather than per file, which is what sealing thousands
/// of small files spends most of its time on otherwise.
const BATCH_BYTES: usize = 256 * 1024;

/// Read each (object, recorded size) in turn and send its bytes, in batches. Buffers
/// are sized to what is left of the file (a 2 KB file costs 2 KB, not a whole chunk);
/// a file that grew past its recorded size is sent on so that the writer sees it.
fn prefetch(
    objects: impl Iterator<Item = (PathBuf, u64)>,
    tx: &std::sync::mpsc::SyncSender<Vec<Prefetched>>,
    pool: &BufferPool,
) {
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    // Queue one piece; send the batch once it is big enough. False: the writer is gone.
    let mut push = |piece: Prefetched, flush: bool| -> bool {
        if let Prefetched::Chunk { data, .. } = &piece {
            batch_bytes += data.len();
        }
        let failed = matches!(piece, Prefetched::Failed(_));
        batch.push(piece);
        if flush || failed || batch_bytes >= BATCH_BYTES {
            batch_bytes = 0;
            return tx.send(std::mem::take(&mut batch)).is_ok() && !failed;
        }
        true
    };
    for (p, size) in objects {
        let mut f = match File::open(&p) {
            Ok(f) => f,
            Err(e) => {
                push(Prefetched::Failed(e), true);
                return;
            }
        };
        let mut left = size;
        let mut held: Option<Vec<u8>> = None;
        loop {
            // At the recorded end, a one-byte read tells whether the file ends there.
            let cap = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .clamp(1, crate::store::CHUNK_BYTES);
            let mut buf = pool.take(cap);
            match f.read(&mut buf) {
                Ok(0) => {
                    pool.give(buf);
                    break;
                }
                Ok(n) => {
                    buf.truncate(n);
                    left = left.saturating_sub(n as u64);
                    if let Some(data) = held.replace(buf)
                        && !push(Prefetched::Chunk { data, last: false }, false)
                    {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    push(Prefetched::Failed(e), true);
                    return;
                }
            }
        }
        let end = match held {
            Some(data) => Prefetched::Chunk { data, last: true },
            None => Prefetched::End,
        };
        if !push(end, false) {
            return;
        }
    }
    push(Prefetched::End, true);
}

/// The pieces one prefetching thread has sent and the writer not yet used.
struct Pieces {
    rx: std::sync::mpsc::Receiver<Vec<Prefetched>>,
    queue: std::collections::VecDeque<Prefetched>,
}

impl Pieces {
    fn next(&mut self) -> Option<Prefetched> {
        if self.queue.is_empty() {
            self.queue.extend(self.rx.recv().ok()?);
        }
        self.queue.pop_front()
    }
}

/// Reads one object's bytes from the prefetching thread.
struct ChannelReader<'a> {
    pieces: &'a mut Pieces,
    pool: &'a BufferPool,
    chunk: Vec<u8>,
    pos: usize,
    /// The object's last bytes have arrived.
    ended: bool,
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.pieces.next() {
                Some(Prefetched::Chunk { data, last }) => {
                    self.pool.give(std::mem::replace(&mut self.chunk, data));
                    self.pos = 0;
                    self.ended = last;
                }
                Some(Prefetched::End) => {
                    self.ended = true;
                    return Ok(0);
                }
                Some(Prefetched::Failed(e)) => return Err(e),
                None => {
                    return Err(std::io::Error::other("the reading thread stopped"));
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn crc_of(path: &Path) -> std::io::Result<u32> {
    let mut h = crc32fast::Hasher::new();
    crate::store::read_chunks(path, &mut |c| h.update(c))?;
    Ok(h.finalize())
}

/// Rename `from` to `to` unless `to` exists, then fsync the folder.
fn rename_new(from: &Path, to: &Path) -> Result<(), SealError> {
    if to.exists() {
        return Err(SealError::OutputExists { path: to.into() });
    }
    fs::rename(from, to).map_err(werr(to))?;
    #[cfg(unix)]
    if let Some(dir) = to.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(werr(dir))?;
    }
    Ok(())
}
