//! What seal makes: odd and many names, a thousand items, an altered object refused, a
//! case edited meanwhile sealed as it was, a clock set back recorded.

use super::fixture::*;
use crate::util::*;
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Details};
use evidence_kit::store::Store;
use evidence_kit::verify::{self, Options};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn an_altered_object_in_the_store_is_never_sealed() {
    let kit = Kit::new();
    // Alter one stored object (several items, so the readers ahead are mid-stream).
    let items: Vec<Value> =
        serde_json::from_str(&kit.ok(&kit.staff, &["items", "--case", &kit.case, "--json"]))
            .unwrap();
    let sha = items[1]["sha256"].as_str().unwrap().to_string();
    let object = kit
        .env
        .store()
        .join("objects/sha256")
        .join(&sha[..2])
        .join(&sha[2..]);
    Command::new("chmod")
        .arg("600")
        .arg(&object)
        .status()
        .unwrap();
    let mut bytes = std::fs::read(&object).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&object, bytes).unwrap();

    let out_file = kit.env.path("never.evidence");
    let out = kit.run(
        &kit.staff,
        &[
            "seal",
            "--case",
            &kit.case,
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "no longer matches the SHA-256 recorded");
    assert!(!out_file.exists());
    assert!(
        !kit.env.path("never.evidence.partial").exists(),
        "partial removed"
    );
    let log = kit.ok(&kit.staff, &["log", "--case", &kit.case, "--json"]);
    assert!(!log.contains("\"sealed\""), "no sealed entry");
}

/// Seal reads the case twice (to hash its tag files, then to write them): another
/// process editing notes and capturing meanwhile must not make the two differ. Seal
/// reads inside one snapshot, so every bundle verifies and holds the case as it was.
/// Sealing in this process while another process (the CLI, a new one for each
/// change) edits items and captures files into the same store: each bundle is intact,
/// whatever the other process committed while it was being sealed.
#[test]
fn sealing_while_another_process_edits_and_captures_gives_intact_bundles() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("store");
    let store = Store::open(&root).expect("store");
    let case = store
        .create_case("Posts about me", "A. Teacher")
        .expect("case");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..300 {
        let p = src.join(format!("post-{i}.txt"));
        std::fs::write(&p, format!("post {i}")).expect("write");
        capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    }
    let (trusted, key) = staff_key(dir.path());
    let opts = Options {
        identity: None,
        trusted: vec![trusted],
        ..Options::default()
    };
    let stop = AtomicBool::new(false);
    // How many custody entries another process committed while a seal ran: those
    // after the last one the bundle holds (its snapshot) and before its own `sealed`.
    let index = rusqlite::Connection::open(root.join("evidence.sqlite")).expect("index");
    let landed = |bundle: &Path, sha256: &str| -> i64 {
        let mut z = zip::ZipArchive::new(std::fs::File::open(bundle).unwrap()).unwrap();
        let mut log = String::new();
        std::io::Read::read_to_string(&mut z.by_name("custody.jsonl").unwrap(), &mut log).unwrap();
        let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
        let sealed: i64 = index
            .query_row(
                "SELECT seq FROM custody WHERE action = 'sealed'
                    AND json_extract(details, '$.sha256') = ?1",
                [sha256],
                |r| r.get(0),
            )
            .unwrap();
        sealed - last["seq"].as_i64().unwrap() - 1
    };
    let during = std::thread::scope(|s| {
        let editor = s.spawn(|| {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let id = (1 + n % 300).to_string();
                let note = format!("edit {n}");
                let mut out = ek_on(
                    &root,
                    &["edit", "--item", &id, "--field", "note", "--value", &note],
                );
                if out.status.success() && n.is_multiple_of(10) {
                    let p = src.join(format!("late-{n}.txt"));
                    std::fs::write(&p, format!("late {n}")).expect("write");
                    out = ek_on(
                        &root,
                        &["capture", "file", "--case", &case.id, p.to_str().unwrap()],
                    );
                }
                if !out.status.success() {
                    stop.store(true, Ordering::Relaxed);
                    panic!("the other process failed: {}", stderr(&out));
                }
                n += 1;
            }
        });
        // A seal is quick beside a process start: seal again until six of the other
        // process's commits landed while a seal ran (or give up after 100 rounds).
        let mut during = 0i64;
        for round in 0..100 {
            if during >= 6 {
                break;
            }
            let out = dir.path().join(format!("round-{round}.evidence"));
            let sealed = bundle::seal(
                &store,
                &key,
                &SealRequest {
                    case_id: case.id.clone(),
                    out: Some(out.clone()),
                    to: Vec::new(),
                    organization: None,
                },
                &mut |_, _| {},
            );
            let sealed = match sealed {
                Ok(s) => s,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    panic!("round {round}: seal failed: {e}");
                }
            };
            let report = verify::verify(&out, &opts).expect("verify");
            if !report.intact() {
                stop.store(true, Ordering::Relaxed);
            }
            assert!(report.intact(), "round {round}: {:#?}", report.findings);
            assert!(sealed.items >= 300);
            during += landed(&out, &sealed.sha256);
        }
        stop.store(true, Ordering::Relaxed);
        editor.join().expect("editor");
        during
    });
    assert!(
        during >= 6,
        "the other process committed only {during} change(s) while a seal ran"
    );
    drop(store);
    let (code, report) = {
        let out = ek_on(&root, &["check", "--json"]);
        let r: Value = serde_json::from_slice(&out.stdout).expect("check json");
        (out.status.code(), r)
    };
    assert_eq!(code, Some(0), "{report:#}");
}

#[test]
fn long_odd_and_many_names_seal_to_bundles_that_verify() {
    // The 80-character cut used to leave a trailing dot ("aaa…a." from 79 a's and
    // ".txt"), a name verify refuses as unsafe.
    let names = [
        format!("{}.txt", "a".repeat(79)),
        format!("{}.txt", "b".repeat(78)),
        format!("{}-.txt", "c".repeat(79)),
        "x.".repeat(60),
        "--dash--.txt".to_string(),
        "caf\u{e9} r\u{e9}sum\u{e9}.txt".to_string(),
        "\u{65e5}\u{672c}\u{8a9e}".to_string(),
        "\u{1f600} smile.txt".to_string(),
        format!("{}.{}", "d".repeat(200), "e".repeat(50)),
        ".hidden.".to_string(),
        "x.".to_string(),
    ];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), format!("file {i}\n").into_bytes()))
        .collect();
    let b = lib_bundle(&files, false);
    let r = verify::verify(&b.path, &b.opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    for (path, ..) in layout(&b.path) {
        assert!(
            !path.ends_with('.') && !path.ends_with('-'),
            "{path} ends with a dot or dash"
        );
        assert!(path.chars().count() <= 5 + 4 + 80, "{path}");
    }
}

#[test]
fn a_thousand_items_are_numbered_four_digits_wide_and_verify() {
    let files: Vec<(String, Vec<u8>)> = (0..1000)
        .map(|i| (format!("note {i}.txt"), format!("{i}\n").into_bytes()))
        .collect();
    let b = lib_bundle(&files, false);
    let r = verify::verify(&b.path, &b.opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    let names: Vec<String> = layout(&b.path).into_iter().map(|(n, ..)| n).collect();
    assert!(
        names.contains(&"data/0001-note-0.txt".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"data/1000-note-999.txt".to_string()));
}

#[test]
fn a_clock_set_back_before_sealing_is_recorded_and_the_bundle_verifies() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("store")).expect("store");
    let shift = Arc::new(Mutex::new(0i64));
    let s2 = shift.clone();
    store.set_clock(Arc::new(move || {
        let t = chrono::Utc::now() - chrono::Duration::seconds(*s2.lock().unwrap());
        evidence_kit::clock::Stamp {
            utc: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            local: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            zone: "UTC".into(),
        }
    }));
    let case = store.create_case("Posts", "A. Teacher").expect("case");
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"a post\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    // The clock goes back an hour before sealing, with nothing written in between.
    *shift.lock().unwrap() = 3600;
    let (trusted, key) = staff_key(dir.path());
    let seal = |store: &Store, case_id: &str, name: &str| {
        let req = SealRequest {
            case_id: case_id.to_string(),
            out: Some(dir.path().join(name)),
            to: Vec::new(),
            organization: None,
        };
        bundle::seal(store, &key, &req, &mut |_, _| {}).expect("seal")
    };
    let sealed = seal(&store, &case.id, "b.evidence");
    let opts = Options {
        trusted: vec![trusted],
        ..Options::default()
    };
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    assert!(
        r.notes.iter().any(|n| n.contains("clock was set back")),
        "{:?}",
        r.notes
    );
    let log = store.custody(None).expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "clock_set_back" && e.clock_anomaly)
    );

    // Again, but the entry that went back is another record's (redacted in this
    // bundle), and the seal comes after it: seal's record still explains the times.
    let case2 = store.create_case("Posts 2", "A. Teacher").expect("case");
    let q = dir.path().join("b.txt");
    std::fs::write(&q, b"another post\n").expect("write");
    *shift.lock().unwrap() = 0;
    capture::file(&store, &case2.id, &q, &Details::default()).expect("capture");
    *shift.lock().unwrap() = 1800;
    store
        .create_case("Something else", "A. Teacher")
        .expect("other case");
    let sealed = seal(&store, &case2.id, "c.evidence");
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
}

/// "Save a copy to…" (a USB stick): the copy is the sealed file byte for byte, never
/// written over a file already there (a "-2" is added before `.evidence`), and a folder
/// that cannot be written to is said in a sentence, leaving nothing behind.
#[test]
fn a_copy_of_a_sealed_file_is_checked_and_never_written_over_another() {
    let dir = tempfile::tempdir().expect("tmp");
    let sealed = dir.path().join("EK-1.evidence.age");
    std::fs::write(
        &sealed,
        b"age-encryption.org/v1\nnot really, but bytes all the same\n",
    )
    .expect("write");
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).expect("usb");
    std::fs::write(
        usb.join("EK-1.evidence.age"),
        b"another file, already there",
    )
    .expect("write");

    let copy = bundle::copy_sealed(&sealed, &usb).expect("copy");
    assert_eq!(copy, usb.join("EK-1-2.evidence.age"));
    assert_eq!(
        std::fs::read(&copy).expect("read"),
        std::fs::read(&sealed).expect("read")
    );
    // What was there is as it was.
    assert_eq!(
        std::fs::read(usb.join("EK-1.evidence.age")).expect("read"),
        b"another file, already there"
    );

    if !is_root() {
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("dir");
        let mut perm = std::fs::metadata(&locked).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o500);
        std::fs::set_permissions(&locked, perm).expect("chmod");
        let err = bundle::copy_sealed(&sealed, &locked).expect_err("read-only folder");
        assert_eq!(err.code(), "write");
        assert!(
            err.to_string().starts_with("Could not write the bundle"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(&locked).expect("ls").count(), 0);
    }
    // A folder that is not there at all is the same kind of refusal.
    let err = bundle::copy_sealed(&sealed, &dir.path().join("no-such-stick")).expect_err("missing");
    assert_eq!(err.code(), "copy");
    assert!(!err.to_string().contains("os error"), "{err}");
}
