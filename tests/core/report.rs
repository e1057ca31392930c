//! The incident report (the form's fields) through the CLI: set, changed, cleared,
//! each change in the custody log with its old value, tampering named by `check`,
//! and the indecent-image record that captures nothing.

use crate::util::*;
use serde_json::Value;

fn show(env: &Env, case: &str) -> Value {
    serde_json::from_str(&env.ok(&["case", "show", "--case", case, "--json"])).expect("json")
}

fn report_entries(env: &Env, case: &str) -> Vec<Value> {
    let log: Vec<Value> =
        serde_json::from_str(&env.ok(&["log", "--case", case, "--json"])).expect("log json");
    log.into_iter()
        .filter(|e| e["action"] == "report_edited")
        .map(|e| {
            serde_json::from_str(e["details"].as_str().unwrap_or("{}"))
                .unwrap_or(e["details"].clone())
        })
        .collect()
}

#[test]
fn headline_report_fields_are_set_changed_and_cleared_with_the_old_value_logged() {
    let env = Env::new();
    let case = env.case();
    let description = "They wrote: \"you'll regret this\"\n\n  — and then   posted it again.";
    let desc_file = env.file("desc.txt", description.as_bytes());
    env.ok(&[
        "case",
        "report",
        "--case",
        &case,
        "--description-file",
        desc_file.to_str().unwrap(),
        "--responsible",
        "parent",
        "--continuing",
        "yes",
        "--police",
        "undecided",
        "--platform-report",
        "2026-11-24 REF-123",
        "--witnesses",
        "Mr B. Colleague",
        "--addressed-to",
        "Mrs D. Lead",
        "--role",
        "Year 4 teacher",
        "--contact",
        "a.teacher@school.example",
    ]);
    let c = show(&env, &case);
    let r = &c["report"];
    assert_eq!(r["description"], description.trim());
    assert_eq!(r["responsible"], "parent");
    assert_eq!(r["continuing"], true);
    assert_eq!(r["police"], "undecided");
    assert!(r["police_decided"]["utc"].is_string(), "{r}");
    assert_eq!(r["platform_report"], "2026-11-24 REF-123");
    assert_eq!(r["addressed_to"], "Mrs D. Lead");

    // Change one, clear another: the log keeps the old values.
    env.ok(&[
        "case",
        "report",
        "--case",
        &case,
        "--police",
        "yes",
        "--witnesses",
        "",
    ]);
    let r = show(&env, &case)["report"].clone();
    assert_eq!(r["police"], "yes");
    assert!(r["witnesses"].is_null());
    let entries = report_entries(&env, &case);
    let police: Vec<&Value> = entries.iter().filter(|d| d["field"] == "police").collect();
    assert_eq!(police.len(), 2, "{entries:#?}");
    assert_eq!(police[1]["old"], "undecided");
    assert_eq!(police[1]["new"], "yes");
    let witnesses: Vec<&Value> = entries
        .iter()
        .filter(|d| d["field"] == "witnesses")
        .collect();
    assert_eq!(witnesses[1]["old"], "Mr B. Colleague");
    assert!(witnesses[1]["new"].is_null());

    // The same value again writes nothing.
    let before = entries.len();
    env.ok(&["case", "report", "--case", &case, "--police", "yes"]);
    assert_eq!(report_entries(&env, &case).len(), before);
    env.assert_intact();
}

#[test]
fn a_report_changed_behind_the_apps_back_is_named_by_check() {
    let env = Env::new();
    let case = env.case();
    env.ok(&[
        "case",
        "report",
        "--case",
        &case,
        "--description",
        "What they wrote.",
        "--police",
        "no",
    ]);
    env.assert_intact();
    let db = env.store().join("evidence.sqlite");
    let status = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE cases SET report = json_set(report, '$.description', 'Something else.', '$.police', 'yes');")
        .status()
        .expect("sqlite3");
    assert!(status.success());
    let (code, report) = env.check();
    assert_eq!(code, 1, "{report:#}");
    let text = report.to_string();
    assert!(text.contains("report.description"), "{report:#}");
    assert!(text.contains("report.police"), "{report:#}");
}

#[test]
fn bad_report_input_is_refused_in_one_sentence_and_changes_nothing() {
    let env = Env::new();
    let case = env.case();
    let before = env.snapshot();
    let bad = env.file("latin1.txt", b"caf\xe9");
    let out = env.ek(&[
        "case",
        "report",
        "--case",
        &case,
        "--description-file",
        bad.to_str().unwrap(),
    ]);
    assert_refused(&out, "is not UTF-8 text");
    let out = env.ek(&[
        "case",
        "report",
        "--case",
        &case,
        "--description-file",
        "/nonexistent/x.txt",
    ]);
    assert_refused(&out, "Could not read");
    let out = env.ek(&["case", "report", "--case", "EK-NOPE", "--police", "yes"]);
    assert_refused(&out, "There is no case EK-NOPE");
    let long = "x".repeat(20_001);
    let out = env.ek(&["case", "report", "--case", &case, "--witnesses", &long]);
    assert_refused(&out, "too long");
    let out = env.ek(&["case", "report", "--case", &case, "--police", "maybe"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown choice");
    assert_eq!(env.snapshot(), before);
    // A long description (the form must flow it onto pages) is accepted.
    let desc = env.file("long.txt", "word ".repeat(30_000).as_bytes());
    env.ok(&[
        "case",
        "report",
        "--case",
        &case,
        "--description-file",
        desc.to_str().unwrap(),
    ]);
}

#[test]
fn an_indecent_image_record_captures_nothing_and_is_logged() {
    let env = Env::new();
    let case = env.case();
    let out = env.ok(&[
        "case",
        "safeguard",
        "--case",
        &case,
        "--site",
        "a group chat",
        "--police-informed",
        "2026-11-25T15:00:00+00:00",
    ]);
    assert!(out.contains("Nothing was captured"), "{out}");
    assert!(out.contains("999") && out.contains("101"), "{out}");
    assert_eq!(env.object_count(), 0, "no bytes of any image are stored");
    assert!(env.items(&case).is_empty());
    let r = show(&env, &case)["report"].clone();
    assert_eq!(r["indecent_images"][0]["site"], "a group chat");
    assert_eq!(
        r["indecent_images"][0]["police_informed"],
        "2026-11-25T15:00:00Z"
    );
    let log: Vec<Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).expect("log");
    assert!(log.iter().any(|e| e["action"] == "indecent_image_recorded"));
    env.assert_intact();
    let out = env.ek(&[
        "case",
        "safeguard",
        "--case",
        &case,
        "--police-informed",
        "yesterday",
    ]);
    assert_refused(&out, "is not a date and time");
}

#[test]
fn headline_an_item_marked_as_an_indecent_image_leaves_no_bytes_in_the_store_or_any_bundle() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let marker = b"MARKER-of-bytes-that-must-never-be-kept-0123456789";
    let mut picture = b"\x89PNG\r\n\x1a\n".to_vec();
    for i in 0..200u32 {
        picture.extend_from_slice(marker);
        picture.extend_from_slice(&i.to_le_bytes());
    }
    let pic = env.file("found.png", &picture);
    let note = env.file("note.txt", b"an ordinary message");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        "--site",
        "a group chat",
        pic.to_str().unwrap(),
        note.to_str().unwrap(),
    ]);
    let out = env.ok(&["case", "safeguard", "--case", &case, "--item", "1"]);
    assert!(out.contains("bytes were removed"), "{out}");
    assert!(out.contains("999"), "{out}");
    let items = env.items(&case);
    assert!(
        items[0]["removed"]["reason"]
            .as_str()
            .unwrap()
            .contains("indecent image")
    );
    assert!(items[1].get("removed").is_none());
    assert_eq!(env.object_count(), 1, "only the ordinary message is kept");
    let contains = |hay: &[u8]| hay.windows(marker.len()).any(|w| w == marker);
    for f in walk_files(&env.store()) {
        assert!(
            !contains(&std::fs::read(&f).unwrap()),
            "{} holds the bytes",
            f.display()
        );
    }
    let r = show(&env, &case)["report"].clone();
    assert_eq!(r["indecent_images"][0]["site"], "a group chat");
    env.assert_intact();

    // Sealed afterwards: the bundle has the message, not the picture.
    let bundle = env.seal(&cfg, &case, "case.evidence");
    assert!(!contains(&std::fs::read(&bundle).unwrap()));
    let pubkey = env.path("cfg/signing.pub");
    env.ok(&[
        "verify",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    let log: Vec<Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).expect("log");
    assert!(log.iter().any(|e| e["action"] == "indecent_image_removed"));

    // The same bytes are never taken in again.
    let again = env.ek(&["capture", "file", "--case", &case, pic.to_str().unwrap()]);
    assert_refused(&again, "possible indecent image of a child");
    assert_eq!(env.object_count(), 1);

    // A removal cut short (the bytes back in place) is named by check and finished
    // by marking the item again.
    let obj =
        evidence_kit::store::object_path_in(&env.store(), items[0]["sha256"].as_str().unwrap());
    std::fs::create_dir_all(obj.parent().unwrap()).unwrap();
    std::fs::write(&obj, &picture).unwrap();
    let (code, report) = env.check();
    assert_eq!(code, 1);
    assert!(
        report.to_string().contains("removed_still_present"),
        "{report:#}"
    );
    env.ok(&["case", "safeguard", "--case", &case, "--item", "1"]);
    assert!(!obj.exists());
    env.assert_intact();

    // An item of another case is refused.
    let other = env.case();
    let out = env.ek(&["case", "safeguard", "--case", &other, "--item", "2"]);
    assert_refused(&out, "is not in case");
}

/// A picture whose bytes are easy to find in any file: `marker` repeated.
fn picture(marker: &[u8]) -> Vec<u8> {
    let mut picture = b"\x89PNG\r\n\x1a\n".to_vec();
    for i in 0..200u32 {
        picture.extend_from_slice(marker);
        picture.extend_from_slice(&i.to_le_bytes());
    }
    picture
}

fn holds(hay: &[u8], marker: &[u8]) -> bool {
    hay.windows(marker.len()).any(|w| w == marker)
}

fn actions_of(env: &Env, case: &str) -> Vec<(String, Option<i64>)> {
    let log: Vec<Value> =
        serde_json::from_str(&env.ok(&["log", "--case", case, "--json"])).expect("log");
    log.iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["item_id"].as_i64(),
            )
        })
        .collect()
}

/// Audit 2026-12 §6 promise 6 (b): the same picture captured three times, in two
/// records, is one object; marking any one of them marks all three (they are the same
/// picture), each with its custody entry in its own record, and the bytes go from every
/// store file. Nothing else is touched.
#[test]
fn headline_marking_an_indecent_image_marks_every_item_with_the_same_bytes() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let marker = b"MARKER-the-same-picture-in-two-records-0123456789";
    let pic = env.file("found.png", &picture(marker));
    let again = env.file("found-again.png", &picture(marker));
    let note = env.file("note.txt", b"an ordinary message");
    let (a, b) = (env.case(), env.case());
    let capture = |case: &str, f: &std::path::Path| {
        env.ok(&["capture", "file", "--case", case, f.to_str().unwrap()]);
    };
    capture(&a, &pic); // item 1
    capture(&b, &pic); // item 2
    capture(&a, &again); // item 3
    capture(&a, &note); // item 4
    assert_eq!(env.object_count(), 2, "identical bytes are stored once");

    let out = env.ok(&["case", "safeguard", "--case", &b, "--item", "2"]);
    assert!(out.contains("bytes were removed"), "{out}");
    let (items_a, items_b) = (env.items(&a), env.items(&b));
    let removed = |i: &Value| {
        i["removed"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("indecent image"))
    };
    assert_eq!(
        items_a.iter().map(removed).collect::<Vec<_>>(),
        [true, true, false],
        "{items_a:#?}"
    );
    assert!(removed(&items_b[0]), "{items_b:#?}");
    // Records and hashes stay.
    let sha = items_b[0]["sha256"].as_str().unwrap();
    assert_eq!(items_a[0]["sha256"], sha);
    assert_eq!(items_a[1]["sha256"], sha);
    assert_eq!(items_a[1]["original_name"], "found-again.png");
    // Each one's entry, in its own record.
    let entries = |case: &str| -> Vec<Option<i64>> {
        actions_of(&env, case)
            .into_iter()
            .filter(|(a, _)| a == "indecent_image_removed")
            .map(|(_, i)| i)
            .collect()
    };
    assert_eq!(entries(&a), [Some(1), Some(3)]);
    assert_eq!(entries(&b), [Some(2)]);

    assert_eq!(env.object_count(), 1, "only the ordinary message is kept");
    for f in walk_files(&env.store()) {
        assert!(
            !holds(&std::fs::read(&f).unwrap(), marker),
            "{} holds the bytes",
            f.display()
        );
    }
    env.assert_intact();

    // Neither record seals the picture; both verify.
    let pubkey = env.path("cfg/signing.pub");
    for (case, name) in [(&a, "a.evidence"), (&b, "b.evidence")] {
        let bundle = env.seal(&cfg, case, name);
        assert!(!holds(&std::fs::read(&bundle).unwrap(), marker), "{name}");
        env.ok(&[
            "verify",
            bundle.to_str().unwrap(),
            "--trust",
            pubkey.to_str().unwrap(),
        ]);
    }
    // Never taken in again, in either record.
    for case in [&a, &b] {
        let out = env.ek(&["capture", "file", "--case", case, pic.to_str().unwrap()]);
        assert_refused(&out, "possible indecent image of a child");
    }
    assert_eq!(env.object_count(), 1);
}

/// Audit 2026-12 §6 promise 6 (c): "custody entry first, then the file". Both steps
/// are made to fail for real, without a seam in the code:
/// - the file cannot be removed: a folder stands where the object was (unlink of a
///   folder fails with EISDIR, for root too). The entry must be committed already, and
///   `check` must name the bytes left behind (the state a crash between the two leaves);
/// - the entry cannot be written: a trigger in the index aborts the insert of an
///   `indecent_image_removed` entry. The bytes must still be there, unmarked, intact.
///
/// Removing the file first and then writing the entry fails both halves.
#[test]
fn headline_the_removal_of_an_indecent_image_writes_its_custody_entry_before_removing_the_file() {
    let env = Env::new();
    let case = env.case();
    let marker = b"MARKER-entry-first-then-the-file-0123456789";
    let bytes = picture(marker);
    let pic = env.file("found.png", &bytes);
    env.ok(&["capture", "file", "--case", &case, pic.to_str().unwrap()]);
    let sha = env.items(&case)[0]["sha256"].as_str().unwrap().to_string();
    let obj = evidence_kit::store::object_path_in(&env.store(), &sha);
    let removals = |env: &Env| {
        actions_of(env, &case)
            .into_iter()
            .filter(|(a, _)| a == "indecent_image_removed")
            .count()
    };

    // 1. The entry cannot be written: nothing is removed, nothing is marked.
    sqlite(
        &env,
        "CREATE TRIGGER refuse_removal BEFORE INSERT ON custody
           WHEN NEW.action = 'indecent_image_removed'
           BEGIN SELECT RAISE(ABORT, 'entry refused for the test'); END;",
    );
    let out = env.ek(&["case", "safeguard", "--case", &case, "--item", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    sqlite(&env, "DROP TRIGGER refuse_removal");
    assert!(
        obj.is_file(),
        "the bytes stay while the entry is not written"
    );
    assert_eq!(sha256sum(&obj), sha);
    assert_eq!(removals(&env), 0);
    assert!(env.items(&case)[0]["removed"].is_null());
    env.assert_intact();

    // 2. The file cannot be removed: the entry is committed first, and check names the
    // bytes left behind.
    let aside = env.path("object-aside");
    std::fs::rename(&obj, &aside).unwrap();
    std::fs::create_dir(&obj).unwrap();
    let out = env.ek(&["case", "safeguard", "--case", &case, "--item", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // The person is told the mark is saved and how to finish the removal.
    for words in [
        "Item 1 is marked as a possible indecent image and its record is kept",
        "could not be removed",
        "evidence-kit case safeguard --item 1",
    ] {
        assert!(stderr(&out).contains(words), "{words}: {}", stderr(&out));
    }
    assert_eq!(
        removals(&env),
        1,
        "the entry was committed before the removal"
    );
    assert!(env.items(&case)[0]["removed"]["reason"].is_string());
    // As a crash between the two would leave it: the bytes where they were.
    std::fs::remove_dir(&obj).unwrap();
    std::fs::rename(&aside, &obj).unwrap();
    let (code, report) = env.check();
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        report["problems"],
        serde_json::json!([{"kind": "removed_still_present", "item": 1, "path": obj.display().to_string()}]),
        "{report:#}"
    );
    // Marking it again finishes the removal, with no second entry.
    env.ok(&["case", "safeguard", "--case", &case, "--item", "1"]);
    assert!(!obj.exists());
    assert_eq!(removals(&env), 1);
    for f in walk_files(&env.store()) {
        assert!(
            !holds(&std::fs::read(&f).unwrap(), marker),
            "{}",
            f.display()
        );
    }
    env.assert_intact();
}

#[test]
fn a_record_goes_from_open_to_sealed_to_given_and_back_to_changed() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let state = |env: &Env| -> Value {
        let list: Vec<Value> = serde_json::from_str(&env.ok(&["case", "list", "--json"])).unwrap();
        list.into_iter().find(|c| c["id"] == case.as_str()).unwrap()
    };
    assert_eq!(state(&env)["state"], "open");
    let out = env.ek(&["case", "handed-over", "--case", &case]);
    assert_refused(&out, "has not been sealed yet");
    let f = env.file("a.txt", b"a message");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    env.seal(&cfg, &case, "b.evidence");
    let s = state(&env);
    assert_eq!(s["state"], "sealed");
    assert_eq!(s["changed_since_seal"], false);
    assert!(s["last_sealed"].is_string());
    env.ok(&[
        "case",
        "handed-over",
        "--case",
        &case,
        "--to",
        "Mrs D. Lead",
    ]);
    let s = state(&env);
    assert_eq!(s["state"], "sent");
    assert!(s["handed_over"].is_string());
    env.ok(&[
        "edit",
        "--item",
        "1",
        "--field",
        "note",
        "--value",
        "added later",
    ]);
    let s = state(&env);
    assert_eq!(s["changed_since_seal"], true);
    assert!(env.ok(&["case", "list"]).contains("[changed since sealed]"));
    let log = env.ok(&["log", "--case", &case]);
    assert!(
        log.contains("The sealed file was given to Mrs D. Lead."),
        "{log}"
    );
    env.assert_intact();
}

/// A stored report that cannot be read (damaged behind the app's back) is never taken
/// for an empty one and written back: a change to it is refused in one sentence, and
/// the report, the log and every file are as they were (issue 15's one behaviour fix).
#[test]
fn an_unreadable_stored_report_is_refused_and_never_overwritten() {
    let env = Env::new();
    let case = env.case();
    #[rustfmt::skip]
    env.ok(&["case", "report", "--case", &case, "--description", "What they wrote.", "--police", "no"]);
    let db = env.store().join("evidence.sqlite");
    let sql = |q: &str| {
        let out = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg(q)
            .output()
            .expect("sqlite3");
        assert!(out.status.success(), "sqlite3: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Cut short: no longer JSON at all.
    sql("UPDATE cases SET report = substr(report, 1, 25);");
    let damaged = sql("SELECT report FROM cases;");
    assert!(
        serde_json::from_str::<Value>(damaged.trim()).is_err(),
        "{damaged}"
    );
    let before = env.snapshot();
    #[rustfmt::skip]
    let attempts: [&[&str]; 3] = [
        &["case", "report", "--case", &case, "--police", "yes"],
        &["case", "report", "--case", &case, "--witnesses", "A colleague."],
        &["case", "safeguard", "--case", &case, "--site", "a group chat"],
    ];
    for args in attempts {
        let out = env.ek(args);
        assert_refused(&out, "incident report");
        assert_refused(&out, "cannot be read");
        assert_eq!(
            sql("SELECT report FROM cases;"),
            damaged,
            "{args:?} wrote it"
        );
        assert_eq!(env.snapshot(), before, "{args:?} changed the store");
    }
}
