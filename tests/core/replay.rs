//! The custody replay (`replay.rs`) on real stores and real sealed bundles: `check`
//! replays the store's log, and a genuine bundle's `case.json` replays clean against
//! its own `custody.jsonl`.

use crate::util::*;
use evidence_kit::custody::{Entry, GENESIS_HASH};
use evidence_kit::store::Store;
use std::process::Command;

/// The store's whole log (through the library, read-only).
fn log(env: &Env) -> Vec<Entry> {
    let store = Store::open_for_reading(&env.store()).expect("open store");
    store.custody(None).expect("custody")
}

/// Rewrite entry `seq`'s details and re-hash the chain from there on, as someone with
/// the store (but not a signing key) can: `check` must still not panic.
fn rewrite_details(env: &Env, seq: i64, details: &str) {
    let mut entries = log(env);
    let mut prev = GENESIS_HASH.to_string();
    let mut sql = String::from("BEGIN;");
    for e in &mut entries {
        if e.seq == seq {
            e.details = details.to_string();
        }
        if e.seq >= seq {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            sql.push_str(&format!(
                "UPDATE custody SET details = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {};",
                e.details.replace('\'', "''"),
                e.prev_hash,
                e.hash,
                e.seq
            ));
        }
        prev = e.hash.clone();
    }
    sql.push_str("COMMIT;");
    let out = Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg(&sql)
        .output()
        .expect("sqlite3");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn check_names_a_capture_entry_that_is_not_an_object_without_panicking() {
    let env = Env::new();
    let case = env.case();
    let a = env.file("a.txt", b"first evidence");
    env.ok(&["capture", "file", "--case", &case, a.to_str().unwrap()]);
    env.ok(&["withdraw", "--item", "1", "--reason", "a duplicate"]);
    env.ok(&["edit", "--item", "1", "--field", "from_handle", "--value", "@x"]);
    env.assert_intact();
    let captured = log(&env)
        .into_iter()
        .find(|e| e.action == "captured")
        .expect("a captured entry");
    rewrite_details(&env, captured.seq, "[]");
    let out = env.ek(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("record changed: item 1"), "{text}");
}
