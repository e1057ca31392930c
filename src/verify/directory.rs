//! The zip's directory: every entry's name, kind, size and place (its local header),
//! refused or kept before any of its bytes is read.

use super::entry::Entry;
use super::open::{ReadSeek, Source};
use super::{
    Finding, FindingKind, MAX_ENTRIES, MAX_RATIO, MAX_TOTAL_BYTES, Report, bundle, finding, group,
};
use crate::bundle::zipfmt::read as zipread;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;

/// What the directory phase found, which every later phase reads.
pub(super) struct Directory {
    /// A second handle on the zip, for reading headers ourselves.
    pub(super) raw: Box<dyn ReadSeek>,
    /// The entries that can be read, in the directory's order.
    pub(super) entries: Vec<Entry>,
    /// Entries that are there but were refused before reading (and named for it): not
    /// also "missing", and counted in the payload.
    pub(super) unread: BTreeMap<String, u64>,
    /// Folder entries (each already `extra`) take room the rebuilt layout cannot place.
    pub(super) has_folders: bool,
    /// Where the central directory starts.
    pub(super) cd_start: u64,
    /// Bytes before the zip (none: anything else is a finding, and the end).
    pub(super) zip_offset: u64,
    /// The zip's length.
    pub(super) file_len: u64,
}

/// Read the directory of the zip in `src`, then every entry's local header. `None`
/// when the bundle cannot be examined further (the finding says why).
pub(super) fn read(r: &mut Report, src: &Source) -> Option<Directory> {
    // One handle for the zip crate, a second for reading headers ourselves.
    let (file, mut raw_file) = match (src.open()).and_then(|f| src.open().map(|g| (f, g))) {
        Ok(pair) => pair,
        Err(e) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                None,
                format!("The bundle could not be read: {e}."),
            ));
            return None;
        }
    };
    let mut zip = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                None,
                format!("This is not a readable zip file: it is damaged, cut short, or not a bundle ({e})."),
            ));
            return None;
        }
    };
    let max_entries = bundle::max_entries();
    if zip.len() > max_entries {
        r.findings.push(finding(
            FindingKind::TooLarge,
            None,
            format!(
                "The bundle has {} files, more than the {max_entries} allowed; it was not examined.",
                zip.len()
            ),
        ));
        return None;
    }
    // The `zip` crate keeps only the last of several entries with one name, so
    // duplicates are looked for in the directory itself.
    if zip.has_duplicate_names() {
        duplicates(r, src, zip.central_directory_start());
    }

    // ---- the directory: names, kinds, sizes, places ----
    let mut listing = Listing::default();
    for i in 0..zip.len() {
        let f = match zip.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => {
                r.findings.push(finding(
                    FindingKind::Malformed,
                    None,
                    format!("Entry {} of the zip cannot be read ({e}).", i + 1),
                ));
                continue;
            }
        };
        listing.add(r, i, &f);
    }
    let Listing {
        mut entries,
        mut unread,
        has_folders,
        declared_total,
        seen_exact,
        seen_folded,
    } = listing;
    if declared_total > MAX_TOTAL_BYTES {
        r.findings.push(finding(
            FindingKind::TooLarge,
            None,
            format!("The bundle would unpack to {declared_total} bytes, more than the {MAX_TOTAL_BYTES} allowed; it was not examined."),
        ));
        return None;
    }
    let cd_start = zip.central_directory_start();
    let zip_offset = zip.offset();
    if zip_offset != 0 {
        // Bytes before the zip: every offset in it is then off, and each check would
        // repeat it. One finding says what was done.
        r.findings.push(Finding {
            kind: FindingKind::Container,
            file: None,
            offset: Some(0),
            message: format!(
                "{} bytes were added before the zip, so it is not the file that was sealed; it was not examined further.",
                group(zip_offset)
            ),
        });
        return None;
    }
    drop(zip);
    drop((seen_exact, seen_folded));
    entries.shrink_to_fit();
    let file_len = local_headers(r, src, &mut raw_file, &mut entries, &mut unread, zip_offset);
    Some(Directory {
        raw: raw_file,
        entries,
        unread,
        has_folders,
        cd_start,
        zip_offset,
        file_len,
    })
}

/// Every name the directory lists more than once.
fn duplicates(r: &mut Report, src: &Source, cd_start: u64) {
    let mut seen = BTreeSet::new();
    let mut named = false;
    let names = src
        .open()
        .map(|f| zipread::central_names(f, cd_start, MAX_ENTRIES + 1))
        .unwrap_or_default();
    for raw in names {
        if !seen.insert(raw.clone()) {
            let name = String::from_utf8_lossy(&raw).into_owned();
            let shown = name.escape_debug().to_string();
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!("{shown} appears twice in the bundle; neither copy can be trusted."),
            ));
            named = true;
        }
    }
    if !named {
        r.findings.push(finding(
            FindingKind::UnsafeName,
            None,
            "The zip's directory lists a file more than once; neither copy can be trusted.",
        ));
    }
}

/// The directory as it is read, entry by entry.
#[derive(Default)]
struct Listing {
    entries: Vec<Entry>,
    seen_exact: BTreeSet<String>,
    seen_folded: BTreeMap<String, String>,
    unread: BTreeMap<String, u64>,
    has_folders: bool,
    declared_total: u64,
}

impl Listing {
    /// The `i`th entry of the directory: refused (and named for it), or kept.
    fn add<R: std::io::Read>(&mut self, r: &mut Report, i: usize, f: &zip::read::ZipFile<'_, R>) {
        let raw = f.name_raw().to_vec();
        let shown = String::from_utf8_lossy(&raw).escape_debug().to_string();
        if let Some(why) = unsafe_name(&raw) {
            r.findings.push(finding(
            FindingKind::UnsafeName,
            Some(&shown),
            format!("The bundle contains a file \"{shown}\" that was refused: {why}. It was not read or extracted."),
        ));
            if let Ok(n) = std::str::from_utf8(&raw) {
                self.unread.insert(n.to_string(), f.size());
            }
            return;
        }
        let name = String::from_utf8_lossy(&raw).into_owned();
        if f.is_symlink() || f.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!(
                    "{name} is a symbolic link, which a bundle never contains; it was not followed."
                ),
            ));
            self.unread.insert(name, f.size());
            return;
        }
        if f.encrypted() {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some(&name),
                format!("{name} is password-protected inside the zip, which a bundle never is."),
            ));
            self.unread.insert(name, f.size());
            return;
        }
        if !self.seen_exact.insert(name.clone()) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!("{name} appears twice in the bundle; neither copy can be trusted."),
            ));
            return;
        }
        use unicode_normalization::UnicodeNormalization;
        let folded: String = name.nfc().collect::<String>().to_lowercase();
        if let Some(other) = self.seen_folded.insert(folded, name.clone()) {
            r.findings.push(finding(
            FindingKind::UnsafeName,
            Some(&name),
            format!("{name} and {other} differ only in letter case or Unicode form, so they would overwrite each other when extracted."),
        ));
            return;
        }
        if f.is_dir() {
            self.has_folders = true;
            r.findings.push(finding(
                FindingKind::Extra,
                Some(&name),
                format!(
                    "{name} is a folder entry, which a bundle never has: the zip was re-packed."
                ),
            ));
            return;
        }
        let stored = f.compression() == zip::CompressionMethod::Stored;
        if !stored && f.compression() != zip::CompressionMethod::Deflated {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some(&name),
                format!("{name} uses a compression method Evidence Kit does not read."),
            ));
            self.unread.insert(name, f.size());
            return;
        }
        if f.size() >= 1024 * 1024 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            r.findings.push(finding(
                FindingKind::TooLarge,
                Some(&name),
                format!(
                    "{name} would expand more than {MAX_RATIO} times (a zip bomb); it was not read."
                ),
            ));
            self.unread.insert(name, f.size());
            return;
        }
        self.declared_total = self.declared_total.saturating_add(f.size());
        self.entries.push(Entry {
            index: i,
            name,
            size: f.size(),
            compressed: f.compressed_size(),
            crc32: f.crc32(),
            stored,
            header_start: f.header_start(),
            data_start: 0,
        });
    }
}

/// Local headers: where each entry's data starts; no overlaps, nothing hidden.
fn local_headers(
    r: &mut Report,
    src: &Source,
    raw_file: &mut Box<dyn ReadSeek>,
    entries: &mut Vec<Entry>,
    unread: &mut BTreeMap<String, u64>,
    zip_offset: u64,
) -> u64 {
    let file_len = src.len().unwrap_or(0);
    let mut bad_entries = BTreeSet::new();
    for e in entries.iter_mut() {
        match zipread::local_data_start(raw_file, e.header_start + zip_offset) {
            Some(d) if d.saturating_add(e.compressed) <= file_len => e.data_start = d,
            _ => {
                r.findings.push(finding(
                    FindingKind::Container,
                    Some(&e.name),
                    format!(
                        "The zip header of {} is damaged or points outside the file.",
                        e.name
                    ),
                ));
                bad_entries.insert(e.index);
                // Named once (here), not also as missing.
                unread.insert(e.name.clone(), e.size);
            }
        }
    }
    entries.retain(|e| !bad_entries.contains(&e.index));
    let mut by_place: Vec<&Entry> = entries.iter().collect();
    by_place.sort_by_key(|e| e.header_start);
    for pair in by_place.windows(2) {
        if pair[0].data_start + pair[0].compressed > pair[1].header_start + zip_offset {
            r.findings.push(finding(
                FindingKind::Container,
                Some(&pair[1].name),
                format!(
                    "{} overlaps {} inside the zip (a crafted zip); neither can be trusted.",
                    pair[1].name, pair[0].name
                ),
            ));
        }
    }
    file_len
}

/// Bidirectional-text controls that can make a name display as something it is not.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why an entry name is unsafe, if it is.
pub fn unsafe_name(raw: &[u8]) -> Option<&'static str> {
    let Ok(name) = std::str::from_utf8(raw) else {
        return Some("its name is not UTF-8");
    };
    if name.is_empty() || name.len() > 1024 {
        return Some("its name is empty or too long");
    }
    if name.starts_with('/') {
        return Some("its name is an absolute path");
    }
    if name.contains('\\') {
        return Some("its name contains a backslash");
    }
    if name.contains(':') {
        return Some("its name contains a colon (a drive letter or stream)");
    }
    if name.chars().any(char::is_control) {
        return Some("its name contains control characters");
    }
    if name.chars().any(is_bidi_control) {
        return Some("its name contains bidirectional-text controls that disguise it");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        if part == ".." {
            return Some("its name climbs out of the folder (..)");
        }
        if part.is_empty() || part == "." {
            return Some("its name has an empty or '.' part");
        }
        if part.ends_with('.') || part.ends_with(' ') {
            return Some("a part of its name ends with a dot or space");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn unsafe_names_are_named() {
        for (n, ok) in [
            (&b"data/001-a.png"[..], true),
            (b"../evil", false),
            (b"data/../../evil", false),
            (b"/etc/passwd", false),
            (b"data\\evil", false),
            (b"C:evil", false),
            (b"data/a\x01b", false),
            ("data/\u{202e}gnp.exe".as_bytes(), false),
            (b"data/trailing.", false),
            (b"data//x", false),
            (b"\xff\xfe", false),
        ] {
            assert_eq!(
                unsafe_name(n).is_none(),
                ok,
                "{:?}",
                String::from_utf8_lossy(n)
            );
        }
    }
}
