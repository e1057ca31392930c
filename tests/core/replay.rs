//! The custody replay (`replay.rs`) on real stores and real sealed bundles: `check`
//! replays the store's log, and a genuine bundle's `case.json` replays clean against
//! its own `custody.jsonl`.

use crate::util::*;
use evidence_kit::custody::{Entry, GENESIS_HASH};
use evidence_kit::store::Store;

/// The store's whole log (through the library, read-only).
fn log(env: &Env) -> Vec<Entry> {
    let store = Store::open_for_reading(&env.store()).expect("open store");
    store.custody(None).expect("custody")
}

/// Rewrite entry `seq`'s details and re-hash the chain from there on, as someone with
/// the store (but not a signing key) can: `check` must still not panic.
fn rewrite_details(env: &Env, seq: i64, details: &str) {
    let mut entries = log(env);
    let mut prev = GENESIS_HASH.to_string();
    let mut sql = String::from("BEGIN;");
    for e in &mut entries {
        if e.seq == seq {
            e.details = details.to_string();
        }
        if e.seq >= seq {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            sql.push_str(&format!(
                "UPDATE custody SET details = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {};",
                e.details.replace('\'', "''"),
                e.prev_hash,
                e.hash,
                e.seq
            ));
        }
        prev = e.hash.clone();
    }
    sql.push_str("COMMIT;");
    sqlite(env, &sql);
}

#[test]
fn check_names_a_capture_entry_that_is_not_an_object_without_panicking() {
    let env = Env::new();
    let case = env.case();
    let a = env.file("a.txt", b"first evidence");
    env.ok(&["capture", "file", "--case", &case, a.to_str().unwrap()]);
    env.ok(&["withdraw", "--item", "1", "--reason", "a duplicate"]);
    env.ok(&[
        "edit",
        "--item",
        "1",
        "--field",
        "from_handle",
        "--value",
        "@x",
    ]);
    env.assert_intact();
    let captured = log(&env)
        .into_iter()
        .find(|e| e.action == "captured")
        .expect("a captured entry");
    rewrite_details(&env, captured.seq, "[]");
    let out = env.ek(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("record changed: item 1"), "{text}");
}

/// A bundle's `case.json` (whole) and its `custody.jsonl` lines.
fn bundle_parts(bundle: &std::path::Path) -> (serde_json::Value, Vec<serde_json::Value>) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(bundle).expect("bundle")).expect("zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut z.by_name(name).expect(name), &mut text).expect(name);
        text
    };
    let case: serde_json::Value = serde_json::from_str(&read("case.json")).expect("case.json");
    let lines = read("custody.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("custody line"))
        .collect();
    (case, lines)
}

/// Replay a bundle as the verifier does: the log a line at a time (redacted lines
/// skipped), then each `case.json` item as it is, then the case. Returns every
/// difference, time slip and late capture, as sentences.
fn replay_bundle(case: &serde_json::Value, lines: &[serde_json::Value]) -> Vec<String> {
    use evidence_kit::replay::Replay;
    let id = case["case"]["id"].as_str().expect("case id");
    let mut replay = Replay::bundle(id);
    let mut said = Vec::new();
    for l in lines {
        if l["redacted"] == true {
            replay.skip(l["seq"].as_i64().expect("seq"));
            continue;
        }
        let e: Entry = serde_json::from_value(l.clone()).expect("entry");
        if let Some(slip) = replay.apply(&e) {
            said.push(slip.to_string());
        }
    }
    for item in case["items"].as_array().expect("items") {
        said.extend(replay.compare_item(item).iter().map(|d| d.to_string()));
    }
    let head: evidence_kit::case::Case =
        serde_json::from_value(case["case"].clone()).expect("case");
    said.extend(replay.compare_case(&head).iter().map(|d| d.to_string()));
    let sealed = case["sealed"]["utc"].as_str().expect("sealed");
    said.extend(replay.captures_after(sealed).iter().map(|c| {
        format!(
            "item {} captured {} (excused: {})",
            c.item, c.captured_utc, c.excused
        )
    }));
    said.extend(replay.finish().iter().map(|d| d.to_string()));
    said
}

#[test]
fn a_genuine_bundle_replays_clean_and_each_record_edit_is_named() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let other = env.case();
    let case = env.case();
    let files: Vec<_> = ["a.txt", "b.txt", "c.png", "d.txt"]
        .iter()
        .enumerate()
        .map(|(i, n)| env.file(n, format!("evidence {i}").as_bytes()))
        .collect();
    for (i, f) in files.iter().enumerate() {
        // Alternate cases, so that the bundle's log has redacted lines between.
        let c = if i == 2 { &other } else { &case };
        env.ok(&["capture", "file", "--case", c, f.to_str().unwrap()]);
    }
    env.ok(&["edit", "--item", "1", "--field", "note", "--value", "first"]);
    env.ok(&[
        "edit",
        "--item",
        "2",
        "--field",
        "from_handle",
        "--value",
        "@x",
    ]);
    env.ok(&["withdraw", "--item", "2", "--reason", "a duplicate"]);
    env.ok(&["case", "safeguard", "--case", &case, "--item", "4"]);
    env.ok(&["case", "report", "--case", &case, "--police", "yes"]);
    env.ok(&[
        "edit", "--item", "3", "--field", "note", "--value", "theirs",
    ]);
    env.assert_intact();
    let bundle = env.seal(&cfg, &case, "c.evidence");
    let (genuine, lines) = bundle_parts(&bundle);
    assert!(
        lines.iter().any(|l| l["redacted"] == true),
        "another case's lines"
    );
    assert_eq!(
        genuine["items"].as_array().unwrap().len(),
        2,
        "item 4 is removed"
    );
    assert_eq!(replay_bundle(&genuine, &lines), Vec::<String>::new());

    let tampered = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = genuine.clone();
        f(&mut c);
        replay_bundle(&c, &lines)
    };
    // A note rewritten only in case.json.
    assert_eq!(
        tampered(&|c| c["items"][0]["note"] = "second".into()),
        ["item 1 field note: recorded \"second\", the custody log says \"first\""]
    );
    // The withdrawal erased.
    let said = tampered(&|c| c["items"][1]["withdrawn"] = serde_json::Value::Null);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("item 2 field withdrawn: recorded \"(nothing)\""),
        "{said:?}"
    );
    // The removed item put back; an item dropped.
    let said = tampered(&|c| {
        let mut back = c["items"][0].clone();
        back["id"] = 4.into();
        let items = c["items"].as_array_mut().unwrap();
        items.push(back);
        items.remove(0);
    });
    assert_eq!(
        said,
        [
            "item 4 is described, but the custody log says it was removed as a possible indecent image of a child",
            "the custody log records the capture of item 1, but no record describes it"
        ]
    );
    // The title, and the report.
    let said = tampered(&|c| {
        c["case"]["title"] = "Nothing happened".into();
        c["case"]["report"]["police"] = "no".into();
    });
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].contains("field title"), "{said:?}");
    assert!(said[1].contains("field report.police"), "{said:?}");
    // A newer version's extra fields: ignored.
    assert_eq!(
        tampered(&|c| {
            c["items"][0]["phone_model"] = "Pixel".into();
            c["items"][0]["from"]["whatsapp"] = "+44".into();
        }),
        Vec::<String>::new()
    );
    // A capture "later" than the seal (the removed item 4 too: its capture entry stays).
    let said = tampered(&|c| c["sealed"]["utc"] = "2000-01-01T00:00:00.000Z".into());
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said[2].starts_with("item 4 captured"), "{said:?}");
    assert!(said[0].starts_with("item 1 captured"), "{said:?}");
    assert!(said[0].ends_with("(excused: false)"), "{said:?}");
}
