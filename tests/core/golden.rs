//! The custody log's `details`, pinned before custody events were typed (issue 15):
//! `tests/golden/custody.jsonl` is a chain written by this version's writers through the
//! CLI, one entry for every action the CLI makes (the record made, three captures, each
//! item field described, a withdrawal, every report field and the police decision, an
//! indecent image noted and one removed, a plain and an encrypted seal, the hand-over
//! and the designated person's receipt), as `log --json` prints them. It was made once
//! (`EVIDENCE_KIT_WRITE_GOLDEN=1 cargo test -p evidence-kit --test core golden::`) and
//! is never rewritten by a normal run. The test holds:
//! - the file itself: every entry's hash recomputes and links to the one before, and
//!   every `details` text is the canonical serialisation of its own JSON (keys sorted,
//!   compact), so a writer that serialises differently cannot match it;
//! - the typed events: every entry reads as its `event::Event`, which writes the very
//!   same `details` text again;
//! - today's writers: the same steps made now give the same actions in the same order,
//!   each `details` with the same shape (the same keys in the same order, at every
//!   depth, with values of the same JSON type) — ids, times and hashes differ run to
//!   run, the shape may not.
//!
//! (Entries written outside a record — `clock_set_back`, the start-up clean-up of an
//! interrupted capture — are not made by the CLI and are pinned by `store.rs`,
//! `bundle/seal.rs` and `crash.rs`.)

use crate::util::*;
use evidence_kit::custody::{self, Entry};
use serde_json::Value;
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/custody.jsonl");

/// A record taken through every custody action the CLI makes; its log as `log --json`.
fn make_chain() -> Vec<Value> {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let cfg_s = cfg.to_str().unwrap();
    let case = env.case();
    for (name, bytes) in [
        ("message.txt", &b"You will regret this.\n"[..]),
        ("post.txt", &b"Everyone knows what she did.\n"[..]),
        ("picture.png", &b"\x89PNG\r\n\x1a\nnot really a picture"[..]),
    ] {
        let f = env.file(name, bytes);
        env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    }
    for (field, value) in [
        ("note", "Sent at night."),
        ("site", "A parents' group chat"),
        ("url", "https://example.org/post/1"),
        ("seen", "2026-11-24T21:15:00+00:00"),
        ("from_handle", "@someone"),
        ("from_email", "someone@example.org"),
        ("from_phone", "+44 7700 900123"),
        ("from_profile", "https://example.org/someone"),
        ("note", ""),
    ] {
        #[rustfmt::skip]
        env.ok(&["edit", "--item", "1", "--field", field, "--value", value]);
    }
    #[rustfmt::skip]
    env.ok(&["withdraw", "--item", "2", "--reason", "Captured twice by mistake."]);
    #[rustfmt::skip]
    env.ok(&[
        "case", "report", "--case", &case,
        "--role", "Class teacher", "--contact", "a.teacher@school.example",
        "--addressed-to", "Mrs D. Lead", "--description", "Messages about me in a group.",
        "--responsible", "parent", "--witnesses", "A colleague saw them.",
        "--continuing", "yes", "--platform-report", "Reported on 25 November.",
        "--advice", "Keep everything.", "--informed", "My line manager.",
        "--police", "yes", "--police-ref", "CAD 1234",
    ]);
    #[rustfmt::skip]
    env.ok(&["case", "report", "--case", &case, "--witnesses", ""]);
    #[rustfmt::skip]
    env.ok(&["case", "safeguard", "--case", &case, "--site", "a group chat", "--police-informed", "2026-11-25T15:00:00+00:00"]);
    #[rustfmt::skip]
    env.ok(&["case", "safeguard", "--case", &case, "--item", "3"]);
    env.seal(&cfg, &case, "plain.evidence");
    // An encrypted seal to a designated person, who also signs the receipt.
    let dcfg = env.path("dsl-cfg");
    let recipient = env.ok(&[
        "--config",
        dcfg.to_str().unwrap(),
        "keys",
        "new-recipient",
        "--name",
        "Mrs D. Lead",
        "--no-passphrase",
    ]);
    #[rustfmt::skip]
    env.ok(&["--config", cfg_s, "keys", "add-recipient", "--name", "Mrs D. Lead", recipient.trim()]);
    let sealed = env.path("sealed.evidence");
    #[rustfmt::skip]
    env.ok(&["--config", cfg_s, "seal", "--case", &case, "--out", sealed.to_str().unwrap(), "--to", "Mrs D. Lead"]);
    #[rustfmt::skip]
    env.ok(&["case", "handed-over", "--case", &case, "--to", "Mrs D. Lead"]);
    let dsl = Env::new();
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let trust = cfg.join("signing.pub");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receive", sealed.to_str().unwrap(), "--trust", trust.to_str().unwrap(), "--identity", dcfg.join("identity.age").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let receipt = dsl.path("receipt.evidence-receipt");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receipt", "--case", &case, "--out", receipt.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    #[rustfmt::skip]
    env.ok(&["receipt", "verify", receipt.to_str().unwrap(), "--trust", dcfg.join("signing.pub").to_str().unwrap(), "--record"]);
    serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).expect("log json")
}

/// A value's shape: objects keep their keys in order, arrays their items, and every
/// other value is its JSON type.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Array(
            m.iter()
                .map(|(k, v)| Value::Array(vec![Value::String(k.clone()), shape(v)]))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

fn details(e: &Value) -> Value {
    serde_json::from_str(e["details"].as_str().expect("details text")).expect("details json")
}

fn read_golden(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("tests/golden/custody.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a golden line"))
        .collect()
}

#[test]
fn headline_the_golden_custody_chain_keeps_its_details_and_hashes() {
    let golden = Path::new(GOLDEN);
    if std::env::var_os("EVIDENCE_KIT_WRITE_GOLDEN").is_some() {
        let lines: Vec<String> = make_chain().iter().map(Value::to_string).collect();
        std::fs::write(golden, lines.join("\n") + "\n").expect("write the golden chain");
    }
    let kept = read_golden(golden);
    // The file: hashes and links recompute, details are canonical text.
    let entries: Vec<Entry> = kept
        .iter()
        .map(|v| serde_json::from_value(v.clone()).expect("an entry"))
        .collect();
    assert_eq!(custody::verify_chain(&entries), vec![], "the golden chain");
    for e in &entries {
        assert_eq!(e.hash, e.compute_hash(), "entry {}", e.seq);
        let canonical = serde_json::to_string(&e.details_json()).expect("json");
        assert_eq!(
            e.details, canonical,
            "entry {} details are not canonical",
            e.seq
        );
    }
    // Typed: each entry reads as its event, which writes the very same text again.
    for e in &entries {
        let event = e
            .event()
            .unwrap_or_else(|| panic!("entry {} ({}) does not read as an event", e.seq, e.action));
        assert_eq!(event.action(), e.action, "entry {}", e.seq);
        assert_eq!(
            event.details_text(),
            e.details,
            "entry {} ({})",
            e.seq,
            e.action
        );
    }
    let actions: std::collections::BTreeSet<&str> =
        entries.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "case_created",
        "captured",
        "note_edited",
        "details_edited",
        "withdrawn",
        "report_edited",
        "indecent_image_recorded",
        "indecent_image_removed",
        "sealed",
        "handed_over",
        "receipt",
    ] {
        assert!(actions.contains(a), "the golden chain has no {a} entry");
    }
    // Today's writers: the same steps give the same actions and details of the same shape.
    let now = make_chain();
    let acts = |c: &[Value]| -> Vec<String> {
        c.iter()
            .map(|e| e["action"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(acts(&now), acts(&kept), "the actions written");
    for (n, k) in now.iter().zip(&kept) {
        assert_eq!(
            shape(&details(n)),
            shape(&details(k)),
            "entry {} ({}): its details changed shape\n now: {}\n kept: {}",
            k["seq"],
            k["action"],
            n["details"],
            k["details"]
        );
    }
}

const DESCRIBED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/custody-described.txt"
);

/// Every golden entry's sentence (`Entry::describe`, what the app's timeline and the
/// CLI's `log` show), one line each as `seq<TAB>sentence`. Issue 16 changed the words
/// on purpose (field labels, "sealed file", local times in words, no hashes): the file
/// was written again then, each line reviewed, and must stay as it is. No sentence
/// holds a SHA-256, an ISO time, JSON, a media type or a stored field name.
#[test]
fn headline_every_golden_entry_is_described_as_before() {
    let described: Vec<String> = read_golden(Path::new(GOLDEN))
        .into_iter()
        .map(|v| serde_json::from_value::<Entry>(v).expect("an entry"))
        .map(|e| {
            let sentence = e.describe();
            assert!(!sentence.contains('\n'), "entry {}: {sentence}", e.seq);
            assert_plain_words(&sentence);
            format!("{}\t{sentence}", e.seq)
        })
        .collect();
    if std::env::var_os("EVIDENCE_KIT_WRITE_GOLDEN").is_some() {
        std::fs::write(DESCRIBED, described.join("\n") + "\n").expect("write the sentences");
    }
    let kept = std::fs::read_to_string(DESCRIBED).expect("tests/golden/custody-described.txt");
    let kept: Vec<&str> = kept.lines().collect();
    assert_eq!(kept.len(), described.len(), "one sentence per golden entry");
    for (k, d) in kept.iter().zip(&described) {
        assert_eq!(k, d, "the entry's sentence changed");
    }
}

/// A sentence for a person: no run of 16 hex digits (a hash), no ISO time, no JSON, no
/// media type, no stored field name.
fn assert_plain_words(sentence: &str) {
    let hex_run = sentence
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(hex_run < 16, "a hash in: {sentence}");
    let iso = sentence
        .as_bytes()
        .windows(6)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'T' && w[2].is_ascii_digit() && w[4] == b':');
    assert!(!iso, "an ISO time in: {sentence}");
    for raw in [
        "{", "\"utc\"", "text/", "image/", "message/", "from_", "_to ", "police_",
    ] {
        assert!(!sentence.contains(raw), "{raw:?} in: {sentence}");
    }
}
