//! Two processes capturing into one store at once.

use crate::util::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// Set in the two child processes of the test below, to the writer's letter.
const WRITER_VAR: &str = "EK_TEST_CONCURRENT_WRITER";
/// Captures each child makes, one transaction each.
const CAPTURES_EACH: usize = 60;

/// One child of [`headline_two_processes_capturing_at_once_interleave_into_one_chain`]:
/// a long-lived process with one store connection, as the desktop app is, that waits
/// until its sibling is ready too and then captures [`CAPTURES_EACH`] files, one
/// capture (one immediate transaction) at a time.
fn concurrent_writer(who: &str) {
    let dir = std::path::PathBuf::from(std::env::var("EK_TEST_DIR").expect("EK_TEST_DIR"));
    let case = std::env::var("EK_TEST_CASE").expect("EK_TEST_CASE");
    let store = evidence_kit::store::Store::open(&dir.join("store")).expect("open the store");
    std::fs::write(dir.join(format!("ready-{who}")), b"").expect("ready");
    let start = Instant::now();
    while !["a", "b"]
        .iter()
        .all(|w| dir.join(format!("ready-{w}")).exists())
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the other writer never started"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    for i in 0..CAPTURES_EACH {
        let f = dir.join(format!("{who}{i}.txt"));
        std::fs::write(&f, format!("from process {who}, file {i}")).expect("write");
        evidence_kit::capture::file(&store, &case, &f, &Default::default())
            .unwrap_or_else(|e| panic!("{who}: capture {i} failed: {e}"));
    }
}

/// Re-run this test binary on one test, as a child process, with `envs`.
fn rerun(test: &str, envs: &[(&str, &str)]) -> std::process::Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("re-run the test binary")
}

/// Two processes, one chain: two long-lived processes (this test binary re-run as
/// children, each holding one store connection, as the app does beside the CLI)
/// capture 60 files each at the same moment, one transaction per file. Every capture
/// is kept, the custody log is one unbroken chain, and the two really interleaved:
/// consecutive captures in the log change process at least 5 times (each waits for
/// the other's write lock, so they mostly alternate). Under a DEFERRED transaction the
/// later of two writers finds the chain moved on under it and fails ("database is
/// locked"), which only happens if they overlap, hence the count.
#[test]
fn headline_two_processes_capturing_at_once_interleave_into_one_chain() {
    const NAME: &str =
        "concurrency::headline_two_processes_capturing_at_once_interleave_into_one_chain";
    if let Ok(who) = std::env::var(WRITER_VAR) {
        return concurrent_writer(&who);
    }
    let env = Env::new();
    let case = env.case();
    let dir = env.dir.path().to_str().expect("utf-8 path");
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|w| {
            let c = rerun(
                NAME,
                &[
                    (WRITER_VAR, w),
                    ("EK_TEST_DIR", dir),
                    ("EK_TEST_CASE", &case),
                ],
            );
            (w, c)
        })
        .collect();
    for (w, c) in children {
        let out = c.wait_with_output().expect("wait");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.contains("test result: ok. 1 passed"),
            "writer {w}: {said}{}",
            stderr(&out)
        );
    }
    let items = env.items(&case);
    assert_eq!(items.len(), 2 * CAPTURES_EACH);
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["entries_checked"],
        1 + 2 * CAPTURES_EACH,
        "one linear chain: 1 case + every capture"
    );
    // Items are numbered in commit order; each one's writer is its name's first letter.
    let writers: Vec<char> = items
        .iter()
        .map(|i| i["original_name"].as_str().unwrap().chars().next().unwrap())
        .collect();
    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).unwrap();
    let in_log: Vec<i64> = log
        .iter()
        .filter(|e| e["action"] == "captured")
        .map(|e| e["item_id"].as_i64().unwrap())
        .collect();
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(in_log, ids, "the log's order is the items' order");
    let alternations = writers.windows(2).filter(|w| w[0] != w[1]).count();
    eprintln!(
        "two writers: {alternations} alternations in {} captures",
        writers.len()
    );
    assert!(
        alternations >= 5,
        "the two processes barely overlapped ({alternations} alternations): {}",
        writers.iter().collect::<String>()
    );
}

/// Two `capture file` commands of 100 files each at once: each is one transaction (all
/// or nothing), so they queue whole, into one chain.
#[test]
fn two_capture_commands_of_100_files_each_at_once_queue_into_one_chain() {
    let env = Env::new();
    let case = env.case();
    let mut args_a = vec![];
    let mut args_b = vec![];
    for i in 0..100 {
        args_a.push(env.file(
            &format!("a{i}.txt"),
            format!("from process A, file {i}").as_bytes(),
        ));
        args_b.push(env.file(
            &format!("b{i}.txt"),
            format!("from process B, file {i}").as_bytes(),
        ));
    }
    let spawn = |files: &[std::path::PathBuf]| {
        Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
            .args([
                "--store",
                env.store().to_str().unwrap(),
                "capture",
                "file",
                "--case",
                &case,
            ])
            .args(files)
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn(&args_a));
        let b = s.spawn(|| spawn(&args_b));
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(env.items(&case).len(), 200);
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["entries_checked"], 201,
        "one linear chain: 1 case + 200 captures"
    );
}

#[test]
fn processes_creating_a_new_store_at_once_all_succeed() {
    let env = Env::new();
    let outs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let store = env.store();
                s.spawn(move || {
                    ek_on(
                        &store,
                        &[
                            "case",
                            "new",
                            "--title",
                            &format!("case {i}"),
                            "--staff",
                            "S",
                        ],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outs {
        assert!(o.status.success(), "{}", stderr(o));
    }
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["entries_checked"], 4);
}

/// `check` while other processes capture, open cases, fill in reports and edit notes:
/// it reads one moment of the store, so a healthy store never gets a false alarm
/// ("possible lost capture", "not in custody log", "record changed", "records lost").
#[test]
fn check_never_raises_a_false_alarm_while_other_processes_write() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    let env = Env::new();
    let case = env.case();
    // A large object, so that each check spends a while re-hashing between its reads.
    let big: Vec<u8> = (0..24u32 << 20).map(|i| (i % 251) as u8).collect();
    let big = env.file("big.bin", &big);
    env.ok(&["capture", "file", "--case", &case, big.to_str().unwrap()]);
    env.assert_intact();

    let stop = AtomicBool::new(false);
    let writes = AtomicUsize::new(0);
    let store = env.store();
    let ek = |args: &[&str]| {
        let out = ek_on(&store, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        writes.fetch_add(1, Ordering::Relaxed);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let mut alarms = Vec::new();
    let mut checks = 0;
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let f = env.file(&format!("c{i}.txt"), format!("capture {i}").as_bytes());
                ek(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
                i += 1;
            }
        });
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let id = ek(&["case", "new", "--title", "Another", "--staff", "B"]);
                ek(&["case", "report", "--case", &id, "--role", "Teacher"]);
            }
        });
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let note = format!("note {i}");
                ek(&["edit", "--item", "1", "--field", "note", "--value", &note]);
                i += 1;
            }
        });
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let (code, report) = env.check();
            checks += 1;
            if code != 0 {
                alarms.push(report);
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    let writes = writes.load(Ordering::Relaxed);
    eprintln!("{checks} checks during {writes} writes");
    assert!(writes > 20, "the writers barely ran: {writes} writes");
    assert!(
        alarms.is_empty(),
        "{} of {checks} checks raised an alarm on a healthy store: {:#}",
        alarms.len(),
        alarms[0]
    );
    env.assert_intact();
}
