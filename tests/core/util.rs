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
        // An unreadable index prints nothing: two empty snapshots would compare equal.
        assert!(
            out.status.success(),
            "sqlite3 could not read the index: {}",
            stderr(&out)
        );
        let snapshot = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            !snapshot.trim().is_empty(),
            "the index is empty: nothing to compare"
        );
        snapshot
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

/// Run `sqlite3` on the store's index; it must succeed.
pub fn sqlite(env: &Env, sql: &str) {
    let out = Command::new("sqlite3")
        .arg(env.store().join("evidence.sqlite"))
        .arg(sql)
        .output()
        .expect("sqlite3");
    assert!(out.status.success(), "{}", stderr(&out));
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

/// A test that truly cannot run on this machine says so and returns: it prints
/// `SKIPPED name: reason` and appends that line to the file named by `EK_SKIP_LOG`
/// (scripts/test sets it, and counts the test as skipped, not passed). Under `CI=true` a
/// skipped headline test (`headline_…`) fails instead: CI must prove every promise.
pub fn skip(name: &str, reason: &str) {
    let line = format!("SKIPPED {name}: {reason}");
    let short = name.rsplit("::").next().unwrap_or(name);
    if std::env::var("CI").as_deref() == Ok("true") && short.starts_with("headline_") {
        panic!("{line} (a headline test may not be skipped under CI=true)");
    }
    eprintln!("{line}");
    if let Some(log) = std::env::var_os("EK_SKIP_LOG") {
        use std::io::Write;
        // One write of one line with O_APPEND: tests running in parallel do not mix lines.
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("EK_SKIP_LOG {}: {e}", Path::new(&log).display()));
        f.write_all(format!("{line}\n").as_bytes())
            .expect("write EK_SKIP_LOG");
    }
}

/// Set in the copy of the test binary that [`in_mount_namespace`] starts.
const IN_MOUNT_NS: &str = "EK_IN_MOUNT_NS";

/// Run the test `name` (its full libtest path, e.g. `faults::headline_x`) in a mount
/// namespace of its own, where it may mount a small or read-only tmpfs as root *and*
/// as anyone else: the test binary runs itself again, under `unshare -m` as root and
/// under `unshare -Urm` (a user namespace, where the caller is root) otherwise.
///
/// Returns true in that copy: run the test's body. Returns false in the original,
/// after the copy ran the body and passed (it panics with the copy's output if not),
/// or after a visible [`skip`] when this machine cannot make such a namespace.
///
/// ```ignore
/// if !in_mount_namespace("faults::headline_x") { return; }
/// let mount = Mount::tmpfs(..).expect(..);
/// ```
pub fn in_mount_namespace(name: &str) -> bool {
    if std::env::var_os(IN_MOUNT_NS).is_some() {
        return true;
    }
    let Some(unshare) = namespace_args() else {
        skip(
            name,
            "no mount namespace with a tmpfs can be made here: \
             neither unshare -m as root nor unshare -Urm could mount one",
        );
        return false;
    };
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new("unshare")
        .args(unshare)
        .arg(&exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(IN_MOUNT_NS, "1")
        .output()
        .expect("run unshare");
    // Indented: the copy's "test result:" lines must not read as this run's own
    // (scripts/test counts those lines).
    let indent = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| format!("    | {l}\n"))
            .collect::<String>()
    };
    let (stdout, stderr) = (indent(&out.stdout), indent(&out.stderr));
    assert!(
        out.status.success(),
        "{name} failed in its mount namespace (unshare {}, {}):\n{stdout}{stderr}",
        unshare.join(" "),
        out.status
    );
    // A filter that matched nothing would "pass" too: insist the body ran, once.
    let ran = String::from_utf8_lossy(&out.stdout);
    assert!(
        ran.contains("running 1 test") && ran.contains("test result: ok. 1 passed"),
        "{name} did not run in its mount namespace:\n{stdout}{stderr}"
    );
    false
}

/// How this machine can make a private mount namespace with a tmpfs in it: `unshare`'s
/// arguments, probed once by mounting a tiny tmpfs. As root `-m`; otherwise (or when
/// root may not, as in some containers) `-Urm`, a user namespace.
fn namespace_args() -> Option<&'static [&'static str]> {
    static ARGS: std::sync::OnceLock<Option<&'static [&'static str]>> = std::sync::OnceLock::new();
    *ARGS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root: &[&[&'static str]] = &[&["-m"], &["-Urm"]];
        let user: &[&[&'static str]] = &[&["-Urm"]];
        let tries = if is_root() { root } else { user };
        tries.iter().copied().find(|args| {
            Command::new("unshare")
                .args(*args)
                .args(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs"])
                .arg(dir.path())
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
    })
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A tmpfs mounted for the test, unmounted on drop. Needs root, or the (user and) mount
/// namespace of [`in_mount_namespace`], where anyone is root.
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

    /// Change the mount's options, e.g. "ro". The source is named: without it `mount`
    /// re-reads the current options, and in a user namespace their `uid=` (the outer
    /// user, unmapped there) is refused.
    pub fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}"), "tmpfs"])
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
