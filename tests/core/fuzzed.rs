//! Regression tests for what the fuzz targets (`fuzz/`, `make fuzz`) found in parsers other
//! than the verifier (whose finds are test vectors in `tests/vectors/`). Each feeds the
//! input kept in `fuzz/crashes/TARGET/`.

use crate::util::{Env, stderr};
use evidence_kit::bundle::CustodyLine;
use evidence_kit::custody;
use std::path::Path;
use std::process::Command;

fn kept(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/crashes")
        .join(target)
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// fuzz/crashes/custody/seq-max.jsonl: an entry whose `seq` is the largest an i64 holds.
/// The entry after it overflowed (a panic in debug builds, a wrap to i64::MIN in release);
/// it now keeps the largest seq, which the store refuses to write twice.
#[test]
fn the_entry_after_the_largest_seq_does_not_overflow() {
    let bytes = kept("custody", "seq-max.jsonl");
    let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let Ok(CustodyLine::Full(e)) = serde_json::from_slice::<CustodyLine>(line) else {
        panic!("seq-max.jsonl is a full custody entry");
    };
    assert_eq!(e.seq, i64::MAX);
    let next = custody::next_entry(
        Some(&e),
        e.at.clone(),
        &e.actor,
        &e.action,
        e.case_id.as_deref(),
        e.item_id,
        &e.details_json(),
    );
    assert_eq!(next.seq, i64::MAX);
    assert_eq!(next.prev_hash, e.hash);
    assert_eq!(next.compute_hash(), next.hash);
}

/// A store whose custody log was edited to end at the largest seq: the next change is
/// refused with a sentence (exit 2) and nothing is written, instead of a panic.
#[test]
fn a_custody_log_ending_at_the_largest_seq_refuses_the_next_change() {
    let env = Env::new();
    let case = env.case();
    let sql = format!(
        "UPDATE custody SET seq = {} WHERE seq = (SELECT MAX(seq) FROM custody)",
        i64::MAX
    );
    let out = Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg(&sql)
        .output()
        .expect("sqlite3");
    assert!(out.status.success(), "{}", stderr(&out));
    let before = env.snapshot();
    let f = env.file("notes.txt", b"evidence");
    let out = env.ek(&[
        "capture",
        "file",
        "--case",
        &case,
        f.to_str().expect("path"),
    ]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        env.snapshot(),
        before,
        "the refused capture changed the store"
    );
}
