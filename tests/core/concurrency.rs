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
