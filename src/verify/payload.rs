//! The payload: every file the manifest lists there and hashed (on both cores), every
//! file there listed, Payload-Oxum's counts, and where a changed file changed (from
//! `blocks-sha256.txt`).

use super::blocks::{blocks_for, read_block_lists};
use super::entry::{Entry, stream_entry, stream_entry_buf};
use super::open::Source;
use super::{Finding, FindingKind, MAX_TAG_BYTES, Report, Zip, bundle, finding, group, malformed};
use crate::bundle::bag;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Check the payload against `manifest-sha256.txt` (`manifest_raw`, when it could be
/// read); returns the manifest, when it could be parsed.
pub(super) fn check(
    r: &mut Report,
    z: &Zip<'_>,
    manifest_raw: Option<Vec<u8>>,
) -> Option<bag::Manifest> {
    let payload: Vec<&Entry> = z
        .entries
        .iter()
        .filter(|e| e.name.starts_with("data/"))
        .collect();
    r.items = payload.len();
    r.payload_bytes = payload.iter().map(|e| e.size).sum();
    let listed = manifest_raw.as_deref().and_then(|m| {
        bag::parse_manifest("manifest-sha256.txt", m, true)
            .map_err(|e| r.findings.push(malformed(e)))
            .ok()
    });
    drop(manifest_raw);
    if let Some(listed) = &listed {
        // Payload files refused unread (each named for it) still count as there.
        for (n, size) in z.unread {
            if n.starts_with("data/") && listed.contains_key(n) {
                r.items += 1;
                r.payload_bytes = r.payload_bytes.saturating_add(*size);
            }
        }
        for p in listed.keys() {
            if !z.names.contains_key(p) && !z.unread.contains_key(p) {
                r.findings.push(finding(
                    FindingKind::Missing,
                    Some(p),
                    format!("{p} is missing: it was removed after sealing."),
                ));
            }
        }
        // The block lists, read strictly (a line at a time). They only locate a change
        // in a file whose SHA-256 differs: hashing every block of every file as well
        // would be a third SHA-256 pass over the evidence (measured: verify 0.95× of
        // openssl's speed, against 1.22× without it), for a list only the signer writes.
        let block_lists = z
            .names
            .get(bundle::BLOCKS)
            .filter(|b| b.size <= MAX_TAG_BYTES)
            .map(|b| read_block_lists(r, z.src, b, &z.names, z.unread))
            .unwrap_or_default();
        let mut to_hash = Vec::new();
        let mut without_blocks = 0usize;
        for e in &payload {
            match listed.get(&e.name) {
                None => r.findings.push(finding(
                    FindingKind::Extra,
                    Some(&e.name),
                    format!(
                        "{} was added after sealing (it is not in the manifest).",
                        e.name
                    ),
                )),
                Some(want) => {
                    if !block_lists.contains(&e.name) {
                        without_blocks += 1;
                    }
                    to_hash.push((*e, want));
                }
            }
        }
        let blocks_refused = r
            .findings
            .iter()
            .any(|f| f.file.as_deref() == Some(bundle::BLOCKS));
        if without_blocks > 0 && !blocks_refused {
            r.notes.push(format!(
                "blocks-sha256.txt has no block hashes for {without_blocks} file(s) (kept before they were recorded): a change in them is detected but cannot be located."
            ));
        }
        let hashed = hash_payload(z.src, &to_hash);
        for ((e, want), result) in to_hash.into_iter().zip(hashed) {
            let want = hex::encode(want);
            let result = result.map(|(sha, crc)| (hex::encode(sha), crc));
            match result {
                Ok((have, crc)) if have == want => {
                    if crc != e.crc32 {
                        r.findings.push(finding(FindingKind::Container, Some(&e.name), format!("The zip's checksum for {} was changed (the file itself is intact).", e.name)));
                    }
                }
                Ok((have, _)) => {
                    r.findings.push(altered(z, e, &have, &want, &block_lists));
                }
                Err(msg) => r.findings.push(finding(
                    FindingKind::Malformed,
                    Some(&e.name),
                    format!("{} cannot be read: {msg}.", e.name),
                )),
            }
        }
    }
    drop(payload);
    listed
}

/// The finding for a payload file whose SHA-256 is not the one sealed: where it
/// changed, when its block hashes say.
fn altered(
    z: &Zip<'_>,
    e: &Entry,
    have: &str,
    want: &str,
    block_lists: &BTreeSet<String>,
) -> Finding {
    let mut f = finding(
        FindingKind::Altered,
        Some(&e.name),
        format!(
            "{} was changed after sealing (its SHA-256 is {have}; {want} was sealed).",
            e.name
        ),
    );
    // Only on a mismatch, and only from a line read strictly above (a
    // block size of 1 would cost 32 bytes a byte): say where.
    let blocks = z
        .names
        .get(bundle::BLOCKS)
        .filter(|_| block_lists.contains(&e.name))
        .and_then(|b| blocks_for(z.src, b, &e.name))
        .filter(|b| {
            b.size.is_power_of_two()
                && b.size >= crate::digest::MIN_BLOCK_BYTES
                && b.digests.len() as u64 == e.size.div_ceil(b.size)
        });
    if let Some(b) = blocks
        && let Some(ranges) = locate_changes(z.src, e, &b)
        && let Some(&(start, _)) = ranges.first()
    {
        f.offset = Some(start);
        f.message = format!(
            "{} was changed after sealing: {} (its SHA-256 is {have}; {want} was sealed).",
            e.name,
            changed_ranges_in_words(&ranges, 0)
        );
    }
    f
}

/// SHA-256 and CRC-32 of an entry's bytes, or why they could not be read.
type Hashed = Result<([u8; 32], u32), String>;

/// One payload entry to hash: the entry and the SHA-256 the manifest lists.
type Work<'a> = (&'a Entry, &'a [u8; 32]);

/// Hash payload entries, on two threads (the machine's cores) where there is work
/// for both; the results are in the order of `work`.
pub(super) fn hash_payload(src: &Source, work: &[Work<'_>]) -> Vec<Hashed> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
        .min(work.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Hashed>> =
        std::sync::Mutex::new(vec![Err(String::new()); work.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((e, _)) = work.get(i) else {
                        break;
                    };
                    // An encrypted bundle's were hashed as they streamed by.
                    let res = match src.hashed(e) {
                        Some(done) => Ok(done),
                        None => {
                            let mut h = Sha256::new();
                            stream_entry_buf(src, e, &mut buf, &mut |c| h.update(c))
                                .map(|crc| (h.finalize().into(), crc))
                        }
                    };
                    if let Ok(mut v) = results.lock() {
                        v[i] = res;
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// Every run of blocks that differs from the block hashes sealed in
/// `blocks-sha256.txt`, as byte ranges.
fn locate_changes(
    src: &Source,
    e: &Entry,
    expected: &crate::digest::Blocks,
) -> Option<Vec<(u64, u64)>> {
    let mut hasher = crate::digest::BlockHasher::new(expected.size);
    stream_entry(src, e, &mut |c| hasher.update(c)).ok()?;
    let actual = hasher.finish();
    crate::digest::changed_ranges(expected, &actual, e.size)
}

/// At most this many changed byte ranges are named in a sentence; the rest are counted.
pub const MAX_CHANGED_RANGES_NAMED: usize = 5;

/// Where a file changed, from its changed byte ranges (end exclusive, in order) and
/// the number of further ranges not in the list: "the change is in bytes
/// 8,192–12,287", "the changes are in bytes 0–4,095 and 8,192–12,287", or the first
/// [`MAX_CHANGED_RANGES_NAMED`] "… and 3 more ranges". Used by `check` for the store
/// too, so both say it alike.
pub fn changed_ranges_in_words(ranges: &[(u64, u64)], more: usize) -> String {
    let shown: Vec<String> = ranges
        .iter()
        .take(MAX_CHANGED_RANGES_NAMED)
        .map(|&(a, b)| match b.saturating_sub(1) {
            last if last > a => format!("{}–{}", group(a), group(last)),
            _ => group(a),
        })
        .collect();
    let more = more + ranges.len().saturating_sub(MAX_CHANGED_RANGES_NAMED);
    let list = match (shown.split_last(), more) {
        (None, _) => return "where it changed is not known".into(),
        (Some((only, [])), 0) if ranges[0].1 <= ranges[0].0 + 1 => {
            return format!("the change is in byte {only}");
        }
        (Some((only, [])), 0) => return format!("the change is in bytes {only}"),
        (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
        (Some(_), 1) => format!("{} and 1 more range", shown.join(", ")),
        (Some(_), n) => format!("{} and {n} more ranges", shown.join(", ")),
    };
    format!("the changes are in bytes {list}")
}
