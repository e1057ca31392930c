//! Opening a bundle on the designated person's side: verified, registered, unpacked
//! once into the register's own folder (`received/SHA-256/`, files read-only), and
//! described for reading: the verdict, the case, each item with its file, and the
//! custody log as a timeline. Viewing reads that folder; nothing is written into the
//! bundle, and nothing in it is opened by another program.

use super::{Register, RegisterError, db};
use crate::StoreError;
use crate::bundle::{CaseFile, CustodyLine};
use crate::case::{Case, Item};
use crate::verify::{self, Report};
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One line of the custody timeline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct TimelineLine {
    /// When (local time with offset, as recorded).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, in one plain sentence.
    pub text: String,
    /// The clock went backwards here.
    pub clock_anomaly: bool,
}

/// An item of the bundle, for reading.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ViewItem {
    /// Its payload path in the bundle (`data/001-…`).
    pub path: String,
    /// The item record as sealed.
    pub item: Item,
    /// A picture the viewer may show (decoded with size limits when asked for).
    pub image: bool,
    /// What verification found about this file, in plain words.
    pub problems: Vec<String>,
}

/// A bundle opened for reading.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BundleView {
    /// Its row in the register (case, signer, verdict, status).
    pub received: super::Received,
    /// It was already in the register.
    pub duplicate: bool,
    /// The verification report.
    pub report: Report,
    /// The case and its incident report, as sealed (for a failed bundle: as claimed).
    pub case: Option<Case>,
    /// When it was sealed (local time of the staff member's computer).
    pub sealed_local: Option<String>,
    /// Its items, in bundle order.
    pub items: Vec<ViewItem>,
    /// The custody log, oldest first (entries about other cases are left out).
    pub timeline: Vec<TimelineLine>,
    /// The signer's key could be trusted now: the signature is valid, the key is not
    /// yet trusted, and the bundle is otherwise intact.
    pub can_trust: bool,
    /// Where its files were unpacked (read-only).
    pub folder: String,
    /// Why its files could not be unpacked, if they could not.
    pub unpack_problem: Option<String>,
    /// Custody entries not shown in `timeline` (a very long log).
    pub timeline_more: usize,
    /// Items whose bytes were removed as a possible indecent image of a child before
    /// sealing (their entries are in the custody log, not in `items`), so that the
    /// count agrees with what the staff member saw.
    pub removed_items: usize,
}

impl Register {
    /// Verify the bundle at `path`, register it, unpack it into the register's folder
    /// (once) and describe it for reading.
    pub fn open_bundle(
        &self,
        path: &Path,
        opts: &verify::Options,
    ) -> Result<BundleView, RegisterError> {
        self.read_bundle(path, opts, true)
    }

    /// [`Register::open_bundle`]; unpacked only when `unpack` (the designated person
    /// asked to open it), else only its verdict and records are taken.
    pub(super) fn read_bundle(
        &self,
        path: &Path,
        opts: &verify::Options,
        unpack: bool,
    ) -> Result<BundleView, RegisterError> {
        let opened = verify::open(path, opts)?;
        let report = verify::check(&opened, opts);
        let got = self.record(path, &report)?;
        let folder = self.received_dir(&report.sha256);
        let mut unpack_problem = None;
        if folder.is_dir() {
            // Checked again: the note says what this check found.
            if let Err(e) = verify::write_failure_note(&folder, &report) {
                unpack_problem = Some(e.to_string());
            }
        } else if unpack {
            // Unpacked beside, then renamed: a folder that exists is complete.
            let partial = self
                .root
                .join("received")
                .join(format!(".{}.partial", report.sha256));
            if partial.exists() {
                crate::fsutil::make_tree_writable(&partial);
                std::fs::remove_dir_all(&partial)
                    .map_err(|e| StoreError::io("clear", &partial, e))?;
            }
            crate::fsutil::create_private_dir(&self.root.join("received"))?;
            // A bundle that cannot be unpacked (a full disk) is still shown and its verdict
            // given; only its pictures are missing, and the window says why.
            match verify::extract(&opened, &report, &partial) {
                Ok(_) => std::fs::rename(&partial, &folder)
                    .map_err(|e| StoreError::io("save", &folder, e))?,
                Err(e) => {
                    crate::fsutil::make_tree_writable(&partial);
                    let _ = std::fs::remove_dir_all(&partial);
                    unpack_problem = Some(format!(
                        "Its files could not be unpacked for reading, so pictures cannot be shown: {e}"
                    ));
                }
            }
        }
        // Another copy of a seal on file: the on-file copy's folder has its verdict too.
        let on_file = self.received_dir(&got.bundle.sha256);
        if got.bundle.sha256 != report.sha256
            && got.duplicate
            && on_file.is_dir()
            && let Err(e) = verify::write_failure_note(&on_file, &report)
        {
            unpack_problem.get_or_insert(e.to_string());
        }
        let case_file = verify::read_whole_case_file(&opened);
        // Only what verified (intact, signed by a trusted key) joins the index: a changed
        // or unknown bundle's claims stay out of the patterns across cases.
        // An older copy (a replay) does not replace what a newer seal of the case says.
        // Nor does one claiming a seal on file whose contents differ.
        if report.intact()
            && !got.bundle.replay
            && got.bundle.conflict.is_none()
            && let (Some(c), Some(case_ref)) = (&case_file, &got.bundle.case_ref)
        {
            self.index_accounts(case_ref, c)?;
        }
        let mut view = self.describe(got.bundle, got.duplicate, report, case_file, &folder);
        view.unpack_problem = unpack_problem;
        Ok(view)
    }

    /// The file of the bundle `sha256`: its kept copy (see [`Register::keep`]), else the
    /// file it was received from (`dsl receive` keeps no copy) if it is still there.
    pub fn bundle_file(&self, sha256: &str) -> Result<PathBuf, RegisterError> {
        let sha = checked_sha(sha256)?;
        if let Some(kept) = self.kept(&sha) {
            return Ok(kept);
        }
        let path: Option<Option<String>> = self
            .conn
            .query_row("SELECT path FROM bundles WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db(&self.root))?;
        // Received before the register kept where from, or from a file since moved.
        path.ok_or(RegisterError::NoSuchBundle)?
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .ok_or_else(|| RegisterError::Moved(path_shown(self, &sha)))
    }

    /// Keep a copy of a bundle as it arrived (dropped on the window, chosen, or opened
    /// from the file manager): read from `source`, hashed while written, and kept
    /// read-only as `bundles/SHA-256/NAME`. Returns its SHA-256, by which it is then
    /// opened (again, if its key needs a passphrase first).
    pub fn keep(
        &self,
        name: &str,
        source: &mut dyn std::io::Read,
    ) -> Result<String, RegisterError> {
        use sha2::Digest;
        use std::io::Write;
        let name = safe_file_name(name);
        let bundles = self.root.join("bundles");
        crate::fsutil::create_private_dir(&bundles)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".arriving-")
            .tempfile_in(&bundles)
            .map_err(|e| StoreError::io("save", &bundles, e))?;
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StoreError::io("read", Path::new(&name), e).into()),
            };
            h.update(&buf[..n]);
            tmp.write_all(&buf[..n])
                .map_err(|e| StoreError::io("save", tmp.path(), e))?;
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| StoreError::io("save", tmp.path(), e))?;
        let sha = hex::encode(h.finalize());
        let dir = bundles.join(&sha);
        let dest = dir.join(&name);
        if self.kept(&sha).is_none() {
            crate::fsutil::create_private_dir(&dir)?;
            let mut perm = tmp
                .as_file()
                .metadata()
                .map_err(|e| StoreError::io("save", tmp.path(), e))?
                .permissions();
            perm.set_readonly(true);
            std::fs::set_permissions(tmp.path(), perm)
                .map_err(|e| StoreError::io("save", tmp.path(), e))?;
            tmp.persist(&dest)
                .map_err(|e| StoreError::io("save", &dest, e.error))?;
        }
        Ok(sha)
    }

    /// [`Register::keep`] for a bundle that arrived in parts through the app's window
    /// ([`crate::objects::Arriving`], in this folder's `tmp/`): hashed as it came, it
    /// is moved into place, not copied. Returns its SHA-256.
    pub fn keep_arrived(
        &self,
        name: &str,
        arriving: &mut crate::objects::Arriving,
    ) -> Result<String, RegisterError> {
        let name = safe_file_name(name);
        let c = arriving.complete()?;
        if self.kept(&c.sha256).is_none() {
            let dir = self.root.join("bundles").join(&c.sha256);
            crate::fsutil::create_private_dir(&dir)?;
            crate::fsutil::set_read_only(&c.path)
                .map_err(|e| StoreError::io("save", &c.path, e))?;
            let dest = dir.join(&name);
            // Kept meanwhile by another (the same bundle taken twice at once): fine.
            if let Err(e) = std::fs::rename(&c.path, &dest)
                && self.kept(&c.sha256).is_none()
            {
                return Err(StoreError::io("save", &dest, e).into());
            }
            crate::fsutil::sync_dir(&dir).map_err(|e| StoreError::io("save", &dir, e))?;
        }
        // Already kept: the copy that came again is removed when `arriving` is dropped.
        Ok(c.sha256)
    }

    /// The kept copy of the bundle `sha256`, if there is one.
    pub fn kept(&self, sha256: &str) -> Option<PathBuf> {
        let sha = checked_sha(sha256).ok()?;
        std::fs::read_dir(self.root.join("bundles").join(sha))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.is_file())
    }

    /// Open the bundle `sha256` again from [`Register::bundle_file`], checking it again (a
    /// key trusted since turns it green).
    pub fn open_kept(
        &self,
        sha256: &str,
        opts: &verify::Options,
    ) -> Result<BundleView, RegisterError> {
        let path = self.bundle_file(sha256)?;
        let name = PathBuf::from(path.file_name().unwrap_or_default());
        self.open_bundle(&path, opts).map_err(|e| match e {
            RegisterError::Verify(v) => RegisterError::Verify(v.naming(&name)),
            other => other,
        })
    }

    fn received_dir(&self, sha256: &str) -> PathBuf {
        self.root.join("received").join(sha256)
    }

    fn describe(
        &self,
        received: super::Received,
        duplicate: bool,
        report: Report,
        case_file: Option<CaseFile>,
        folder: &Path,
    ) -> BundleView {
        let (case, sealed_local, items) = match case_file {
            Some(c) => {
                let items = c
                    .items
                    .into_iter()
                    .map(|b| {
                        let problems = report
                            .findings
                            .iter()
                            .filter(|f| f.file.as_deref() == Some(b.path.as_str()))
                            .map(|f| f.message.clone())
                            .collect();
                        ViewItem {
                            image: b.item.media_type.starts_with("image/")
                                && b.item.removed.is_none(),
                            path: b.path,
                            item: b.item,
                            problems,
                        }
                    })
                    .collect();
                (Some(c.case), Some(c.sealed.local), items)
            }
            None => (None, None, Vec::new()),
        };
        let can_trust = report.signer.as_ref().is_some_and(|s| {
            s.signature_valid
                && !s.trusted
                && report
                    .findings
                    .iter()
                    .all(|f| f.kind == verify::FindingKind::UntrustedKey)
        });
        let (timeline, timeline_more, removed_items) = timeline(&folder.join("custody.jsonl"));
        BundleView {
            received,
            duplicate,
            timeline,
            timeline_more,
            removed_items,
            unpack_problem: None,
            report,
            case,
            sealed_local,
            items,
            can_trust,
            folder: folder.display().to_string(),
        }
    }

    /// The signer's public key of a bundle in the register, when its signature was
    /// valid: to trust it after comparing the fingerprint with the staff member.
    pub fn signer_key(&self, sha256: &str) -> Result<crate::keys::PublicKey, RegisterError> {
        let dir = self.received_dir(&checked_sha(sha256)?);
        let key = std::fs::read_to_string(dir.join("signer.pub"))
            .ok()
            .and_then(|t| crate::keys::PublicKey::parse(&t))
            .ok_or(RegisterError::NoSuchBundle)?;
        Ok(key)
    }

    /// A PNG (at most `max_px` on its longer side) of the picture `item_path` of the
    /// bundle `sha256`, decoded with size limits; `None` when it is not a picture that
    /// can be shown.
    pub fn picture(
        &self,
        sha256: &str,
        item_path: &str,
        max_px: u32,
    ) -> Result<Option<Vec<u8>>, RegisterError> {
        if !item_path.starts_with("data/") || verify::unsafe_name(item_path.as_bytes()).is_some() {
            return Ok(None);
        }
        let file = self.received_dir(&checked_sha(sha256)?).join(item_path);
        Ok(crate::thumbnail::png_of_file(&file, max_px))
    }

    /// The e-mail `item_path` of the bundle `sha256` to read (`crate::mail`: headers
    /// and plain text, never HTML), as [`picture`](Self::picture) finds its file;
    /// `None` when it is not an e-mail that can be read.
    pub fn email(
        &self,
        sha256: &str,
        item_path: &str,
    ) -> Result<Option<crate::mail::EmailView>, RegisterError> {
        use std::io::Read;
        if !item_path.starts_with("data/") || verify::unsafe_name(item_path.as_bytes()).is_some() {
            return Ok(None);
        }
        let file = self.received_dir(&checked_sha(sha256)?).join(item_path);
        let mut raw = Vec::new();
        let read = std::fs::File::open(&file)
            .and_then(|f| f.take(crate::mail::MAX_EMAIL_BYTES).read_to_end(&mut raw));
        Ok(read.ok().and_then(|_| crate::mail::view(&raw)))
    }
}

/// Where a bundle was received from, as the register says, for a message.
fn path_shown(reg: &Register, sha256: &str) -> String {
    reg.conn
        .query_row(
            "SELECT coalesce(path, file) FROM bundles WHERE sha256 = ?1",
            [sha256],
            |r| r.get::<_, String>(0),
        )
        .unwrap_or_else(|_| "its first place".into())
}

/// A SHA-256 as given by the UI: 64 lower-case hex digits, nothing else.
pub(super) fn checked_sha(s: &str) -> Result<String, RegisterError> {
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(s.to_string())
    } else {
        Err(RegisterError::NoSuchBundle)
    }
}

/// A file name from outside made safe to keep: no folders, no control characters,
/// not hidden, at most 200 characters; `bundle.evidence` when nothing is left.
fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    if clean.is_empty() {
        "bundle.evidence".into()
    } else {
        clean
    }
}

/// Most custody entries sent to the window; a longer log is summarised by a count.
const MAX_TIMELINE: usize = 2_000;

/// The custody log of an unpacked bundle, as plain sentences (unreadable lines skipped:
/// verification has already named them), read a line at a time; at most
/// [`MAX_TIMELINE`], with the number left out.
fn timeline(path: &Path) -> (Vec<TimelineLine>, usize, usize) {
    use std::io::BufRead;
    let Ok(f) = std::fs::File::open(path) else {
        return (Vec::new(), 0, 0);
    };
    let mut shown = Vec::new();
    let mut more = 0;
    let mut removed = 0;
    for line in std::io::BufReader::new(f).lines() {
        let Ok(line) = line else { break };
        if let Ok(CustodyLine::Full(e)) = serde_json::from_str::<CustodyLine>(&line) {
            // One entry per item removed (an item's bytes are removed once).
            if let Some(crate::event::Event::IndecentImageRemoved(_)) = e.event() {
                removed += 1;
            }
            if shown.len() < MAX_TIMELINE {
                shown.push(TimelineLine {
                    at: e.at.local.clone(),
                    actor: e.actor.clone(),
                    text: e.describe(),
                    clock_anomaly: e.clock_anomaly,
                });
            } else {
                more += 1;
            }
        }
    }
    (shown, more, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_very_long_custody_log_is_summarised_not_sent_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("custody.jsonl");
        let mut text = String::new();
        let mut last: Option<crate::custody::Entry> = None;
        for i in 0..(MAX_TIMELINE + 5) {
            let e = crate::custody::next_entry(
                last.as_ref(),
                crate::clock::now(),
                "A. Teacher",
                "item_edited",
                Some("EK-1"),
                Some(1),
                &serde_json::json!({"field": "note", "old": null, "new": i.to_string()}),
            );
            text.push_str(&serde_json::to_string(&CustodyLine::Full(e.clone())).expect("json"));
            text.push('\n');
            last = Some(e);
        }
        std::fs::write(&path, text).expect("write");
        let (shown, more, _) = timeline(&path);
        assert_eq!(shown.len(), MAX_TIMELINE);
        assert_eq!(more, 5);
        assert_eq!(shown[0].actor, "A. Teacher");
    }
}
