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
use crate::clock::{self, Clock, Stamp};
use crate::fsutil::{create_private_dir, set_mode};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};

mod cases;
mod custody_log;
mod ingest;
mod items;
mod report;
mod safeguard;
mod schema;

pub use custody_log::{HEAD_FILE, Head, read_head};
pub(crate) use ingest::{Ingested, NewItem, placements};
pub use items::ItemField;
pub use report::ReportUpdate;
pub use safeguard::{INDECENT_IMAGE_ADVICE, INDECENT_IMAGE_REASON};

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
}

/// Tries of a checkpoint held back by a reader, and the wait between them.
const CHECKPOINT_TRIES: u32 = 20;
const CHECKPOINT_WAIT_MS: u64 = 10;

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
