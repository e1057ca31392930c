//! The capture pipeline's bytes: streamed into `tmp/` while hashing, made durable,
//! read back, moved into `objects/` under their hash, recorded with their items in one
//! transaction, or removed again; and what an interrupted capture leaves in `tmp/`
//! (temp files, markers of placed bytes), cleaned and logged at the next open.

use super::{APP_ACTOR, BUSY_TIMEOUT_MS, Store};
use crate::StoreError;
use crate::case::{EmailHeaders, Item, Sender, Source};
use crate::clock::Stamp;
use crate::digest::{
    BlockHasher, Blocks, CHUNK_BYTES, block_size_for, hash_file, hash_file_blocks,
};
use crate::event::{self, Event};
use crate::fsutil::{create_private_dir, make_writable, set_read_only, sync_dir};
use crate::objects::{HEAD_BYTES, object_path_in};
use rusqlite::{OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A new item's fields, before it has an id.
#[derive(Debug, Clone)]
pub(crate) struct NewItem {
    pub case_id: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub original_name: String,
    pub source: Source,
    pub captured: Stamp,
    pub captured_by: String,
    pub site: Option<String>,
    pub url: Option<String>,
    pub from: Sender,
    pub seen: Option<String>,
    pub note: Option<String>,
    pub email: Option<EmailHeaders>,
    pub blocks: Blocks,
    /// The marker of a new object, removed once this record is committed.
    pub placed: Option<PathBuf>,
}

/// What streaming bytes into the store produced.
#[derive(Debug, Clone)]
pub(crate) struct Ingested {
    pub sha256: String,
    pub size: u64,
    /// The first bytes (up to 64 KiB), for sniffing the media type.
    pub head: Vec<u8>,
    /// Block hashes, taken in the same pass.
    pub blocks: Blocks,
    /// The marker left in `tmp/` when these bytes made a new object (removed once
    /// their record is committed).
    pub placed: Option<PathBuf>,
}

/// Bytes in `tmp/`, durable, read back and checked, not yet in `objects/`
/// ([`Store::stage`]). Dropped unplaced, the temp file is removed.
pub(crate) struct Staged {
    tmp: PathBuf,
    pub sha256: String,
    size: u64,
    head: Vec<u8>,
    blocks: Blocks,
}

impl Staged {
    /// The first bytes (for sniffing), leaving none behind.
    pub(crate) fn take_head(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.head)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Once placed the file is gone from tmp/ and this does nothing.
        if self.tmp.exists() {
            let _ = make_writable(&self.tmp);
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

impl Store {
    /// Remove temp files of captures whose process is gone, writing a custody entry
    /// for each: they were never acknowledged, so they are not evidence, but nothing
    /// is removed silently.
    pub(super) fn clean_abandoned_temp_files(&self) -> Result<(), StoreError> {
        let dir = self.root.join("tmp");
        let entries = fs::read_dir(&dir).map_err(|e| StoreError::io("read", &dir, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("ingest-")
                .and_then(|r| r.split('-').next())
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if process_alive(pid, &entry.path()) {
                continue;
            }
            if name.ends_with(".placed") && self.explain_placed(&entry.path(), &name)? {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            // Made writable first (a read-only file cannot be removed on Windows). One
            // that still cannot be removed is left for the next start: it must not stop
            // the store from opening.
            let _ = make_writable(&entry.path());
            if fs::remove_file(entry.path()).is_err() {
                continue;
            }
            let why = if name.ends_with(".arriving") {
                "a file being added through the window was cut short before it was saved"
            } else {
                "a capture was interrupted before it was saved"
            };
            self.append_custody(
                APP_ACTOR,
                None,
                None,
                &Event::IncompleteCaptureRemoved(event::IncompleteCapture {
                    file: name.to_string(),
                    size,
                    why: why.to_string(),
                }),
            )?;
        }
        Ok(())
    }

    /// A capture's marker (`….placed`) left by a process that is gone: its bytes were
    /// moved into `objects/` and its record may not have been committed. If no item
    /// names them, a custody entry says they are kept (so `check` can tell them from
    /// the bytes of a capture whose record was lost). The marker is removed. `false`
    /// for a marker that does not hold a SHA-256 (cleaned up as any temp file).
    fn explain_placed(&self, marker: &Path, name: &str) -> Result<bool, StoreError> {
        let mut text = String::new();
        let read = File::open(marker).and_then(|f| f.take(128).read_to_string(&mut text));
        let sha = text.trim();
        if read.is_err() || !is_sha256(sha) {
            return Ok(false);
        }
        let named = self.item_names(sha)?;
        let object = self.object_path(sha);
        if !named && let Ok(meta) = fs::metadata(&object) {
            self.append_custody(
                APP_ACTOR,
                None,
                None,
                &Event::InterruptedCaptureKept(event::InterruptedCapture {
                    file: name.to_string(),
                    sha256: sha.to_string(),
                    size: meta.len(),
                    why: "a capture was interrupted after its bytes were saved and before it was recorded; the bytes are kept".to_string(),
                }),
            )?;
        }
        // One that cannot be removed is left: it must not stop the store from opening.
        let _ = fs::remove_file(marker);
        Ok(true)
    }

    /// Where the object with this SHA-256 lives.
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        object_path_in(&self.root, sha256)
    }

    /// Open a stored object for reading.
    pub fn open_object(&self, sha256: &str) -> Result<File, StoreError> {
        let p = self.object_path(sha256);
        File::open(&p).map_err(|e| StoreError::io("open", p, e))
    }

    /// Stream `reader` into the store: [`Store::stage`], then [`Store::place`].
    pub(crate) fn ingest(
        &self,
        reader: &mut dyn Read,
        source_name: &Path,
        size_hint: u64,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<Ingested, crate::CaptureError> {
        let staged = self.stage(reader, source_name, size_hint, on_progress)?;
        self.place(staged)
    }

    /// Stream `reader` into `tmp/`: hash while reading, fsync, read back and re-hash,
    /// and refuse bytes that were removed as a possible indecent image. Nothing is in
    /// `objects/` yet; dropping the [`Staged`] removes it. `on_progress` gets the bytes
    /// so far.
    pub(crate) fn stage(
        &self,
        reader: &mut dyn Read,
        source_name: &Path,
        size_hint: u64,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<Staged, crate::CaptureError> {
        let tmp_dir = self.root.join("tmp");
        let tmp_path = tmp_dir.join(format!(
            "ingest-{}-{}.part",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let result = self.stage_into(&tmp_path, reader, source_name, size_hint, on_progress);
        if result.is_err() {
            // Not evidence yet: a failed capture leaves nothing behind.
            let _ = make_writable(&tmp_path);
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    fn stage_into(
        &self,
        tmp_path: &Path,
        reader: &mut dyn Read,
        source_name: &Path,
        size_hint: u64,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<Staged, crate::CaptureError> {
        let io = |action, e| StoreError::io(action, tmp_path, e);
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp_path)
            .map_err(|e| io("create", e))?;
        let mut hasher = Sha256::new();
        let mut blocks = BlockHasher::new(block_size_for(size_hint));
        let mut head = Vec::new();
        let mut size: u64 = 0;
        let mut buf = vec![0u8; CHUNK_BYTES];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(crate::CaptureError::SourceUnreadable {
                        path: source_name.to_path_buf(),
                        source: e,
                    });
                }
            };
            let chunk = &buf[..n];
            hasher.update(chunk);
            blocks.update(chunk);
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(n);
                head.extend_from_slice(&chunk[..take]);
            }
            out.write_all(chunk).map_err(|e| io("write", e))?;
            size += n as u64;
            on_progress(size);
        }
        out.sync_all().map_err(|e| io("save", e))?;
        drop(out);
        seam::alter_before_read_back(tmp_path).map_err(|e| io("alter", e))?;
        let sha256 = hex::encode(hasher.finalize());

        // Read back what is on disk: a hash taken in memory does not cover write errors.
        let found = hash_file(tmp_path).map_err(|e| io("read back", e))?;
        self.staged(tmp_path, sha256, found, size, head, blocks.finish())
    }

    /// Take in a file that arrived in parts through the app's window: it is already
    /// in `tmp/`, hashed as it came. It is made durable, read back and re-hashed (the
    /// block hashes are taken in that pass), then moved into place, never copied.
    pub(crate) fn ingest_arrived(
        &self,
        arriving: &mut crate::objects::Arriving,
    ) -> Result<Ingested, crate::CaptureError> {
        let c = arriving.complete()?;
        let (found, blocks) = hash_file_blocks(&c.path, block_size_for(c.size))
            .map_err(|e| StoreError::io("read back", &c.path, e))?;
        // On failure the Arriving, when dropped, removes what is left in tmp/.
        let staged = self.staged(&c.path, c.sha256, found, c.size, c.head, blocks)?;
        self.place(staged)
    }

    /// `tmp_path` holds the bytes, durable, `sha256` was taken as they came and
    /// `found` by reading them back: refused if they differ, or if these bytes were
    /// removed as a possible indecent image of a child (never kept).
    fn staged(
        &self,
        tmp_path: &Path,
        sha256: String,
        found: String,
        size: u64,
        head: Vec<u8>,
        blocks: Blocks,
    ) -> Result<Staged, crate::CaptureError> {
        if found != sha256 {
            return Err(crate::CaptureError::WriteVerifyFailed {
                expected: sha256,
                found,
            });
        }
        if self.is_removed_hash(&sha256)? {
            return Err(crate::CaptureError::NeverKept);
        }
        Ok(Staged {
            tmp: tmp_path.to_path_buf(),
            sha256,
            size,
            head,
            blocks,
        })
    }

    /// The end of every capture's bytes: moved into place under their hash (or,
    /// already there, verified and dropped). A new object gets a marker in `tmp/`
    /// (`ingest-PID-UUID.placed`, its SHA-256) first, removed once its record is
    /// committed: if the capture stops in between, the next open finds the marker and
    /// says in the custody log that those bytes are kept with no item naming them.
    pub(crate) fn place(&self, mut staged: Staged) -> Result<Ingested, crate::CaptureError> {
        let tmp_path = staged.tmp.clone();
        let io = |action, e| StoreError::io(action, &tmp_path, e);
        let sha256 = std::mem::take(&mut staged.sha256);
        set_read_only(&tmp_path).map_err(|e| io("protect", e))?;

        let dest = self.object_path(&sha256);
        let mut placed = None;
        if dest.exists() {
            let existing = hash_file(&dest).map_err(|e| StoreError::io("read", &dest, e))?;
            if existing != sha256 {
                return Err(StoreError::ObjectDamaged { path: dest }.into());
            }
            make_writable(&tmp_path).map_err(|e| io("remove", e))?;
            fs::remove_file(&tmp_path).map_err(|e| io("remove", e))?;
        } else {
            let marker = tmp_path.with_extension("placed");
            let tmp_dir = tmp_path.parent().unwrap_or(&self.root).to_path_buf();
            let mark = || -> std::io::Result<()> {
                let mut f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&marker)?;
                f.write_all(sha256.as_bytes())?;
                f.sync_all()?;
                sync_dir(&tmp_dir)
            };
            mark().map_err(|e| StoreError::io("save", &marker, e))?;
            let parent = dest.parent().unwrap_or(&self.root).to_path_buf();
            let moved = create_private_dir(&parent).and_then(|()| {
                fs::rename(&tmp_path, &dest).map_err(|e| StoreError::io("save", &dest, e))
            });
            if let Err(e) = moved {
                let _ = fs::remove_file(&marker);
                return Err(e.into());
            }
            if let Err(e) = sync_dir(&parent) {
                self.unplace(&[(sha256.clone(), marker)]);
                return Err(StoreError::io("save", &parent, e).into());
            }
            seam::stop_at("after-rename");
            placed = Some(marker);
        }
        Ok(Ingested {
            sha256,
            size: staged.size,
            head: std::mem::take(&mut staged.head),
            blocks: std::mem::replace(
                &mut staged.blocks,
                Blocks {
                    size: 1,
                    digests: Vec::new(),
                    crc32: 0,
                },
            ),
            placed,
        })
    }

    /// Record new items, each with its `captured` custody entry, all in one
    /// transaction: every one is kept, or none is. Their bytes are already in place
    /// ([`Store::place`]); checked again here, under the write lock, against bytes
    /// removed as a possible indecent image meanwhile, and for being still there. On any
    /// error nothing is recorded and the objects this capture moved into `objects/` are
    /// removed again ([`Store::unplace`]), so "nothing was kept" is true.
    pub(crate) fn insert_items(
        &self,
        news: Vec<NewItem>,
    ) -> Result<Vec<Item>, crate::CaptureError> {
        let placed: Vec<(String, PathBuf)> = news
            .iter()
            .filter_map(|n| Some((n.sha256.clone(), n.placed.clone()?)))
            .collect();
        match self.insert_items_tx(news) {
            Ok(items) => {
                seam::stop_at("after-commit");
                for (_, m) in placed {
                    let _ = fs::remove_file(m);
                }
                Ok(items)
            }
            Err(e) => {
                self.unplace(&placed);
                Err(e)
            }
        }
    }

    fn insert_items_tx(&self, news: Vec<NewItem>) -> Result<Vec<Item>, crate::CaptureError> {
        let tx = self.write_tx()?;
        for new in &news {
            let removed: bool = tx
                .query_row(
                    "SELECT 1 FROM items WHERE sha256 = ?1 AND removed_utc IS NOT NULL LIMIT 1",
                    [&new.sha256],
                    |_| Ok(true),
                )
                .optional()
                .map_err(|e| self.db_err(e))?
                .unwrap_or(false);
            if removed {
                return Err(crate::CaptureError::NeverKept);
            }
            // Identical bytes already in place when this capture began may have been
            // removed since by a failed capture of another process (`unplace`, which
            // runs under this same lock): then nothing is recorded, never a record
            // without its bytes.
            let object = self.object_path(&new.sha256);
            if !object.is_file() {
                return Err(StoreError::io(
                    "find",
                    object,
                    std::io::Error::from(std::io::ErrorKind::NotFound),
                )
                .into());
            }
        }
        let mut items = Vec::with_capacity(news.len());
        for new in news {
            items.push(self.insert_item_tx(&tx, new)?);
        }
        seam::stop_at("before-commit");
        self.commit(tx)?;
        Ok(items)
    }

    /// Undo [`Store::place`] for a capture that failed: each object it moved into
    /// `objects/` (`(sha256, marker)`) is removed unless an item names it (identical
    /// bytes captured meanwhile) or another live capture has placed it too; then its
    /// marker is removed. Under the write lock, so that a capture of the same bytes in
    /// another process, which checks under that lock that its objects are there, either
    /// commits first (its item then names the object, which stays) or finds it gone
    /// (and keeps nothing). The object goes before its marker: `check`, finding no
    /// marker, re-reads the object's record and then whether it is still there. When
    /// the lock cannot be had within a few seconds (another process holds it; this
    /// capture may have failed waiting for it), nothing is removed and the markers stay:
    /// the next open finds them and logs the objects as kept from an interrupted
    /// capture (`interrupted_capture_kept`).
    pub(crate) fn unplace(&self, placed: &[(String, PathBuf)]) {
        if placed.is_empty() || self.read_only {
            return;
        }
        let short = std::time::Duration::from_millis(UNPLACE_BUSY_MS);
        let long = std::time::Duration::from_millis(BUSY_TIMEOUT_MS);
        let _ = self.conn.busy_timeout(short);
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate);
        let _ = self.conn.busy_timeout(long);
        let Ok(tx) = tx else {
            return;
        };
        let own: Vec<&Path> = placed.iter().map(|(_, m)| m.as_path()).collect();
        let others: std::collections::BTreeSet<String> = placements(&self.root)
            .into_iter()
            .filter(|p| p.live && !own.contains(&p.marker.as_path()))
            .map(|p| p.sha256)
            .collect();
        for (sha, marker) in placed {
            let named = tx
                .query_row(
                    "SELECT 1 FROM items WHERE sha256 = ?1 AND removed_utc IS NULL LIMIT 1",
                    [sha],
                    |_| Ok(true),
                )
                .optional();
            match named {
                Ok(None) if !others.contains(sha) => {
                    let obj = self.object_path(sha);
                    let _ = make_writable(&obj);
                    match fs::remove_file(&obj) {
                        Ok(()) => {
                            let _ = sync_dir(obj.parent().unwrap_or(&self.root));
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        // Still there: the marker stays, for the next open to log.
                        Err(_) => {
                            let _ = set_read_only(&obj);
                            continue;
                        }
                    }
                }
                // Named by an item, or placed by another capture too: it stays.
                Ok(_) => {}
                // Not known: the object and its marker stay, for the next open.
                Err(_) => continue,
            }
            let _ = fs::remove_file(marker);
        }
        // Nothing was written.
        drop(tx);
    }
}

/// How long a failed capture waits for the write lock to remove what it placed.
const UNPLACE_BUSY_MS: u64 = 5_000;

/// Test seams of the capture pipeline, read from the environment in debug builds only
/// (release builds compile them to nothing), like `EVIDENCE_KIT_TEST_MAX_ENTRIES` in
/// `bundle`. They reach, every time, moments that a real fault reaches only by chance:
///
/// - `EVIDENCE_KIT_TEST_ALTER_BEFORE_READ_BACK` (any value): one byte in the middle of
///   each capture's temp file is changed after the file is written and fsynced and
///   before it is read back, as a failing disk would give it back. The capture must be
///   refused (`WriteVerifyFailed`): the hash taken while reading the source differs
///   from the bytes on disk. Were the hash taken from the written file, it would pass.
/// - `EVIDENCE_KIT_TEST_STOP_AT=POINT`: at `after-rename` (the bytes moved into
///   `objects/` and the folder fsynced, the marker in `tmp/`), `before-commit` (item
///   rows and custody entries written, not committed) or `after-commit` (committed,
///   markers not yet removed) the process says `EVIDENCE_KIT_TEST_STOP_AT: stopped at
///   POINT` on stderr and waits to be killed (a minute at most, then it aborts).
mod seam {
    use std::path::Path;

    /// Change one byte of `path` (see the module's text); nothing in release builds.
    pub(super) fn alter_before_read_back(path: &Path) -> std::io::Result<()> {
        #[cfg(debug_assertions)]
        if std::env::var_os("EVIDENCE_KIT_TEST_ALTER_BEFORE_READ_BACK").is_some() {
            use std::io::{Read, Seek, SeekFrom, Write};
            let mut f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)?;
            let at = f.metadata()?.len() / 2;
            let mut byte = [0u8; 1];
            f.seek(SeekFrom::Start(at))?;
            if f.read(&mut byte)? == 1 {
                f.seek(SeekFrom::Start(at))?;
                f.write_all(&[byte[0] ^ 0x20])?;
                f.sync_all()?;
            }
        }
        let _ = path;
        Ok(())
    }

    /// Stop at `point` if asked to (see the module's text); nothing in release builds.
    pub(super) fn stop_at(point: &str) {
        #[cfg(debug_assertions)]
        if std::env::var("EVIDENCE_KIT_TEST_STOP_AT").is_ok_and(|p| p == point) {
            eprintln!("EVIDENCE_KIT_TEST_STOP_AT: stopped at {point}");
            std::thread::sleep(std::time::Duration::from_secs(60));
            std::process::abort();
        }
        let _ = point;
    }
}

/// A marker in `tmp/` of bytes moved into `objects/` whose record is not yet committed.
#[derive(Debug, Clone)]
pub(crate) struct Placement {
    /// The marker file.
    pub marker: PathBuf,
    /// The object it is about.
    pub sha256: String,
    /// Whether the capture that wrote it may still be running.
    pub live: bool,
}

/// Every `tmp/ingest-PID-UUID.placed` marker holding a SHA-256, in the store at `root`
/// (none when `tmp/` cannot be read).
pub(crate) fn placements(root: &Path) -> Vec<Placement> {
    let Ok(entries) = fs::read_dir(root.join("tmp")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".placed") {
            continue;
        }
        let Some(pid) = name
            .strip_prefix("ingest-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let mut text = String::new();
        let read = File::open(entry.path()).and_then(|f| f.take(128).read_to_string(&mut text));
        let sha = text.trim();
        if read.is_err() || !is_sha256(sha) {
            continue;
        }
        out.push(Placement {
            live: process_alive(pid, &entry.path()),
            sha256: sha.to_string(),
            marker: entry.path(),
        });
    }
    out
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether the process that wrote a temp file may still be writing it.
fn process_alive(pid: u32, file: &Path) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    // Elsewhere: a temp file untouched for a day belongs to a dead capture.
    fs::metadata(file)
        .and_then(|m| m.modified())
        .map(|t| t.elapsed().map(|d| d.as_secs() < 86_400).unwrap_or(true))
        .unwrap_or(true)
}
