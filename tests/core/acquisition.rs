//! The capture pipeline itself: the hash is taken while the source is read (not from
//! the copy written afterwards), a copy that reads back differently is refused and
//! leaves nothing behind, and the bytes are durable before their record is committed
//! (fsync the temp file → rename into `objects/` → fsync that folder → commit), as
//! `strace` sees the CLI do it.

use crate::util::*;
use evidence_kit::store::Store;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every file under `objects/`, with its bytes.
fn objects(env: &Env) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all: Vec<_> = walk_files(&env.store().join("objects"))
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read object");
            (p, b)
        })
        .collect();
    all.sort();
    all
}

/// Nothing of a refused capture is left: the same objects, an empty `tmp/`, the same
/// cases, items and custody entries (`before` taken from a store that has some).
fn assert_nothing_left(env: &Env, case: &str, objects_before: &[(PathBuf, Vec<u8>)], snap: &str) {
    assert_eq!(objects(env), objects_before, "nothing new in objects/");
    let tmp = walk_files(&env.store().join("tmp"));
    assert!(tmp.is_empty(), "tmp/ left with {tmp:?}");
    assert!(snap.contains(case), "the snapshot read the index: {snap:?}");
    assert_eq!(env.snapshot(), snap, "no item row, no custody entry");
}

/// The source is read once, and its SHA-256 taken from those bytes as they stream by.
/// The copy in `tmp/` is then altered on disk (the test seam
/// `EVIDENCE_KIT_TEST_ALTER_BEFORE_READ_BACK`, debug builds only: one byte changed
/// after the write and fsync, before the read-back), as a failing disk would return it.
/// The capture must be refused, naming the source's hash as the one taken while
/// reading: a hash taken from the written file would have matched the altered copy and
/// kept it under the wrong hash. And nothing of it may be left.
#[test]
fn headline_the_hash_is_taken_while_reading_and_a_bad_read_back_keeps_nothing() {
    let env = Env::new();
    let case = env.case();
    let earlier = env.file("earlier.txt", b"captured before, must stay as it is");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        earlier.to_str().unwrap(),
    ]);

    // Larger than one read chunk (1 MiB), so the hash covers several reads.
    let data: Vec<u8> = (0..2_500_000u32).map(|i| (i * 31 % 253) as u8).collect();
    let source = env.file("post.bin", &data);
    let mut altered = data.clone();
    altered[data.len() / 2] ^= 0x20;
    let objects_before = objects(&env);
    let snap = env.snapshot();

    let out = Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
        .arg("--store")
        .arg(env.store())
        .args(["capture", "file", "--case", &case])
        .arg(&source)
        .env_remove("EVIDENCE_KIT_STORE")
        .env("EVIDENCE_KIT_TEST_ALTER_BEFORE_READ_BACK", "1")
        .output()
        .expect("run evidence-kit");
    assert_refused(&out, "did not read back correctly");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("hash {} while reading", sha256sum(&source))),
        "the hash taken while reading is the source's: {err}"
    );
    assert!(
        err.contains(&format!("{} on disk", sha256_hex(&altered))),
        "the hash read back is the altered copy's: {err}"
    );
    assert_nothing_left(&env, &case, &objects_before, &snap);

    // The same file without the seam is kept, under the source's hash.
    env.ok(&["capture", "file", "--case", &case, source.to_str().unwrap()]);
    let items = env.items(&case);
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["sha256"], sha256sum(&source).as_str());
    env.assert_intact();
}

/// The window's path: the parts are hashed as they come. A file whose copy in `tmp/`
/// changed on disk before it was taken in (altered here between the last part and
/// `capture::arrived`) is refused with the hash of the parts as sent, and leaves
/// nothing: not the `.arriving` file, no object, no record.
#[test]
fn headline_a_file_from_the_window_is_hashed_as_its_parts_come_and_a_bad_read_back_keeps_nothing() {
    use evidence_kit::CaptureError;
    use evidence_kit::capture::{self, Arriving, Details};
    use std::io::{Seek, SeekFrom, Write};
    let env = Env::new();
    let case = env.case();
    let earlier = env.file("earlier.txt", b"captured before, must stay as it is");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        earlier.to_str().unwrap(),
    ]);
    let objects_before = objects(&env);
    let snap = env.snapshot();

    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let store = Store::open(&env.store()).unwrap();
    let mut arriving = Arriving::new(store.root()).unwrap();
    for part in data.chunks(1 << 20) {
        arriving.append(part).unwrap();
    }
    let on_disk: Vec<PathBuf> = walk_files(&env.store().join("tmp"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "arriving"))
        .collect();
    assert_eq!(on_disk.len(), 1, "{on_disk:?}");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&on_disk[0])
        .unwrap();
    f.seek(SeekFrom::Start(1_500_000)).unwrap();
    f.write_all(&[data[1_500_000] ^ 0x20]).unwrap();
    drop(f);
    let mut altered = data.clone();
    altered[1_500_000] ^= 0x20;

    let err = capture::arrived(&store, &case, arriving, "clip.mp4", &Details::default())
        .expect_err("an altered copy was kept");
    match &err {
        CaptureError::WriteVerifyFailed { expected, found } => {
            assert_eq!(expected, &sha256_hex(&data), "hash of the parts as sent");
            assert_eq!(found, &sha256_hex(&altered), "hash read back");
        }
        other => panic!("expected WriteVerifyFailed, got {other:?}"),
    }
    assert_eq!(err.code(), "write_verify_failed");
    drop(store);
    assert_nothing_left(&env, &case, &objects_before, &snap);
}

/// One traced system call: its index in the trace and what it touched.
#[derive(Debug)]
enum Call {
    /// `fsync`/`fdatasync` of the file or folder at this path.
    Sync(String),
    /// `rename*` from, to.
    Rename(String, String),
}

/// The calls of an `strace -f -y` trace that matter here, in order.
fn parse_trace(text: &str) -> Vec<(usize, Call)> {
    let mut calls = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // "PID name(args) = ret"; unfinished/resumed halves of a call are skipped.
        let Some(rest) = line.split_once(' ').map(|(_, r)| r.trim_start()) else {
            continue;
        };
        if !rest.contains(") = 0") {
            continue;
        }
        if rest.starts_with("fsync(") || rest.starts_with("fdatasync(") {
            // fsync(7</path/of/fd>) = 0
            if let (Some(a), Some(b)) = (rest.find('<'), rest.rfind(">)")) {
                calls.push((i, Call::Sync(rest[a + 1..b].to_string())));
            }
        } else if rest.starts_with("rename") {
            let quoted: Vec<&str> = rest.split('"').skip(1).step_by(2).collect();
            if quoted.len() >= 2 {
                calls.push((i, Call::Rename(quoted[0].into(), quoted[1].into())));
            }
        }
    }
    calls
}

/// "Saved" means saved: each file's bytes are fsynced in `tmp/` before they are renamed
/// into `objects/`, that folder is fsynced after the rename, and the record is committed
/// (the first fsync of the index: its `-wal`) only after every folder fsync. Seen from
/// outside, in the system calls of a real `capture file` of two files.
#[test]
fn headline_bytes_are_fsynced_renamed_and_their_folder_fsynced_before_the_commit() {
    let name = "acquisition::headline_bytes_are_fsynced_renamed_and_their_folder_fsynced_before_the_commit";
    let env = Env::new();
    let usable = Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .output()
        .map(|o| o.status.success());
    if !matches!(usable, Ok(true)) {
        skip(name, "strace is not installed or cannot trace here");
        return;
    }
    let case = env.case();
    let a = env.file("a.txt", b"first file of the capture");
    let b = env.file("b.txt", b"second file of the capture");
    let trace = env.path("trace");
    let out = Command::new("strace")
        .args(["-f", "-y", "-qq", "-e"])
        .arg("trace=fsync,fdatasync,rename,renameat,renameat2,openat")
        .arg("-o")
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_evidence-kit"))
        .arg("--store")
        .arg(env.store())
        .args(["capture", "file", "--case", &case])
        .args([&a, &b])
        .env_remove("EVIDENCE_KIT_STORE")
        .output()
        .expect("run strace");
    assert!(
        out.status.success(),
        "capture under strace: {}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&trace).expect("trace");
    let calls = parse_trace(&text);
    let shown = || {
        calls
            .iter()
            .map(|(i, c)| format!("{i}: {c:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };

    let store = std::fs::canonicalize(env.store()).unwrap();
    let objects_dir = store.join("objects/sha256");
    let renames: Vec<(usize, &str, &str)> = calls
        .iter()
        .filter_map(|(i, c)| match c {
            Call::Rename(from, to) if Path::new(to).starts_with(&objects_dir) => {
                Some((*i, from.as_str(), to.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        renames.len(),
        2,
        "two objects renamed into place:\n{}",
        shown()
    );
    let synced = |path: &str, after: usize, before: usize| {
        calls
            .iter()
            .any(|(i, c)| matches!(c, Call::Sync(p) if p == path) && *i > after && *i < before)
    };
    let mut last_folder_sync = 0;
    for &(at, from, to) in &renames {
        assert!(
            from.starts_with(store.join("tmp").to_str().unwrap()) && from.ends_with(".part"),
            "renamed from its temp file: {from}"
        );
        assert!(
            synced(from, 0, at),
            "{from} fsynced before its rename (line {at}):\n{}",
            shown()
        );
        let folder = Path::new(to)
            .parent()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let folder_sync = calls
            .iter()
            .find(|(i, c)| *i > at && matches!(c, Call::Sync(p) if *p == folder))
            .map(|(i, _)| *i);
        let Some(folder_sync) = folder_sync else {
            panic!(
                "{folder} not fsynced after the rename (line {at}):\n{}",
                shown()
            );
        };
        last_folder_sync = last_folder_sync.max(folder_sync);
    }
    let index_syncs: Vec<usize> = calls
        .iter()
        .filter(|(_, c)| {
            matches!(c, Call::Sync(p) if p.ends_with("/evidence.sqlite-wal") || p.ends_with("/evidence.sqlite"))
        })
        .map(|(i, _)| *i)
        .collect();
    assert!(
        !index_syncs.is_empty(),
        "the commit was fsynced:\n{}",
        shown()
    );
    assert!(
        index_syncs[0] > last_folder_sync,
        "the index was first fsynced (line {}) before the last object folder was (line {last_folder_sync}):\n{}",
        index_syncs[0],
        shown()
    );
    assert_eq!(env.items(&case).len(), 2);
    env.assert_intact();
}
