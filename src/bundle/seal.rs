//! Sealing: a case in the store becomes one signed bundle file, in the layout that
//! [`super::format`] describes, optionally encrypted with age.

use super::format::*;
use super::stream::*;
use super::{bag, casejson, zipfmt};
use crate::StoreError;
use crate::clock::Stamp;
use crate::event::{self, Event};
use crate::keys::{KeyError, RecipientInfo, SigningKey};
use crate::store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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
    /// A copy of a sealed file could not be written.
    #[error("Could not save a copy in {}: {}. The sealed file is as it was.", folder.display(), crate::error::plain_io(source))]
    Copy {
        /// The folder.
        folder: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A copy of a sealed file read back different from the file (a failing USB stick).
    #[error(
        "The copy in {} did not read back the same as the sealed file, so it was taken away again. Try another USB stick or folder.",
        folder.display()
    )]
    CopyDiffers {
        /// The folder.
        folder: PathBuf,
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
            SealError::Copy { .. } => "copy",
            SealError::CopyDiffers { .. } => "copy_differs",
        }
    }
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
    /// `Source-Organization`: the school, when one was given; none leaves the line out
    /// of `bag-info.txt` (it is optional in BagIt, and no school is built in).
    pub organization: Option<String>,
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
        Some(&done.case_id),
        None,
        &Event::Sealed(Box::new(event::Sealed {
            bundle: done.bundle_id.clone(),
            file: file_name,
            sha256: done.sha256.clone(),
            size: done.size,
            items: done.items as u64,
            payload_bytes: done.payload_bytes,
            signer_key_id: key.public.key_id.clone(),
            signer_fingerprint: key.public.fingerprint(),
            encrypted: done.encrypted,
            recipients: req
                .to
                .iter()
                .map(|t| event::SealedFor {
                    name: t.name.clone(),
                    recipient: t.recipient.clone(),
                    fingerprint: t.fingerprint(),
                })
                .collect(),
            sealed: done.sealed.clone(),
        })),
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
            None,
            None,
            &Event::ClockSetBack(event::ClockSetBack {
                latest_utc: last.to_rfc3339(),
                now_utc: now.utc,
            }),
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

    let plan = plan_payload(store, &case.id)?;
    let n_items = plan.len();
    let payload_bytes: u64 = plan.iter().map(|p| p.size).sum();

    let info = bag_info(req, &case, key, &sealed, &bundle_id, payload_bytes, n_items);
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
    check_tag_sizes(&small, &measured)?;
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
    let signature = sign_tag_manifest(key, &case.id, &tagmanifest, &facts)?;
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

/// The plan of the payload: a few dozen bytes per item, in the order and under the
/// names they are sealed with; refused before anything is written when the verifier
/// would refuse that many.
fn plan_payload(store: &Store, case_id: &str) -> Result<Vec<Planned>, SealError> {
    let mut plan = Vec::new();
    store.each_item(case_id, &mut |item| {
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
    Ok(plan)
}

/// The lines of `bag-info.txt`, in the order seal writes them.
fn bag_info(
    req: &SealRequest,
    case: &crate::case::Case,
    key: &SigningKey,
    sealed: &Stamp,
    bundle_id: &str,
    payload_bytes: u64,
    n_items: usize,
) -> Vec<(&'static str, String)> {
    let school = req.organization.as_deref().map(str::trim);
    let mut info: Vec<(&'static str, String)> = school
        .filter(|s| !s.is_empty())
        .map(|s| ("Source-Organization", s.to_string()))
        .into_iter()
        .collect();
    info.extend([
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
        ("EK-Bundle-Id", bundle_id.to_string()),
        ("EK-Sealed-At", sealed.utc.clone()),
        ("EK-Signer", key.name.clone()),
        ("EK-Signer-Key-Id", key.public.key_id.clone()),
    ]);
    if !req.to.is_empty() {
        let all: Vec<&str> = req.to.iter().map(|t| t.recipient.as_str()).collect();
        info.push(("EK-Recipient", all.join(", ")));
    }
    info
}

/// Never a bundle the verifier would refuse: each tag file within what it reads.
fn check_tag_sizes(
    small: &BTreeMap<&'static str, String>,
    measured: &BTreeMap<&'static str, (u64, u32)>,
) -> Result<(), SealError> {
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
    Ok(())
}

/// The detached signature of the tag manifest, with `facts` as its trusted comment.
fn sign_tag_manifest(
    key: &SigningKey,
    case_id: &str,
    tagmanifest: &str,
    facts: &SealFacts,
) -> Result<String, SealError> {
    let trusted = serde_json::to_string(facts).unwrap_or_default();
    let signature = minisign::sign(
        Some(&key.public.key),
        &key.secret,
        tagmanifest.as_bytes(),
        Some(&trusted),
        Some(&untrusted_comment(case_id, &key.public.fingerprint())),
    )
    .map_err(|e| {
        SealError::Key(KeyError::BadKeyFile {
            path: PathBuf::from("signing key"),
            reason: e.to_string(),
        })
    })?
    .to_string();
    Ok(signature)
}

pub(super) fn werr(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
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
        crate::digest::CHUNK_BYTES,
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
                mine.map(move |p| (crate::objects::object_path_in(&root, &p.sha_hex()), p.size));
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
