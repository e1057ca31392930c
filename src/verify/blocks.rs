//! `blocks-sha256.txt`, read strictly a line at a time: it only locates a change in a
//! payload file whose SHA-256 differs.

use super::entry::{Entry, open_entry};
use super::open::Source;
use super::{FindingKind, Report, bundle, finding, malformed};
use crate::bundle::bag;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read, Seek, SeekFrom};

/// Longest line of `blocks-sha256.txt` read (a path and its block hashes; a file
/// kept from a stream of unknown size may have more than 1,024 blocks).
const MAX_BLOCKS_LINE: u64 = 16 * 1024 * 1024;

/// Read `blocks-sha256.txt` strictly, a line at a time: `PATH⇥BLOCK_SIZE⇥HEX…`, one
/// line per payload file in item (= name) order, the block size a power of two of at
/// least 4,096, one 64-digit lower-case hash per block of the file's size. Returns the
/// paths it gives block hashes for (none once a line is wrong: that is a finding).
pub(super) fn read_block_lists(
    r: &mut Report,
    src: &Source,
    b: &Entry,
    names: &BTreeMap<&str, &Entry>,
    unread: &BTreeMap<String, u64>,
) -> BTreeSet<String> {
    use std::io::BufRead;
    let mut out = BTreeSet::new();
    let reader = match open_entry(src, b) {
        Ok(x) => x,
        Err(e) => {
            bad(r, 0, format!("it cannot be read ({e})"));
            return BTreeSet::new();
        }
    };
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::new();
    let mut previous: Option<String> = None;
    let mut n = 0usize;
    loop {
        line.clear();
        n += 1;
        let got = match (&mut reader)
            .take(MAX_BLOCKS_LINE + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(got) => got,
            Err(e) => {
                bad(r, n, format!("it cannot be read ({e})"));
                return BTreeSet::new();
            }
        };
        if got == 0 {
            return out;
        }
        let Some(l) = line.strip_suffix(b"\n") else {
            bad(
                r,
                n,
                "the line is too long or does not end with a line feed".into(),
            );
            return BTreeSet::new();
        };
        let Ok(l) = std::str::from_utf8(l) else {
            bad(r, n, "it is not UTF-8".into());
            return BTreeSet::new();
        };
        let mut parts = l.split('\t');
        let (Some(path), Some(size), Some(hexes), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            bad(
                r,
                n,
                "it is not PATH, block size and hashes separated by tabs".into(),
            );
            return BTreeSet::new();
        };
        let decoded = match bag::decode_path(bundle::BLOCKS, n, path) {
            Ok(d) => d,
            Err(e) => {
                r.findings.push(malformed(e));
                return BTreeSet::new();
            }
        };
        if unread.contains_key(&decoded) {
            // Refused unread (and named for it): its line cannot be checked.
            previous = Some(decoded);
            continue;
        }
        let Some(e) = names
            .get(decoded.as_str())
            .copied()
            .filter(|e| e.name.starts_with("data/"))
        else {
            bad(
                r,
                n,
                format!("{} is not a file of the bundle", path.escape_debug()),
            );
            return BTreeSet::new();
        };
        if previous.as_deref().is_some_and(|p| p >= e.name.as_str()) {
            bad(r, n, format!("{} is out of order or listed twice", e.name));
            return BTreeSet::new();
        }
        if !line_ok(r, n, e, size, hexes) {
            return BTreeSet::new();
        }
        out.insert(e.name.clone());
        previous = Some(e.name.clone());
    }
}

/// The block hashes of `path` in `blocks-sha256.txt` (stored, as Evidence Kit writes
/// it), read a line at a time with each line capped, never the whole file at once.
pub(super) fn blocks_for(src: &Source, b: &Entry, path: &str) -> Option<crate::digest::Blocks> {
    use std::io::BufRead;
    if !b.stored {
        return None;
    }
    let mut f = src.open().ok()?;
    f.seek(SeekFrom::Start(b.data_start)).ok()?;
    let mut r = BufReader::new(f.take(b.size));
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut r)
            .take(MAX_BLOCKS_LINE)
            .read_until(b'\n', &mut line)
            .ok()?;
        if n == 0 || (n as u64 == MAX_BLOCKS_LINE && line.last() != Some(&b'\n')) {
            return None;
        }
        if let Some(found) = bundle::find_blocks(&line[..], path) {
            return Some(found);
        }
    }
}

/// A `blocks-sha256.txt` finding about line `line`.
fn bad(r: &mut Report, line: usize, what: String) {
    r.findings.push(finding(
        FindingKind::Malformed,
        Some(bundle::BLOCKS),
        format!("blocks-sha256.txt line {line}: {what}; the file was refused."),
    ));
}

/// Whether line `n`'s block size and hashes (`size`, `hexes`) are right for `e`'s size
/// (a finding when not).
fn line_ok(r: &mut Report, n: usize, e: &Entry, size: &str, hexes: &str) -> bool {
    let block_size = size
        .bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| size.parse::<u64>().ok())
        .flatten()
        .filter(|s| s.is_power_of_two() && *s >= crate::digest::MIN_BLOCK_BYTES);
    let Some(block_size) = block_size else {
        bad(
            r,
            n,
            format!(
                "the block size {} is not a power of two of at least 4096",
                size.escape_debug()
            ),
        );
        return false;
    };
    let blocks = e.size.div_ceil(block_size);
    let well_formed = hexes.len() as u64 == blocks.saturating_mul(64)
        && hexes
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
    if !well_formed {
        bad(
            r,
            n,
            format!(
                "{} needs {blocks} block hash(es) of 64 lower-case hexadecimal digits",
                e.name
            ),
        );
        return false;
    }
    true
}
