//! Custody lines (`custody.jsonl`, `src/custody.rs` and `bundle::CustodyLine`): the input
//! is a custody log, walked a line at a time as the verifier walks it (parsed, checked
//! to be written exactly as Evidence Kit writes it, re-hashed, the chain followed,
//! replayed), then the `plain` vector's `case.json` is compared with the replay.
//!
//! Properties: never panics; memory bounded; a line that parses serialises back and
//! parses to the same line; the next entry built after any entry links to it and
//! carries its own correct hash; `verify_chain` agrees with the walk.
#![no_main]

use evidence_kit::bundle::{CustodyLine, casejson};
use evidence_kit::custody::{self, Entry};
use evidence_kit::replay::{Mode, Replay};
use evidence_kit_fuzz::{PLAIN_CASE, custody_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut replay = Replay::new(Mode::Bundle, None);
    let mut full: Vec<Entry> = Vec::new();
    let mut prev = custody::GENESIS_HASH.to_string();
    let mut expected = 1i64;
    let mut walk_breaks = 0usize;
    let mut all_full = true;
    for l in custody_lines(data) {
        let Ok(line) = serde_json::from_slice::<CustodyLine>(l) else {
            all_full = false;
            continue;
        };
        let out = serde_json::to_vec(&line).expect("serialise");
        let again: CustodyLine = serde_json::from_slice(&out).expect("a written line parses");
        assert_eq!(again, line, "a custody line does not round-trip");
        match &line {
            CustodyLine::Full(e) => {
                let _ = e.describe();
                let _ = e.details_json();
                let ok = e.compute_hash() == e.hash;
                walk_breaks += usize::from(e.seq != expected)
                    + usize::from(!ok)
                    + usize::from(e.prev_hash != prev);
                prev = e.hash.clone();
                expected = e.seq.saturating_add(1);
                if let Some(slip) = replay.apply(e) {
                    let _ = slip.to_string();
                }
                let next = custody::next_entry(
                    Some(e),
                    e.at.clone(),
                    &e.actor,
                    &e.action,
                    e.case_id.as_deref(),
                    e.item_id,
                    &e.details_json(),
                );
                assert_eq!(next.prev_hash, e.hash, "the next entry does not link");
                assert_eq!(
                    next.compute_hash(),
                    next.hash,
                    "the next entry's hash is wrong"
                );
                assert_eq!(next.seq, e.seq.saturating_add(1));
                full.push(e.clone());
            }
            CustodyLine::Redacted { seq, hash, .. } => {
                all_full = false;
                replay.skip(*seq);
                prev = hash.clone();
                expected = seq.saturating_add(1);
            }
        }
        if full.len() > 10_000 {
            break;
        }
    }
    if all_full {
        assert_eq!(
            custody::verify_chain(&full).len(),
            walk_breaks,
            "verify_chain and the walk disagree"
        );
    }
    let mut n = 0usize;
    if let Ok(head) = casejson::read_raw(PLAIN_CASE, &mut |_, raw| {
        n += replay
            .compare_item(raw)
            .iter()
            .map(|d| d.to_string().len())
            .sum::<usize>();
    }) {
        n += replay.compare_case(&head.case).len();
        n += replay.captures_after(&head.sealed.utc).len();
    }
    n += replay
        .finish()
        .iter()
        .map(|d| d.to_string().len())
        .sum::<usize>();
    let _ = n;
});
