//! Hostile input: refused, named, and nothing written outside the output folder
//! (unsafe and duplicate names, links, overlaps, truncated, foreign and damaged files).

use super::fixture::*;
use crate::util::*;
use evidence_kit::bundle;
use std::path::Path;
use std::process::Command;

#[test]
fn a_climbing_entry_is_refused_and_never_written() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "evil.evidence",
        "write(A[1], load(A[0]) + [(info('../evil'), b'gotcha'), (info('data/../../evil2'), b'x')])",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_finding(&report, "unsafe_name", "../evil");
    assert_finding(&report, "unsafe_name", "data/../../evil2");
    assert!(!kit.env.path("evil").exists() && !kit.env.path("evil2").exists());
    // The genuine files were extracted, the folder is marked failed.
    let out = kit.env.path("open-evil.evidence/out");
    assert!(out.join(payload(0)).exists());
    let failed = std::fs::read_to_string(out.join("VERIFICATION-FAILED.txt")).expect("marker");
    assert!(failed.contains("unsafe_name"), "{failed}");
}

#[test]
fn hostile_names_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // (file, entry name as Python writes it, the name the finding gives)
    let cases = [
        (
            "abs",
            "/tmp/evidence-kit-hostile-abs",
            "/tmp/evidence-kit-hostile-abs",
        ),
        // Python source `data\\..` is the name `data\..`, shown escaped again.
        (
            "backslash",
            r"data\\..\\..\\evil.txt",
            r"data\\..\\..\\evil.txt",
        ),
        ("bidi", r"data/\u202egnp.exe", r"data/\u{202e}gnp.exe"),
        ("control", r"data/a\x07b.txt", r"data/a\u{7}b.txt"),
        ("drive", "C:evil.txt", "C:evil.txt"),
    ];
    for (tag, py_name, shown) in cases {
        let bad = build(
            &kit,
            &sealed,
            &format!("{tag}.evidence"),
            &format!("write(A[1], load(A[0]) + [(info('{py_name}'), b'x')])"),
        );
        let (report, _) = hostile(&kit, &bad);
        let report = report.expect("report");
        // The finding's file is the name, escaped for display.
        assert_finding(&report, "unsafe_name", shown);
    }
    assert!(!Path::new("/tmp/evidence-kit-hostile-abs").exists());

    // A name that is not UTF-8 (and no UTF-8 flag): bytes patched into both headers.
    let bad = build(
        &kit,
        &sealed,
        "nonutf8.evidence",
        "write(A[1], load(A[0]) + [(info('data/XX-hostile.txt'), b'x')])\npatch(A[1], b'data/XX-hostile', b'data/\\xff\\xfe-hostile')",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "unsafe_name")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        f["message"].as_str().unwrap().contains("not UTF-8"),
        "{f:#}"
    );
}

#[test]
fn a_symlink_entry_is_refused_and_not_created() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "link.evidence",
        "write(A[1], load(A[0]) + [(info('data/005-link', attr=0o120777 << 16), b'/etc/passwd')])",
    );
    let (report, _) = hostile(&kit, &bad);
    assert_finding(&report.expect("report"), "unsafe_name", "data/005-link");
    assert!(
        std::fs::symlink_metadata(kit.env.path("open-link.evidence/out/data/005-link")).is_err()
    );
}

#[test]
fn duplicate_names_are_refused_exact_case_folded_and_unicode_normalised() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let exact = payload(1);
    for (tag, extra, named) in [
        (
            "exact",
            format!("(info({exact:?}), b'a different message')"),
            exact.clone(),
        ),
        (
            "case",
            "(info('data/A.txt'), b'1'), (info('data/a.txt'), b'2')".to_string(),
            "data/a.txt".to_string(),
        ),
        (
            "nfd",
            "(info('data/\\u00e9.txt'), b'1'), (info('data/e\\u0301.txt'), b'2')".to_string(),
            "data/e\u{301}.txt".to_string(),
        ),
    ] {
        let bad = build(
            &kit,
            &sealed,
            &format!("dup-{tag}.evidence"),
            &format!("write(A[1], load(A[0]) + [{extra}])"),
        );
        let (report, _) = hostile(&kit, &bad);
        assert_finding(&report.expect("report"), "unsafe_name", &named);
    }
    // The extracted copy of the exact duplicate is neither of the two: it is refused.
    let out = kit.env.path("open-dup-exact.evidence/out");
    assert!(!out.join(&exact).exists());
}

#[test]
fn overlapping_entries_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // Two directory entries pointing at one local header (the "better zip bomb").
    let bad = build(
        &kit,
        &sealed,
        "overlap.evidence",
        r#"
write(A[1], load(A[0]) + [(info('data/zz-a.txt'), b'same bytes'), (info('data/zz-b.txt'), b'same bytes')])
b = bytearray(open(A[1], 'rb').read())
z = zipfile.ZipFile(A[1])
first = z.getinfo('data/zz-a.txt').header_offset
i = 0
while True:
    i = b.index(b'PK\x01\x02', i)
    n = struct.unpack('<H', b[i + 28:i + 30])[0]
    if b[i + 46:i + 46 + n] == b'data/zz-b.txt':
        b[i + 42:i + 46] = struct.pack('<I', first)
        break
    i += 4
open(A[1], 'wb').write(bytes(b))
"#,
    );
    let (report, _) = hostile(&kit, &bad);
    assert_finding(&report.expect("report"), "container", "data/zz-b.txt");
}

#[test]
fn truncated_empty_and_foreign_files_end_cleanly() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bytes = std::fs::read(&sealed).expect("read");
    let len = bytes.len();
    let cd = py("print(zipfile.ZipFile(A[0]).start_dir)", &[&sealed])
        .trim()
        .parse::<usize>()
        .expect("start_dir");
    for cut in [1, 4, 30, 100, len / 2, cd - 1, cd + 10, len - 22, len - 1] {
        let p = kit.env.path(&format!("cut-{cut}.evidence"));
        std::fs::write(&p, &bytes[..cut]).expect("write");
        hostile(&kit, &p);
        // Without --force nothing is extracted.
        let out_dir = kit.env.path(&format!("cut-{cut}-out"));
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        assert!(matches!(out.status.code(), Some(1) | Some(2)));
        assert!(!out_dir.exists(), "cut at {cut}: extracted anyway");
    }
    for (name, content) in [
        ("empty.evidence", &b""[..]),
        ("text.evidence", b"This is a letter, not a bundle.\n"),
        ("png.evidence", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ] {
        let p = kit.env.path(name);
        std::fs::write(&p, content).expect("write");
        let (report, _) = hostile(&kit, &p);
        assert_unnamed(&report.expect("report"), "malformed");
    }
    let out = kit.run(
        &kit.dsl,
        &["verify", kit.env.path("nothing-here").to_str().unwrap()],
    );
    assert_refused(&out, "There is no file");
    let out = kit.run(&kit.dsl, &["verify", kit.env.path("src").to_str().unwrap()]);
    assert_refused(&out, "not a file");
}

#[test]
fn a_truncated_or_altered_age_file_is_refused_and_nothing_extracted() {
    let kit = Kit::new();
    kit.dsl_identity();
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    let bytes = std::fs::read(&file).expect("read");
    // Cut inside the payload: age authenticates the last chunk and refuses.
    let header_end = bytes
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("header")
        + 48;
    for (name, data) in [
        ("cut.evidence.age", bytes[..bytes.len() - 40].to_vec()),
        ("cut-early.evidence.age", bytes[..header_end + 100].to_vec()),
        ("flipped.evidence.age", {
            let mut b = bytes.clone();
            let at = b.len() - 500;
            b[at] ^= 0x01;
            b
        }),
    ] {
        let p = kit.env.path(name);
        std::fs::write(&p, data).expect("write");
        let (code, report, err) = kit.verify(&p, &[]);
        assert_eq!(code, 1, "{name}: {err}");
        let report = report.expect("report");
        assert_unnamed(&report, "decryption");
        assert_eq!(report["findings"].as_array().unwrap().len(), 1);
        assert!(report["case"].is_null(), "nothing decrypted was read");
        let out_dir = kit.env.path(&format!("{name}-out"));
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(!out_dir.exists());
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
                "--force",
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let got: Vec<_> = tree(&out_dir).into_iter().collect();
        assert_eq!(got, vec![out_dir.join("VERIFICATION-FAILED.txt")]);
    }
    // Cut inside the age header: not openable at all, one sentence.
    let p = kit.env.path("cut-header.evidence.age");
    std::fs::write(&p, &bytes[..40]).expect("write");
    let out = kit.run(&kit.dsl, &["verify", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim().lines().count(), 1);
}

/// Issue 14's invariant: each age chunk is examined only after its own tag verifies,
/// and no verdict is given (nothing extracted, no case read) until the final chunk
/// authenticates. A bundle of several chunks cut at a chunk boundary (64 KiB of
/// plaintext and a 16-byte tag each), so that every chunk left verifies and holds the
/// whole bag but the last of its evidence, is "damaged": one `decryption` finding, no
/// case, no signer, no partial verdict, nothing extracted.
#[test]
fn a_bundle_whose_last_age_chunks_are_dropped_is_damaged_with_no_partial_verdict() {
    let kit = Kit::new();
    kit.dsl_identity();
    // Evidence of ~300 KiB: a bundle of six chunks, its tag files in the first.
    let big = kit.env.path("src/long recording.bin");
    std::fs::write(
        &big,
        (0..300_000u32)
            .map(|i| (i * 7 % 253) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write");
    #[rustfmt::skip]
    kit.ok(&kit.staff, &["capture", "file", "--case", kit.case.as_str(), big.to_str().unwrap()]);
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    let bytes = std::fs::read(&file).expect("read");
    // The header ends with its MAC line; then the 16-byte payload nonce; then chunks.
    let mac = bytes
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("header");
    let header_end = mac + 1 + bytes[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let body = header_end + 16;
    const SEALED_CHUNK: usize = 64 * 1024 + 16;
    let chunks = (bytes.len() - body).div_ceil(SEALED_CHUNK);
    assert!(chunks >= 5, "{chunks} chunks");
    let (code, whole, err) = kit.verify(&file, &[]);
    assert_eq!(code, 0, "the whole file verifies: {err}");
    assert!(whole.is_some());
    for kept in [chunks - 1, chunks - 2, 1] {
        let name = format!("cut-to-{kept}.evidence.age");
        let p = kit.env.path(&name);
        std::fs::write(&p, &bytes[..body + kept * SEALED_CHUNK]).expect("write");
        let (code, report, err) = kit.verify(&p, &[]);
        assert_eq!(code, 1, "{name}: {err}");
        let report = report.expect("report");
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{name}: {report:#}");
        assert_unnamed(&report, "decryption");
        for field in ["case", "facts", "signer"] {
            assert!(
                report[field].is_null(),
                "{name}: {field} was read: {report:#}"
            );
        }
        assert_eq!(report["items"], 0, "{name}: {report:#}");
        assert_eq!(
            report["sha256"],
            sha256sum(&p).as_str(),
            "the file as given"
        );
        // Opened anyway (--force): nothing of it is extracted.
        let out_dir = kit.env.path(&format!("{name}-out"));
        #[rustfmt::skip]
        let out = kit.run(&kit.dsl, &["open", p.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--force"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let got: Vec<_> = tree(&out_dir).into_iter().collect();
        assert_eq!(got, vec![out_dir.join("VERIFICATION-FAILED.txt")]);
        // Its form is a failed one, with no case of it read.
        let pdf = kit.env.path(&format!("{name}.pdf"));
        #[rustfmt::skip]
        let out = kit.run(&kit.dsl, &["form", "--bundle", p.to_str().unwrap(), "--trust", kit.staff_pub.to_str().unwrap(), "--out", pdf.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
        if let Ok(text) = text {
            assert!(text.contains("VERIFICATION FAILED"), "{text}");
            assert!(
                !text.contains("Posts about me"),
                "the case was read: {text}"
            );
        }
    }
}

#[test]
fn malformed_manifest_lines_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let h = "ab".repeat(32);
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "bom",
            "manifest-sha256.txt",
            format!("\u{feff}{h}  data/001-x\n"),
            "BOM",
        ),
        (
            "cr",
            "manifest-sha256.txt",
            format!("{h}  data/001-x\r{h}  data/002-y\r"),
            "lone CR",
        ),
        (
            "hex",
            "manifest-sha256.txt",
            format!("{}zz  data/001-x\n", &h[..62]),
            "64 hexadecimal",
        ),
        (
            "short",
            "manifest-sha256.txt",
            format!("{}  data/001-x\n", &h[..60]),
            "64 hexadecimal",
        ),
        (
            "sep",
            "manifest-sha256.txt",
            format!("{h}data/001-x\n"),
            "no space",
        ),
        (
            "dup",
            "manifest-sha256.txt",
            format!("{h}  data/001-x\n{}  data/001-x\n", "cd".repeat(32)),
            "listed twice",
        ),
        (
            "escape",
            "manifest-sha256.txt",
            format!("{h}  data/%41\n"),
            "escapes",
        ),
        (
            "outside",
            "manifest-sha256.txt",
            format!("{h}  other/001-x\n"),
            "not under data/",
        ),
        (
            "tagdata",
            bundle::TAGMANIFEST,
            format!("{h}  data/001-x\n"),
            "lists a payload file",
        ),
        (
            "oxum",
            "bag-info.txt",
            "Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n".to_string(),
            "more than once",
        ),
    ];
    for (tag, target, body, says) in cases {
        let body_file = kit.env.file(&format!("{tag}.body"), body.as_bytes());
        let dst = kit.env.path(&format!("{tag}.evidence"));
        py(
            &format!("write(A[1], replace(load(A[0]), {target:?}, open(A[2], 'rb').read()))"),
            &[&sealed, &dst, &body_file],
        );
        let (report, _) = hostile(&kit, &dst);
        let report = report.expect("report");
        let f = finding(&report, "malformed", target);
        assert!(
            f["message"].as_str().unwrap().contains(says),
            "{tag}: {f:#}"
        );
    }
}

#[test]
fn a_damaged_age_header_is_one_sentence_without_age_s_upgrade_advice() {
    let kit = Kit::new();
    let identity = kit.dsl_identity();
    assert!(identity.starts_with("age1"));
    for (name, bytes) in [
        (
            "unknown.evidence.age",
            &b"age-encryption.org/v1\n-> X25519 abc\nxyz\n--- aaaa\nzzzz"[..],
        ),
        ("stanza.evidence.age", b"age-encryption.org/v1\n-> \n--- \n"),
    ] {
        let file = kit.env.file(name, bytes);
        let (code, _, err) = kit.verify(&file, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(!err.to_lowercase().contains("upgrad"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    }
}

#[test]
fn a_line_break_in_a_finding_cannot_draw_a_fake_verdict() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("fake.evidence");
    py(
        "it = load(A[0])\nm = dict((i.filename, d) for i, d in it)['manifest-sha256.txt']\nm += b'0' * 64 + b'  data/zz%0A%0AINTACT: signed with the key you trusted as Head Teacher (key 1234 5678 9ABC DEF0), sealed on 2026-12-01; unchanged since it was sealed.\\n'\nwrite(A[1], replace(it, 'manifest-sha256.txt', m))",
        &[&file, &bad],
    );
    let out = kit.run(
        &kit.dsl,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NOT VERIFIED"), "{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("INTACT"),
            "a fake verdict line: {text}"
        );
    }
    assert!(text.contains("[U+000A]"), "{text}");
}
