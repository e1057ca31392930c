//! What is read out of an opened bundle: its `case.json` and payload files for the
//! form and the register, and `extract`, which writes a checked bundle out read-only
//! (with the failure note when it failed).

use super::entry::{find_entry, open_entry, read_entry};
use super::{FindingKind, MAX_TAG_BYTES, MAX_TOTAL_BYTES, Opened, Report, bundle, unsafe_name};
use crate::bundle::casejson;
use std::collections::BTreeSet;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Something went wrong extracting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The folder exists and is not empty.
    #[error("{path} already exists and is not empty; choose a new folder.")]
    NotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("Could not write {}: {}.", path.display(), crate::error::plain_io(source))]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ExtractError {
    /// A stable name for this kind of error (for the UI and `--json`).
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::NotEmpty { .. } => "not_empty",
            ExtractError::Write { .. } => "write",
        }
    }
}

/// The whole `case.json` of an opened bundle, items included, when it can be read.
/// For a bundle that failed verification this is only what it *claims*.
pub fn read_whole_case_file(opened: &Opened) -> Option<bundle::CaseFile> {
    let e = find_entry(&opened.source, "case.json")?;
    if e.size > MAX_TAG_BYTES {
        return None;
    }
    let r = open_entry(&opened.source, &e).ok()?;
    casejson::read_all(r).ok()
}

/// [`read_whole_case_file`] without collecting the items: each is handed to `on_item`
/// as it is parsed, so a caller keeps only what it needs. Returns the rest of
/// `case.json` when the whole file can be read (items already handed over before a
/// later error are then to be dropped).
pub fn read_case_file_items(
    opened: &Opened,
    on_item: &mut dyn FnMut(bundle::BagItem),
) -> Option<casejson::CaseHead> {
    let e = find_entry(&opened.source, "case.json")?;
    if e.size > MAX_TAG_BYTES {
        return None;
    }
    let r = open_entry(&opened.source, &e).ok()?;
    casejson::read(r, on_item).ok()
}

/// The bytes of the payload file `name` (`data/…`) of an opened bundle, at most
/// `limit` bytes. Names no bundle may contain are refused.
pub fn read_payload(opened: &Opened, name: &str, limit: u64) -> Result<Vec<u8>, String> {
    if !name.starts_with("data/") || unsafe_name(name.as_bytes()).is_some() {
        return Err("its name is not one a bundle may contain".into());
    }
    let e = find_entry(&opened.source, name).ok_or("it is not in the bundle")?;
    if e.size > limit {
        return Err(format!(
            "it is larger than the {limit} bytes read for printing"
        ));
    }
    read_entry(&opened.source, &e).map(|(b, _)| b)
}

/// Extract a checked bundle into a new folder `out`, files read-only. Only entries
/// with safe names are written, always below `out`. A bundle that failed verification
/// gets `VERIFICATION-FAILED.txt` listing every finding.
pub fn extract(opened: &Opened, report: &Report, out: &Path) -> Result<usize, ExtractError> {
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| ExtractError::Write { path: p, source }
    };
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(ExtractError::NotEmpty { path: out.into() });
    }
    std::fs::create_dir_all(out).map_err(werr(out))?;
    let mut written = 0;
    // A bundle too large to examine as a whole (too many entries, too many bytes) is
    // not unpacked either.
    let whole_refused = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::TooLarge && f.file.is_none());
    if !whole_refused
        && let Ok(f) = opened.source.open()
        && let Ok(mut z) = zip::ZipArchive::new(BufReader::new(f))
    {
        let refused: BTreeSet<String> = report
            .findings
            .iter()
            // Refused names, and zip bombs: never written.
            .filter(|f| f.kind == FindingKind::UnsafeName || f.kind == FindingKind::TooLarge)
            .filter_map(|f| f.file.clone())
            .collect();
        for i in 0..z.len() {
            let Ok(mut entry) = z.by_index(i) else {
                continue;
            };
            let raw = entry.name_raw().to_vec();
            if unsafe_name(&raw).is_some() || entry.is_dir() || entry.is_symlink() {
                continue;
            }
            let name = String::from_utf8_lossy(&raw).into_owned();
            // The failure note's name is ours: a bundle's own file of that name is not
            // written (it is an extra file, and verification names it).
            if refused.contains(&name) || name == FAILED_NOTE {
                continue;
            }
            let dest = out.join(&name);
            // Names that collide (a file and a folder of one name, the same name twice)
            // are skipped, not fatal: the rest is still unpacked. A full disk is fatal.
            let collides = |e: &std::io::Error| {
                matches!(
                    e.kind(),
                    std::io::ErrorKind::AlreadyExists
                        | std::io::ErrorKind::NotADirectory
                        | std::io::ErrorKind::IsADirectory
                )
            };
            if let Some(parent) = dest.parent() {
                match std::fs::create_dir_all(parent) {
                    Ok(()) => {}
                    Err(e) if collides(&e) => continue,
                    Err(e) => return Err(werr(parent)(e)),
                }
            }
            let mut w = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
            {
                Ok(w) => w,
                Err(e) if collides(&e) => continue,
                Err(e) => return Err(werr(&dest)(e)),
            };
            let mut limited = (&mut entry).take(MAX_TOTAL_BYTES);
            // A damaged entry (CRC) still extracts what it holds; the report says so.
            let _ = std::io::copy(&mut limited, &mut w);
            drop(w);
            let mut perm = std::fs::metadata(&dest).map_err(werr(&dest))?.permissions();
            perm.set_readonly(true);
            std::fs::set_permissions(&dest, perm).map_err(werr(&dest))?;
            written += 1;
        }
    }
    write_failure_note(out, report)?;
    Ok(written)
}

/// The note an unpacked bundle that failed verification carries.
pub const FAILED_NOTE: &str = "VERIFICATION-FAILED.txt";

/// Bring the failure note of an unpacked bundle in line with `report`: written (listing
/// every finding) when it failed, removed when it is intact (a key trusted since).
pub fn write_failure_note(out: &Path, report: &Report) -> Result<(), ExtractError> {
    let p = out.join(FAILED_NOTE);
    if p.exists() {
        if let Ok(m) = std::fs::metadata(&p) {
            let mut perm = m.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&p, perm);
        }
        std::fs::remove_file(&p).map_err(|source| ExtractError::Write {
            path: p.clone(),
            source,
        })?;
    }
    if !report.intact() {
        let mut text = String::from(
            "VERIFICATION FAILED. These files are NOT confirmed to be what was sealed.\n\n",
        );
        for f in &report.findings {
            text.push_str(&format!("- {}: {}\n", f.kind, f.message));
        }
        std::fs::write(&p, text).map_err(|source| ExtractError::Write {
            path: p.clone(),
            source,
        })?;
    }
    Ok(())
}
