//! Capturing files: hash at acquisition, dedup, metadata.

use crate::util::*;

#[test]
fn headline_stored_hash_equals_sha256sum_and_identical_bytes_are_stored_once() {
    let env = Env::new();
    let case = env.case();
    let original = env.file(
        "post.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not really a png",
    );
    let copy = env.file(
        "same-again.bin",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not really a png",
    );
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        original.to_str().unwrap(),
        "--site",
        "Facebook",
    ]);
    env.ok(&["capture", "file", "--case", &case, copy.to_str().unwrap()]);

    let items = env.items(&case);
    assert_eq!(items.len(), 2, "two captures are two items");
    let expected = sha256sum(&original);
    for item in &items {
        assert_eq!(item["sha256"], expected.as_str());
        assert_eq!(item["size"], std::fs::metadata(&original).unwrap().len());
        assert_eq!(
            item["media_type"], "image/png",
            "sniffed from bytes, not the .bin name"
        );
    }
    assert_eq!(items[0]["original_name"], "post.png");
    assert_eq!(items[1]["original_name"], "same-again.bin");
    assert_eq!(items[0]["site"], "Facebook");
    assert_eq!(env.object_count(), 1, "identical bytes stored once");

    let object = env
        .store()
        .join("objects/sha256")
        .join(&expected[..2])
        .join(&expected[2..]);
    assert_eq!(sha256sum(&object), expected);
    assert_eq!(
        std::fs::read(&object).unwrap(),
        std::fs::read(&original).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&object).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400, "objects are read-only, owner only");
        let store_mode = std::fs::metadata(env.store()).unwrap().permissions().mode() & 0o777;
        assert_eq!(store_mode, 0o700, "the store is user-only");
        let db_mode = std::fs::metadata(env.store().join("evidence.sqlite"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(db_mode, 0o600, "the index is user-only");
    }
    env.assert_intact();
}

#[test]
fn every_detail_is_recorded_with_capture_time_offset_and_zone() {
    let env = Env::new();
    let case = env.case();
    let f = env.file("chat.txt", "21:04 Sam: you’re pathetic\n".as_bytes());
    let out = env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        f.to_str().unwrap(),
        "--site",
        "WhatsApp",
        "--url",
        "https://chat.example/g/1",
        "--seen",
        "2026-11-24T21:05:00+01:00",
        "--note",
        "In the year 6 parents' group",
        "--from",
        "@sam",
        "--from-email",
        "sam@example.org",
        "--from-phone",
        "+44 7700 900123",
        "--from-profile",
        "https://social.example/sam",
        "--by",
        "B. Colleague",
        "--json",
    ]);
    let item: serde_json::Value = serde_json::from_str(out.trim()).expect("json line");
    assert_eq!(item["media_type"], "text/plain");
    assert_eq!(
        item["seen"], "2026-11-24T20:05:00Z",
        "seen normalised to UTC"
    );
    assert_eq!(item["from"]["handle"], "@sam");
    assert_eq!(item["from"]["email"], "sam@example.org");
    assert_eq!(item["from"]["phone"], "+44 7700 900123");
    assert_eq!(item["from"]["profile"], "https://social.example/sam");
    assert_eq!(item["url"], "https://chat.example/g/1");
    assert_eq!(item["captured_by"], "B. Colleague");
    assert_eq!(item["source"], "file");
    let utc = item["captured"]["utc"].as_str().unwrap();
    let local = item["captured"]["local"].as_str().unwrap();
    assert!(utc.ends_with('Z'));
    let a = chrono::DateTime::parse_from_rfc3339(utc).unwrap();
    let b = chrono::DateTime::parse_from_rfc3339(local).unwrap();
    assert_eq!(a, b, "local and UTC are the same instant");
    assert!(!item["captured"]["zone"].as_str().unwrap().is_empty());

    // The case's staff member is the default "captured by".
    let g = env.file("g.txt", b"x");
    let out = env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        g.to_str().unwrap(),
        "--json",
    ]);
    let item: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(item["captured_by"], "A. Teacher");
}

#[test]
fn local_offset_and_zone_follow_tz() {
    let env = Env::new();
    let case = env.case();
    let f = env.file("a.txt", b"a");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
        .args([
            "--store",
            env.store().to_str().unwrap(),
            "capture",
            "file",
            "--case",
            &case,
        ])
        .arg(&f)
        .arg("--json")
        .env("TZ", "Asia/Kolkata")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let item: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        item["captured"]["local"]
            .as_str()
            .unwrap()
            .ends_with("+05:30")
    );
    assert_eq!(item["captured"]["zone"], "Asia/Kolkata");
}

#[test]
fn eml_headers_are_recorded() {
    let env = Env::new();
    let case = env.case();
    let f = env.file(
        "message.eml",
        b"Received: from mx.example.org\r\nFrom: Sam Jones <sam@example.org>\r\nTo: A Teacher <a.teacher@school.example>\r\nDate: Tue, 24 Nov 2026 21:04:00 +0000\r\nSubject: You should quit\r\nMessage-ID: <abc123@example.org>\r\n\r\nBody text\r\n",
    );
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let item = &env.items(&case)[0];
    assert_eq!(item["media_type"], "message/rfc822");
    assert_eq!(item["email"]["from"], "Sam Jones <sam@example.org>");
    assert_eq!(item["email"]["to"], "A Teacher <a.teacher@school.example>");
    assert_eq!(item["email"]["subject"], "You should quit");
    assert_eq!(item["email"]["message_id"], "abc123@example.org");
    assert_eq!(item["email"]["date"], "2026-11-24T21:04:00Z");
}

#[test]
fn media_types_are_sniffed_from_bytes() {
    let env = Env::new();
    let case = env.case();
    let cases: &[(&str, &[u8], &str)] = &[
        ("page.html", b"<!DOCTYPE html><html><body>hi</body></html>", "text/html"),
        ("doc.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        ("export.json", b"[{\"from\": \"sam\", \"text\": \"hi\"}]", "application/json"),
        ("photo.txt", b"\xff\xd8\xff\xe0\0\x10JFIF\0", "image/jpeg"),
        ("page.mhtml", b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\r\n", "multipart/related"),
    ];
    for (name, bytes, want) in cases {
        let f = env.file(name, bytes);
        let out = env.ok(&[
            "capture",
            "file",
            "--case",
            &case,
            f.to_str().unwrap(),
            "--json",
        ]);
        let item: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(item["media_type"], *want, "{name}");
    }
}

#[test]
fn headline_withdraw_keeps_the_item_and_edits_keep_old_values_in_the_log() {
    let env = Env::new();
    let case = env.case();
    let f = env.file("a.txt", b"abuse");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        f.to_str().unwrap(),
        "--note",
        "first",
    ]);
    env.ok(&[
        "edit", "--item", "1", "--field", "note", "--value", "second",
    ]);
    env.ok(&["withdraw", "--item", "1", "--reason", "Captured by mistake"]);
    let items = env.items(&case);
    assert_eq!(items.len(), 1, "withdrawn items stay listed");
    assert_eq!(items[0]["withdrawn"]["reason"], "Captured by mistake");
    assert_eq!(items[0]["note"], "second");
    assert_eq!(env.object_count(), 1, "bytes kept");

    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["case_created", "captured", "note_edited", "withdrawn"]
    );
    let edit: serde_json::Value =
        serde_json::from_str(log[2]["details"].as_str().unwrap()).unwrap();
    assert_eq!(edit["old"], "first");
    assert_eq!(edit["new"], "second");

    let again = env.ek(&["withdraw", "--item", "1", "--reason", "x"]);
    assert_refused(&again, "already withdrawn");
    env.assert_intact();
}

/// A dragged region keeps only that part of the screen (the rest is never stored), and
/// a region outside the screen is refused in a sentence.
#[test]
fn a_screen_region_keeps_only_the_chosen_part() {
    let env = Env::new();
    let case = env.case();
    let store = evidence_kit::store::Store::open(&env.store()).unwrap();
    let screen = image::RgbaImage::from_fn(200, 100, |x, y| {
        if (50..150).contains(&x) && (20..60).contains(&y) {
            image::Rgba([200, 10, 10, 255])
        } else {
            image::Rgba([10, 10, 200, 255])
        }
    });
    let item = evidence_kit::capture::screen_region(
        &store,
        &case,
        &screen,
        (50, 20, 100, 40),
        &evidence_kit::capture::Details::default(),
    )
    .unwrap();
    assert!(
        item.original_name.starts_with("Screenshot ")
            && item.original_name.ends_with(" (part).png"),
        "{}",
        item.original_name
    );
    let bytes = std::fs::read(store.object_path(&item.sha256)).unwrap();
    let got = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(got.dimensions(), (100, 40));
    assert!(
        got.pixels().all(|p| p.0 == [200, 10, 10]),
        "only the red part"
    );
    let err = evidence_kit::capture::screen_region(
        &store,
        &case,
        &screen,
        (300, 0, 10, 10),
        &evidence_kit::capture::Details::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");
    assert_eq!(env.items(&case).len(), 1);
}

/// The window's path (`capture::arrived`) keeps a file as `capture file` does: whole,
/// under its SHA-256, read-only (0400), and nothing left in `tmp/`.
#[test]
fn headline_a_file_arriving_in_parts_is_kept_whole_read_only_and_leaves_nothing_behind() {
    use evidence_kit::capture::{self, Arriving, Details};
    use evidence_kit::store::Store;
    let env = Env::new();
    let case = env.case();
    let store = Store::open(&env.store()).unwrap();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut arriving = Arriving::new(store.root()).unwrap();
    for part in data.chunks(1 << 20) {
        arriving.append(part).unwrap();
    }
    assert_eq!(arriving.size(), data.len() as u64);
    let item = capture::arrived(
        &store,
        &case,
        arriving,
        "../videos/clip 1.mp4",
        &Details::default(),
    )
    .unwrap();
    let original = env.file("original", &data);
    assert_eq!(item.sha256, sha256sum(&original));
    assert_eq!(item.size, data.len() as u64);
    assert_eq!(
        item.original_name, "clip 1.mp4",
        "the name only, never a path"
    );
    let object = evidence_kit::store::object_path_in(&env.store(), &item.sha256);
    assert_eq!(
        std::fs::read(&object).unwrap(),
        data,
        "stored byte for byte"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&object).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400, "objects are read-only, owner only");
    }
    let left: Vec<_> = walk_files(&env.store().join("tmp"));
    assert!(left.is_empty(), "parts left behind: {left:?}");

    // A file abandoned while arriving (its case unknown, say) is removed too.
    let mut arriving = Arriving::new(store.root()).unwrap();
    arriving.append(b"half").unwrap();
    let out = capture::arrived(&store, "EK-NONE", arriving, "x.png", &Details::default());
    assert!(out.is_err());
    assert!(walk_files(&env.store().join("tmp")).is_empty());
    drop(store);
    env.assert_intact();
    assert_eq!(env.items(&case).len(), 1);
}

/// Several files in one `capture file`: each is sniffed from its own bytes (e-mail
/// headers read from its own object), in the order given, each with its own entry.
#[test]
fn several_files_in_one_capture_each_keep_their_own_type() {
    let env = Env::new();
    let case = env.case();
    let png = env.file("photo.txt", b"\xff\xd8\xff\xe0\0\x10JFIF\0");
    let eml = env.file(
        "message.eml",
        b"From: Sam <sam@example.org>\r\nSubject: Quit\r\n\r\nBody\r\n",
    );
    let out = env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        png.to_str().unwrap(),
        eml.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let items = env.items(&case);
    assert_eq!(items[0]["media_type"], "image/jpeg");
    assert_eq!(items[1]["media_type"], "message/rfc822");
    assert_eq!(items[1]["email"]["subject"], "Quit");
    let log: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["log", "--case", &case, "--json"])).unwrap();
    let captured: Vec<_> = log
        .iter()
        .filter(|e| e["action"] == "captured")
        .map(|e| e["item_id"].as_i64().unwrap())
        .collect();
    assert_eq!(captured, [1, 2]);
    env.assert_intact();
}

/// Screen captures are named by the local time they were taken ("Screenshot 1 Dec 2026
/// 14.02.png", a part of the screen "… (part).png"), and two taken in the same minute
/// never share a name within a record (" (2)", " (3)"); another record starts again.
#[test]
fn headline_screen_captures_have_unique_readable_names_in_local_time() {
    use evidence_kit::capture::{self, Details};
    use evidence_kit::clock::Stamp;
    let env = Env::new();
    let mut store = evidence_kit::store::Store::open(&env.store()).unwrap();
    // 13:02:10 UTC is 14:02 in the local time the stamp records (UTC+01:00).
    store.set_clock(std::sync::Arc::new(|| Stamp {
        utc: "2026-12-01T13:02:10.000Z".into(),
        local: "2026-12-01T14:02:10.000+01:00".into(),
        zone: "Europe/Paris".into(),
    }));
    let case = store.create_case("t", "s").unwrap().id;
    let other = store.create_case("u", "s").unwrap().id;
    let screen = image::RgbaImage::from_pixel(40, 30, image::Rgba([1, 2, 3, 255]));
    let d = Details::default();
    let names: Vec<String> = [
        capture::grabbed_screen(&store, &case, &screen, &d),
        capture::grabbed_screen(&store, &case, &screen, &d),
        capture::screen_region(&store, &case, &screen, (0, 0, 10, 10), &d),
        capture::grabbed_screen(&store, &case, &screen, &d),
        capture::screen_region(&store, &case, &screen, (0, 0, 10, 10), &d),
        capture::grabbed_screen(&store, &other, &screen, &d),
    ]
    .into_iter()
    .map(|r| r.unwrap().original_name)
    .collect();
    assert_eq!(
        names,
        [
            "Screenshot 1 Dec 2026 14.02.png",
            "Screenshot 1 Dec 2026 14.02 (2).png",
            "Screenshot 1 Dec 2026 14.02 (part).png",
            "Screenshot 1 Dec 2026 14.02 (3).png",
            "Screenshot 1 Dec 2026 14.02 (part) (2).png",
            "Screenshot 1 Dec 2026 14.02.png",
        ]
    );
}
