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
    #[error("Could not write the bundle {path}: {source}. Nothing was sealed.")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
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
            SealError::ObjectChanged { .. } => "object_changed",
            SealError::Encrypt { .. } => "encrypt",
        }
    }
}

/// The signed facts about a bundle (the minisign trusted comment, as compact JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Where to write (`.age` is added when encrypting); default `CASE.evidence` here.
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

/// A payload file name: a number (collision-free) and the original name made safe.
pub fn payload_name(index: usize, width: usize, original: &str) -> String {
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
    let safe: String = safe.trim_matches(['-', '.']).chars().take(80).collect();
    let safe = if safe.is_empty() { "item".into() } else { safe };
    format!("data/{:0width$}-{safe}", index + 1)
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Seal a case. `on_progress(done, total)` counts payload bytes.
pub fn seal(
    store: &Store,
    key: &SigningKey,
    req: &SealRequest,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<Sealed, SealError> {
    let case = store.case(&req.case_id)?;
    let items = store.items(&case.id)?;
    let n_items = items.len();
    // The chain up to now; entries appended while sealing are not part of this bundle.
    let last_seq = store.last_custody_seq()?;
    let sealed = store.now();
    let bundle_id = uuid::Uuid::new_v4().to_string();

    let plain = req
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.evidence", case.id)));
    let final_path = if !req.to.is_empty() {
        let mut s = plain.clone().into_os_string();
        s.push(".age");
        PathBuf::from(s)
    } else {
        plain.clone()
    };
    if final_path.exists() {
        return Err(SealError::OutputExists { path: final_path });
    }

    // The bag's text files.
    let width = items.len().to_string().len().max(3);
    let mut manifest = BTreeMap::new();
    let mut bag_items = Vec::new();
    let mut payload_bytes = 0;
    for (i, item) in items.into_iter().enumerate() {
        let path = payload_name(i, width, &item.original_name);
        manifest.insert(path.clone(), item.sha256.clone());
        payload_bytes += item.size;
        bag_items.push(BagItem { path, item });
    }
    let case_file = CaseFile {
        format: CASE_FORMAT.into(),
        bundle: bundle_id.clone(),
        sealed: sealed.clone(),
        case: case.clone(),
        items: bag_items,
    };
    let case_json = serde_json::to_string_pretty(&case_file).unwrap_or_default() + "\n";
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
    let tag_texts: BTreeMap<&str, String> = [
        ("bagit.txt", bag::BAGIT_TXT.to_string()),
        ("bag-info.txt", bag::write_bag_info(&info)),
        ("manifest-sha256.txt", bag::write_manifest(&manifest)),
        ("case.json", case_json),
        ("signer.pub", key.public.to_pub_file()),
    ]
    .into_iter()
    .collect();
    let mut tag_manifest: BTreeMap<String, String> = tag_texts
        .iter()
        .map(|(k, v)| (k.to_string(), sha_hex(v.as_bytes())))
        .collect();
    // blocks-sha256.txt is generated twice, line by line, never held whole: once now
    // for its hash, CRC and size, once into the zip.
    let mut blocks_sha = Sha256::new();
    let mut blocks_sum = zipfmt::Counting {
        inner: std::io::sink(),
        crc: crc32fast::Hasher::new(),
        n: 0,
    };
    let crcs = each_blocks_line(store, &case_file.items, &mut |line| {
        blocks_sha.update(line.as_bytes());
        blocks_sum.write_all(line.as_bytes())
    })?;
    let mut blocks_meta = BlocksMeta {
        size: blocks_sum.n,
        crc32: blocks_sum.crc.finalize(),
        item_crcs: crcs,
        custody: None,
    };
    tag_manifest.insert(BLOCKS.to_string(), hex::encode(blocks_sha.finalize()));
    // custody.jsonl likewise: streamed from the store twice, up to `last_seq`.
    let mut custody_sha = Sha256::new();
    let mut custody_sum = zipfmt::Counting {
        inner: std::io::sink(),
        crc: crc32fast::Hasher::new(),
        n: 0,
    };
    store.each_custody(last_seq, &mut |e| {
        let line = custody_line(e, &case.id);
        custody_sha.update(line.as_bytes());
        custody_sum.write_all(line.as_bytes())
    })?;
    let custody_meta = StreamedTag {
        size: custody_sum.n,
        crc32: custody_sum.crc.finalize(),
        last_seq,
        case_id: case.id.clone(),
    };
    tag_manifest.insert(
        "custody.jsonl".to_string(),
        hex::encode(custody_sha.finalize()),
    );
    blocks_meta.custody = Some(custody_meta);
    let tagmanifest_txt = bag::write_manifest(&tag_manifest);

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
        tagmanifest_sha256: sha_hex(tagmanifest_txt.as_bytes()),
    };
    let trusted = serde_json::to_string(&facts).unwrap_or_default();
    let sig = minisign::sign(
        Some(&key.public.key),
        &key.secret,
        tagmanifest_txt.as_bytes(),
        Some(&trusted),
        Some(&format!(
            "Evidence Kit seal of {} by {}",
            case.id,
            key.public.fingerprint()
        )),
    )
    .map_err(|e| {
        SealError::Key(KeyError::BadKeyFile {
            path: PathBuf::from("signing key"),
            reason: e.to_string(),
        })
    })?
    .to_string();

    // Write to FILE.partial, then rename: a crash never leaves a file that looks sealed.
    // With --to the zip streams straight into the encryptor: no plain copy on disk.
    let partial = partial_path(&final_path);
    let result = write_bundle(
        store,
        &partial,
        &req.to,
        &sealed,
        &tag_texts,
        &tagmanifest_txt,
        &sig,
        &case_file,
        payload_bytes,
        &blocks_meta,
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

    let file_name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    store.append_custody(
        &key.name,
        "sealed",
        Some(&case.id),
        None,
        &serde_json::json!({
            "bundle": bundle_id,
            "file": file_name,
            "sha256": sha256,
            "size": size,
            "items": n_items,
            "payload_bytes": payload_bytes,
            "signer_key_id": key.public.key_id,
            "encrypted": !req.to.is_empty(),
            "recipients": req.to.iter().map(|t| serde_json::json!({
                "name": t.name, "recipient": t.recipient, "fingerprint": t.fingerprint()
            })).collect::<Vec<_>>(),
            "sealed": sealed,
        }),
    )?;
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
    move |source| SealError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Write the bundle file; returns its (SHA-256, size), hashed as it was written.
#[allow(clippy::too_many_arguments)]
fn write_bundle(
    store: &Store,
    partial: &Path,
    to: &[RecipientInfo],
    sealed: &Stamp,
    tag_texts: &BTreeMap<&str, String>,
    tagmanifest_txt: &str,
    sig: &str,
    case_file: &CaseFile,
    payload_bytes: u64,
    blocks_meta: &BlocksMeta,
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
    let args = (
        tag_texts,
        tagmanifest_txt,
        sig,
        case_file,
        payload_bytes,
        blocks_meta,
    );
    let out = if to.is_empty() {
        write_zip(
            store,
            zipfmt::Writer::new(out, dos),
            args,
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
            store,
            zipfmt::Writer::new(stream, dos),
            args,
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

type ZipArgs<'a> = (
    &'a BTreeMap<&'a str, String>,
    &'a str,
    &'a str,
    &'a CaseFile,
    u64,
    &'a BlocksMeta,
);

/// Size and CRC-32 of `blocks-sha256.txt`, each item's CRC-32 from capture, and the
/// streamed `custody.jsonl`.
struct BlocksMeta {
    size: u64,
    crc32: u32,
    item_crcs: Vec<Option<u32>>,
    custody: Option<StreamedTag>,
}

/// A tag file generated from the store line by line, twice.
struct StreamedTag {
    size: u64,
    crc32: u32,
    last_seq: i64,
    case_id: String,
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

/// Call `f` with each line of `blocks-sha256.txt`, in item order; returns each item's
/// CRC-32 as recorded at capture (`None` for objects captured before it was).
fn each_blocks_line(
    store: &Store,
    items: &[BagItem],
    f: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> Result<Vec<Option<u32>>, SealError> {
    let mut crcs = Vec::with_capacity(items.len());
    for bi in items {
        let blocks = store.blocks(&bi.item.sha256)?;
        crcs.push(blocks.as_ref().map(|b| b.crc32));
        if let Some(b) = blocks {
            f(&blocks_line(&bi.path, &b)).map_err(|source| SealError::Write {
                path: PathBuf::from(BLOCKS),
                source,
            })?;
        }
    }
    Ok(crcs)
}

fn write_zip<W: Write>(
    store: &Store,
    mut z: zipfmt::Writer<W>,
    (tag_texts, tagmanifest_txt, sig, case_file, payload_bytes, blocks_meta): ZipArgs<'_>,
    partial: &Path,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<W, SealError> {
    for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        z.add_bytes(name, tag_texts[name].as_bytes())
            .map_err(werr(partial))?;
    }
    z.add_bytes(TAGMANIFEST, tagmanifest_txt.as_bytes())
        .map_err(werr(partial))?;
    z.add_bytes(SIGNATURE, sig.as_bytes())
        .map_err(werr(partial))?;
    z.add_bytes("case.json", tag_texts["case.json"].as_bytes())
        .map_err(werr(partial))?;
    if let Some(c) = &blocks_meta.custody {
        let mut fill_err = None;
        z.add_with("custody.jsonl", c.size, c.crc32, &mut |w| {
            if let Err(e) = store.each_custody(c.last_seq, &mut |e| {
                w.write_all(custody_line(e, &c.case_id).as_bytes())
            }) {
                fill_err = Some(e);
            }
            Ok(())
        })
        .map_err(werr(partial))?;
        if let Some(e) = fill_err {
            return Err(e.into());
        }
    }
    z.add_bytes("signer.pub", tag_texts["signer.pub"].as_bytes())
        .map_err(werr(partial))?;
    let mut fill_err = None;
    z.add_with(BLOCKS, blocks_meta.size, blocks_meta.crc32, &mut |w| {
        if let Err(e) = each_blocks_line(store, &case_file.items, &mut |line| {
            w.write_all(line.as_bytes())
        }) {
            fill_err = Some(e);
        }
        Ok(())
    })
    .map_err(werr(partial))?;
    if let Some(e) = fill_err {
        return Err(e);
    }
    // A second thread reads the objects ahead (the disk works while this thread hashes
    // and writes); at most a few chunks are in flight, so memory stays flat.
    let paths: Vec<PathBuf> = case_file
        .items
        .iter()
        .map(|bi| store.object_path(&bi.item.sha256))
        .collect();
    // READERS threads, each taking every READERS-th object, keep several reads in
    // flight (many small files are mostly waiting on the disk); the objects are
    // consumed in order, round-robin.
    std::thread::scope(|scope| {
        // Inside the scope: on an early return the receivers drop first, so the
        // readers' sends fail and they stop before the scope waits for them.
        let mut rxs = Vec::with_capacity(READERS);
        for k in 0..READERS {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Prefetched>(1);
            rxs.push(rx);
            let mine: Vec<PathBuf> = paths.iter().skip(k).step_by(READERS).cloned().collect();
            scope.spawn(move || prefetch(&mine, &tx));
        }
        let mut done = 0;
        for (i, bi) in case_file.items.iter().enumerate() {
            let item = &bi.item;
            let changed = || SealError::ObjectChanged {
                item: item.id,
                name: item.original_name.clone(),
            };
            // The CRC-32 taken at capture; for objects captured before it was recorded,
            // read the object once more to compute it.
            let crc32 = match blocks_meta.item_crcs.get(i).copied().flatten() {
                Some(c) => c,
                None => crc_of(&store.object_path(&item.sha256)).map_err(werr(partial))?,
            };
            let mut obj = ChannelReader {
                rx: &rxs[i % READERS],
                chunk: Vec::new(),
                pos: 0,
                ended: false,
            };
            let mut hasher = Sha256::new();
            let r = z.add(&bi.path, item.size, crc32, &mut obj, &mut |chunk| {
                hasher.update(chunk);
                done += chunk.len() as u64;
                on_progress(done, payload_bytes);
            });
            // Each byte is read once: hashed on its way into the zip, and checked against
            // the hash (and CRC) taken at capture.
            match r {
                Ok(()) if obj.ended && hex::encode(hasher.finalize()) == item.sha256 => {}
                Ok(()) => return Err(changed()),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(changed()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(SealError::Store(StoreError::ObjectDamaged {
                        path: store.object_path(&item.sha256),
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
    Chunk(Vec<u8>),
    End,
    Failed(std::io::Error),
}

fn prefetch(paths: &[PathBuf], tx: &std::sync::mpsc::SyncSender<Prefetched>) {
    for p in paths {
        let mut f = match File::open(p) {
            Ok(f) => f,
            Err(e) => {
                let _ = tx.send(Prefetched::Failed(e));
                return;
            }
        };
        loop {
            let mut buf = vec![0u8; crate::store::CHUNK_BYTES];
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.send(Prefetched::Chunk(buf)).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Prefetched::Failed(e));
                    return;
                }
            }
        }
        if tx.send(Prefetched::End).is_err() {
            return;
        }
    }
}

/// Reads one object's bytes from the prefetching thread.
struct ChannelReader<'a> {
    rx: &'a std::sync::mpsc::Receiver<Prefetched>,
    chunk: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Prefetched::Chunk(c)) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Ok(Prefetched::End) => {
                    self.ended = true;
                    return Ok(0);
                }
                Ok(Prefetched::Failed(e)) => return Err(e),
                Err(_) => {
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
