//! Bad input and hostile conditions: a clear sentence, exit 2, the store unchanged
//! and still passing `check`.

use crate::util::*;
use std::process::Command;

#[test]
fn bad_input_is_refused_and_the_store_is_unchanged() {
    let env = Env::new();
    let case = env.case();
    let good = env.file("good.txt", b"kept");
    env.ok(&["capture", "file", "--case", &case, good.to_str().unwrap()]);
    let before = env.snapshot();
    let objects = env.object_count();
    let missing = env.path("nope.png");
    let dir = env.path("a-folder");
    std::fs::create_dir(&dir).unwrap();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                case.clone(),
                missing.display().to_string(),
            ],
            "There is no file at",
        ),
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                case.clone(),
                dir.display().to_string(),
            ],
            "is a folder, not a file",
        ),
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                "EK-NOPE".into(),
                good.display().to_string(),
            ],
            "There is no case EK-NOPE",
        ),
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                case.clone(),
                good.display().to_string(),
                "--seen".into(),
                "last Tuesday".into(),
            ],
            "is not a date and time",
        ),
        // A typo in the second name: the first file is not kept either.
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                case.clone(),
                good.display().to_string(),
                missing.display().to_string(),
            ],
            "There is no file at",
        ),
        (
            vec![
                "capture".into(),
                "file".into(),
                "--case".into(),
                case.clone(),
                "/dev/null".into(),
            ],
            "not an ordinary file",
        ),
        (
            vec![
                "withdraw".into(),
                "--item".into(),
                "99".into(),
                "--reason".into(),
                "x".into(),
            ],
            "There is no evidence item 99",
        ),
        (
            vec![
                "withdraw".into(),
                "--item".into(),
                "one".into(),
                "--reason".into(),
                "x".into(),
            ],
            "is not an item number",
        ),
        (
            vec![
                "withdraw".into(),
                "--item".into(),
                "1".into(),
                "--reason".into(),
                "  ".into(),
            ],
            "must not be empty",
        ),
        (
            vec!["items".into(), "--case".into(), "EK-NOPE".into()],
            "There is no case",
        ),
        (
            vec![
                "case".into(),
                "new".into(),
                "--title".into(),
                "".into(),
                "--staff".into(),
                "A".into(),
            ],
            "must not be empty",
        ),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.ek(&args);
        assert_refused(&out, needle);
    }
    assert_eq!(env.snapshot(), before, "nothing written");
    assert_eq!(env.object_count(), objects);
    assert!(crate::util::walk_files(&env.store().join("tmp")).is_empty());
    env.assert_intact();

    // A store path that is a file.
    let out = ek_on(&good, &["case", "list"]);
    assert_refused(&out, "is a file, not a folder");

    // Usage errors (clap) are exit 2 too.
    let out = env.ek(&["capture", "file"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreadable_file_is_refused() {
    let env = Env::new();
    let case = env.case();
    let secret = env.file("secret.txt", b"cannot read me");
    let before = env.snapshot();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // Both branches run the refusal (permission bits, which only root ignores): as root
    // the CLI runs as `nobody`, so this test never passes without trying.
    let out = if is_root() {
        // Root reads everything: run as `nobody`, with the store handed to it.
        let chown = Command::new("chown")
            .args(["-R", "nobody"])
            .arg(env.store())
            .status()
            .unwrap();
        assert!(chown.success(), "chown the store to nobody");
        let chmod = Command::new("chmod")
            .arg("755")
            .arg(env.dir.path())
            .status()
            .unwrap();
        assert!(chmod.success(), "chmod the temp folder");
        Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_evidence-kit"))
            .args([
                "--store",
                env.store().to_str().unwrap(),
                "capture",
                "file",
                "--case",
                &case,
            ])
            .arg(&secret)
            .output()
            .expect("setpriv")
    } else {
        env.ek(&["capture", "file", "--case", &case, secret.to_str().unwrap()])
    };
    assert_refused(&out, "Could not read");
    assert!(stderr(&out).contains("secret.txt"));
    assert_eq!(env.snapshot(), before);
    env.assert_intact();
}

/// Promise 7: on a read-only store reads fall back, writes are refused in one sentence
/// and nothing changes. A real read-only mount (root ignores permission bits), in a
/// mount namespace of the test's own, so it runs as root and as anyone else.
#[test]
fn headline_read_only_store_is_refused_and_still_checks() {
    if !in_mount_namespace("faults::headline_read_only_store_is_refused_and_still_checks") {
        return;
    }
    let env = Env::new();
    let mount = Mount::tmpfs(&env.store(), "16m").expect("mount a tmpfs");
    let case = env.case();
    let f = env.file("a.txt", b"before read-only");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let before = env.snapshot();
    mount.remount("ro");

    let g = env.file("b.txt", b"after read-only");
    let out = env.ek(&["capture", "file", "--case", &case, g.to_str().unwrap()]);
    assert_refused(&out, "cannot be written to");
    let out = env.ek(&["case", "new", "--title", "t", "--staff", "s"]);
    assert_refused(&out, "cannot be written to");

    // Reading still works on read-only media.
    assert_eq!(env.items(&case).len(), 1);
    env.assert_intact();
    assert_eq!(env.snapshot(), before);
}

/// Promise 8: a capture that fills the disk is refused with nothing half-saved, and the
/// store still takes what fits. A real 3 MiB tmpfs, in a mount namespace of the test's own.
#[test]
fn headline_full_disk_is_refused_with_nothing_half_saved() {
    if !in_mount_namespace("faults::headline_full_disk_is_refused_with_nothing_half_saved") {
        return;
    }
    let env = Env::new();
    let _mount = Mount::tmpfs(&env.store(), "3m").expect("mount a tmpfs");
    let case = env.case();
    let small = env.file("small.txt", b"fits");
    env.ok(&["capture", "file", "--case", &case, small.to_str().unwrap()]);
    let before = env.snapshot();
    let objects = env.object_count();

    let big = env.file("big.bin", &vec![7u8; 8 * 1024 * 1024]);
    let out = env.ek(&["capture", "file", "--case", &case, big.to_str().unwrap()]);
    assert_refused(&out, "is full");

    assert_eq!(env.snapshot(), before, "no partial row");
    assert_eq!(env.object_count(), objects, "no partial object");
    assert!(
        walk_files(&env.store().join("tmp")).is_empty(),
        "temp removed"
    );
    env.assert_intact();
    // And the store still takes evidence that fits.
    let more = env.file("more.txt", b"still works");
    env.ok(&["capture", "file", "--case", &case, more.to_str().unwrap()]);
    env.assert_intact();
}

/// Promise 8, the window's path: a file arriving in parts is moved into place (it needs
/// its own size free, not twice), and one that fills the disk leaves no part behind. In
/// process (`Arriving`), so the whole test binary runs again in a mount namespace.
#[test]
fn headline_a_file_from_the_window_needs_its_own_size_free_and_a_full_disk_leaves_nothing() {
    use evidence_kit::capture::{self, Arriving, Details};
    use evidence_kit::store::Store;
    if !in_mount_namespace(
        "faults::headline_a_file_from_the_window_needs_its_own_size_free_and_a_full_disk_leaves_nothing",
    ) {
        return;
    }
    let env = Env::new();
    let _mount = Mount::tmpfs(&env.store(), "6m").expect("mount a tmpfs");
    let case = env.case();
    let store = Store::open(&env.store()).unwrap();
    // 4 MiB on a 6 MiB disk: it fits once (moved into place), not twice (copied).
    let video: Vec<u8> = (0..4u32 << 20).map(|i| (i % 253) as u8).collect();
    let mut arriving = Arriving::new(store.root()).unwrap();
    for part in video.chunks(1 << 20) {
        arriving.append(part).unwrap();
    }
    let item = capture::arrived(&store, &case, arriving, "clip.mp4", &Details::default()).unwrap();
    assert_eq!(item.size, video.len() as u64);
    drop(store);
    let before = env.snapshot();

    // Another that does not fit: a sentence, and nothing of it left behind.
    let mut arriving = Arriving::new(&env.store()).unwrap();
    let err = video
        .chunks(1 << 20)
        .map(|part| arriving.append(part))
        .find_map(Result::err)
        .expect("the disk fills up");
    assert!(err.to_string().contains("full"), "{err}");
    drop(arriving);
    assert!(
        walk_files(&env.store().join("tmp")).is_empty(),
        "parts removed"
    );
    assert_eq!(env.snapshot(), before, "no partial row");
    env.assert_intact();
}

/// Item 9 of issue 12: `capture file A B C` is all or nothing. C has the bytes of an
/// item removed as a possible indecent image: the command is refused (exit 2) and A and
/// B are not kept either: no item, no custody entry, nothing in `objects/` or `tmp/`.
#[test]
fn capture_file_of_several_files_keeps_none_when_one_is_refused() {
    let env = Env::new();
    let case = env.case();
    let picture = b"\x89PNG\r\n\x1a\n a picture that must never be kept".to_vec();
    let pic = env.file("found.png", &picture);
    env.ok(&["capture", "file", "--case", &case, pic.to_str().unwrap()]);
    env.ok(&["case", "safeguard", "--case", &case, "--item", "1"]);
    let before = env.snapshot();
    let objects = walk_files(&env.store().join("objects"));

    let a = env.file("a.txt", b"first message");
    let b = env.file("b.txt", b"second message");
    let c = env.file("c.png", &picture);
    let out = env.ek(&[
        "capture",
        "file",
        "--case",
        &case,
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    ]);
    assert_refused(&out, "possible indecent image of a child");
    assert!(out.stdout.is_empty(), "nothing reported kept");
    assert_eq!(env.snapshot(), before, "no item, no custody entry");
    assert_eq!(env.items(&case).len(), 1);
    assert_eq!(walk_files(&env.store().join("objects")), objects);
    assert!(walk_files(&env.store().join("tmp")).is_empty());
    env.assert_intact();

    // Without C, A and B are kept together: one custody entry each, in order.
    let out = env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let items = env.items(&case);
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["original_name"], "a.txt");
    assert_eq!(items[2]["original_name"], "b.txt");
    assert!(walk_files(&env.store().join("tmp")).is_empty());
    env.assert_intact();
}

/// The objects of a store (`prefix/rest` → bytes) and what is in its `tmp/`.
fn objects_and_tmp(env: &Env) -> (Vec<(std::path::PathBuf, Vec<u8>)>, Vec<std::path::PathBuf>) {
    let mut objects: Vec<_> = walk_files(&env.store().join("objects"))
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    objects.sort();
    (objects, walk_files(&env.store().join("tmp")))
}

/// `capture file A B C` where moving C into `objects/` fails (its folder there cannot be
/// made): A and B, already moved in, are removed again, except A's bytes, which an
/// earlier item names. Nothing new is left in `objects/` or `tmp/`, nothing is logged,
/// and `check` finds no possible lost capture.
#[test]
fn capture_file_of_several_files_keeps_none_when_placing_one_fails() {
    let env = Env::new();
    let case = env.case();
    let a = env.file("a.txt", b"kept before, by an earlier capture");
    env.ok(&["capture", "file", "--case", &case, a.to_str().unwrap()]);
    let b = env.file("b.txt", b"second message");
    let prefix = |p: &std::path::Path| sha256sum(p)[..2].to_string();
    let taken = [prefix(&a), prefix(&b)];
    let c = (0..)
        .map(|i| env.file("c.txt", format!("third message {i}").as_bytes()))
        .find(|c| !taken.contains(&prefix(c)))
        .unwrap();
    // Where C's folder in objects/ would be, a file: the move into place fails.
    std::fs::write(
        env.store().join("objects/sha256").join(prefix(&c)),
        b"in the way",
    )
    .unwrap();
    let before = env.snapshot();
    let files_before = objects_and_tmp(&env);

    let out = env.ek(&[
        "capture",
        "file",
        "--case",
        &case,
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing reported kept");
    assert_eq!(
        objects_and_tmp(&env),
        files_before,
        "objects/ and tmp/ as before"
    );
    assert_eq!(env.snapshot(), before, "no item, no custody entry");
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["notes"], serde_json::json!([]), "{report:#}");
    assert_eq!(
        env.snapshot(),
        before,
        "nothing logged at the next open either"
    );
}

/// `capture file A B C` where recording fails after every file was moved into
/// `objects/` (SQLite refuses the third item's row): the objects and markers are removed
/// again, so "nothing was kept" is true and `check` finds no possible lost capture.
#[test]
fn capture_file_of_several_files_keeps_none_when_recording_fails() {
    let env = Env::new();
    let case = env.case();
    let sqlite = |sql: &str| {
        let out = std::process::Command::new("sqlite3")
            .arg(env.store().join("evidence.sqlite"))
            .arg(sql)
            .output()
            .expect("sqlite3");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    sqlite(
        "CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.original_name = 'c.txt'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
    );
    let before = env.snapshot();
    let files_before = objects_and_tmp(&env);
    let a = env.file("a.txt", b"first message");
    let b = env.file("b.txt", b"second message");
    let c = env.file("c.txt", b"third message");
    let out = env.ek(&[
        "capture",
        "file",
        "--case",
        &case,
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "the capture must fail");
    assert!(out.stdout.is_empty(), "nothing reported kept");
    assert_eq!(
        objects_and_tmp(&env),
        files_before,
        "objects/ and tmp/ as before"
    );
    sqlite("DROP TRIGGER refuse;");
    assert_eq!(env.snapshot(), before, "no item, no custody entry");
    let (code, report) = env.check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["notes"], serde_json::json!([]), "{report:#}");
    assert_eq!(
        env.snapshot(),
        before,
        "nothing logged at the next open either"
    );
}

/// D18 of the test audit: a snapshot of an index sqlite3 cannot read is an error, not
/// an empty string (two empty snapshots would compare equal and prove nothing).
#[test]
#[should_panic(expected = "sqlite3 could not read the index")]
fn a_snapshot_of_an_unreadable_index_fails() {
    let env = Env::new();
    std::fs::create_dir(env.store()).unwrap();
    std::fs::write(env.store().join("evidence.sqlite"), b"not a database").unwrap();
    env.snapshot();
}

/// util::skip, run for real: where no mount namespace can be made (here: no `unshare`
/// on PATH), a headline test says SKIPPED and logs it for scripts/test, which counts
/// it as skipped; under CI=true the same test fails instead.
#[test]
fn a_test_that_cannot_run_is_skipped_visibly_and_fails_under_ci() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("skips.log");
    let name = "faults::headline_read_only_store_is_refused_and_still_checks";
    let run = |ci: bool| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([name, "--exact", "--test-threads=1"])
            .env("PATH", dir.path().join("no-such-folder"))
            .env("EK_SKIP_LOG", &log)
            .env_remove("EK_IN_MOUNT_NS")
            .env_remove("CI");
        if ci {
            cmd.env("CI", "true");
        }
        let out = cmd.output().unwrap();
        // Indented: the copy's "test result:" lines must not read as this run's own.
        let text: String = [&out.stdout, &out.stderr]
            .iter()
            .flat_map(|b| {
                String::from_utf8_lossy(b)
                    .lines()
                    .map(|l| format!("    | {l}\n"))
                    .collect::<Vec<_>>()
            })
            .collect();
        (out.status.success(), text)
    };

    let (ok, text) = run(false);
    assert!(ok && text.contains("| test result: ok. 1 passed"), "{text}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged.lines().count(), 1, "{logged}");
    assert!(logged.starts_with(&format!("SKIPPED {name}: ")), "{logged}");

    let (ok, text) = run(true);
    assert!(
        !ok,
        "a skipped headline test must fail under CI=true: {text}"
    );
    assert!(
        text.contains("a headline test may not be skipped under CI=true"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), logged, "not logged");
}
