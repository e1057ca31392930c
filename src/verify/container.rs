//! The zip container, byte for byte: the entries' order, and every header and
//! directory byte rebuilt as Evidence Kit writes it (`zipfmt`) and compared.

use super::entry::Entry;
use super::open::{ReadSeek, read_up_to};
use super::{Finding, FindingKind, Report, bundle, group};
use crate::bundle::zipfmt;
use std::collections::BTreeSet;
use std::io::SeekFrom;

/// Compare every header byte with the canonical layout Evidence Kit writes, and the
/// entries' order with the one it writes them in: the tag files in
/// [`bundle::ZIP_ORDER`], then the payload in `case.json`'s item order (`payload`;
/// `None` when `case.json` could not be read: then in name order, which is item order).
pub(super) fn check_container(
    r: &mut Report,
    f: &mut dyn ReadSeek,
    entries: &[Entry],
    payload: Option<&[&str]>,
    cd_start: u64,
    zip_offset: u64,
    file_len: u64,
) {
    let dos = dos_time_of(r, f);
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.index);
    let mut pos = 0u64;
    let report = |r: &mut Report, at: u64, what: String, file: Option<&str>| {
        r.findings.push(Finding {
            kind: FindingKind::Container,
            file: file.map(str::to_string),
            offset: Some(at),
            message: format!(
                "The zip container was changed outside the evidence files: byte {} ({what}) is not what Evidence Kit wrote.",
                group(at)
            ),
        });
    };
    if zip_offset != 0 {
        report(r, 0, "bytes were added before the zip".into(), None);
        return;
    }
    if out_of_order(r, &ordered, payload, cd_start) {
        return;
    }
    for e in &ordered {
        if !e.stored {
            report(
                r,
                e.header_start,
                format!("{} was re-compressed", e.name),
                Some(&e.name),
            );
            return;
        }
        let want = zipfmt::local_header(&e.name, e.size, e.crc32, dos);
        if e.header_start != pos {
            report(
                r,
                pos.min(e.header_start),
                format!("the zip was re-packed around {}", e.name),
                Some(&e.name),
            );
            return;
        }
        if let Some(at) = first_diff_at(f, pos, &want) {
            report(
                r,
                at,
                format!("in the zip header of {}", e.name),
                Some(&e.name),
            );
            return;
        }
        pos += want.len() as u64 + e.size;
    }
    let cd_start_expected = pos;
    if cd_start != pos {
        report(
            r,
            pos,
            "the zip directory is not where it belongs".into(),
            None,
        );
        return;
    }
    // The directory, one header at a time, against what Evidence Kit writes.
    let mut offset = 0u64;
    for e in &ordered {
        let want = zipfmt::central_header(
            &zipfmt::EntryMeta {
                name: e.name.clone(),
                size: e.size,
                crc32: e.crc32,
                offset,
            },
            dos,
        );
        offset += zipfmt::local_header(&e.name, e.size, e.crc32, dos).len() as u64 + e.size;
        if let Some(at) = first_diff_at(f, pos, &want) {
            report(r, at, "in the zip directory".into(), None);
            return;
        }
        pos += want.len() as u64;
    }
    let want = zipfmt::directory_end(
        ordered.len() as u64,
        cd_start_expected,
        pos - cd_start_expected,
    );
    if let Some(at) = first_diff_at(f, pos, &want) {
        report(r, at, "in the zip directory".into(), None);
        return;
    }
    if file_len != pos + want.len() as u64 {
        report(
            r,
            pos + want.len() as u64,
            "bytes were added after the zip directory".into(),
            None,
        );
    }
}

fn first_diff_at(f: &mut dyn ReadSeek, at: u64, want: &[u8]) -> Option<u64> {
    let mut have = vec![0u8; want.len()];
    if f.seek(SeekFrom::Start(at)).is_err() {
        return Some(at);
    }
    let n = read_up_to(f, &mut have).unwrap_or(0);
    (0..want.len())
        .find(|&i| i >= n || have[i] != want[i])
        .map(|i| at + i as u64)
}

/// The DOS time and date every header carries: the seal time's. When it cannot be read
/// (a finding of its own), the first header's time stands in, so the rest of the check
/// still runs.
fn dos_time_of(r: &Report, f: &mut dyn ReadSeek) -> (u16, u16) {
    let sealed = r
        .facts
        .as_ref()
        .and_then(|fa| chrono::DateTime::parse_from_rfc3339(&fa.sealed).ok());
    match sealed {
        Some(t) => zipfmt::dos_time(&t.with_timezone(&chrono::Utc)),
        None => {
            let mut h = [0u8; 14];
            if f.seek(SeekFrom::Start(0)).is_err() || f.read_exact(&mut h).is_err() {
                (0, 0)
            } else {
                (
                    u16::from_le_bytes([h[10], h[11]]),
                    u16::from_le_bytes([h[12], h[13]]),
                )
            }
        }
    }
}

/// Whether the entries are out of the order Evidence Kit writes them in (a finding).
fn out_of_order(
    r: &mut Report,
    ordered: &[&Entry],
    payload: Option<&[&str]>,
    cd_start: u64,
) -> bool {
    // The order: the tag files, then the payload.
    let mut sorted_payload: Vec<&str> = Vec::new();
    let payload = payload.unwrap_or_else(|| {
        sorted_payload = ordered
            .iter()
            .map(|e| e.name.as_str())
            .filter(|n| n.starts_with("data/"))
            .collect();
        sorted_payload.sort_unstable();
        &sorted_payload
    });
    // Entries that do not belong (already `extra`) and missing ones (already
    // `missing`) are left out: the order is that of the rest.
    let present: BTreeSet<&str> = ordered.iter().map(|e| e.name.as_str()).collect();
    let wanted: Vec<&str> = bundle::ZIP_ORDER
        .iter()
        .copied()
        .chain(payload.iter().copied())
        .filter(|n| present.contains(n))
        .collect();
    let wanted_set: BTreeSet<&str> = wanted.iter().copied().collect();
    let in_order: Vec<&Entry> = ordered
        .iter()
        .copied()
        .filter(|e| wanted_set.contains(e.name.as_str()))
        .collect();
    for (i, want) in wanted.iter().copied().enumerate() {
        let have = in_order.get(i).map(|e| e.name.as_str());
        if have != Some(want) {
            let at = in_order.get(i).map_or(cd_start, |e| e.header_start);
            r.findings.push(Finding {
                kind: FindingKind::Container,
                file: have.map(str::to_string),
                offset: Some(at),
                message: match have {
                    Some(h) => format!(
                        "The files in the zip are not in the order Evidence Kit writes them: {h} is where {want} belongs, so the zip was re-packed after sealing."
                    ),
                    None => format!(
                        "The zip ends before {want}, which Evidence Kit writes there."
                    ),
                },
            });
            return true;
        }
    }
    false
}
