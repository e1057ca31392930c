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
fn report_fields_are_set_changed_and_cleared_with_the_old_value_logged() {
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
fn an_item_marked_as_an_indecent_image_leaves_no_bytes_in_the_store_or_any_bundle() {
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
        log.contains("The sealed record was given to Mrs D. Lead."),
        "{log}"
    );
    env.assert_intact();
}
