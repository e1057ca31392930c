//! The register file's schema and its migrations, with the code that brings rows
//! received before a migration up to date from what the register kept of them.

use super::{as_sealed, db, inbox};
use crate::StoreError;
use crate::verify;
use rusqlite::{Connection, params};
use std::path::Path;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS bundles (
    id                 INTEGER PRIMARY KEY,
    sha256             TEXT NOT NULL UNIQUE,
    file               TEXT NOT NULL,
    case_ref           TEXT,
    staff              TEXT,
    signer             TEXT,
    signer_fingerprint TEXT,
    sealed_utc         TEXT,
    received_utc       TEXT NOT NULL,
    received_local     TEXT NOT NULL,
    intact             INTEGER NOT NULL,
    findings           TEXT NOT NULL,
    replay             INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS status (
    id        INTEGER PRIMARY KEY,
    case_ref  TEXT NOT NULL,
    status    TEXT NOT NULL,
    note      TEXT,
    at_utc    TEXT NOT NULL,
    at_local  TEXT NOT NULL
) STRICT;
"#;

/// Rows brought up to date by code after a migration's SQL (the register's folder given).
pub(super) type Backfill = fn(&Connection, &Path) -> Result<(), StoreError>;

/// A later change to the register file: SQL, then (optionally) a [`Backfill`], in the
/// same transaction.
pub(super) struct Migration {
    pub(super) sql: &'static str,
    pub(super) then: Option<Backfill>,
}

/// Later changes to the register file, applied once each (`PRAGMA user_version`; the
/// n-th here makes version n + 2).
pub(super) const MIGRATIONS: &[Migration] = &[
    // 2: where each bundle was opened from (to check it again), and the accounts index.
    Migration {
        sql: r#"
    ALTER TABLE bundles ADD COLUMN path TEXT;
    CREATE TABLE accounts (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        shown      TEXT NOT NULL,
        case_ref   TEXT NOT NULL,
        item_id    INTEGER NOT NULL,
        item_name  TEXT NOT NULL,
        seen_utc   TEXT NOT NULL,
        seen_local TEXT NOT NULL,
        UNIQUE (kind, value, case_ref, item_id)
    ) STRICT;
    "#,
        then: None,
    },
    // 3: what identifies a seal (issue 12, item 1): its bundle id and the SHA-256 of its
    // tag manifest, as its signed facts give them; whether its contents are as that
    // key's holder sealed them (`as_sealed`); and the sentence when it claims the same
    // seal as one on file but differs. Rows received before get them from the copy kept
    // then (see `seal_of_kept`); a row with no copy keeps matching by its file's SHA-256.
    Migration {
        sql: r#"
    ALTER TABLE bundles ADD COLUMN bundle_id TEXT;
    ALTER TABLE bundles ADD COLUMN tagmanifest_sha256 TEXT;
    ALTER TABLE bundles ADD COLUMN as_sealed INTEGER;
    ALTER TABLE bundles ADD COLUMN conflict TEXT;
    CREATE INDEX bundles_seal ON bundles (bundle_id, tagmanifest_sha256);
    "#,
        then: Some(backfill_seals),
    },
    // 4: who a case was referred to, kept with the status entry that referred it (a JSON
    // list of spellings, `register::Referral`); rows written before stay NULL (none),
    // never rewritten.
    Migration {
        sql: "ALTER TABLE status ADD COLUMN referred_to TEXT;",
        then: None,
    },
];

/// Largest signature file read when bringing an old row up to date (a genuine one is
/// well under a kilobyte; verify allows a mebibyte).
const MAX_SIGNATURE_BYTES: u64 = 1024 * 1024;

/// Migration 3's rows: each bundle received before the register kept what identifies a
/// seal gets it from the copy kept then, when there is one ([`seal_of_kept`]); the
/// others keep matching by the SHA-256 of their file only.
fn backfill_seals(conn: &Connection, root: &Path) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, bool)> = {
        let mut st = conn
            .prepare("SELECT id, sha256, intact FROM bundles WHERE bundle_id IS NULL")
            .map_err(db(root))?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db(root))?
            .collect::<Result<_, _>>()
            .map_err(db(root))?
    };
    for (id, sha, intact) in rows {
        if let Some((bundle_id, tm, as_sealed)) = seal_of_kept(root, &sha, intact) {
            conn.execute(
                "UPDATE bundles SET bundle_id = ?2, tagmanifest_sha256 = ?3, as_sealed = ?4 WHERE id = ?1",
                params![id, bundle_id, tm, as_sealed],
            )
            .map_err(db(root))?;
        }
    }
    Ok(())
}

/// (bundle id, tag-manifest SHA-256, as sealed) of the bundle `sha256` received before,
/// from what the register kept of it:
/// - its unpacked folder (`received/SHA/`, written by the register when it was
///   received, encrypted ones too): the signed facts of its signature file, and whether
///   it was as sealed from its verdict then (intact, or its failure note naming only a
///   key not trusted yet);
/// - else its kept file (`bundles/SHA/NAME`), verified again (without trusted keys or
///   an identity: an encrypted one cannot be read here and keeps matching by SHA-256).
fn seal_of_kept(root: &Path, sha256: &str, intact: bool) -> Option<(String, String, bool)> {
    use std::io::Read;
    let sha = inbox::checked_sha(sha256).ok()?;
    let folder = root.join("received").join(&sha);
    if folder.is_dir() {
        let mut text = String::new();
        std::fs::File::open(folder.join(crate::bundle::SIGNATURE))
            .ok()?
            .take(MAX_SIGNATURE_BYTES)
            .read_to_string(&mut text)
            .ok()?;
        let facts: crate::bundle::SealFacts = minisign::SignatureBox::from_string(&text)
            .ok()?
            .trusted_comment()
            .ok()
            .and_then(|c| serde_json::from_str(&c).ok())?;
        let as_sealed = intact
            || std::fs::read_to_string(folder.join(verify::FAILED_NOTE)).is_ok_and(|note| {
                let kinds: Vec<&str> = note
                    .lines()
                    .filter_map(|l| l.strip_prefix("- "))
                    .filter_map(|l| l.split(':').next())
                    .collect();
                !kinds.is_empty()
                    && kinds
                        .iter()
                        .all(|k| *k == verify::FindingKind::UntrustedKey.as_str())
            });
        return Some((facts.bundle, facts.tagmanifest_sha256, as_sealed));
    }
    let kept = std::fs::read_dir(root.join("bundles").join(&sha))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_file())?;
    let report = verify::verify(&kept, &verify::Options::default()).ok()?;
    let facts = report.facts.as_ref().filter(|_| report.sha256 == sha)?;
    Some((
        facts.bundle.clone(),
        facts.tagmanifest_sha256.clone(),
        as_sealed(&report),
    ))
}
