//! Helpers: a temp folder per test, running the CLI, reading results.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary store folder, removed at the end of the test.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write a file in the temp folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    /// Run the CLI on this store.
    pub fn ek(&self, args: &[&str]) -> Output {
        ek_on(&self.store(), args)
    }

    /// Run the CLI, expect success, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.ek(args);
        assert!(
            out.status.success(),
            "evidence-kit {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run the CLI on this store with the keys folder `cfg`.
    pub fn ek_cfg(&self, cfg: &Path, args: &[&str]) -> Output {
        let mut all = vec!["--config", cfg.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        self.ek(&all)
    }

    /// A signing key for `name` with no passphrase (scrypt is slow in debug builds;
    /// the passphrase path has tests of its own) in the keys folder `cfg`.
    pub fn new_key(&self, cfg: &Path, name: &str) {
        let out = self.ek_cfg(cfg, &["keys", "new", "--name", name, "--no-passphrase"]);
        assert!(out.status.success(), "keys new: {}", stderr(&out));
    }

    /// Seal `case` with the key in `cfg` into the file `name` of the temp folder.
    pub fn seal(&self, cfg: &Path, case: &str, name: &str) -> PathBuf {
        let bundle = self.path(name);
        let path = bundle.to_str().expect("utf-8 path");
        let out = self.ek_cfg(cfg, &["seal", "--case", case, "--out", path]);
        assert!(out.status.success(), "seal: {}", stderr(&out));
        bundle
    }

    /// A new case; returns its id.
    pub fn case(&self) -> String {
        self.ok(&[
            "case",
            "new",
            "--title",
            "Posts about me",
            "--staff",
            "A. Teacher",
        ])
        .trim()
        .to_string()
    }

    /// The items of a case as JSON.
    pub fn items(&self, case: &str) -> Vec<serde_json::Value> {
        let out = self.ok(&["items", "--case", case, "--json"]);
        serde_json::from_str(&out).expect("items json")
    }

    /// Run `check --json`; returns (exit code, report).
    pub fn check(&self) -> (i32, serde_json::Value) {
        let out = self.ek(&["check", "--json"]);
        let code = out.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "check printed no JSON: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, report)
    }

    /// Assert the store passes `check`.
    pub fn assert_intact(&self) {
        let (code, report) = self.check();
        assert_eq!(code, 0, "check found problems: {report:#}");
    }

    /// Everything in the index that a failed command must not change.
    pub fn snapshot(&self) -> String {
        let out = Command::new("sqlite3")
            // immutable: also readable on read-only media (the WAL is checkpointed
            // after every commit, so nothing acknowledged is missed).
            .arg(format!(
                "file:{}?immutable=1",
                self.store().join("evidence.sqlite").display()
            ))
            .arg("SELECT * FROM cases; SELECT * FROM items; SELECT * FROM custody;")
            .output()
            .expect("sqlite3");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Number of object files in the store.
    pub fn object_count(&self) -> usize {
        walk_files(&self.store().join("objects")).len()
    }
}

pub fn ek_on(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("EVIDENCE_KIT_STORE")
        .output()
        .expect("run evidence-kit")
}

pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// `sha256sum FILE`, the third-party answer.
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The bad-input contract: exit 2, one sentence on stderr, no backtrace.
pub fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, stderr: {err}");
    assert!(
        err.contains(needle),
        "stderr {err:?} should mention {needle:?}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one sentence, got: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A tmpfs mounted for the test (root only), unmounted on drop.
pub struct Mount {
    pub dir: PathBuf,
}

impl Mount {
    /// Mount a tmpfs of `size` (e.g. "4m") at `dir`; `None` when not permitted.
    pub fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| Mount { dir: dir.into() })
    }

    pub fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.dir)
            .status()
            .expect("mount")
            .success();
        assert!(ok, "remount {opts}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}
