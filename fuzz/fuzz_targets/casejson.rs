//! `case.json` (`src/bundle/casejson.rs`) and its comparison with the custody log's
//! replay (`src/replay.rs`): the input is `case.json`, compared item by item with the
//! replay of the `plain` vector's own custody log, as the verifier does.
//!
//! Properties: never panics; memory bounded; what parses is written back by the
//! streaming writer (head, items, tail) exactly as `to_string_pretty(&CaseFile)` plus a
//! newline, and that text parses to the same record.
#![no_main]

use evidence_kit::bundle::{BagItem, CaseFile, CustodyLine, casejson};
use evidence_kit::replay::{Mode, Replay};
use evidence_kit_fuzz::{PLAIN_CUSTODY, custody_lines};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The replay of the plain vector's log, before any record is compared.
fn replayed() -> Replay {
    static LINES: OnceLock<Vec<CustodyLine>> = OnceLock::new();
    let lines = LINES.get_or_init(|| {
        custody_lines(PLAIN_CUSTODY)
            .into_iter()
            .map(|l| serde_json::from_slice(l).expect("plain custody line"))
            .collect()
    });
    let mut replay = Replay::new(Mode::Bundle, None);
    for l in lines {
        match l {
            CustodyLine::Full(e) => {
                replay.apply(e);
            }
            CustodyLine::Redacted { seq, .. } => replay.skip(*seq),
        }
    }
    replay
}

fuzz_target!(|data: &[u8]| {
    let mut replay = replayed();
    let mut items: Vec<BagItem> = Vec::new();
    let mut said = 0usize;
    let parsed = casejson::read_raw(data, &mut |item, raw| {
        for d in replay.compare_item(raw) {
            said += d.to_string().len();
            let _ = d.is_about_an_item();
        }
        items.push(item);
    });
    let Ok(head) = parsed else {
        return;
    };
    for d in replay.compare_case(&head.case) {
        said += d.to_string().len();
    }
    for c in replay.captures_after(&head.sealed.utc) {
        assert!(!c.captured_utc.is_empty());
    }
    for d in replay.finish() {
        said += d.to_string().len();
    }
    let _ = said;

    // The streaming writer, as seal uses it.
    let mut text = casejson::head_text(&head);
    for (i, item) in items.iter().enumerate() {
        text.push_str(&casejson::item_text(i == 0, item));
    }
    text.push_str(casejson::tail_text(!items.is_empty()));
    let file = CaseFile {
        format: head.format.clone(),
        bundle: head.bundle.clone(),
        sealed: head.sealed.clone(),
        case: head.case.clone(),
        items,
    };
    let whole = serde_json::to_string_pretty(&file).expect("serialise") + "\n";
    assert_eq!(
        text, whole,
        "the streamed case.json is not to_string_pretty's text"
    );
    let again = casejson::read_all(text.as_bytes()).expect("a written case.json parses");
    assert_eq!(again, file, "case.json does not round-trip");
});
