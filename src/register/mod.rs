//! The designated person's register: every bundle received (verified on arrival), with
//! the case it is about, who sealed it, its SHA-256 and the verdict; a status the
//! designated person moves along (received → reviewed → referred → closed) with dated
//! notes; the same seal twice recognised, by what identifies a seal (its bundle id and
//! the SHA-256 of its tag manifest, see [`Register::receive`]) or by its bytes; a bundle
//! older than one already on file for the same case (a replay) flagged, and so is a
//! bundle claiming the same seal as one on file whose contents differ. Kept in
//! `register.sqlite` in the designated person's own store folder, apart from any staff
//! evidence.

mod accounts;
mod inbox;
mod referral;
mod schema;

pub use accounts::{Account, Mention};
pub use inbox::{BundleView, TimelineLine, ViewItem};
pub use referral::{ListState, Referral, ReferralError, ReferralTo};
// The receipt format lived here; its old paths still resolve.
pub use crate::receipt::{RECEIPT_FORMAT, ReceiptBody, ReceiptError, verify_receipt};

use crate::StoreError;
use crate::clock::{self, Stamp};
use crate::verify::{self, Report, VerifyError};
use rusqlite::{Connection, OptionalExtension, params};
use schema::{MIGRATIONS, SCHEMA};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The statuses a case moves through.
pub const STATUSES: &[&str] = &["received", "reviewed", "referred", "closed"];

/// Something the register refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// The register file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bundle could not be read at all.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// An unknown status word.
    #[error("\"{0}\" is not a status; use received, reviewed, referred or closed.")]
    BadStatus(String),
    /// A status for a case never received.
    #[error(
        "No bundle for case {0} has been received; receive it first (evidence-kit dsl receive FILE)."
    )]
    UnknownCase(String),
    /// A bundle the UI named that is not in the register.
    #[error("That bundle is not in your register (it may have been opened on another computer).")]
    NoSuchBundle,
    /// Signing a receipt failed.
    #[error("The receipt could not be signed ({0}); nothing was written.")]
    Signing(String),
    /// The file a bundle was received from is gone, and no copy was kept.
    #[error(
        "The file this bundle was received from is no longer at {0}; open the bundle again from where it is now."
    )]
    Moved(String),
    /// A bundle not in the register.
    #[error(
        "{0} has not been received into your register yet; receive it first (evidence-kit dsl receive FILE)."
    )]
    NotReceived(String),
    /// A referral that cannot be kept.
    #[error(transparent)]
    Referral(#[from] ReferralError),
    /// Writing the CSV failed.
    #[error("Could not write {}: {}.", path.display(), crate::error::plain_io(source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl RegisterError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::Store(e) => e.code(),
            RegisterError::Verify(e) => e.code(),
            RegisterError::BadStatus(_) => "bad_status",
            RegisterError::UnknownCase(_) => "unknown_case",
            RegisterError::NotReceived(_) => "not_received",
            RegisterError::NoSuchBundle => "no_such_bundle",
            RegisterError::Signing(_) => "signing",
            RegisterError::Moved(_) => "moved",
            RegisterError::Referral(e) => e.code(),
            RegisterError::Write { .. } => "write",
        }
    }
}

/// One bundle in the register, with its case's current status.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Received {
    /// SHA-256 of the bundle file.
    pub sha256: String,
    /// Its file name when received.
    pub file: String,
    /// The case reference.
    pub case_ref: Option<String>,
    /// The staff member named in it.
    pub staff: Option<String>,
    /// Who signed it, and the key's fingerprint.
    pub signer: Option<String>,
    /// The signer's key fingerprint.
    pub signer_fingerprint: Option<String>,
    /// When it was sealed (RFC 3339 UTC, as signed).
    pub sealed: Option<String>,
    /// When it was received (local time with offset).
    pub received: String,
    /// Intact, signed by a trusted key, every check passed.
    pub intact: bool,
    /// What verification found, in plain words.
    pub findings: Vec<String>,
    /// Sealed earlier than a bundle already on file for the same case.
    pub replay: bool,
    /// The bundle id its signed facts claim (none when they could not be read, or for a
    /// row received before the register kept it and with no copy to read it from).
    pub bundle_id: Option<String>,
    /// The SHA-256 of its tag manifest, as its signed facts claim.
    pub tagmanifest_sha256: Option<String>,
    /// It claims the same seal (bundle id) as a bundle already on file, but its
    /// contents differ: the plain sentence naming the earlier one.
    pub conflict: Option<String>,
    /// Its state in the list: intact, intact with the key not checked yet, or not
    /// intact.
    pub state: ListState,
    /// The case's latest status (none for a copy that is not as sealed, or claims a
    /// seal on file but differs: such a copy is its own entry, never the case's).
    pub status: Option<String>,
    /// The note with that status.
    pub status_note: Option<String>,
    /// Who the case was referred to, with that status.
    pub referred_to: Vec<Referral>,
}

/// A case's latest status: (status, note, referred to).
type LatestStatus = (String, Option<String>, Vec<Referral>);

/// One status a case was given.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct StatusEntry {
    /// When (local time with offset).
    pub at: String,
    /// The status.
    pub status: String,
    /// Its note.
    pub note: Option<String>,
    /// Who the case was referred to (with `referred`).
    pub referred_to: Vec<Referral>,
}

/// What `receive` did.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The bundle as registered (for a duplicate, the row already on file).
    pub bundle: Received,
    /// It was already in the register (the same bytes, or another copy of the same
    /// seal), nothing was added.
    pub duplicate: bool,
    /// The SHA-256 of the file just received: differs from `bundle.sha256` when it is
    /// another copy of a seal already on file.
    pub file_sha256: String,
}

/// The register.
pub struct Register {
    conn: Connection,
    root: PathBuf,
}

fn db(root: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::db(root, e)
}

impl Register {
    /// Open (creating if needed) the register in the folder `root`.
    pub fn open(root: &Path) -> Result<Register, RegisterError> {
        // Safeguarding records: the folder and the file are the designated person's alone.
        crate::fsutil::create_private_dir(root)?;
        let file = root.join("register.sqlite");
        let conn = Connection::open(&file).map_err(db(root))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StoreError::io("protect", &file, e))?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(db(root))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(db(root))?;
        conn.execute_batch(SCHEMA).map_err(db(root))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db(root))?;
        for (i, m) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version - 1).unwrap_or(0))
        {
            let tx = conn.unchecked_transaction().map_err(db(root))?;
            tx.execute_batch(m.sql).map_err(db(root))?;
            if let Some(then) = m.then {
                then(&tx, root)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 2))
                .map_err(db(root))?;
            tx.commit().map_err(db(root))?;
        }
        Ok(Register {
            conn,
            root: root.to_path_buf(),
        })
    }

    /// Verify `path` and register it (once: the same bytes again are recognised),
    /// its accounts indexed, as [`Register::open_bundle`] does. A plain bundle is
    /// unpacked into the register's folder as there. An encrypted one is not: nothing
    /// decrypted is written. Its ciphertext is kept instead (`bundles/SHA/NAME`, as the
    /// window keeps what it is given), checked there, and unpacked only when opened in
    /// the window.
    pub fn receive(&self, path: &Path, opts: &verify::Options) -> Result<Receipt, RegisterError> {
        let v = if verify::is_encrypted(path) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut f = std::fs::File::open(path).map_err(|e| StoreError::io("read", path, e))?;
            let sha = self.keep(&name, &mut f)?;
            let kept = self.bundle_file(&sha)?;
            // Errors name the file as it was given.
            self.read_bundle(&kept, opts, false).map_err(|e| match e {
                RegisterError::Verify(v) => RegisterError::Verify(v.naming(path)),
                other => other,
            })?
        } else {
            self.open_bundle(path, opts)?
        };
        Ok(Receipt {
            bundle: v.received,
            duplicate: v.duplicate,
            file_sha256: v.report.sha256,
        })
    }

    /// Register a bundle already verified.
    ///
    /// - The same bytes again add nothing; their verdict is brought up to date (a
    ///   signer's key trusted since, for one).
    /// - Another file of the same seal — the same bundle id and tag-manifest SHA-256 in
    ///   its signed facts — as its key's holder sealed it, when the row on file is too,
    ///   adds nothing either: it is the same seal in other bytes (decrypted, or encrypted
    ///   again). Only the signed facts identify a seal; the file's own SHA-256 changes
    ///   with any byte outside them. The row's verdict is brought up to date with this
    ///   copy's, as for the same bytes: both are as sealed, so they differ only in whether
    ///   the signer's key is trusted now (received before `keys trust`, then a copy after).
    /// - A copy that is not as sealed (changed) is never merged: each such file is its
    ///   own row, with its own SHA-256 and findings, so the designated person sees what
    ///   was wrong with each file they were given; it never touches another row's
    ///   verdict.
    /// - A bundle claiming a seal on file whose contents differ (another tag manifest
    ///   under the same bundle id: a different bundle made to look like that seal; or
    ///   the same one, but one copy, or each, changed) is added, flagged with a sentence
    ///   naming the earlier one.
    fn record(&self, path: &Path, report: &Report) -> Result<Receipt, RegisterError> {
        let seal = report
            .facts
            .as_ref()
            .map(|f| (f.bundle.clone(), f.tagmanifest_sha256.clone()));
        let sealed_as_is = as_sealed(report);
        if let Some(existing) = self.by_sha(&report.sha256)? {
            let findings: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
            self.conn
                .execute(
                    "UPDATE bundles SET intact = ?2, findings = ?3, path = ?4, as_sealed = ?5,
                        bundle_id = coalesce(bundle_id, ?6),
                        tagmanifest_sha256 = coalesce(tagmanifest_sha256, ?7)
                     WHERE sha256 = ?1",
                    params![
                        report.sha256,
                        report.intact(),
                        serde_json::to_string(&findings).unwrap_or_default(),
                        path.to_string_lossy(),
                        sealed_as_is,
                        seal.as_ref().map(|s| s.0.as_str()),
                        seal.as_ref().map(|s| s.1.as_str()),
                    ],
                )
                .map_err(db(&self.root))?;
            return Ok(Receipt {
                bundle: self.by_sha(&report.sha256)?.unwrap_or(existing),
                duplicate: true,
                file_sha256: report.sha256.clone(),
            });
        }
        if let Some((bundle_id, tm)) = &seal
            && sealed_as_is
            && let Some(sha) = self
                .conn
                .query_row(
                    "SELECT sha256 FROM bundles WHERE bundle_id = ?1 AND tagmanifest_sha256 = ?2
                        AND as_sealed = 1 ORDER BY id LIMIT 1",
                    params![bundle_id, tm],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(db(&self.root))?
        {
            // The same seal, both as sealed (so the same signer.pub, which the tag
            // manifest covers): the verdict just computed on this copy is the seal's now.
            // Its path stays: it is where the row's own file was.
            let findings: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
            self.conn
                .execute(
                    "UPDATE bundles SET intact = ?2, findings = ?3 WHERE sha256 = ?1",
                    params![
                        sha,
                        report.intact(),
                        serde_json::to_string(&findings).unwrap_or_default(),
                    ],
                )
                .map_err(db(&self.root))?;
            if let Some(on_file) = self.by_sha(&sha)? {
                return Ok(Receipt {
                    bundle: on_file,
                    duplicate: true,
                    file_sha256: report.sha256.clone(),
                });
            }
        }
        // Any other row of this bundle id differs from this file: another tag manifest,
        // or one of the two (or both) changed. (The same bytes returned above.)
        let conflict = match &seal {
            Some((bundle_id, _)) => self
                .conn
                .query_row(
                    "SELECT received_local, file FROM bundles WHERE bundle_id = ?1
                     ORDER BY id LIMIT 1",
                    params![bundle_id],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )
                .optional()
                .map_err(db(&self.root))?
                .map(|(at, file)| {
                    format!(
                        "This bundle claims to be the same seal as one received on {} ({}), but its contents differ: one of them is not what was sealed.",
                        crate::clock::in_words(&at),
                        file
                    )
                }),
            None => None,
        };
        let now = clock::now();
        self.insert(path, report, &now, conflict.as_deref())?;
        let bundle = self
            .by_sha(&report.sha256)?
            .ok_or_else(|| RegisterError::UnknownCase(report.sha256.clone()))?;
        // A copy that is not as sealed is its own entry: it never starts the case's status.
        if bundle.case_ref.is_some()
            && bundle.state != ListState::NotIntact
            && bundle.conflict.is_none()
            && self.latest_status(bundle.case_ref.as_deref())?.is_none()
        {
            self.set_status(bundle.case_ref.as_deref().unwrap_or(""), "received", None)?;
        }
        Ok(Receipt {
            bundle: self.by_sha(&report.sha256)?.unwrap_or(bundle),
            duplicate: false,
            file_sha256: report.sha256.clone(),
        })
    }

    fn insert(
        &self,
        path: &Path,
        r: &Report,
        now: &Stamp,
        conflict: Option<&str>,
    ) -> Result<(), RegisterError> {
        let case_ref = r.facts.as_ref().map(|f| f.case.clone());
        let sealed = r.facts.as_ref().map(|f| f.sealed.clone());
        // A replay: sealed before a bundle already on file for the same case.
        let newer: Option<i64> = match (&case_ref, &sealed) {
            (Some(c), Some(s)) => self
                .conn
                .query_row(
                    "SELECT 1 FROM bundles WHERE case_ref = ?1 AND sealed_utc > ?2 AND intact = 1 LIMIT 1",
                    params![c, s],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db(&self.root))?,
            _ => None,
        };
        let findings: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
        self.conn
            .execute(
                "INSERT INTO bundles (sha256, file, case_ref, staff, signer, signer_fingerprint,
                    sealed_utc, received_utc, received_local, intact, findings, replay, path,
                    bundle_id, tagmanifest_sha256, as_sealed, conflict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    r.sha256,
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    case_ref,
                    r.case.as_ref().map(|c| c.staff.clone()),
                    r.signer.as_ref().map(|s| s.name.clone()),
                    r.signer.as_ref().map(|s| s.fingerprint.clone()),
                    sealed,
                    now.utc,
                    now.local,
                    r.intact(),
                    serde_json::to_string(&findings).unwrap_or_default(),
                    newer.is_some(),
                    path.to_string_lossy(),
                    r.facts.as_ref().map(|f| f.bundle.as_str()),
                    r.facts.as_ref().map(|f| f.tagmanifest_sha256.as_str()),
                    as_sealed(r),
                    conflict,
                ],
            )
            .map_err(db(&self.root))?;
        Ok(())
    }

    fn by_sha(&self, sha: &str) -> Result<Option<Received>, RegisterError> {
        Ok(self.list()?.into_iter().find(|b| b.sha256 == sha))
    }

    fn latest_status(&self, case_ref: Option<&str>) -> Result<Option<LatestStatus>, RegisterError> {
        let Some(c) = case_ref else { return Ok(None) };
        self.conn
            .query_row(
                "SELECT status, note, referred_to FROM status WHERE case_ref = ?1
                 ORDER BY id DESC LIMIT 1",
                [c],
                |r| Ok((r.get(0)?, r.get(1)?, referral::from_column(r.get(2)?))),
            )
            .optional()
            .map_err(|e| db(&self.root)(e).into())
    }

    /// Every bundle received, oldest first, with its state and, for a copy as sealed
    /// (intact, or with its key not checked yet) that claims no differing seal, its
    /// case's current status. The status is the case's, joined by case reference; a
    /// changed copy would otherwise show the real record's status.
    pub fn list(&self) -> Result<Vec<Received>, RegisterError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT sha256, file, case_ref, staff, signer, signer_fingerprint, sealed_utc,
                        received_local, intact, findings, replay, bundle_id, tagmanifest_sha256,
                        conflict, as_sealed FROM bundles ORDER BY id",
            )
            .map_err(db(&self.root))?;
        let rows = st
            .query_map([], |r| {
                let findings: String = r.get(9)?;
                let intact: bool = r.get(8)?;
                Ok(Received {
                    sha256: r.get(0)?,
                    file: r.get(1)?,
                    case_ref: r.get(2)?,
                    staff: r.get(3)?,
                    signer: r.get(4)?,
                    signer_fingerprint: r.get(5)?,
                    sealed: r.get(6)?,
                    received: r.get(7)?,
                    intact,
                    state: ListState::of(intact, r.get(14)?),
                    findings: serde_json::from_str(&findings).unwrap_or_default(),
                    replay: r.get(10)?,
                    bundle_id: r.get(11)?,
                    tagmanifest_sha256: r.get(12)?,
                    conflict: r.get(13)?,
                    status: None,
                    status_note: None,
                    referred_to: Vec::new(),
                })
            })
            .map_err(db(&self.root))?;
        let mut out: Vec<Received> = rows.collect::<Result<_, _>>().map_err(db(&self.root))?;
        for b in out
            .iter_mut()
            .filter(|b| b.state != ListState::NotIntact && b.conflict.is_none())
        {
            if let Some((s, n, to)) = self.latest_status(b.case_ref.as_deref())? {
                b.status = Some(s);
                b.status_note = n;
                b.referred_to = to;
            }
        }
        Ok(out)
    }

    /// Move a case to `status`, with a dated note.
    pub fn set_status(
        &self,
        case_ref: &str,
        status: &str,
        note: Option<&str>,
    ) -> Result<(), RegisterError> {
        self.set_status_referred(case_ref, status, note, &[])
    }

    /// [`Register::set_status`], with who the case was referred to (`referred` only),
    /// kept with the status entry.
    pub fn set_status_referred(
        &self,
        case_ref: &str,
        status: &str,
        note: Option<&str>,
        referred: &[Referral],
    ) -> Result<(), RegisterError> {
        let status = status.trim().to_lowercase();
        if !STATUSES.contains(&status.as_str()) {
            return Err(RegisterError::BadStatus(status));
        }
        if !referred.is_empty() && status != "referred" {
            return Err(ReferralError::NotReferred.into());
        }
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM bundles WHERE case_ref = ?1 LIMIT 1",
                [case_ref.trim()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db(&self.root))?;
        if known.is_none() {
            return Err(RegisterError::UnknownCase(case_ref.trim().into()));
        }
        let note = crate::case::optional("The note", note)?;
        let now = clock::now();
        self.conn
            .execute(
                "INSERT INTO status (case_ref, status, note, at_utc, at_local, referred_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    case_ref.trim(),
                    status,
                    note,
                    now.utc,
                    now.local,
                    referral::to_column(referred)
                ],
            )
            .map_err(db(&self.root))?;
        Ok(())
    }

    /// Every status a case was given, oldest first: (when, status, note).
    pub fn history(
        &self,
        case_ref: &str,
    ) -> Result<Vec<(String, String, Option<String>)>, RegisterError> {
        let mut st = self
            .conn
            .prepare("SELECT at_local, status, note FROM status WHERE case_ref = ?1 ORDER BY id")
            .map_err(db(&self.root))?;
        let rows = st
            .query_map([case_ref.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db(&self.root))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| db(&self.root)(e).into())
    }

    /// Every status a case was given, oldest first, with who it was referred to.
    pub fn status_entries(&self, case_ref: &str) -> Result<Vec<StatusEntry>, RegisterError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT at_local, status, note, referred_to FROM status WHERE case_ref = ?1
                 ORDER BY id",
            )
            .map_err(db(&self.root))?;
        let rows = st
            .query_map([case_ref.trim()], |r| {
                Ok(StatusEntry {
                    at: r.get(0)?,
                    status: r.get(1)?,
                    note: r.get(2)?,
                    referred_to: referral::from_column(r.get(3)?),
                })
            })
            .map_err(db(&self.root))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| db(&self.root)(e).into())
    }

    /// The form's designated-person section for the bundle at `path` as this register
    /// has it (received when, by whom, each status with its note); refused for a
    /// bundle never received.
    pub fn dsl_section(
        &self,
        path: &Path,
        keys: &crate::keys::KeyDir,
    ) -> Result<Option<crate::form::DslSection>, RegisterError> {
        let sha = crate::digest::hash_file(path).map_err(|e| StoreError::io("read", path, e))?;
        let b = self.by_sha(&sha)?.ok_or_else(|| {
            RegisterError::NotReceived(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        })?;
        // A copy that is not as sealed is its own entry: the case's actions are not its.
        let entries = match &b.case_ref {
            Some(c) if b.state != ListState::NotIntact && b.conflict.is_none() => {
                self.status_entries(c)?
            }
            _ => Vec::new(),
        };
        let mut referred: Vec<String> = Vec::new();
        for r in entries.iter().flat_map(|e| &e.referred_to) {
            if !referred.contains(&r.spelled()) {
                referred.push(r.spelled());
            }
        }
        let actions = entries
            .into_iter()
            .map(|e| {
                let note = match (e.referred_to.is_empty(), e.note) {
                    (true, n) => n,
                    (false, n) => {
                        let to: Vec<String> = e.referred_to.iter().map(Referral::words).collect();
                        let to = format!("Referred to {}.", to.join(", "));
                        Some(n.map_or(to.clone(), |n| format!("{to} {n}")))
                    }
                };
                (e.at, e.status, note)
            })
            .collect();
        Ok(Some(crate::form::DslSection {
            received: b.received,
            received_by: receiver_name(keys),
            actions,
            referred,
        }))
    }

    /// The register as CSV (a header row, then a row per bundle), for a spreadsheet.
    pub fn export_csv(&self, out: &Path) -> Result<usize, RegisterError> {
        let rows = self.list()?;
        // Quoted; and a value a spreadsheet would run as a formula (=, +, -, @, tab, CR at
        // the start: file names and names come from bundles) starts with ' instead.
        let field = |s: &str| {
            let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.to_string()
            };
            format!("\"{}\"", s.replace('"', "\"\""))
        };
        let opt = |s: &Option<String>| field(s.as_deref().unwrap_or(""));
        let mut text = String::from(
            "case,staff,signed by,key fingerprint,sealed,received,bundle file,bundle sha256,verdict,replay,same seal differs,status,status note,findings\r\n",
        );
        for b in &rows {
            let line = [
                opt(&b.case_ref),
                opt(&b.staff),
                opt(&b.signer),
                opt(&b.signer_fingerprint),
                opt(&b.sealed),
                field(&b.received),
                field(&b.file),
                field(&b.sha256),
                field(if b.intact { "intact" } else { "FAILED" }),
                field(if b.replay {
                    "older than one on file"
                } else {
                    ""
                }),
                opt(&b.conflict),
                opt(&b.status),
                opt(&b.status_note),
                field(&b.findings.join(" | ")),
            ]
            .join(",");
            text.push_str(&line);
            text.push_str("\r\n");
        }
        std::fs::write(out, text).map_err(|source| RegisterError::Write {
            path: out.to_path_buf(),
            source,
        })?;
        Ok(rows.len())
    }
}

/// Whether a bundle's contents are as its key's holder sealed them: intact, or its one
/// finding that the key is not trusted yet (the signature itself is valid).
fn as_sealed(r: &Report) -> bool {
    r.findings
        .iter()
        .all(|f| f.kind == verify::FindingKind::UntrustedKey)
}

/// The designated person's name: their key's, else their profile's.
pub fn receiver_name(keys: &crate::keys::KeyDir) -> String {
    keys.identity_info()
        .map(|i| i.name)
        .ok()
        .or_else(|| keys.profile().name)
        .or_else(|| keys.public_signing_key().ok().and_then(|k| k.name))
        .unwrap_or_else(|| "the designated safeguarding person".into())
}

impl Register {
    /// A signed receipt for the latest bundle received for `case_ref`, as file text.
    pub fn receipt(
        &self,
        case_ref: &str,
        key: &crate::keys::SigningKey,
    ) -> Result<String, RegisterError> {
        // The latest bundle of the case that verified; else the latest (its receipt then
        // says it failed).
        let rows: Vec<Received> = self
            .list()?
            .into_iter()
            .rev()
            .filter(|b| b.case_ref.as_deref() == Some(case_ref.trim()))
            .collect();
        // Of those that verified, the one sealed last (an older copy received later is
        // not it); one flagged as differing from a seal on file only if no other verified.
        let latest = rows
            .iter()
            .filter(|b| b.intact && b.conflict.is_none())
            .max_by(|a, b| a.sealed.cmp(&b.sealed))
            .or_else(|| {
                rows.iter()
                    .filter(|b| b.intact)
                    .max_by(|a, b| a.sealed.cmp(&b.sealed))
            })
            .or_else(|| rows.first())
            .cloned()
            .ok_or_else(|| RegisterError::UnknownCase(case_ref.trim().into()))?;
        self.sign_receipt(latest, key)
    }

    /// A signed receipt for the bundle `sha256` (the one the designated person has open).
    pub fn receipt_for(
        &self,
        sha256: &str,
        key: &crate::keys::SigningKey,
    ) -> Result<String, RegisterError> {
        let b = self.by_sha(sha256)?.ok_or(RegisterError::NoSuchBundle)?;
        self.sign_receipt(b, key)
    }

    fn sign_receipt(
        &self,
        latest: Received,
        key: &crate::keys::SigningKey,
    ) -> Result<String, RegisterError> {
        let case_ref = latest.case_ref.clone().ok_or(RegisterError::NoSuchBundle)?;
        let body = ReceiptBody {
            format: RECEIPT_FORMAT.into(),
            case: case_ref,
            bundle_sha256: latest.sha256,
            received: latest.received,
            received_by: key.name.clone(),
            verdict: if latest.intact { "intact" } else { "failed" }.into(),
        };
        crate::receipt::sign(body, key).map_err(|e| RegisterError::Signing(e.to_string()))
    }
}
