//! The custody log: read, appended to (in an immediate transaction, chained from the
//! last entry), the hand-over and receipt entries, and the chain's anchor outside
//! SQLite (`custody.head`).

use super::Store;
use crate::StoreError;
use crate::case;
use crate::clock::Stamp;
use crate::custody::{self, Entry};
use crate::event::{self, Event};
use crate::fsutil::sync_dir;
use rusqlite::{OptionalExtension, Row, params};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

impl Store {
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
            Some(&case.id),
            None,
            &Event::HandedOver(event::HandedOver { to }),
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
        let recorded = event::Receipt {
            received_by: receipt.received_by.clone(),
            received: receipt.received.clone(),
            verdict: receipt.verdict.clone(),
            bundle_sha256: receipt.bundle_sha256.clone(),
            key: key_fingerprint.to_string(),
        };
        let words = crate::receipt::words(&recorded);
        let event = Event::Receipt(recorded);
        // The same receipt opened twice is recorded once.
        let again: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM custody WHERE case_id = ?1 AND action = 'receipt' AND details = ?2",
                params![case.id, event.details_text()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.db_err(e))?;
        if again.is_none() {
            self.append_custody(&receipt.received_by, Some(&case.id), None, &event)?;
        }
        Ok(words)
    }

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
        case_id: Option<&str>,
        item_id: Option<i64>,
        event: &Event,
    ) -> Result<Entry, StoreError> {
        let at = (self.clock)();
        let tx = self.write_tx()?;
        let e = append_custody_tx(&tx, &at, actor, case_id, item_id, event)
            .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(e)
    }

    /// Write `custody.head` (`SEQ HASH`, the last committed entry): to a temp file,
    /// fsync, rename over, fsync the folder. Under a lock (`custody.head.lock`), so two
    /// processes never move it back: it moves only forward, and never over an anchor
    /// that the log contradicts (an older copy of the index was put back): that one is
    /// kept for `check` to name.
    pub(super) fn write_head(&self) -> std::io::Result<()> {
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

pub(super) fn append_custody_tx(
    tx: &rusqlite::Transaction<'_>,
    at: &Stamp,
    actor: &str,
    case_id: Option<&str>,
    item_id: Option<i64>,
    event: &Event,
) -> Result<Entry, rusqlite::Error> {
    let sql = format!("SELECT {CUSTODY_COLUMNS} FROM custody ORDER BY seq DESC LIMIT 1");
    let last = tx.query_row(&sql, [], entry_from_row).optional()?;
    let e = custody::next_entry(
        last.as_ref(),
        at.clone(),
        actor,
        event.action(),
        case_id,
        item_id,
        &event.details(),
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
