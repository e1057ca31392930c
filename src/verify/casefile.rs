//! `case.json`, read an item at a time against the manifest and against what the
//! bundle's own custody log, replayed, says it should be.

use super::custody::check_custody;
use super::entry::{Entry, open_entry};
use super::open::Source;
use super::{FindingKind, MAX_ENTRIES, MAX_TAG_BYTES, Report, Zip, bundle, finding};
use crate::bundle::{bag, casejson};
use crate::replay::{self, Difference, Replay};
use std::collections::{BTreeMap, BTreeSet};

/// The custody chain, replayed to what case.json should say, and `case.json` against
/// it and the manifest (`listed`, when it could be read). Returns what was kept of
/// `case.json`, when it could be read.
pub(super) fn check(
    r: &mut Report,
    z: &mut Zip<'_>,
    listed: Option<&bag::Manifest>,
) -> Option<CaseSummary> {
    // The log first (a line at a time), then case.json (an item at a time), each
    // item compared with the log's replay as it is read: neither is held whole.
    let mut replay = Replay::new(
        replay::Mode::Bundle,
        r.facts.as_ref().map(|f| f.case.as_str()),
    );
    let custody_ok = match z.names.get("custody.jsonl") {
        Some(e) => match check_custody(r, z.src, e, &mut replay) {
            Some(crc) => {
                if crc != e.crc32 {
                    z.crc_bad.push("custody.jsonl".into());
                }
                true
            }
            None => false,
        },
        None => false,
    } && !r
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Malformed && f.file.as_deref() == Some("custody.jsonl"));
    // case.json after the hashing, so that what each keeps is not held at once.
    let case_file = z
        .names
        .get("case.json")
        .filter(|e| e.size <= MAX_TAG_BYTES)
        .and_then(|e| {
            read_case_file(
                r,
                z.src,
                e,
                &mut z.crc_bad,
                custody_ok.then_some(&mut replay),
            )
        });
    if custody_ok && case_file.is_some() {
        finish_replay(r, replay);
    }
    if let (Some(listed), Some(c)) = (listed, &case_file) {
        check_case_file(r, c, listed, &z.names);
    }
    case_file
}

/// What verify keeps of `case.json`: its head whole, and of each item only what the
/// later checks need (about a hundred bytes an item; the item records are never held).
pub(super) struct CaseSummary {
    pub(super) head: casejson::CaseHead,
    pub(super) items: Vec<CaseItemRef>,
}

pub(super) struct CaseItemRef {
    id: i64,
    size: u64,
    /// `None` when the record's SHA-256 is not 64 hex digits.
    sha256: Option<[u8; 32]>,
    pub(super) path: Box<str>,
}

fn sha_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).ok()?;
    Some(out)
}

/// Read `case.json` item by item (never whole), keeping a [`CaseSummary`].
fn read_case_file(
    r: &mut Report,
    src: &Source,
    e: &Entry,
    crc_bad: &mut Vec<String>,
    mut replay: Option<&mut Replay>,
) -> Option<CaseSummary> {
    let mut reader = match open_entry(src, e) {
        Ok(x) => x,
        Err(err) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json cannot be read: {err}."),
            ));
            return None;
        }
    };
    let mut items = Vec::new();
    let mut too_many = false;
    // Payload names checked against the rule (bundle::payload_name) once the count is
    // known: the names are kept with their original names' verdicts per width.
    let mut misnamed: Vec<String> = Vec::new();
    let mut widths = BTreeSet::new();
    // What differs from the custody log's replay, by file the finding names.
    let mut differs: Vec<String> = Vec::new();
    let mut unlogged: Vec<String> = Vec::new();
    let parsed = casejson::read_raw(&mut reader, &mut |bi, raw| {
        if items.len() >= MAX_ENTRIES {
            too_many = true;
            return;
        }
        if let Some(replay) = replay.as_deref_mut() {
            for d in replay.compare_item(raw) {
                let to = match d {
                    Difference::ItemNotInLog { .. } => &mut unlogged,
                    _ => &mut differs,
                };
                if to.len() <= MAX_NAMED_FINDINGS {
                    to.push(difference_sentence(&d));
                }
            }
        }
        let i = items.len();
        // The number's width is only known at the end: check the name part now,
        // with the width its own digits give, and the width itself afterwards.
        let digits = bi.path.strip_prefix("data/").map_or(0, |rest| {
            rest.bytes().take_while(u8::is_ascii_digit).count()
        });
        widths.insert(digits);
        if !bundle::is_payload_name(&bi.path, i, digits.max(3), &bi.item.original_name)
            && misnamed.len() <= MAX_NAMED_FINDINGS
        {
            misnamed.push(format!(
                "case.json puts item {} ({}) at {}, which is not the name Evidence Kit gives it.",
                bi.item.id,
                bi.item.original_name.escape_debug(),
                bi.path.escape_debug()
            ));
        }
        items.push(CaseItemRef {
            id: bi.item.id,
            size: bi.item.size,
            sha256: sha_bytes(&bi.item.sha256),
            path: bi.path.into_boxed_str(),
        });
    });
    let head = match parsed {
        Ok(head) => head,
        Err(err) if err.is_io() => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json cannot be read: {err}."),
            ));
            return None;
        }
        Err(err) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json is not a case record ({err})."),
            ));
            return None;
        }
    };
    if reader.crc32() != e.crc32 {
        crc_bad.push("case.json".into());
    }
    if too_many {
        r.findings.push(finding(
            FindingKind::TooLarge,
            Some("case.json"),
            format!("case.json describes more than {MAX_ENTRIES} items; it was not examined."),
        ));
        return None;
    }
    items.shrink_to_fit();
    let width = bundle::payload_width(items.len());
    if widths.iter().any(|w| *w != width) {
        misnamed.push(format!(
            "The payload names are not numbered with {width} digits, as Evidence Kit numbers the items of a bundle of {} item(s).",
            items.len()
        ));
    }
    push_capped(r, FindingKind::Mismatch, "case.json", misnamed);
    if let Some(replay) = replay {
        differs.extend(
            replay
                .compare_case(&head.case)
                .iter()
                .map(difference_sentence),
        );
    }
    push_capped(r, FindingKind::Mismatch, "case.json", differs);
    push_capped(r, FindingKind::Mismatch, "custody.jsonl", unlogged);
    Some(CaseSummary { head, items })
}

/// Most findings of one kind named one by one; the rest are counted.
pub(super) const MAX_NAMED_FINDINGS: usize = 1000;

/// `text` with its first letter in upper case (the replay's texts start lower case).
pub(super) fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A difference between case.json and the custody log, as one sentence.
fn difference_sentence(d: &Difference) -> String {
    let text = capitalised(&d.to_string());
    match d {
        Difference::ItemNotInLog { .. } => format!(
            "{text}: case.json describes an item whose capture the bundle's custody log does not record."
        ),
        _ => format!("{text} (case.json does not say what the bundle's own custody log says)."),
    }
}

/// What the log records and case.json leaves out, and capture times later than the
/// seal (a finding, or a note when the log records the clock set back since).
fn finish_replay(r: &mut Report, replay: Replay) {
    let sealed = r
        .facts
        .as_ref()
        .map(|f| f.sealed.clone())
        .unwrap_or_default();
    let mut late = Vec::new();
    for c in replay.captures_after(&sealed) {
        let text = format!(
            "Item {} was captured at {}, after the bundle was sealed at {sealed}",
            c.item, c.captured_utc
        );
        if c.excused {
            r.notes.push(format!(
                "{text}; the custody log records that the computer's clock was set back since, which explains it."
            ));
        } else if late.len() <= MAX_NAMED_FINDINGS {
            late.push(format!(
                "{text}: a capture cannot come after its seal (the times were changed, or the computer's clock was wrong without the log saying so)."
            ));
        }
    }
    push_capped(r, FindingKind::Mismatch, "case.json", late);
    let missing: Vec<String> = replay
        .finish()
        .iter()
        .take(MAX_NAMED_FINDINGS + 1)
        .map(difference_sentence)
        .collect();
    push_capped(r, FindingKind::Mismatch, "case.json", missing);
}

fn check_case_file(
    r: &mut Report,
    c: &CaseSummary,
    listed: &bag::Manifest,
    names: &BTreeMap<&str, &Entry>,
) {
    if c.head.format != bundle::CASE_FORMAT {
        r.findings.push(finding(
            FindingKind::Malformed,
            Some("case.json"),
            format!(
                "case.json has format {}, which this version does not read.",
                c.head.format
            ),
        ));
    }
    let mut found = Vec::new();
    for it in &c.items {
        match listed.get(&it.path) {
            None => found.push(format!(
                "case.json lists item {} at {}, which the manifest does not.",
                it.id, it.path
            )),
            Some(h) if Some(*h) != it.sha256 => found.push(format!(
                "case.json gives item {} ({}) a different SHA-256 from the manifest.",
                it.id, it.path
            )),
            _ => {}
        }
        if let Some(e) = names.get(&*it.path)
            && e.size != it.size
        {
            found.push(format!(
                "case.json gives {} a size of {} bytes; the file has {}.",
                it.path, it.size, e.size
            ));
        }
        if found.len() > MAX_NAMED_FINDINGS {
            break;
        }
    }
    let mut paths: Vec<&str> = c.items.iter().map(|i| &*i.path).collect();
    paths.sort_unstable();
    for p in listed.keys() {
        if found.len() > MAX_NAMED_FINDINGS {
            break;
        }
        if paths.binary_search(&p).is_err() {
            found.push(format!(
                "{p} is in the manifest but case.json does not describe it."
            ));
        }
    }
    push_capped(r, FindingKind::Mismatch, "case.json", found);
}

/// Push each message as a finding, naming at most [`MAX_NAMED_FINDINGS`].
pub(super) fn push_capped(r: &mut Report, kind: FindingKind, file: &str, messages: Vec<String>) {
    let more = messages.len().saturating_sub(MAX_NAMED_FINDINGS);
    for m in messages.into_iter().take(MAX_NAMED_FINDINGS) {
        r.findings.push(finding(kind, Some(file), m));
    }
    if more > 0 {
        r.findings.push(finding(
            kind,
            Some(file),
            format!("…and more like these in {file}, not listed one by one."),
        ));
    }
}
