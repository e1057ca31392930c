//! The evidence store: one folder per installation.
//!
//! ```text
//! STORE/
//!   evidence.sqlite        cases, items, custody log (SQLite, WAL, synchronous=FULL,
//!                          checkpointed after each commit)
//!   custody.head           the custody chain's last entry, `SEQ HASH` (its anchor)
//!   custody.head.lock      taken while custody.head is written
//!   objects/sha256/ab/cdef…  evidence bytes, named by their SHA-256, read-only
//!   tmp/                   captures in progress (`ingest-PID-UUID.part`), files
//!                          from the app's window still arriving (`….arriving`), and
//!                          markers of bytes placed but not yet recorded (`….placed`)
//! ```
//!
//! A capture is: stream into `tmp/` while hashing → fsync → read back and re-hash →
//! (marker) → rename to its hash name → fsync the folder → one immediate transaction
//! (item rows and custody entries) → commit → checkpoint → anchor → marker removed. So
//! a record is committed only after its bytes are durable, and a crash leaves at most
//! a temp file (cleaned, and logged, at the next open) or an object no item names
//! (kept, and logged at the next open from its marker; `check` calls any other such
//! object a possible lost capture). A capture that fails without a crash removes the
//! objects it placed, and their markers ([`Store::unplace`]).

use crate::StoreError;
use crate::case::{
    self, Case, CaseState, CaseSummary, EmailHeaders, IncidentReport, Item, PoliceDecision,
    Removal, Responsible, SafeguardNote, Sender, Source, Withdrawal,
};
use crate::clock::{self, Clock, Stamp};
use crate::custody::{self, Entry};
use crate::fsutil::{create_private_dir, make_writable, set_mode, set_read_only, sync_dir};
use crate::objects::HEAD_BYTES;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

// The digest primitives lived here; their old paths still resolve.
pub use crate::digest::{
    BlockHasher, Blocks, CHUNK_BYTES, MAX_BLOCKS, MIN_BLOCK_BYTES, block_size_for, changed_ranges,
    hash_file, hash_file_blocks, read_chunks,
};
pub use crate::objects::object_path_in;

/// The index file's name inside the store folder.
pub const DB_FILE: &str = "evidence.sqlite";
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT_MS: u64 = 30_000;
/// The actor written for entries the app makes itself.
pub const APP_ACTOR: &str = "evidence-kit";

/// Schema migrations, applied in order; `PRAGMA user_version` is how many ran.
/// Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: cases, items, custody log.
    r#"
    CREATE TABLE cases (
        id            TEXT PRIMARY KEY,
        title         TEXT NOT NULL,
        staff         TEXT NOT NULL,
        created_utc   TEXT NOT NULL,
        created_local TEXT NOT NULL,
        created_zone  TEXT NOT NULL
    ) STRICT;
    CREATE TABLE items (
        id             INTEGER PRIMARY KEY,
        case_id        TEXT NOT NULL REFERENCES cases(id),
        sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
        size           INTEGER NOT NULL CHECK (size >= 0),
        media_type     TEXT NOT NULL,
        original_name  TEXT NOT NULL,
        source         TEXT NOT NULL,
        captured_utc   TEXT NOT NULL,
        captured_local TEXT NOT NULL,
        captured_zone  TEXT NOT NULL,
        captured_by    TEXT NOT NULL,
        site           TEXT,
        url            TEXT,
        from_handle    TEXT,
        from_email     TEXT,
        from_phone     TEXT,
        from_profile   TEXT,
        seen           TEXT,
        note           TEXT,
        email_json     TEXT,
        withdrawn_utc    TEXT,
        withdrawn_local  TEXT,
        withdrawn_zone   TEXT,
        withdrawn_reason TEXT
    ) STRICT;
    CREATE INDEX items_case ON items(case_id);
    CREATE INDEX items_sha256 ON items(sha256);
    CREATE TABLE custody (
        seq           INTEGER PRIMARY KEY,
        utc           TEXT NOT NULL,
        local         TEXT NOT NULL,
        zone          TEXT NOT NULL,
        actor         TEXT NOT NULL,
        action        TEXT NOT NULL,
        case_id       TEXT,
        item_id       INTEGER,
        details       TEXT NOT NULL,
        clock_anomaly INTEGER NOT NULL,
        prev_hash     TEXT NOT NULL,
        hash          TEXT NOT NULL
    ) STRICT;
    CREATE INDEX custody_case ON custody(case_id);
    "#,
    // 2: block hashes of each object, taken at acquisition, so that a verifier can say
    // where in a file a change is, not only that there is one; and its CRC-32, so that
    // sealing can write each zip header before the bytes and read every byte once.
    r#"
    CREATE TABLE object_blocks (
        sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        block_size INTEGER NOT NULL CHECK (block_size > 0),
        digests    BLOB NOT NULL,
        crc32      INTEGER NOT NULL
    ) STRICT;
    "#,
    // 3: the incident report of each case (the form's fields), as JSON; every change
    // is also a `report_edited` custody entry that keeps the old value.
    r#"
    ALTER TABLE cases ADD COLUMN report TEXT NOT NULL DEFAULT '{}';
    "#,
    // 4: items whose bytes were removed because they may be an indecent image of a
    // child (the record and the hash stay; the bytes never do).
    r#"
    ALTER TABLE items ADD COLUMN removed_utc TEXT;
    ALTER TABLE items ADD COLUMN removed_local TEXT;
    ALTER TABLE items ADD COLUMN removed_zone TEXT;
    ALTER TABLE items ADD COLUMN removed_reason TEXT;
    "#,
];

/// An open evidence store.
pub struct Store {
    root: PathBuf,
    conn: Connection,
    clock: Clock,
    read_only: bool,
}

impl Drop for Store {
    /// One more checkpoint as the connection closes: a commit whose checkpoint a
    /// reader in another process held back (a long seal) is copied into
    /// `evidence.sqlite` now if that reader is done, rather than at the next commit.
    /// One try, never waiting: a reader still there keeps it in the fsynced `-wal`.
    fn drop(&mut self) {
        if !self.read_only {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    }
}

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

/// The default store folder: `$EVIDENCE_KIT_STORE`, else the OS data folder
/// (`~/.local/share/evidence-kit` on Linux).
pub fn default_root() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os("EVIDENCE_KIT_STORE").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "evidence-kit")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(StoreError::NoHome)
}

impl Store {
    /// Open (creating if needed) the store in `root` for reading and writing.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        if root.exists() && !root.is_dir() {
            return Err(StoreError::NotAFolder { path: root.into() });
        }
        create_private_dir(root)?;
        for sub in ["objects/sha256", "tmp"] {
            create_private_dir(&root.join(sub))?;
        }
        let conn = Connection::open(root.join(DB_FILE)).map_err(|e| StoreError::db(root, e))?;
        let store = Store {
            root: root.to_path_buf(),
            conn,
            clock: clock::system(),
            read_only: false,
        };
        store.configure()?;
        store.migrate()?;
        // A store written by an earlier version may hold commits only in its -wal.
        store.checkpoint();
        // The index holds names and notes about the abuse: this user only.
        for f in [DB_FILE, "evidence.sqlite-wal", "evidence.sqlite-shm"] {
            let p = root.join(f);
            if p.exists() {
                set_mode(&p, 0o600).map_err(|e| StoreError::io("protect", &p, e))?;
            }
        }
        store.clean_abandoned_temp_files()?;
        Ok(store)
    }

    /// Open an existing store without writing anything: for listing and checking a
    /// store on read-only media. Falls back to SQLite's `immutable` mode when the
    /// folder cannot be written (WAL needs its `-shm` file otherwise).
    pub fn open_read_only(root: &Path) -> Result<Store, StoreError> {
        let db = root.join(DB_FILE);
        if !db.is_file() {
            return Err(StoreError::Io {
                action: "open",
                path: db,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "there is no evidence store here",
                ),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let plain = Connection::open_with_flags(&db, flags).and_then(|c| {
            c.query_row("SELECT count(*) FROM cases", [], |_| Ok(()))
                .map(|_| c)
        });
        let conn = match plain {
            Ok(c) => c,
            Err(_) => {
                let uri = format!("file:{}?immutable=1", uri_path(&db));
                Connection::open_with_flags(uri, flags).map_err(|e| StoreError::db(root, e))?
            }
        };
        let store = Store {
            root: root.to_path_buf(),
            conn,
            clock: clock::system(),
            read_only: true,
        };
        store.check_schema_version()?;
        Ok(store)
    }

    /// Open for writing; if the store cannot be written, open it read-only instead.
    pub fn open_for_reading(root: &Path) -> Result<Store, StoreError> {
        match Store::open(root) {
            Ok(s) => Ok(s),
            Err(StoreError::ReadOnly { .. }) if root.join(DB_FILE).is_file() => {
                Store::open_read_only(root)
            }
            Err(e) => Err(e),
        }
    }

    /// Replace the clock (tests: clocks that jump).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Now, from this store's clock.
    pub fn now(&self) -> Stamp {
        (self.clock)()
    }

    /// The store folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether this store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The raw SQLite connection (for `check`).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn db_err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::db(&self.root, e)
    }

    /// Each pragma, and why.
    fn configure(&self) -> Result<(), StoreError> {
        let c = &self.conn;
        let run = |sql: &str| c.execute_batch(sql).map_err(|e| self.db_err(e));
        // Another process (the CLI while the app is open) may hold the write lock for
        // a moment; wait for it rather than fail the capture.
        c.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(|e| self.db_err(e))?;
        // WAL: readers (the app's list, a long seal in another process) never block a
        // capture being written, and a crash mid-write cannot corrupt committed data.
        // Each commit is then checkpointed into the main file (`commit`), so that file
        // alone holds every acknowledged write: a rollback journal (DELETE) would do
        // that too, but there a reader blocks every writer for as long as it reads (a
        // capture waited 3.1 s behind a 3 s read, and would fail behind a seal longer
        // than the busy timeout; see ARCHITECTURE.md, "The store"). Switching a new store to WAL
        // needs a moment alone with the file; a second process creating the same store
        // gets "busy" at once (SQLite does not wait there), so wait and try again.
        retry_busy(|| c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)))
            .map_err(|e| self.db_err(e))?;
        // FULL: a commit is fsynced before it returns. With NORMAL a committed capture
        // can be lost at a power cut; for evidence, "saved" must mean saved.
        run("PRAGMA synchronous = FULL")?;
        // The items → cases link is enforced, so no item can name a missing case.
        run("PRAGMA foreign_keys = ON")?;
        // Deleted rows are overwritten with zeros: nothing is deleted on purpose,
        // but if SQLite frees a page, what was on it does not linger.
        run("PRAGMA secure_delete = ON")?;
        Ok(())
    }

    fn check_schema_version(&self) -> Result<i64, StoreError> {
        // Another process may be creating this store right now: wait for it.
        let version = retry_busy(|| {
            self.conn
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        })
        .map_err(|e| self.db_err(e))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported,
            });
        }
        Ok(version)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let version = self.check_schema_version()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            // One transaction per migration, so a crash leaves the old or the new
            // schema, never half of one. Two processes opening a new store at once:
            // the IMMEDIATE lock makes the second wait, then re-read the version.
            let tx = self.write_tx()?;
            let now: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| self.db_err(e))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql).map_err(|e| self.db_err(e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(|e| self.db_err(e))?;
            self.commit(tx)?;
        }
        Ok(())
    }

    /// Remove temp files of captures whose process is gone, writing a custody entry
    /// for each: they were never acknowledged, so they are not evidence, but nothing
    /// is removed silently.
    fn clean_abandoned_temp_files(&self) -> Result<(), StoreError> {
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
                "incomplete_capture_removed",
                None,
                None,
                &json!({"file": name, "size": size, "why": why}),
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
                "interrupted_capture_kept",
                None,
                None,
                &json!({
                    "file": name,
                    "sha256": sha,
                    "size": meta.len(),
                    "why": "a capture was interrupted after its bytes were saved and before it was recorded; the bytes are kept"
                }),
            )?;
        }
        // One that cannot be removed is left: it must not stop the store from opening.
        let _ = fs::remove_file(marker);
        Ok(true)
    }

    // ---- objects ----

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

    // ---- cases ----

    /// Open a new case.
    pub fn create_case(&self, title: &str, staff: &str) -> Result<Case, StoreError> {
        let title = case::required("The case title", title)?;
        let staff = case::required("The staff member's name", staff)?;
        let created = (self.clock)();
        let day = created
            .utc
            .get(..10)
            .unwrap_or("0000-00-00")
            .replace('-', "");
        let tx = self.write_tx()?;
        let mut id;
        loop {
            let rand = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
            id = format!("EK-{day}-{}", &rand[..6]);
            let taken: bool = tx
                .query_row("SELECT 1 FROM cases WHERE id = ?1", [&id], |_| Ok(true))
                .optional()
                .map_err(|e| self.db_err(e))?
                .unwrap_or(false);
            if !taken {
                break;
            }
        }
        tx.execute(
            "INSERT INTO cases (id, title, staff, created_utc, created_local, created_zone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, title, staff, created.utc, created.local, created.zone],
        )
        .map_err(|e| self.db_err(e))?;
        let case = Case {
            id,
            title,
            staff,
            created,
            report: IncidentReport::default(),
        };
        append_custody_tx(
            &tx,
            &case.created,
            &case.staff,
            "case_created",
            Some(&case.id),
            None,
            &json!({"title": case.title, "staff": case.staff, "created": case.created}),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(case)
    }

    /// All cases, newest first, with item counts.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT c.id, c.title, c.staff, c.created_utc, c.created_local, c.created_zone,
                        c.report, count(i.id), count(i.withdrawn_utc),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id AND action = 'sealed'),
                        (SELECT local FROM custody WHERE case_id = c.id AND action = 'sealed'
                            ORDER BY seq DESC LIMIT 1),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id AND action = 'handed_over'),
                        (SELECT local FROM custody WHERE case_id = c.id AND action = 'handed_over'
                            ORDER BY seq DESC LIMIT 1),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id
                            AND action NOT IN ('sealed', 'handed_over', 'receipt')),
                        (SELECT r.details FROM custody r WHERE r.case_id = c.id AND r.action = 'receipt'
                            AND json_extract(r.details, '$.bundle_sha256') =
                                (SELECT json_extract(s.details, '$.sha256') FROM custody s
                                 WHERE s.case_id = c.id AND s.action = 'sealed'
                                 ORDER BY s.seq DESC LIMIT 1)
                            ORDER BY r.seq DESC LIMIT 1)
                 FROM cases c LEFT JOIN items i ON i.case_id = c.id
                 GROUP BY c.id ORDER BY c.created_utc DESC, c.id",
            )
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], |r| {
                let sealed_seq: Option<i64> = r.get(9)?;
                let handed_seq: Option<i64> = r.get(11)?;
                let changed_seq: Option<i64> = r.get(13)?;
                let state = match (sealed_seq, handed_seq) {
                    (None, _) => CaseState::Open,
                    (Some(s), Some(h)) if h > s => CaseState::Sent,
                    _ => CaseState::Sealed,
                };
                Ok(CaseSummary {
                    case: case_from_row(r)?,
                    items: r.get(7)?,
                    withdrawn: r.get(8)?,
                    state,
                    last_sealed: r.get(10)?,
                    handed_over: r.get(12)?,
                    changed_since_seal: matches!((sealed_seq, changed_seq), (Some(s), Some(c)) if c > s),
                    receipt: r
                        .get::<_, Option<String>>(14)?
                        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                        .map(|d| crate::receipt::words(&d)),
                })
            })
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// One case.
    pub fn case(&self, id: &str) -> Result<Case, StoreError> {
        self.conn
            .query_row(
                "SELECT id, title, staff, created_utc, created_local, created_zone, report
                 FROM cases WHERE id = ?1",
                [id.trim()],
                case_from_row,
            )
            .optional()
            .map_err(|e| self.db_err(e))?
            .ok_or_else(|| StoreError::UnknownCase { id: id.to_string() })
    }

    /// The report column as stored (for `check`, which must see an unreadable one).
    pub(crate) fn raw_report(&self, case_id: &str) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT report FROM cases WHERE id = ?1", [case_id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))
    }

    /// Change fields of a case's incident report. Each changed field is one
    /// `report_edited` custody entry with its old and new value; setting the police
    /// decision also records when it was made (`police_decided`). Unchanged fields
    /// write nothing.
    pub fn update_report(
        &self,
        case_id: &str,
        update: &ReportUpdate,
        actor: &str,
    ) -> Result<Case, StoreError> {
        let changes = update.changes()?;
        let case = self.case(case_id)?;
        let at = (self.clock)();
        let tx = self.write_tx()?;
        let text: String = tx
            .query_row("SELECT report FROM cases WHERE id = ?1", [&case.id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))?;
        let mut report = report_value(&text).ok_or_else(|| StoreError::ReportUnreadable {
            case: case.id.clone(),
        })?;
        let mut changed = Vec::new();
        for (field, new) in changes {
            let old = report
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if old == new {
                continue;
            }
            report[field] = new.clone();
            changed.push((field, old, new));
            if field == "police" {
                let old = report["police_decided"].clone();
                let new = serde_json::to_value(&at).unwrap_or_default();
                report["police_decided"] = new.clone();
                changed.push(("police_decided", old, new));
            }
        }
        if changed.is_empty() {
            return Ok(case);
        }
        tx.execute(
            "UPDATE cases SET report = ?1 WHERE id = ?2",
            params![report.to_string(), case.id],
        )
        .map_err(|e| self.db_err(e))?;
        for (field, old, new) in changed {
            append_custody_tx(
                &tx,
                &at,
                actor,
                "report_edited",
                Some(&case.id),
                None,
                &json!({"field": field, "old": old, "new": new}),
            )
            .map_err(|e| self.db_err(e))?;
        }
        self.commit(tx)?;
        self.case(&case.id)
    }

    /// Record that a possible indecent image of a child was seen. Nothing of it is
    /// captured: only when, where (as typed) and, if given, when the police were told.
    pub fn record_indecent_image(
        &self,
        case_id: &str,
        site: Option<&str>,
        police_informed: Option<&str>,
        actor: &str,
    ) -> Result<SafeguardNote, StoreError> {
        let site = case::optional("The site", site)?;
        let police_informed =
            match case::optional("The time the police were told", police_informed)? {
                Some(v) => Some(clock::normalise(&v).ok_or(StoreError::BadTime { value: v })?),
                None => None,
            };
        let case = self.case(case_id)?;
        let note = SafeguardNote {
            recorded: (self.clock)(),
            site,
            police_informed,
        };
        let tx = self.write_tx()?;
        let text: String = tx
            .query_row("SELECT report FROM cases WHERE id = ?1", [&case.id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))?;
        let mut report: IncidentReport =
            serde_json::from_str(&text).map_err(|_| StoreError::ReportUnreadable {
                case: case.id.clone(),
            })?;
        report.indecent_images.push(note.clone());
        tx.execute(
            "UPDATE cases SET report = ?1 WHERE id = ?2",
            params![serde_json::to_string(&report).unwrap_or_default(), case.id],
        )
        .map_err(|e| self.db_err(e))?;
        append_custody_tx(
            &tx,
            &note.recorded,
            actor,
            "indecent_image_recorded",
            Some(&case.id),
            None,
            &json!({"note": note, "advice_given": INDECENT_IMAGE_ADVICE}),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(note)
    }

    /// Record that the staff member gave the sealed record to the designated person (the
    /// app cannot see it happen; the person says so). Refused before the first seal.
    pub fn record_handed_over(
        &self,
        case_id: &str,
        to: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let to = case::optional("The designated person's name", to)?;
        let case = self.case(case_id)?;
        let sealed: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(seq) FROM custody WHERE case_id = ?1 AND action = 'sealed'",
                [&case.id],
                |r| r.get(0),
            )
            .map_err(|e| self.db_err(e))?;
        if sealed.is_none() {
            return Err(StoreError::NotSealed { id: case.id });
        }
        self.append_custody(
            actor,
            "handed_over",
            Some(&case.id),
            None,
            &json!({"to": to}),
        )?;
        Ok(())
    }

    /// Record the designated person's receipt for a sealed bundle of a case: the receipt
    /// was checked by the caller against a trusted key; here it must name a bundle this
    /// store sealed for that case. Returns the words the app shows. The record shows it
    /// only while that bundle is the latest seal (a receipt for an earlier seal does not
    /// vouch for a later one).
    pub fn record_receipt(
        &self,
        receipt: &crate::receipt::ReceiptBody,
        key_fingerprint: &str,
    ) -> Result<String, StoreError> {
        let case = self.case(&receipt.case)?;
        let sealed: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM custody WHERE case_id = ?1 AND action = 'sealed'
                    AND json_extract(details, '$.sha256') = ?2 LIMIT 1",
                params![case.id, receipt.bundle_sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.db_err(e))?;
        if sealed.is_none() {
            return Err(StoreError::NotOurBundle {
                case: case.id,
                sha256: receipt.bundle_sha256.clone(),
            });
        }
        let details = json!({
            "received_by": receipt.received_by,
            "received": receipt.received,
            "verdict": receipt.verdict,
            "bundle_sha256": receipt.bundle_sha256,
            "key": key_fingerprint,
        });
        // The same receipt opened twice is recorded once.
        let again: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM custody WHERE case_id = ?1 AND action = 'receipt' AND details = ?2",
                params![case.id, details.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.db_err(e))?;
        if again.is_none() {
            self.append_custody(
                &receipt.received_by,
                "receipt",
                Some(&case.id),
                None,
                &details,
            )?;
        }
        Ok(crate::receipt::words(&details))
    }

    /// Mark a captured item as a possible indecent image of a child and remove its bytes
    /// from the store: the one exception to never-delete, which the school's policy
    /// itself demands (never copied, never kept). Every item with the same bytes is
    /// marked (they are the same picture); the records, their hashes and the reason
    /// stay, and the case's report gets a safeguard note. The custody entries are
    /// committed before the file is removed, so a crash in between leaves bytes that
    /// `check` names and that calling this again removes.
    pub fn remove_indecent_item(
        &self,
        item_id: i64,
        police_informed: Option<&str>,
        actor: &str,
    ) -> Result<Item, StoreError> {
        let item = self.item(item_id)?;
        let path = self.object_path(&item.sha256);
        if item.removed.is_none() {
            let at = (self.clock)();
            let tx = self.write_tx()?;
            let mut same: Vec<(i64, String)> = Vec::new();
            {
                let mut st = tx
                    .prepare(
                        "SELECT id, case_id FROM items WHERE sha256 = ?1 AND removed_utc IS NULL",
                    )
                    .map_err(|e| self.db_err(e))?;
                let rows = st
                    .query_map([&item.sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(|e| self.db_err(e))?;
                for r in rows {
                    same.push(r.map_err(|e| self.db_err(e))?);
                }
            }
            tx.execute(
                "UPDATE items SET removed_utc = ?1, removed_local = ?2, removed_zone = ?3,
                    removed_reason = ?4 WHERE sha256 = ?5 AND removed_utc IS NULL",
                params![
                    at.utc,
                    at.local,
                    at.zone,
                    INDECENT_IMAGE_REASON,
                    item.sha256
                ],
            )
            .map_err(|e| self.db_err(e))?;
            tx.execute(
                "DELETE FROM object_blocks WHERE sha256 = ?1",
                [&item.sha256],
            )
            .map_err(|e| self.db_err(e))?;
            for (id, case_id) in &same {
                append_custody_tx(
                    &tx,
                    &at,
                    actor,
                    "indecent_image_removed",
                    Some(case_id),
                    Some(*id),
                    &json!({"sha256": item.sha256, "at": at, "reason": INDECENT_IMAGE_REASON}),
                )
                .map_err(|e| self.db_err(e))?;
            }
            self.commit(tx)?;
            self.record_indecent_image(
                &item.case_id,
                item.site.as_deref(),
                police_informed,
                actor,
            )?;
        }
        let unfinished = |source| StoreError::RemovalUnfinished {
            item: item_id,
            path: path.clone(),
            source,
        };
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(path.parent().unwrap_or(&self.root)).map_err(unfinished)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(unfinished(e)),
        }
        self.item(item_id)
    }

    /// Whether these bytes were removed as a possible indecent image of a child (they
    /// are never taken in again).
    pub(crate) fn is_removed_hash(&self, sha256: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM items WHERE sha256 = ?1 AND removed_utc IS NOT NULL LIMIT 1",
                [sha256],
                |_| Ok(true),
            )
            .optional()
            .map(|o| o.unwrap_or(false))
            .map_err(|e| self.db_err(e))
    }

    // ---- items ----

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

    fn insert_item_tx(
        &self,
        tx: &rusqlite::Transaction<'_>,
        new: NewItem,
    ) -> Result<Item, StoreError> {
        let exists: Option<i64> = tx
            .query_row("SELECT 1 FROM cases WHERE id = ?1", [&new.case_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.db_err(e))?;
        if exists.is_none() {
            return Err(StoreError::UnknownCase { id: new.case_id });
        }
        let email_json = new
            .email
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        tx.execute(
            "INSERT INTO items (case_id, sha256, size, media_type, original_name, source,
                captured_utc, captured_local, captured_zone, captured_by, site, url,
                from_handle, from_email, from_phone, from_profile, seen, note, email_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19)",
            params![
                new.case_id,
                new.sha256,
                new.size as i64,
                new.media_type,
                new.original_name,
                new.source.as_str(),
                new.captured.utc,
                new.captured.local,
                new.captured.zone,
                new.captured_by,
                new.site,
                new.url,
                new.from.handle,
                new.from.email,
                new.from.phone,
                new.from.profile,
                new.seen,
                new.note,
                email_json,
            ],
        )
        .map_err(|e| self.db_err(e))?;
        let id = tx.last_insert_rowid();
        let digests: Vec<u8> = new.blocks.digests.iter().flatten().copied().collect();
        tx.execute(
            "INSERT OR IGNORE INTO object_blocks (sha256, block_size, digests, crc32)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                new.sha256,
                new.blocks.size as i64,
                digests,
                new.blocks.crc32
            ],
        )
        .map_err(|e| self.db_err(e))?;
        let item = Item {
            id,
            case_id: new.case_id,
            sha256: new.sha256,
            size: new.size,
            media_type: new.media_type,
            original_name: new.original_name,
            source: new.source,
            captured: new.captured,
            captured_by: new.captured_by,
            site: new.site,
            url: new.url,
            from: new.from,
            seen: new.seen,
            note: new.note,
            email: new.email,
            withdrawn: None,
            removed: None,
        };
        let details = serde_json::to_value(&item).unwrap_or_default();
        append_custody_tx(
            tx,
            &item.captured,
            &item.captured_by,
            "captured",
            Some(&item.case_id),
            Some(id),
            &details,
        )
        .map_err(|e| self.db_err(e))?;
        Ok(item)
    }

    /// The items of a case, in capture order.
    pub fn items(&self, case_id: &str) -> Result<Vec<Item>, StoreError> {
        self.case(case_id)?;
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE case_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([case_id.trim()], item_from_row)
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Call `f` with each item of a case, in capture order, one row at a time (seal
    /// walks thousands of items without holding them all).
    pub fn each_item(
        &self,
        case_id: &str,
        f: &mut dyn FnMut(Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE case_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.db_err(e))?;
        let mut rows = st.query([case_id.trim()]).map_err(|e| self.db_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.db_err(e))? {
            f(item_from_row(row).map_err(|e| self.db_err(e))?)?;
        }
        Ok(())
    }

    /// Run `f` inside one read transaction: every query in it sees the store as it was
    /// at its first read, whatever other processes write meanwhile (WAL snapshot).
    /// Seal reads the case several times (to hash its tag files, then to write them)
    /// and must see the same thing each time.
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        retry_busy(|| self.conn.execute_batch("BEGIN DEFERRED")).map_err(|e| self.db_err(e))?;
        let out = f(self);
        // Nothing was written, so ending it cannot lose anything.
        let end = self.conn.execute_batch("ROLLBACK");
        let out = out?;
        end.map_err(|e| self.db_err(e))?;
        Ok(out)
    }

    /// Whether any item (withdrawn or removed ones too) names the object `sha256`.
    fn item_names(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM items WHERE sha256 = ?1 LIMIT 1",
                [sha256],
                |_| Ok(true),
            )
            .optional()
            .map_err(|e| self.db_err(e))?
            .unwrap_or(false))
    }

    /// Whether the store says why the object `sha256` is kept, read afresh (for
    /// `check`, about an object no item named in its snapshot): an item names it now,
    /// or a custody entry says a capture of it was interrupted after its bytes were saved.
    pub(crate) fn object_accounted_for(&self, sha256: &str) -> Result<bool, StoreError> {
        let named = self.item_names(sha256)?;
        if named {
            return Ok(true);
        }
        let mut st = self
            .conn
            .prepare("SELECT details FROM custody WHERE action = 'interrupted_capture_kept'")
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.db_err(e))?;
        for details in rows {
            let details = details.map_err(|e| self.db_err(e))?;
            let v: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
            if v["sha256"] == sha256 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The block hashes taken when these bytes were captured.
    pub fn blocks(&self, sha256: &str) -> Result<Option<Blocks>, StoreError> {
        // Cached statement: seal asks once per item, thousands of times.
        let row: Option<(i64, Vec<u8>, u32)> = self
            .conn
            .prepare_cached(
                "SELECT block_size, digests, crc32 FROM object_blocks WHERE sha256 = ?1",
            )
            .and_then(|mut st| {
                st.query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.db_err(e))?;
        Ok(row.map(|(size, d, crc32)| Blocks {
            crc32,
            size: size.max(1) as u64,
            digests: d
                .chunks_exact(32)
                .map(|c| {
                    let mut a = [0u8; 32];
                    a.copy_from_slice(c);
                    a
                })
                .collect(),
        }))
    }

    /// Every item in the store, in id order (for `check`).
    pub fn all_items(&self) -> Result<Vec<Item>, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY id");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], item_from_row)
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// One item.
    pub fn item(&self, id: i64) -> Result<Item, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], item_from_row)
            .optional()
            .map_err(|e| self.db_err(e))?
            .ok_or_else(|| StoreError::UnknownItem { id: id.to_string() })
    }

    /// Mark an item withdrawn, with a reason. Its bytes and record stay.
    pub fn withdraw(&self, item_id: i64, reason: &str, actor: &str) -> Result<Item, StoreError> {
        let reason = case::required("The reason for withdrawing", reason)?;
        let item = self.item(item_id)?;
        if item.withdrawn.is_some() {
            return Err(StoreError::AlreadyWithdrawn { id: item_id });
        }
        let at = (self.clock)();
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE items SET withdrawn_utc = ?1, withdrawn_local = ?2, withdrawn_zone = ?3,
                withdrawn_reason = ?4 WHERE id = ?5 AND withdrawn_utc IS NULL",
            params![at.utc, at.local, at.zone, reason, item_id],
        )
        .map_err(|e| self.db_err(e))?;
        append_custody_tx(
            &tx,
            &at,
            actor,
            "withdrawn",
            Some(&item.case_id),
            Some(item_id),
            &json!({"reason": reason, "at": at}),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        self.item(item_id)
    }

    /// The sites and apps typed for earlier items, most recently used first (for
    /// suggestions while describing a new item).
    pub fn recent_sites(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT site FROM items WHERE site IS NOT NULL AND site <> ''
                 GROUP BY site ORDER BY max(id) DESC LIMIT ?1",
            )
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([limit as i64], |r| r.get(0))
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Change several descriptive fields of an item at once (each change its own
    /// custody entry, old value kept); all are checked before any is written.
    pub fn edit_item_fields(
        &self,
        item_id: i64,
        changes: &[(ItemField, Option<String>)],
        actor: &str,
    ) -> Result<Item, StoreError> {
        for (field, value) in changes {
            let v = case::optional(field.label(), value.as_deref())?;
            if *field == ItemField::Seen
                && let Some(v) = &v
                && clock::normalise(v).is_none()
            {
                return Err(StoreError::BadTime { value: v.clone() });
            }
        }
        let mut item = self.item(item_id)?;
        for (field, value) in changes {
            item = self.edit_item(item_id, *field, value.as_deref(), actor)?;
        }
        Ok(item)
    }

    /// Change one of an item's descriptive fields; the old value stays in the log.
    pub fn edit_item(
        &self,
        item_id: i64,
        field: ItemField,
        value: Option<&str>,
        actor: &str,
    ) -> Result<Item, StoreError> {
        let mut value = case::optional(field.label(), value)?;
        if field == ItemField::Seen
            && let Some(v) = &value
        {
            value =
                Some(clock::normalise(v).ok_or_else(|| StoreError::BadTime { value: v.clone() })?);
        }
        let item = self.item(item_id)?;
        let old = field.get(&item);
        if old == value {
            return Ok(item);
        }
        let at = (self.clock)();
        let tx = self.write_tx()?;
        tx.execute(
            &format!("UPDATE items SET {} = ?1 WHERE id = ?2", field.column()),
            params![value, item_id],
        )
        .map_err(|e| self.db_err(e))?;
        let action = if field == ItemField::Note {
            "note_edited"
        } else {
            "details_edited"
        };
        append_custody_tx(
            &tx,
            &at,
            actor,
            action,
            Some(&item.case_id),
            Some(item_id),
            &json!({"field": field.column(), "old": old, "new": value}),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        self.item(item_id)
    }

    // ---- custody ----

    /// The custody log: all of it, or the entries about one case.
    pub fn custody(&self, case_id: Option<&str>) -> Result<Vec<Entry>, StoreError> {
        if let Some(id) = case_id {
            self.case(id)?;
        }
        let sql = format!(
            "SELECT {CUSTODY_COLUMNS} FROM custody WHERE ?1 IS NULL OR case_id = ?1 ORDER BY seq"
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([case_id.map(str::trim)], entry_from_row)
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Call `f` with each custody entry up to `max_seq`, in order, reading them one
    /// at a time (the whole log is never in memory).
    pub fn each_custody(
        &self,
        max_seq: i64,
        f: &mut dyn FnMut(&Entry) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {CUSTODY_COLUMNS} FROM custody WHERE seq <= ?1 ORDER BY seq");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let mut rows = st.query([max_seq]).map_err(|e| self.db_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.db_err(e))? {
            let e = entry_from_row(row).map_err(|e| self.db_err(e))?;
            f(&e).map_err(|e| StoreError::io("write", "custody.jsonl", e))?;
        }
        Ok(())
    }

    /// The sequence number of the last custody entry (0 when there is none).
    pub fn last_custody_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM custody", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))
    }

    /// Append one custody entry in its own transaction.
    pub fn append_custody(
        &self,
        actor: &str,
        action: &str,
        case_id: Option<&str>,
        item_id: Option<i64>,
        details: &serde_json::Value,
    ) -> Result<Entry, StoreError> {
        let at = (self.clock)();
        let tx = self.write_tx()?;
        let e = append_custody_tx(&tx, &at, actor, action, case_id, item_id, details)
            .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(e)
    }

    /// An IMMEDIATE transaction: it takes the write lock at BEGIN, so the custody
    /// entry we chain from cannot change under us (two processes appending at once
    /// queue up instead of forking the chain). Rolled back on drop unless committed.
    fn write_tx(&self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.root.clone(),
            });
        }
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.db_err(e))
    }

    /// Commit a write transaction (FULL sync: durable in `-wal` when this returns), then
    /// copy it into `evidence.sqlite` itself and anchor the chain's last entry in
    /// `custody.head`. Once the commit has returned the write has happened, so neither
    /// step can make it fail: a checkpoint a reader holds back only leaves the commit
    /// in the fsynced `-wal` a little longer (the next commit, by any process, copies it),
    /// and an anchor that could not be written lags, which `check` never mistakes for
    /// a loss.
    fn commit(&self, tx: rusqlite::Transaction<'_>) -> Result<(), StoreError> {
        tx.commit().map_err(|e| self.db_err(e))?;
        self.checkpoint();
        let _ = self.write_head();
        Ok(())
    }

    /// Copy every committed page from `-wal` into `evidence.sqlite`, so that the file
    /// alone holds every acknowledged write: a backup that skips `*-wal`, a copy of the
    /// index alone, a damaged `-wal` lose nothing. PASSIVE never waits for, nor blocks,
    /// other connections; it cannot copy pages newer than what a reader in another
    /// process still reads (an open read transaction: a long seal, a `sqlite3` session),
    /// so it is tried again for a moment (short reads end in milliseconds) and then left
    /// to the next commit.
    fn checkpoint(&self) {
        for _ in 0..CHECKPOINT_TRIES {
            let done = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                });
            match done {
                // Not busy, and every frame in the log copied (-1, -1: not in WAL mode).
                Ok((0, log, copied)) if copied >= log => return,
                Ok(_) => std::thread::sleep(std::time::Duration::from_millis(CHECKPOINT_WAIT_MS)),
                Err(_) => return,
            }
        }
    }

    /// Write `custody.head` (`SEQ HASH`, the last committed entry): to a temp file,
    /// fsync, rename over, fsync the folder. Under a lock (`custody.head.lock`), so two
    /// processes never move it back: it moves only forward, and never over an anchor
    /// that the log contradicts (an older copy of the index was put back): that one is
    /// kept for `check` to name.
    fn write_head(&self) -> std::io::Result<()> {
        let sql = format!("SELECT {CUSTODY_COLUMNS} FROM custody ORDER BY seq DESC LIMIT 1");
        let Some(last) = self
            .conn
            .query_row(&sql, [], entry_from_row)
            .optional()
            .map_err(std::io::Error::other)?
        else {
            return Ok(());
        };
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(HEAD_LOCK_FILE))?;
        lock.lock()?;
        match read_head(&self.root) {
            Ok(Some(h)) if h.seq >= last.seq => return Ok(()),
            Ok(Some(h)) => {
                let logged: Option<String> = self
                    .conn
                    .query_row("SELECT hash FROM custody WHERE seq = ?1", [h.seq], |r| {
                        r.get(0)
                    })
                    .optional()
                    .map_err(std::io::Error::other)?;
                if logged.as_deref() != Some(h.hash.as_str()) {
                    return Ok(());
                }
            }
            Ok(None) => {}
            Err(_) => return Ok(()),
        }
        let tmp = self.root.join(HEAD_TMP_FILE);
        {
            let mut f = File::create(&tmp)?;
            writeln!(f, "{} {}", last.seq, last.hash)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, self.root.join(HEAD_FILE))?;
        sync_dir(&self.root)
    }
}

/// The anchor of the custody chain's last entry, kept outside SQLite: `SEQ HASH\n`.
pub const HEAD_FILE: &str = "custody.head";
/// Taken while `custody.head` is written, so that two processes never move it back.
const HEAD_LOCK_FILE: &str = "custody.head.lock";
/// `custody.head` is written here, then renamed over.
const HEAD_TMP_FILE: &str = "custody.head.tmp";
/// Longest `custody.head` read (a seq and a hash are under 90 bytes).
const HEAD_MAX_BYTES: u64 = 256;
/// Tries of a checkpoint held back by a reader, and the wait between them.
const CHECKPOINT_TRIES: u32 = 20;
const CHECKPOINT_WAIT_MS: u64 = 10;
/// How long a failed capture waits for the write lock to remove what it placed.
const UNPLACE_BUSY_MS: u64 = 5_000;

/// The last custody entry as `custody.head` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// Read `custody.head` in the store at `root`: `None` when there is none (a store made
/// before it was written; it gets one at its next write).
pub fn read_head(root: &Path) -> std::io::Result<Option<Head>> {
    let path = root.join(HEAD_FILE);
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(m) if !m.is_file() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "it is not an ordinary file",
            ));
        }
        Ok(_) => {}
    }
    let mut text = String::new();
    File::open(&path)?
        .take(HEAD_MAX_BYTES)
        .read_to_string(&mut text)?;
    let bad = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it does not hold an entry number and hash",
        )
    };
    let line = text.strip_suffix('\n').ok_or_else(bad)?;
    let (digits, hash) = line.split_once(' ').ok_or_else(bad)?;
    let seq: i64 = digits.parse().map_err(|_| bad())?;
    let hex_ok = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    // Digits only, no sign or leading zero: the one way it is written.
    if seq < 1 || seq.to_string() != digits || !hex_ok {
        return Err(bad());
    }
    Ok(Some(Head {
        seq,
        hash: hash.to_string(),
    }))
}

/// An item field that may be changed after capture (the bytes never can).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ts_rs::TS)]
#[ts(rename_all = "snake_case")]
pub enum ItemField {
    /// The note.
    Note,
    /// Site or app.
    Site,
    /// Full address.
    Url,
    /// When it was seen.
    Seen,
    /// Sender handle.
    FromHandle,
    /// Sender e-mail.
    FromEmail,
    /// Sender phone.
    FromPhone,
    /// Sender profile address.
    FromProfile,
}

impl ItemField {
    fn column(self) -> &'static str {
        match self {
            ItemField::Note => "note",
            ItemField::Site => "site",
            ItemField::Url => "url",
            ItemField::Seen => "seen",
            ItemField::FromHandle => "from_handle",
            ItemField::FromEmail => "from_email",
            ItemField::FromPhone => "from_phone",
            ItemField::FromProfile => "from_profile",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ItemField::Note => "The note",
            ItemField::Site => "The site",
            ItemField::Url => "The address",
            ItemField::Seen => "The time it was seen",
            ItemField::FromHandle => "The username",
            ItemField::FromEmail => "The e-mail address",
            ItemField::FromPhone => "The phone number",
            ItemField::FromProfile => "The profile address",
        }
    }

    fn get(self, item: &Item) -> Option<String> {
        match self {
            ItemField::Note => item.note.clone(),
            ItemField::Site => item.site.clone(),
            ItemField::Url => item.url.clone(),
            ItemField::Seen => item.seen.clone(),
            ItemField::FromHandle => item.from.handle.clone(),
            ItemField::FromEmail => item.from.email.clone(),
            ItemField::FromPhone => item.from.phone.clone(),
            ItemField::FromProfile => item.from.profile.clone(),
        }
    }

    /// Parse a column name (`note`, `site`, …).
    pub fn parse(s: &str) -> Option<ItemField> {
        [
            ItemField::Note,
            ItemField::Site,
            ItemField::Url,
            ItemField::Seen,
            ItemField::FromHandle,
            ItemField::FromEmail,
            ItemField::FromPhone,
            ItemField::FromProfile,
        ]
        .into_iter()
        .find(|f| f.column() == s)
    }
}

fn append_custody_tx(
    tx: &rusqlite::Transaction<'_>,
    at: &Stamp,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    item_id: Option<i64>,
    details: &serde_json::Value,
) -> Result<Entry, rusqlite::Error> {
    let sql = format!("SELECT {CUSTODY_COLUMNS} FROM custody ORDER BY seq DESC LIMIT 1");
    let last = tx.query_row(&sql, [], entry_from_row).optional()?;
    let e = custody::next_entry(
        last.as_ref(),
        at.clone(),
        actor,
        action,
        case_id,
        item_id,
        details,
    );
    tx.execute(
        "INSERT INTO custody (seq, utc, local, zone, actor, action, case_id, item_id, details,
            clock_anomaly, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            e.seq,
            e.at.utc,
            e.at.local,
            e.at.zone,
            e.actor,
            e.action,
            e.case_id,
            e.item_id,
            e.details,
            e.clock_anomaly,
            e.prev_hash,
            e.hash
        ],
    )?;
    Ok(e)
}

const CUSTODY_COLUMNS: &str = "seq, utc, local, zone, actor, action, case_id, item_id, details, \
     clock_anomaly, prev_hash, hash";

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: Stamp {
            utc: r.get(1)?,
            local: r.get(2)?,
            zone: r.get(3)?,
        },
        actor: r.get(4)?,
        action: r.get(5)?,
        case_id: r.get(6)?,
        item_id: r.get(7)?,
        details: r.get(8)?,
        clock_anomaly: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// A stored report as a JSON object with every field present; `None` when the text is
/// not a report (it is never taken for an empty one, which would be written back).
pub(crate) fn report_value(text: &str) -> Option<serde_json::Value> {
    let report: IncidentReport = serde_json::from_str(text).ok()?;
    serde_json::to_value(report).ok()
}

/// The reason recorded when an item's bytes are removed as a possible indecent image.
pub const INDECENT_IMAGE_REASON: &str = "Marked as a possible indecent image of a child: its bytes were removed and are never kept, as the school's policy requires. The police are to be told.";

/// What Evidence Kit tells the person when they record a possible indecent image of a
/// child, as the school's policy requires (kept in the custody entry).
pub const INDECENT_IMAGE_ADVICE: &str = "Do not copy, screenshot, forward or save it, and do not investigate it. Tell the police now (999 in an emergency, otherwise 101) and tell your designated safeguarding person straight away.";

/// A change to a case's incident report: for each field, `None` leaves it as it is,
/// `Some(None)` clears it, `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default)]
pub struct ReportUpdate {
    /// The reporting person's role.
    pub role: Option<Option<String>>,
    /// School e-mail or phone.
    pub contact: Option<Option<String>>,
    /// The designated person it is addressed to.
    pub addressed_to: Option<Option<String>>,
    /// What happened.
    pub description: Option<Option<String>>,
    /// Who is believed responsible.
    pub responsible: Option<Option<Responsible>>,
    /// Others involved or witnesses.
    pub witnesses: Option<Option<String>>,
    /// Still going on.
    pub continuing: Option<Option<bool>>,
    /// Reported to the platform ("DATE REF").
    pub platform_report: Option<Option<String>>,
    /// Advice sought.
    pub advice: Option<Option<String>>,
    /// Others informed.
    pub informed: Option<Option<String>>,
    /// The police decision.
    pub police: Option<Option<PoliceDecision>>,
    /// Police reference.
    pub police_ref: Option<Option<String>>,
}

impl ReportUpdate {
    /// (field, new JSON value) for each field given, checked.
    fn changes(&self) -> Result<Vec<(&'static str, serde_json::Value)>, StoreError> {
        let mut out = Vec::new();
        let texts: [(&'static str, &'static str, &Option<Option<String>>, usize); 9] = [
            ("role", "The role", &self.role, case::MAX_TEXT_CHARS),
            (
                "contact",
                "The contact",
                &self.contact,
                case::MAX_TEXT_CHARS,
            ),
            (
                "addressed_to",
                "The designated person's name",
                &self.addressed_to,
                case::MAX_TEXT_CHARS,
            ),
            (
                "description",
                "The description",
                &self.description,
                case::MAX_DESCRIPTION_CHARS,
            ),
            (
                "witnesses",
                "The witnesses",
                &self.witnesses,
                case::MAX_TEXT_CHARS,
            ),
            (
                "platform_report",
                "The platform report",
                &self.platform_report,
                case::MAX_TEXT_CHARS,
            ),
            (
                "advice",
                "The advice sought",
                &self.advice,
                case::MAX_TEXT_CHARS,
            ),
            (
                "informed",
                "Who else was informed",
                &self.informed,
                case::MAX_TEXT_CHARS,
            ),
            (
                "police_ref",
                "The police reference",
                &self.police_ref,
                case::MAX_TEXT_CHARS,
            ),
        ];
        for (field, what, value, max) in texts {
            if let Some(v) = value {
                let v = case::optional_up_to(what, v.as_deref(), max)?;
                out.push((field, json!(v)));
            }
        }
        if let Some(v) = self.responsible {
            out.push(("responsible", serde_json::to_value(v).unwrap_or_default()));
        }
        if let Some(v) = self.continuing {
            out.push(("continuing", json!(v)));
        }
        if let Some(v) = self.police {
            out.push(("police", serde_json::to_value(v).unwrap_or_default()));
        }
        Ok(out)
    }
}

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    let report: String = r.get(6)?;
    Ok(Case {
        id: r.get(0)?,
        title: r.get(1)?,
        staff: r.get(2)?,
        created: Stamp {
            utc: r.get(3)?,
            local: r.get(4)?,
            zone: r.get(5)?,
        },
        // A report the index cannot read shows as empty here; `check` names it.
        report: serde_json::from_str(&report).unwrap_or_default(),
    })
}

const ITEM_COLUMNS: &str = "id, case_id, sha256, size, media_type, original_name, source, \
     captured_utc, captured_local, captured_zone, captured_by, site, url, from_handle, \
     from_email, from_phone, from_profile, seen, note, email_json, withdrawn_utc, \
     withdrawn_local, withdrawn_zone, withdrawn_reason, removed_utc, removed_local, \
     removed_zone, removed_reason";

fn item_from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let source: String = r.get(6)?;
    let email_json: Option<String> = r.get(19)?;
    let withdrawn_utc: Option<String> = r.get(20)?;
    let size: i64 = r.get(3)?;
    Ok(Item {
        id: r.get(0)?,
        case_id: r.get(1)?,
        sha256: r.get(2)?,
        size: size.max(0) as u64,
        media_type: r.get(4)?,
        original_name: r.get(5)?,
        // An unknown word (a hand-edited row) reads as "file"; `check` names the edit.
        source: Source::parse(&source).unwrap_or(Source::File),
        captured: Stamp {
            utc: r.get(7)?,
            local: r.get(8)?,
            zone: r.get(9)?,
        },
        captured_by: r.get(10)?,
        site: r.get(11)?,
        url: r.get(12)?,
        from: Sender {
            handle: r.get(13)?,
            email: r.get(14)?,
            phone: r.get(15)?,
            profile: r.get(16)?,
        },
        seen: r.get(17)?,
        note: r.get(18)?,
        email: email_json.and_then(|j| serde_json::from_str(&j).ok()),
        withdrawn: match withdrawn_utc {
            None => None,
            Some(utc) => Some(Withdrawal {
                at: Stamp {
                    utc,
                    local: r.get::<_, Option<String>>(21)?.unwrap_or_default(),
                    zone: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
                },
                reason: r.get::<_, Option<String>>(23)?.unwrap_or_default(),
            }),
        },
        removed: match r.get::<_, Option<String>>(24)? {
            None => None,
            Some(utc) => Some(Removal {
                at: Stamp {
                    utc,
                    local: r.get::<_, Option<String>>(25)?.unwrap_or_default(),
                    zone: r.get::<_, Option<String>>(26)?.unwrap_or_default(),
                },
                reason: r.get::<_, Option<String>>(27)?.unwrap_or_default(),
            }),
        },
    })
}

/// Run `f` again while SQLite says the database is busy or locked, for up to the busy
/// timeout. For the few statements where SQLite returns "busy" without waiting.
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && start.elapsed() < std::time::Duration::from_millis(BUSY_TIMEOUT_MS) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

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

fn uri_path(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs.to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Saved" means saved: the pragmas are per connection, so only the connection
    /// `Store::open` made can show them (the `sqlite3` tool opens its own). FULL (2)
    /// fsyncs every commit before it returns; NORMAL (1) can lose the last commits at a
    /// power cut.
    #[test]
    fn headline_the_open_connection_fsyncs_every_commit_and_enforces_its_rules() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("store")).expect("open");
        let pragma = |name: &str| -> i64 {
            store
                .conn()
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .expect(name)
        };
        assert_eq!(pragma("synchronous"), 2, "synchronous = FULL");
        assert_eq!(pragma("foreign_keys"), 1, "foreign_keys = ON");
        assert_eq!(pragma("secure_delete"), 1, "secure_delete = ON");
        assert_eq!(
            pragma("busy_timeout"),
            BUSY_TIMEOUT_MS as i64,
            "busy_timeout"
        );
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal");
        // And the rule foreign_keys is there for: no item can name a missing case.
        let orphan = store.conn().execute(
            "INSERT INTO items (case_id, sha256, size, media_type, original_name, source,
                 captured_utc, captured_local, captured_zone, captured_by)
             VALUES ('EK-NONE', ?1, 0, 'x', 'x', 'file', 'u', 'l', 'z', 'b')",
            ["0".repeat(64)],
        );
        assert!(orphan.is_err(), "an item naming no case was accepted");
    }
}
