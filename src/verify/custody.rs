//! The custody log: `custody.jsonl` walked line by line, each line exactly as seal
//! writes it, the chain re-hashed and linked, and each entry replayed (`replay`).

use super::casefile::{MAX_NAMED_FINDINGS, capitalised, push_capped};
use super::entry::{Entry, open_entry};
use super::open::Source;
use super::{FindingKind, MAX_ENTRIES, Report, finding};
use crate::bundle::format::CustodyLine;
use crate::custody::{self, ChainBreak};
use crate::replay::Replay;
use std::io::{BufReader, Read};

/// Most bytes of `details` one custody entry may carry (a captured item's record or a
/// report edit, with its old value: a 200,000-character description escaped is at most
/// a few MiB).
const MAX_DETAILS_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes of item records (`captured` details) the replay keeps for one bundle:
/// more than 100,000 genuine items take, far less than a hostile log could ask for.
const MAX_REPLAYED_BYTES: u64 = 128 * 1024 * 1024;

/// Longest custody line accepted, in bytes.
const MAX_CUSTODY_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Walk `custody.jsonl` line by line (it is never held whole): full entries are
/// re-hashed, redacted ones (other cases) keep their place by their hash. Returns the
/// entry's CRC-32 as read, when it could be read.
pub(super) fn check_custody(
    r: &mut Report,
    src: &Source,
    entry: &Entry,
    replay: &mut Replay,
) -> Option<u32> {
    let mut prev = custody::GENESIS_HASH.to_string();
    let mut expected = 1;
    let mut breaks: Vec<ChainBreak> = Vec::new();
    let mut slips: Vec<String> = Vec::new();
    let mut replayed_bytes: u64 = 0;
    let mut bad: Option<String> = None;
    let mut line_no = 0usize;
    let mut walk = |l: &[u8], bad: &mut Option<String>| {
        line_no += 1;
        if bad.is_some() {
            return;
        }
        if l.is_empty() {
            *bad = Some(format!("custody.jsonl line {line_no} is empty."));
            return;
        }
        let Ok(line) = serde_json::from_slice::<CustodyLine>(l) else {
            *bad = Some(format!(
                "custody.jsonl line {line_no} is not a custody entry."
            ));
            return;
        };
        // Exactly as seal writes it (compact, its keys in order, nothing else): a key
        // the hash does not cover could otherwise ride along unnoticed.
        if serde_json::to_vec(&line).ok().as_deref() != Some(l) {
            *bad = Some(format!(
                "custody.jsonl line {line_no} is not written as Evidence Kit writes a custody entry (extra keys, other spacing or escaping)."
            ));
            return;
        }
        let (seq, prev_hash, hash, ok) = match &line {
            CustodyLine::Full(e) => (e.seq, &e.prev_hash, &e.hash, e.compute_hash() == e.hash),
            CustodyLine::Redacted {
                seq,
                prev_hash,
                hash,
                redacted,
            } => (*seq, prev_hash, hash, *redacted),
        };
        if breaks.len() < 1000 {
            if seq != expected {
                breaks.push(ChainBreak::Gap {
                    expected,
                    found: seq,
                });
            }
            if !ok {
                breaks.push(ChainBreak::Altered { seq });
            }
            if *prev_hash != prev {
                breaks.push(ChainBreak::Unlinked { seq });
            }
        }
        prev = hash.clone();
        expected = seq.saturating_add(1);
        match &line {
            CustodyLine::Full(e) => {
                if replay.items_logged() >= MAX_ENTRIES {
                    *bad = Some(format!(
                        "custody.jsonl records more than {MAX_ENTRIES} captures; it was not examined."
                    ));
                    return;
                }
                // What the replay keeps is bounded: no entry's details (a JSON text that
                // grows when parsed) beyond a few MiB, nor all of them beyond what a
                // case.json may hold.
                if e.action == "captured" {
                    replayed_bytes = replayed_bytes.saturating_add(e.details.len() as u64);
                }
                if e.details.len() > MAX_DETAILS_BYTES || replayed_bytes > MAX_REPLAYED_BYTES {
                    *bad = Some(format!(
                        "custody.jsonl line {line_no} takes the details it records past what a bundle may hold; it was not examined."
                    ));
                    return;
                }
                if let Some(slip) = replay.apply(e)
                    && slips.len() <= MAX_NAMED_FINDINGS
                {
                    slips.push(format!("{}.", capitalised(&slip.to_string())));
                }
            }
            CustodyLine::Redacted { seq, .. } => replay.skip(*seq),
        }
    };
    let streamed = read_lines(src, entry, &mut walk, &mut bad);
    let crc = match streamed {
        Ok(crc) => Some(crc),
        Err(msg) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("custody.jsonl"),
                format!("custody.jsonl cannot be read: {msg}."),
            ));
            return None;
        }
    };
    if let Some(msg) = bad {
        r.findings
            .push(finding(FindingKind::Malformed, Some("custody.jsonl"), msg));
        return crc;
    }
    for b in breaks {
        r.findings.push(finding(
            FindingKind::Chain,
            Some("custody.jsonl"),
            format!("The {b}."),
        ));
    }
    push_capped(r, FindingKind::Mismatch, "custody.jsonl", slips);
    crc
}

/// Hand `walk` each line of `custody.jsonl`, a line at a time through a small buffer
/// (it is never held whole); returns the CRC-32 of its bytes.
fn read_lines(
    src: &Source,
    entry: &Entry,
    walk: &mut dyn FnMut(&[u8], &mut Option<String>),
    bad: &mut Option<String>,
) -> Result<u32, String> {
    use std::io::BufRead;
    let entry_reader = open_entry(src, entry).map_err(|x| x.to_string())?;
    let mut reader = BufReader::with_capacity(64 * 1024, entry_reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_CUSTODY_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|x| x.to_string())?;
        if n == 0 {
            return Ok(reader.get_ref().crc32());
        }
        match line.strip_suffix(b"\n") {
            Some(l) => walk(l, bad),
            None if n > MAX_CUSTODY_LINE_BYTES => {
                if bad.is_none() {
                    *bad = Some("custody.jsonl has a line longer than 16 MiB.".into());
                }
            }
            None => walk(&line, bad),
        }
    }
}
