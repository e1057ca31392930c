//! The store through the library: schema, clock anomalies, temp clean-up.

use crate::util::*;
use evidence_kit::clock::Stamp;
use evidence_kit::store::Store;
use std::sync::Arc;

/// What the file itself keeps: WAL and the schema version. The per-connection pragmas
/// (`synchronous`, `foreign_keys`, `secure_delete`, `busy_timeout`) cannot be seen from
/// another connection; `store::tests` in `src/store/mod.rs` reads them on the store's own.
#[test]
fn pragmas_and_schema_version() {
    let env = Env::new();
    let store = Store::open(&env.store()).unwrap();
    drop(store);
    let out = std::process::Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg("PRAGMA journal_mode; PRAGMA user_version;")
        .output()
        .unwrap();
    assert!(out.status.success(), "sqlite3: {}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "wal\n4\n");
}

#[test]
fn a_newer_schema_is_refused_in_plain_words() {
    let env = Env::new();
    drop(Store::open(&env.store()).unwrap());
    std::process::Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg("PRAGMA user_version = 99;")
        .status()
        .unwrap();
    let out = env.ek(&["case", "list"]);
    assert_refused(&out, "made by a newer version of Evidence Kit");
}

#[test]
fn a_clock_set_back_is_flagged_not_refused() {
    let env = Env::new();
    let mut store = Store::open(&env.store()).unwrap();
    let at = |utc: &'static str| -> evidence_kit::clock::Clock {
        Arc::new(move || Stamp {
            utc: utc.into(),
            local: utc.replace('Z', "+00:00"),
            zone: "Europe/London".into(),
        })
    };
    store.set_clock(at("2026-11-25T10:00:00.000Z"));
    let case = store.create_case("t", "s").unwrap();
    store.set_clock(at("2026-11-25T09:00:00.000Z"));
    let f = env.file("a.txt", b"a");
    evidence_kit::capture::file(&store, &case.id, &f, &Default::default()).unwrap();
    let log = store.custody(Some(&case.id)).unwrap();
    assert!(!log[0].clock_anomaly);
    assert!(log[1].clock_anomaly, "clock went back an hour");
    assert_eq!(log[1].seq, 2, "order is the sequence, not the clock");
    drop(store);
    let (code, report) = env.check();
    assert_eq!(code, 0, "flagged, not a failure: {report:#}");
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("clock was set back")
    );
}

#[test]
fn an_abandoned_temp_file_is_removed_and_logged() {
    let env = Env::new();
    drop(Store::open(&env.store()).unwrap());
    // A temp file left by a process that no longer exists.
    let stale = env.store().join("tmp/ingest-999999999-abc.part");
    std::fs::write(&stale, b"half a capture").unwrap();
    let store = Store::open(&env.store()).unwrap();
    assert!(!stale.exists());
    let log = store.custody(None).unwrap();
    assert_eq!(log.last().unwrap().action, "incomplete_capture_removed");
    assert!(
        log.last()
            .unwrap()
            .details
            .contains("ingest-999999999-abc.part")
    );
    drop(store);

    // A file cut short while arriving through the window, already read-only (the app
    // stopped between protecting and moving it): removed, and said so in its own words.
    let stale = env.store().join("tmp/ingest-999999999-def.arriving");
    std::fs::write(&stale, b"half a video").unwrap();
    let mut perm = std::fs::metadata(&stale).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&stale, perm).unwrap();
    let store = Store::open(&env.store()).unwrap();
    assert!(!stale.exists());
    let last = store.custody(None).unwrap().pop().unwrap();
    assert_eq!(last.action, "incomplete_capture_removed");
    assert!(
        last.details.contains("added through the window"),
        "{}",
        last.details
    );
    assert_eq!(
        last.describe(),
        "A file being added through the window, cut short before it was saved, was cleaned up."
    );
}

/// A store written by an earlier version (schema 2: no incident report, no removals)
/// opens, is migrated in place, and keeps every record and its custody chain.
#[test]
fn an_older_store_is_migrated_keeping_everything() {
    let env = Env::new();
    let case = env.case();
    let f = env.file("a.txt", b"kept across versions");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let status = std::process::Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg(
            "ALTER TABLE items DROP COLUMN removed_utc; ALTER TABLE items DROP COLUMN removed_local;
             ALTER TABLE items DROP COLUMN removed_zone; ALTER TABLE items DROP COLUMN removed_reason;
             ALTER TABLE cases DROP COLUMN report; PRAGMA user_version = 2;",
        )
        .status()
        .unwrap();
    assert!(status.success());
    let items = env.items(&case);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["original_name"], "a.txt");
    env.assert_intact();
    env.ok(&["case", "report", "--case", &case, "--police", "no"]);
    env.assert_intact();
    let out = std::process::Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg("PRAGMA user_version;")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4\n");
}

/// A capture stopped after its bytes were moved into `objects/` and before its record
/// was committed leaves a marker in `tmp/`; the next open says so in the custody log,
/// and `check` explains that object in a note rather than calling it a lost capture.
#[test]
fn bytes_saved_by_an_interrupted_capture_are_logged_and_explained() {
    let env = Env::new();
    drop(Store::open(&env.store()).unwrap());
    let bytes = b"saved, never recorded";
    let sha = sha256sum(&env.file("x", bytes));
    let obj = evidence_kit::store::object_path_in(&env.store(), &sha);
    std::fs::create_dir_all(obj.parent().unwrap()).unwrap();
    std::fs::write(&obj, bytes).unwrap();
    let marker = env.store().join("tmp/ingest-999999999-abc.placed");
    std::fs::write(&marker, &sha).unwrap();

    let store = Store::open(&env.store()).unwrap();
    assert!(!marker.exists());
    let last = store.custody(None).unwrap().pop().unwrap();
    assert_eq!(last.action, "interrupted_capture_kept");
    assert!(last.details.contains(&sha), "{}", last.details);
    drop(store);
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("a capture was interrupted after its bytes were saved"),
        "{report:#}"
    );
}
