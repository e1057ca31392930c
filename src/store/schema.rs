//! The index's schema: its migrations, applied in order, and the pragmas every
//! connection that writes sets (each with its reason).

use super::{BUSY_TIMEOUT_MS, Store, retry_busy};
use crate::StoreError;

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

impl Store {
    /// Each pragma, and why.
    pub(super) fn configure(&self) -> Result<(), StoreError> {
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

    pub(super) fn check_schema_version(&self) -> Result<i64, StoreError> {
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

    pub(super) fn migrate(&self) -> Result<(), StoreError> {
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
}
