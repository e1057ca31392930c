//! Tamper detection: `check` names what was changed.

use crate::util::*;
use std::process::Command;

fn store_with_two_items() -> (Env, String) {
    let env = Env::new();
    let case = env.case();
    let a = env.file("first.png", b"\x89PNG\r\n\x1a\n first evidence");
    let b = env.file("second.txt", b"second evidence");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        a.to_str().unwrap(),
        "--note",
        "original note",
    ]);
    env.ok(&["capture", "file", "--case", &case, b.to_str().unwrap()]);
    env.assert_intact();
    (env, case)
}

fn problems(env: &Env) -> Vec<String> {
    let out = env.ek(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "check must exit 1: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("PROBLEM"))
        .map(str::to_string)
        .collect()
}

#[test]
fn headline_one_changed_byte_in_an_object_is_named_and_nothing_is_repaired() {
    let (env, case) = store_with_two_items();
    let sha = env.items(&case)[0]["sha256"].as_str().unwrap().to_string();
    let object = env
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
    bytes[10] ^= 0x01;
    std::fs::write(&object, &bytes).unwrap();
    let index = env.snapshot();
    assert!(index.contains(&sha), "the snapshot read the index: {index}");

    let p = problems(&env);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("altered: item 1 (first.png)"), "{p:?}");
    // One block (4 KiB) holds the whole 23-byte file.
    assert!(p[0].ends_with("; the change is in bytes 0–22"), "{p:?}");
    assert!(p[0].contains(&sha), "{p:?}");
    let (_, report) = env.check();
    assert_eq!(report["problems"][0]["kind"], "altered");
    assert_eq!(report["problems"][0]["expected"], sha.as_str());
    // Nothing was repaired or removed: the changed bytes and every record stay.
    assert_eq!(std::fs::read(&object).unwrap(), bytes);
    assert_eq!(env.snapshot(), index);
}

#[test]
fn the_changed_block_of_a_large_object_is_located() {
    let env = Env::new();
    let case = env.case();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let f = env.file("video.bin", &big);
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let sha = env.items(&case)[0]["sha256"].as_str().unwrap().to_string();
    let object = env
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
    bytes[200_000] ^= 0xff;
    std::fs::write(&object, bytes).unwrap();
    let (code, report) = env.check();
    assert_eq!(code, 1);
    // 300,000 bytes → 4 KiB blocks; byte 200,000 is in block 48: 196,608–200,703.
    assert_eq!(
        report["problems"][0]["changed_ranges"],
        serde_json::json!([[196_608, 200_704]])
    );
    assert_eq!(report["problems"][0]["more_changed_ranges"], 0);
}

#[test]
fn a_missing_object_is_named() {
    let (env, case) = store_with_two_items();
    let sha = env.items(&case)[1]["sha256"].as_str().unwrap().to_string();
    std::fs::remove_file(
        env.store()
            .join("objects/sha256")
            .join(&sha[..2])
            .join(&sha[2..]),
    )
    .unwrap();
    let p = problems(&env);
    assert!(
        p.iter().any(|l| l.contains("missing: item 2 (second.txt)")),
        "{p:?}"
    );
}

#[test]
fn headline_one_changed_custody_field_is_named() {
    let (env, _) = store_with_two_items();
    sqlite(
        &env,
        "UPDATE custody SET actor = 'Someone else' WHERE seq = 2",
    );
    let p = problems(&env);
    assert_eq!(
        p,
        ["PROBLEM custody chain broken at entry 2: the entry was changed after it was written"]
    );
}

#[test]
fn headline_a_deleted_custody_entry_is_named() {
    let (env, _) = store_with_two_items();
    sqlite(&env, "DELETE FROM custody WHERE seq = 2");
    let p = problems(&env);
    assert!(
        p.iter().any(|l| l.contains("chain broken at entry 2")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|l| l.contains("not in custody log: item 1")),
        "{p:?}"
    );
}

#[test]
fn headline_a_changed_record_is_named_by_field() {
    let (env, _) = store_with_two_items();
    sqlite(
        &env,
        "UPDATE items SET note = 'rewritten', site = 'Elsewhere' WHERE id = 1",
    );
    let p = problems(&env);
    assert!(
        p.iter().any(|l| l.contains(
            "item 1 field note is \"rewritten\" but the custody log says \"original note\""
        )),
        "{p:?}"
    );
    assert!(p.iter().any(|l| l.contains("item 1 field site")), "{p:?}");
}

#[test]
fn a_rehashed_record_pointing_elsewhere_is_named() {
    let (env, case) = store_with_two_items();
    let other = env.items(&case)[1]["sha256"].as_str().unwrap().to_string();
    sqlite(
        &env,
        &format!("UPDATE items SET sha256 = '{other}' WHERE id = 1"),
    );
    let p = problems(&env);
    assert!(p.iter().any(|l| l.contains("item 1 field sha256")), "{p:?}");
}

#[test]
fn a_deleted_item_row_is_named() {
    let (env, _) = store_with_two_items();
    sqlite(&env, "DELETE FROM items WHERE id = 2");
    let p = problems(&env);
    assert!(
        p.iter().any(|l| l.contains("record missing: item 2")),
        "{p:?}"
    );
}

#[test]
fn a_changed_case_title_is_named() {
    let (env, case) = store_with_two_items();
    sqlite(&env, "UPDATE cases SET title = 'Nothing happened'");
    let p = problems(&env);
    assert_eq!(
        p,
        [format!(
            "PROBLEM record changed: case {case} field title differs from its custody entry"
        )]
    );
}

/// An object no item names may be the bytes of a capture whose record was lost (an
/// index restored from an older copy, a lost `-wal`): a problem, not a note.
#[test]
fn an_object_no_item_names_is_a_possible_lost_capture() {
    let (env, _) = store_with_two_items();
    let sha = "ab".repeat(32);
    let obj = evidence_kit::store::object_path_in(&env.store(), &sha);
    std::fs::create_dir_all(obj.parent().unwrap()).unwrap();
    std::fs::write(&obj, b"bytes whose record is gone").unwrap();
    let out = env.ek(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "PROBLEM possible lost capture: {} is kept but no item names it",
            obj.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("Keep this store as it is and tell your designated safeguarding person."),
        "{text}"
    );
    assert!(!text.contains("a capture was interrupted"), "{text}");
    let (_, report) = env.check();
    assert_eq!(report["problems"][0]["kind"], "unreferenced_object");
    assert_eq!(report["problems"][0]["sha256"], sha.as_str());
}

fn damaged_index_is_a_problem(env: &Env, damage: &dyn Fn(&std::path::Path)) {
    damage(&env.store().join("evidence.sqlite"));
    let out = env.ek(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("PROBLEM index damaged: the store's index (evidence.sqlite) is damaged"),
        "{text}"
    );
    for jargon in ["SQLite", "malformed", "database", "column"] {
        assert!(!first.contains(jargon), "{first:?} says {jargon:?}");
    }
    assert!(text.contains("\n  Technical details: "), "{text}");
    assert!(
        text.contains("Keep this store as it is and tell your designated safeguarding person."),
        "{text}"
    );
    assert!(!text.contains("panicked"));
    let (code, report) = env.check();
    assert_eq!(code, 1);
    assert_eq!(report["problems"][0]["kind"], "index_damaged", "{report:#}");
}

/// L1: an index SQLite cannot read is a problem (exit 1) with the same advice, in plain
/// words; SQLite's own words follow as technical details.
#[test]
fn a_truncated_index_is_a_problem_in_plain_words() {
    let (env, _) = store_with_two_items();
    damaged_index_is_a_problem(&env, &|db| {
        let len = std::fs::metadata(db).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
        f.set_len(len / 2).unwrap();
    });
}

#[test]
fn an_index_that_is_not_a_database_is_a_problem_in_plain_words() {
    let (env, _) = store_with_two_items();
    damaged_index_is_a_problem(&env, &|db| {
        let mut bytes = std::fs::read(db).unwrap();
        bytes[..16].copy_from_slice(b"not an index....");
        std::fs::write(db, bytes).unwrap();
    });
}

#[test]
fn an_index_with_a_damaged_schema_is_a_problem_in_plain_words() {
    let (env, _) = store_with_two_items();
    damaged_index_is_a_problem(&env, &|db| {
        // The schema text of the items table, as a flipped byte leaves it.
        let mut bytes = std::fs::read(db).unwrap();
        let at = bytes
            .windows(19)
            .position(|w| w == b"CREATE TABLE items ")
            .expect("schema text");
        bytes[at + 13] = 0;
        std::fs::write(db, bytes).unwrap();
    });
}

// ---- A chain cut short (audit §6 promise 5, §7 experiment 1) ----
//
// Before the anchor `custody.head` (issue 12) each of these passed `check` as "All
// intact", exit 0: nothing in the index says how long the log was. Each test below
// fails when `check` ignores the anchor or the store stops writing it.

/// `check` as text: (exit code, every PROBLEM line).
fn check_text(env: &Env) -> (i32, Vec<String>) {
    let out = env.ek(&["check"]);
    let problems = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("PROBLEM"))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap_or(-1), problems)
}

fn object_of(env: &Env, sha: &str) -> std::path::PathBuf {
    evidence_kit::store::object_path_in(&env.store(), sha)
}

/// The line `check` prints for a log that ends at `last` when `recorded` was written.
fn cut_short(last: i64, recorded: i64) -> String {
    format!(
        "PROBLEM records lost: the custody log ends at entry {last} but entry {recorded} was recorded: recent records were lost (the index was restored from an older copy or damaged)"
    )
}

fn assert_cut_short(env: &Env, last: i64, recorded: i64) {
    let (code, p) = check_text(env);
    assert_eq!(code, 1, "check must exit 1: {p:#?}");
    assert_eq!(p, [cut_short(last, recorded)], "named, and nothing else");
    let (code, report) = env.check();
    assert_eq!(code, 1);
    assert_eq!(
        report["problems"],
        serde_json::json!([{"kind": "log_cut_short", "last": last, "recorded": recorded}]),
        "{report:#}"
    );
}

/// Case, one capture, sealed, handed over: entries 1-4.
fn sealed_and_handed_over() -> (Env, String) {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let f = env.file("a.txt", b"hello\n");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    env.seal(&cfg, &case, "b.evidence");
    env.ok(&[
        "case",
        "handed-over",
        "--case",
        &case,
        "--to",
        "Mrs D. Lead",
    ]);
    env.assert_intact();
    (env, case)
}

fn actions(env: &Env, case: &str) -> Vec<String> {
    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", case, "--json"])).expect("log");
    log.iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn headline_the_newest_custody_entries_deleted_are_named_as_a_chain_cut_short() {
    let (env, case) = sealed_and_handed_over();
    assert_eq!(
        actions(&env, &case),
        ["case_created", "captured", "sealed", "handed_over"]
    );
    sqlite(
        &env,
        "DELETE FROM custody WHERE action IN ('handed_over','sealed')",
    );
    // What the deletion hides: the record reads as never sealed.
    assert!(env.ok(&["case", "list"]).contains("[open]"));
    assert_cut_short(&env, 2, 4);
    // Nothing was repaired: a second check says the same.
    assert_cut_short(&env, 2, 4);
}

#[test]
fn headline_a_withdrawal_erased_from_the_log_and_the_record_is_named() {
    let env = Env::new();
    let case = env.case();
    let f = env.file("a.txt", b"a message");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    env.ok(&["withdraw", "--item", "1", "--reason", "sent by mistake"]);
    assert!(env.items(&case)[0]["withdrawn"].is_object());
    env.assert_intact();
    sqlite(
        &env,
        "DELETE FROM custody WHERE action = 'withdrawn';
         UPDATE items SET withdrawn_utc = NULL, withdrawn_local = NULL,
             withdrawn_zone = NULL, withdrawn_reason = NULL",
    );
    assert!(env.items(&case)[0]["withdrawn"].is_null());
    assert_cut_short(&env, 2, 3);
}

#[test]
fn headline_the_last_capture_erased_whole_is_named() {
    let env = Env::new();
    let case = env.case();
    let a = env.file("a.txt", b"first message");
    env.ok(&["capture", "file", "--case", &case, a.to_str().unwrap()]);
    // Large enough to have block hashes in object_blocks.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let b = env.file("video.bin", &big);
    env.ok(&["capture", "file", "--case", &case, b.to_str().unwrap()]);
    let sha = env.items(&case)[1]["sha256"].as_str().unwrap().to_string();
    env.assert_intact();

    // Erase it whole: its bytes, its block hashes, its record and its entry.
    std::fs::remove_file(object_of(&env, &sha)).unwrap();
    let before = env.object_count();
    sqlite(
        &env,
        &format!(
            "DELETE FROM object_blocks WHERE sha256 = '{sha}';
             DELETE FROM items WHERE id = 2;
             DELETE FROM custody WHERE seq = 3 AND action = 'captured';"
        ),
    );
    let left = |q: &str| {
        let out = Command::new("sqlite3")
            .arg(env.store().join("evidence.sqlite"))
            .arg(q)
            .output()
            .expect("sqlite3");
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(
        left(&format!(
            "SELECT count(*) FROM object_blocks WHERE sha256 = '{sha}'"
        )),
        "0"
    );
    assert_eq!(left("SELECT count(*) FROM items"), "1");
    assert_eq!(left("SELECT max(seq) FROM custody"), "2");
    assert_eq!(before, 1, "no trace left in objects/");
    assert_cut_short(&env, 2, 3);
}

/// Entries swapped (their seq exchanged) are named by the chain, whatever the anchor:
/// each entry's hash covers its seq and the hash before it.
#[test]
fn headline_reordered_custody_entries_are_named() {
    let (env, _) = sealed_and_handed_over();
    sqlite(
        &env,
        "UPDATE custody SET seq = -1 WHERE seq = 2;
         UPDATE custody SET seq = 2 WHERE seq = 3;
         UPDATE custody SET seq = 3 WHERE seq = -1;",
    );
    let (code, p) = check_text(&env);
    assert_eq!(code, 1, "{p:#?}");
    let reordered = |n: i64| {
        format!(
            "PROBLEM custody chain broken at entry {n}: it does not follow the entry before it (an entry was removed or reordered)"
        )
    };
    for n in [2, 3, 4] {
        assert!(p.contains(&reordered(n)), "entry {n}: {p:#?}");
    }
    for n in [2, 3] {
        assert!(
            p.contains(&format!(
                "PROBLEM custody chain broken at entry {n}: the entry was changed after it was written"
            )),
            "entry {n}: {p:#?}"
        );
    }
    // The last two swapped: the chain names them, and so does the anchor.
    let (env, _) = sealed_and_handed_over();
    sqlite(
        &env,
        "UPDATE custody SET seq = -1 WHERE seq = 3;
         UPDATE custody SET seq = 3 WHERE seq = 4;
         UPDATE custody SET seq = 4 WHERE seq = -1;",
    );
    let (code, p) = check_text(&env);
    assert_eq!(code, 1, "{p:#?}");
    assert!(
        p.contains(&reordered(3)) && p.contains(&reordered(4)),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|l| l.contains("entry 4 of the custody log is not the entry 4 that was recorded")),
        "{p:#?}"
    );
}

// ---- Every changed block is located (audit §6 promise 5), in the store and a bundle ----

/// 300,000 bytes: 4 KiB blocks (74 of them, the last short).
fn big_file() -> Vec<u8> {
    (0..300_000u32).map(|i| (i % 251) as u8).collect()
}

/// Capture `big_file()`, change its object with `change`, and return check's one problem
/// (text, JSON).
fn altered_object(change: &dyn Fn(&mut Vec<u8>)) -> (String, serde_json::Value) {
    let env = Env::new();
    let case = env.case();
    let f = env.file("video.bin", &big_file());
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let sha = env.items(&case)[0]["sha256"].as_str().unwrap().to_string();
    let object = object_of(&env, &sha);
    let mut bytes = std::fs::read(&object).unwrap();
    change(&mut bytes);
    std::fs::write(&object, bytes).unwrap();
    let (code, p) = check_text(&env);
    assert_eq!(code, 1);
    assert_eq!(p.len(), 1, "{p:#?}");
    let (_, report) = env.check();
    (p[0].clone(), report["problems"][0].clone())
}

#[test]
fn headline_every_changed_block_of_an_object_is_located_not_only_the_first() {
    // Blocks 2, 10-11 (one run) and 48.
    let (text, json) = altered_object(&|b| {
        for at in [10_000, 40_960, 45_056, 200_000] {
            b[at] ^= 0xff;
        }
    });
    assert_eq!(
        json["changed_ranges"],
        serde_json::json!([[8_192, 12_288], [40_960, 49_152], [196_608, 200_704]]),
        "{json:#}"
    );
    assert_eq!(json["more_changed_ranges"], 0);
    assert!(
        text.ends_with(
            "; the changes are in bytes 8,192–12,287, 40,960–49,151 and 196,608–200,703"
        ),
        "{text}"
    );

    // Eight separate blocks: five named, the rest counted.
    let (text, json) = altered_object(&|b| {
        for block in [1, 3, 5, 7, 9, 11, 13, 73] {
            b[block * 4096] ^= 0x01;
        }
    });
    assert_eq!(
        json["changed_ranges"],
        serde_json::json!([
            [4_096, 8_192],
            [12_288, 16_384],
            [20_480, 24_576],
            [28_672, 32_768],
            [36_864, 40_960]
        ]),
        "{json:#}"
    );
    assert_eq!(json["more_changed_ranges"], 3);
    assert!(
        text.ends_with("; the changes are in bytes 4,096–8,191, 12,288–16,383, 20,480–24,575, 28,672–32,767, 36,864–40,959 and 3 more ranges"),
        "{text}"
    );

    // Cut short at 100,000: one range, from the first short block to the new end.
    let (text, json) = altered_object(&|b| b.truncate(100_000));
    assert_eq!(
        json["changed_ranges"],
        serde_json::json!([[98_304, 100_000]])
    );
    assert!(
        text.ends_with("; the change is in bytes 98,304–99,999"),
        "{text}"
    );
}

#[test]
fn changed_ranges_are_said_in_bounded_words() {
    use evidence_kit::verify::changed_ranges_in_words as words;
    assert_eq!(words(&[(0, 4096)], 0), "the change is in bytes 0–4,095");
    assert_eq!(
        words(&[(20_480, 20_481)], 0),
        "the change is in byte 20,480"
    );
    assert_eq!(
        words(&[(0, 4096), (8192, 8193)], 0),
        "the changes are in bytes 0–4,095 and 8,192"
    );
    assert_eq!(
        words(&[(0, 1), (2, 3)], 1),
        "the changes are in bytes 0, 2 and 1 more range"
    );
    let many: Vec<(u64, u64)> = (0..1000).map(|i| (i * 10, i * 10 + 5)).collect();
    let said = words(&many, 0);
    assert_eq!(
        said,
        "the changes are in bytes 0–4, 10–14, 20–24, 30–34, 40–44 and 995 more ranges"
    );
}

/// The same for a bundle's payload file: `verify` names every changed run of blocks.
#[test]
fn headline_every_changed_block_of_a_bundle_payload_file_is_located() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let big = big_file();
    let f = env.file("video.bin", &big);
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let bundle = env.seal(&cfg, &case, "case.evidence");
    let mut bytes = std::fs::read(&bundle).unwrap();
    // Stored, not compressed: the file's bytes are in the zip as they are.
    let start = bytes
        .windows(big.len())
        .position(|w| w == big.as_slice())
        .expect("the payload is stored as it is");
    for at in [10_000, 200_000, 299_999] {
        bytes[start + at] ^= 0xff;
    }
    let bad = env.path("changed.evidence");
    std::fs::write(&bad, &bytes).unwrap();
    let pubkey = env.path("cfg/signing.pub");
    let out = env.ek(&[
        "verify",
        bad.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let altered: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "altered")
        .collect();
    assert_eq!(altered.len(), 1, "{report:#}");
    let f = altered[0];
    assert_eq!(f["file"], "data/001-video.bin", "{f:#}");
    assert_eq!(f["offset"], 8_192, "{f:#}");
    assert!(
        f["message"].as_str().unwrap().starts_with(
            "data/001-video.bin was changed after sealing: the changes are in bytes 8,192–12,287, 196,608–200,703 and 299,008–299,999 (its SHA-256 is "
        ),
        "{f:#}"
    );
    // And in the words the CLI prints.
    let out = env.ek(&[
        "verify",
        bad.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("the changes are in bytes 8,192–12,287, 196,608–200,703 and 299,008–299,999"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
