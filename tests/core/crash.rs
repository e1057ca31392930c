//! Crash safety: killing a capture at any moment leaves no half item and no
//! orphan record; the next open cleans the temp file and logs it.

use crate::util::*;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn killing_a_large_capture_leaves_nothing_half_done() {
    let env = Env::new();
    let case = env.case();
    let big = env.path("big.bin");
    {
        // 96 MiB of varied bytes, so it takes a while to hash, write and re-read.
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        let mut block = vec![0u8; 1024 * 1024];
        for i in 0..96u32 {
            for (j, b) in block.iter_mut().enumerate() {
                *b = (i as usize * 31 + j * 7) as u8;
            }
            f.write_all(&block).unwrap();
        }
    }
    let mut acknowledged = 0;
    let mut killed = 0;
    // Kill at a spread of moments: before, during streaming, during read-back,
    // around the rename and commit.
    for delay_ms in [0u64, 5, 20, 60, 120, 200, 300, 450, 700, 1000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
            .args([
                "--store",
                env.store().to_str().unwrap(),
                "capture",
                "file",
                "--case",
                &case,
            ])
            .arg(&big)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            acknowledged += 1;
        } else {
            killed += 1;
        }
        // Every acknowledged capture is there; nothing else is.
        let (code, report) = env.check();
        assert_eq!(code, 0, "after kill at {delay_ms} ms: {report:#}");
        assert_eq!(
            env.items(&case).len(),
            acknowledged,
            "after kill at {delay_ms} ms"
        );
        assert!(
            walk_files(&env.store().join("tmp")).is_empty(),
            "temp cleaned at next open"
        );
    }
    eprintln!("crash test: {killed} killed, {acknowledged} completed");
    assert!(killed > 0, "at least one capture was really interrupted");
    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).unwrap();
    assert_eq!(
        log.iter().filter(|e| e["action"] == "captured").count(),
        acknowledged
    );
}

#[test]
fn killing_a_seal_leaves_no_bundle_and_no_sealed_entry() {
    let env = Env::new();
    let case = env.case();
    let big = env.path("video.bin");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        let block: Vec<u8> = (0..1024 * 1024).map(|j| (j * 13 % 256) as u8).collect();
        for _ in 0..64 {
            f.write_all(&block).unwrap();
        }
    }
    env.ok(&["capture", "file", "--case", &case, big.to_str().unwrap()]);
    let keys = env.path("cfg");
    env.new_key(&keys, "A. Teacher");
    let cfg = keys.to_str().unwrap();
    let out = env.path("bundle.evidence");
    let mut sealed = 0;
    let mut killed = 0;
    for delay_ms in [0u64, 10, 40, 80, 150, 250, 400] {
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
            .args(["--store", env.store().to_str().unwrap(), "--config", cfg])
            .args(["seal", "--case", &case, "--out", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let ok = child.wait().unwrap().success();
        let log: Vec<serde_json::Value> =
            serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).unwrap();
        let entries = log.iter().filter(|e| e["action"] == "sealed").count();
        if ok {
            sealed += 1;
            assert!(out.exists());
        } else {
            killed += 1;
        }
        // A "sealed" entry exists only for seals that finished, and a bundle file
        // exists only complete (renamed from .partial at the very end).
        assert_eq!(entries, sealed, "after kill at {delay_ms} ms");
        if out.exists() {
            let v = env.ek(&["--config", cfg, "verify", out.to_str().unwrap()]);
            assert_eq!(v.status.code(), Some(0), "a bundle that exists verifies");
        }
        env.assert_intact();
    }
    eprintln!("seal crash test: {killed} killed, {sealed} completed");
    assert!(killed > 0);
    // After the interruptions a seal still works (a stale .partial is overwritten).
    let _ = std::fs::remove_file(&out);
    env.seal(&keys, &case, "bundle.evidence");
    let v = env.ek(&["--config", cfg, "verify", out.to_str().unwrap()]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
}
