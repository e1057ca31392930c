//! Durability (issue 12, item 3): an acknowledged capture survives the loss of the
//! index's `-wal` and `-shm` files, and `check` names a custody log cut short (an older
//! copy of the index, a damaged one) from the anchor of its last entry,
//! `STORE/custody.head`, kept outside SQLite.

use crate::util::*;
use std::path::{Path, PathBuf};

/// Copy the store folder the way a backup tool that skips `*-wal`/`*-shm` would (or a
/// person copying only `evidence.sqlite` and `objects/`).
fn copy_without_wal(from: &Path, to: &Path) {
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .expect("cp");
    assert!(out.status.success(), "cp: {}", stderr(&out));
    for f in ["evidence.sqlite-wal", "evidence.sqlite-shm"] {
        let _ = std::fs::remove_file(to.join(f));
    }
}

/// A connection held open the way the desktop app holds one (idle between queries).
fn app_connection(env: &Env) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(env.store().join("evidence.sqlite")).expect("open");
    c.query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))
        .expect("read");
    c
}

fn capture(env: &Env, case: &str, name: &str, bytes: &[u8]) {
    let f = env.file(name, bytes);
    env.ok(&["capture", "file", "--case", case, f.to_str().unwrap()]);
}

fn check_on(store: &Path) -> (i32, Vec<String>) {
    let out = ek_on(store, &["check"]);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

fn head(store: &Path) -> String {
    std::fs::read_to_string(store.join("custody.head")).expect("custody.head")
}

fn last_entry(env: &Env, case: &str) -> (i64, String) {
    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", case, "--json"])).expect("log");
    let e = log.last().expect("an entry");
    (
        e["seq"].as_i64().unwrap(),
        e["hash"].as_str().unwrap().to_string(),
    )
}

#[test]
fn captures_made_while_the_app_holds_the_index_open_survive_losing_the_wal() {
    let env = Env::new();
    let case = env.case();
    let app = app_connection(&env);
    for i in 0..3 {
        capture(
            &env,
            &case,
            &format!("post-{i}.txt"),
            format!("post {i}").as_bytes(),
        );
    }
    // While the app is still open: the copy has no -wal.
    let copy: PathBuf = env.path("copy");
    copy_without_wal(&env.store(), &copy);
    // A damaged -wal loses nothing either (SQLite drops frames from a bad one on).
    let damaged = env.path("damaged");
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(env.store())
        .arg(&damaged)
        .output()
        .unwrap();
    assert!(out.status.success());
    let wal = damaged.join("evidence.sqlite-wal");
    if let Ok(mut bytes) = std::fs::read(&wal) {
        let _ = std::fs::remove_file(damaged.join("evidence.sqlite-shm"));
        if bytes.len() > 100 {
            bytes[60] ^= 0xff; // in the first frame: it and all after it are dropped
            std::fs::write(&wal, bytes).unwrap();
        }
    }
    drop(app);

    for store in [&copy, &damaged] {
        let items: Vec<serde_json::Value> =
            serde_json::from_slice(&ek_on(store, &["items", "--case", &case, "--json"]).stdout)
                .expect("items");
        assert_eq!(items.len(), 3, "every acknowledged capture is in {store:?}");
        let (code, lines) = check_on(store);
        assert_eq!(code, 0, "{lines:#?}");
    }
}

/// A reader in another process holding an old snapshot (a long `seal`, a `sqlite3`
/// session) stops the checkpoint from copying a new commit into `evidence.sqlite`: the
/// commit is safe in the fsynced `-wal`, and if that is then lost, `check` says so. The
/// first commit after the reader ends copies everything.
#[test]
fn a_commit_a_reader_kept_in_the_wal_is_named_if_the_wal_is_lost() {
    let env = Env::new();
    let case = env.case();
    capture(&env, &case, "a.txt", b"first");
    let reader = app_connection(&env);
    reader.execute_batch("BEGIN").unwrap();
    reader
        .query_row("SELECT count(*) FROM custody", [], |r| r.get::<_, i64>(0))
        .unwrap();
    capture(&env, &case, "b.txt", b"second");
    let copy = env.path("copy");
    copy_without_wal(&env.store(), &copy);
    let (code, lines) = check_on(&copy);
    assert_eq!(code, 1, "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains(
            "the custody log ends at entry 2 but entry 3 was recorded: recent records were lost"
        )),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("possible lost capture")),
        "{lines:#?}"
    );

    reader.execute_batch("COMMIT").unwrap();
    capture(&env, &case, "c.txt", b"third");
    let copy = env.path("copy-after");
    copy_without_wal(&env.store(), &copy);
    drop(reader);
    let (code, lines) = check_on(&copy);
    assert_eq!(code, 0, "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("3 item(s)")), "{lines:#?}");
}

#[test]
fn headline_check_names_a_custody_log_cut_short_by_an_older_copy_of_the_index() {
    let env = Env::new();
    let case = env.case();
    capture(&env, &case, "a.txt", b"first");
    let db = env.store().join("evidence.sqlite");
    let old = env.path("old.sqlite");
    std::fs::copy(&db, &old).unwrap();
    capture(&env, &case, "b.txt", b"second");
    capture(&env, &case, "c.txt", b"third");
    assert_eq!(
        head(&env.store()),
        format!("4 {}\n", last_entry(&env, &case).1)
    );

    // The index restored from the older copy: two acknowledged captures are gone.
    std::fs::copy(&old, &db).unwrap();
    for f in ["evidence.sqlite-wal", "evidence.sqlite-shm"] {
        let _ = std::fs::remove_file(env.store().join(f));
    }
    let (code, lines) = check_on(&env.store());
    assert_eq!(code, 1, "{lines:#?}");
    assert!(
        lines.contains(&"PROBLEM records lost: the custody log ends at entry 2 but entry 4 was recorded: recent records were lost (the index was restored from an older copy or damaged)".to_string()),
        "{lines:#?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("PROBLEM possible lost capture"))
            .count(),
        2,
        "{lines:#?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .contains("Keep this store as it is and tell your designated safeguarding person"),
        "{lines:#?}"
    );
    let (_, report) = env.check();
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "log_cut_short" && p["last"] == 2 && p["recorded"] == 4),
        "{report:#}"
    );

    // Writing on does not hide the loss: the anchor never moves back, and entries
    // written again under the lost numbers do not match it.
    capture(&env, &case, "d.txt", b"fourth");
    capture(&env, &case, "e.txt", b"fifth");
    capture(&env, &case, "f.txt", b"sixth");
    let (code, lines) = check_on(&env.store());
    assert_eq!(code, 1, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("entry 4 of the custody log is not the entry 4 that was recorded")),
        "{lines:#?}"
    );
}

#[test]
fn an_anchor_that_disagrees_with_the_log_is_named() {
    let env = Env::new();
    let case = env.case();
    capture(&env, &case, "a.txt", b"first");
    std::fs::write(
        env.store().join("custody.head"),
        format!("2 {}\n", "0".repeat(64)),
    )
    .unwrap();
    let (code, lines) = check_on(&env.store());
    assert_eq!(code, 1, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("entry 2 of the custody log is not the entry 2 that was recorded")),
        "{lines:#?}"
    );
    std::fs::write(env.store().join("custody.head"), "garbage").unwrap();
    let (code, lines) = check_on(&env.store());
    assert_eq!(code, 1, "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("custody.head")),
        "{lines:#?}"
    );
}

#[test]
fn a_store_made_before_the_anchor_is_fine_and_gets_one_at_its_next_write() {
    let env = Env::new();
    let case = env.case();
    capture(&env, &case, "a.txt", b"first");
    std::fs::remove_file(env.store().join("custody.head")).unwrap();
    let (code, lines) = check_on(&env.store());
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!(lines.len(), 1, "nothing said about the anchor: {lines:#?}");
    capture(&env, &case, "b.txt", b"second");
    let (seq, hash) = last_entry(&env, &case);
    assert_eq!(seq, 3);
    assert_eq!(head(&env.store()), format!("3 {hash}\n"));
    env.assert_intact();
}

#[test]
fn two_processes_writing_at_once_leave_the_anchor_at_the_last_entry() {
    let env = Env::new();
    let case = env.case();
    let files = |p: &str| -> Vec<PathBuf> {
        (0..25)
            .map(|i| env.file(&format!("{p}{i}.txt"), format!("{p} {i}").as_bytes()))
            .collect()
    };
    let (a, b) = (files("a"), files("b"));
    // One capture per process run, so the two interleave commit by commit.
    let run = |list: &[PathBuf]| {
        for f in list {
            let out = ek_on(
                &env.store(),
                &["capture", "file", "--case", &case, f.to_str().unwrap()],
            );
            assert!(out.status.success(), "{}", stderr(&out));
        }
    };
    std::thread::scope(|s| {
        s.spawn(|| run(&a));
        s.spawn(|| run(&b));
    });
    let (seq, hash) = last_entry(&env, &case);
    assert_eq!(seq, 51);
    assert_eq!(head(&env.store()), format!("51 {hash}\n"));
    env.assert_intact();
}

/// The app keeps its store open: a commit whose checkpoint a reader held back is
/// copied into `evidence.sqlite` when the store is closed, once the reader is done,
/// without waiting for another commit.
#[test]
fn a_commit_a_reader_held_back_is_checkpointed_when_the_store_closes() {
    use evidence_kit::capture::{self, Details};
    use evidence_kit::store::Store;
    let env = Env::new();
    let case = env.case();
    let store = Store::open(&env.store()).unwrap();
    let reader = app_connection(&env);
    reader.execute_batch("BEGIN").unwrap();
    reader
        .query_row("SELECT count(*) FROM custody", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let f = env.file("a.txt", b"kept while a seal was reading");
    capture::file(&store, &case, &f, &Details::default()).unwrap();
    reader.execute_batch("COMMIT").unwrap();
    drop(store);
    let copy = env.path("copy");
    copy_without_wal(&env.store(), &copy);
    drop(reader);
    let (code, lines) = check_on(&copy);
    assert_eq!(code, 0, "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("1 item(s)")), "{lines:#?}");
}
