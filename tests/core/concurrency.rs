//! Two processes capturing into one store at once.

use crate::util::*;
use std::process::Command;

#[test]
fn two_processes_capture_100_items_each_into_one_chain() {
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
