//! Limits: zip bombs, enormous manifests and block lists, too many entries, oversized
//! tag files and custody details are refused in little memory, before anything is written.

use super::fixture::*;
use crate::util::*;
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Details};
use evidence_kit::store::Store;
use evidence_kit::verify::{self, Options};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Run the CLI under `/usr/bin/time -f %M`: (output, peak KiB). Only memory is
/// limited here: wall time in a debug build, beside the other tests on a shared
/// machine, says little (the speed of these refusals is `scripts/bench-hostile`'s).
fn timed(kit: &Kit, args: &[&str]) -> (Output, u64) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK-KIB %M")
        .arg(env!("CARGO_BIN_EXE_evidence-kit"))
        .arg("--store")
        .arg(kit.env.store())
        .arg("--config")
        .arg(&kit.dsl)
        .args(args)
        .env("HOME", kit.env.path("home"))
        .env("TMPDIR", kit.env.path("tmp"))
        .output()
        .expect("/usr/bin/time");
    let err = stderr(&out);
    let peak = err
        .lines()
        .find_map(|l| l.strip_prefix("PEAK-KIB "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {err}"));
    (out, peak)
}

#[test]
fn headline_a_zip_bomb_is_refused_in_little_memory() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // 200 MiB of zeros, deflated to ~200 KB: an extra entry, and one in place of a
    // sealed file whose headers claim its sealed size (a lying bomb).
    let bad = build(
        &kit,
        &sealed,
        "bomb.evidence",
        r#"
def bomb(z, name):
    zi = info(name, method=zipfile.ZIP_DEFLATED)
    with z.open(zi, 'w') as w:
        chunk = bytes(1 << 20)
        for _ in range(200):
            w.write(chunk)
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        z.writestr(zi, data)
    bomb(z, 'data/999-bomb.bin')
"#,
    );
    assert!(std::fs::metadata(&bad).unwrap().len() < 2_000_000);
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "too_large", "data/999-bomb.bin");
    assert!(peak_kib < 200 * 1024, "peak {peak_kib} KiB");

    let lying = build(
        &kit,
        &sealed,
        "lying-bomb.evidence",
        &format!(
            r#"
import zlib
target = {target:?}
items = load(A[0])
size = [i.file_size for i, _ in items if i.filename == target][0]
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in items:
        if zi.filename == target:
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, bytes(50 << 20))
        else:
            z.writestr(zi, data)
# Make both headers claim the sealed size: the stream inflates to 50 MiB anyway.
b = bytearray(open(A[1], 'rb').read())
name = target.encode()
for sig, at in ((b'PK\x03\x04', 22), (b'PK\x01\x02', 24)):
    i = 0
    while True:
        i = b.index(sig, i)
        n = struct.unpack('<H', b[i + (26 if sig == b'PK\x03\x04' else 28):][:2])[0]
        start = i + (30 if sig == b'PK\x03\x04' else 46)
        if b[start:start + n] == name:
            b[i + at:i + at + 4] = struct.pack('<I', size)
            break
        i += 4
open(A[1], 'wb').write(bytes(b))
"#,
            target = payload(0)
        ),
    );
    let (report, _) = hostile(&kit, &lying);
    let report = report.expect("report");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == payload(0).as_str()),
        "{report:#}"
    );
    // open --force wrote no more than the sealed size for it, and nothing of the
    // extra bomb.
    let out = kit.env.path("open-lying-bomb.evidence/out");
    if let Ok(m) = std::fs::metadata(out.join(payload(0))) {
        assert!(m.len() <= 20_016, "extracted {} bytes", m.len());
    }
    let (out, peak_kib) = timed(
        &kit,
        &[
            "open",
            bad.to_str().unwrap(),
            "--out",
            kit.env.path("bomb-out").to_str().unwrap(),
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(peak_kib < 200 * 1024, "peak {peak_kib} KiB");
    let bomb = kit.env.path("bomb-out/data/999-bomb.bin");
    assert!(
        std::fs::metadata(&bomb).map(|m| m.len()).unwrap_or(0) == 0,
        "the bomb was extracted"
    );
}

#[test]
fn a_bundle_declaring_too_much_is_not_examined_or_extracted() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // 17 entries whose directory sizes claim 4 GiB each (the data is tiny): over the
    // 64 GiB a bundle may unpack to.
    let bad = build(
        &kit,
        &sealed,
        "huge-claim.evidence",
        r#"
write(A[1], load(A[0]) + [(info('data/9%02d-big.bin' % k), b'x' * 100) for k in range(17)])
b = bytearray(open(A[1], 'rb').read())
i = 0
while True:
    i = b.find(b'PK\x01\x02', i)
    if i < 0:
        break
    n = struct.unpack('<H', b[i + 28:i + 30])[0]
    if b[i + 46:i + 46 + n].endswith(b'-big.bin'):
        # Just under 4 GiB (0xFFFFFFFF would mean zip64) in both size fields.
        b[i + 20:i + 28] = struct.pack('<II', 0xFFFFFFFE, 0xFFFFFFFE)
    i += 4
open(A[1], 'wb').write(bytes(b))
"#,
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_unnamed(&report, "too_large");
    // open --force wrote nothing of it but the failure note.
    let out = kit.env.path("open-huge-claim.evidence/out");
    let got: Vec<_> = tree(&out).into_iter().collect();
    assert_eq!(got, vec![out.join("VERIFICATION-FAILED.txt")]);
}

#[test]
fn an_enormous_manifest_is_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "huge.evidence",
        "line = b'0' * 64 + b'  data/'\nbody = b''.join(line + b'%08d\\n' % i for i in range(17 * 1024 * 1024 // 80 + 1000))\nassert len(body) > 16 << 20\nwrite(A[1], replace(load(A[0]), 'manifest-sha256.txt', body))",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_finding(&report, "malformed", "manifest-sha256.txt");
    assert!(
        finding(&report, "malformed", "manifest-sha256.txt")["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB")
    );

    // Deflated, a 160 MiB manifest is a 9 MB file (18:1, under the zip-bomb ratio):
    // it is refused without being read into memory.
    let deflated = build(
        &kit,
        &sealed,
        "huge-deflated.evidence",
        r#"
import os
rnd = os.urandom(1 << 20).hex().encode()
body = b''.join(rnd[k * 2 % len(rnd):k * 2 % len(rnd) + 2] + b'0' * 62 + b'  data/%08d\n' % k
                for k in range((160 << 20) // 80))
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        if zi.filename == 'manifest-sha256.txt':
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = body
        z.writestr(zi, data)
"#,
    );
    assert!(std::fs::metadata(&deflated).unwrap().len() < 16 << 20);
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            deflated.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "malformed", "manifest-sha256.txt");
    assert!(peak_kib < 64 * 1024, "peak {peak_kib} KiB");
}

#[test]
fn an_enormous_block_list_is_not_read_into_memory() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // An altered evidence file makes verify look up where it changed, in
    // blocks-sha256.txt; here that file is 160 MiB deflated to ~9 MB.
    let bad = build(
        &kit,
        &sealed,
        "huge-blocks.evidence",
        &format!(
            r#"
import os
rnd = os.urandom(1 << 20).hex().encode()
body = b''.join(rnd[k * 2 % len(rnd):k * 2 % len(rnd) + 2] + b'0' * 78 for k in range((160 << 20) // 80))
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        if zi.filename == {blocks:?}:
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = body
        if zi.filename == {target:?}:
            data = b'changed' + data[7:]
        z.writestr(zi, data)
"#,
            blocks = bundle::BLOCKS,
            target = payload(0)
        ),
    );
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "altered", &payload(0));
    assert_finding(&report, "altered", bundle::BLOCKS);
    assert!(peak_kib < 64 * 1024, "peak {peak_kib} KiB");
}

#[test]
fn a_case_over_the_entry_limit_is_refused_before_anything_is_written() {
    let kit = Kit::new();
    let out = kit.env.path("big.evidence");
    let seal = |limit: &str| {
        kit.run_env(
            &kit.staff,
            &["seal", "--case", &kit.case, "--out", out.to_str().unwrap()],
            &[("EVIDENCE_KIT_TEST_MAX_ENTRIES", limit)],
        )
    };
    // 4 items and 9 tag files: 13 entries. A limit of 12 refuses, with nothing written.
    let before = kit.run(&kit.staff, &["log", "--case", &kit.case]);
    let refused = seal("12");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("more than the 3"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(kit.env.path(""))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let after = kit.run(&kit.staff, &["log", "--case", &kit.case]);
    assert_eq!(
        before.stdout, after.stdout,
        "a refused seal records nothing"
    );
    // At the limit it seals, and the verifier (with the same limit) accepts it.
    let sealed = seal("13");
    assert!(sealed.status.success(), "{}", stderr(&sealed));
    let (code, report, err) = {
        let o = kit.run_env(
            &kit.dsl,
            &[
                "verify",
                out.to_str().unwrap(),
                "--trust",
                kit.staff_pub.to_str().unwrap(),
                "--json",
            ],
            &[("EVIDENCE_KIT_TEST_MAX_ENTRIES", "13")],
        );
        (
            o.status.code(),
            serde_json::from_slice::<Value>(&o.stdout).ok(),
            stderr(&o),
        )
    };
    assert_eq!(code, Some(0), "{report:#?} {err}");
}

/// The whole entry limit, for `make test-long` (minutes): a case of exactly as many
/// items as a bundle holds seals and verifies intact; one more is refused before
/// anything is written.
#[test]
#[ignore = "long: 99,992 captures; run by make test-long"]
fn the_entry_limit_in_full_seals_the_largest_case_and_refuses_one_more() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let case = store.create_case("Many posts", "A. Teacher").expect("case");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let max = bundle::max_items();
    assert_eq!(max, 99_991);
    let mut done = 0;
    while done < max {
        let batch: Vec<PathBuf> = (done..(done + 5_000).min(max))
            .map(|i| {
                let p = src.join(format!("post {i}.txt"));
                std::fs::write(&p, format!("post {i}\n")).expect("write");
                p
            })
            .collect();
        capture::files(
            &store,
            &case.id,
            &batch,
            &Details::default(),
            &mut |_, _, _| {},
        )
        .expect("capture");
        for p in &batch {
            std::fs::remove_file(p).expect("remove");
        }
        done += batch.len();
    }
    let (trusted, key) = staff_key(dir.path());
    let req = |out: &str| SealRequest {
        case_id: case.id.clone(),
        out: Some(dir.path().join(out)),
        to: Vec::new(),
        organization: Some("Ysgol Test".into()),
    };
    let sealed = bundle::seal(&store, &key, &req("full.evidence"), &mut |_, _| {}).expect("seal");
    assert_eq!(sealed.items, max);
    let opts = Options {
        trusted: vec![trusted],
        ..Options::default()
    };
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(
        r.intact(),
        "{:?}",
        kinds(&r).into_iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(r.items, max);
    // One more: refused, nothing written.
    let p = src.join("one more.txt");
    std::fs::write(&p, b"one more\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    let e = bundle::seal(&store, &key, &req("over.evidence"), &mut |_, _| {})
        .expect_err("over the limit");
    assert_eq!(e.code(), "too_many_items", "{e}");
    assert!(!dir.path().join("over.evidence").exists());
    assert!(!dir.path().join("over.evidence.partial").exists());
}

#[test]
fn a_hostile_block_list_costs_no_memory_when_a_file_changed() {
    // A block size of 1 made locating a change keep a SHA-256 per byte (32 times the
    // file). No key is needed: the file is changed, the block line made up.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("blocks.evidence");
    let big = 40 * 1024 * 1024;
    py(
        &format!(
            r#"
it = load(A[0])
p = [i.filename for i, _ in it if i.filename.startswith('data/')][0]
items = []
for i, d in it:
    if i.filename == p:
        d = b'x' * {big}
    elif i.filename == 'blocks-sha256.txt':
        d = (p + '\t1\t' + '0' * 64 * 1000 + '\n').encode()
    items.append((i, d))
write(A[1], items)
"#
        ),
        &[&file, &bad],
    );
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_evidence-kit"))
        .args(["--config"])
        .arg(&kit.dsl)
        .args(["verify", "--json", "--trust"])
        .arg(&kit.staff_pub)
        .arg(&bad)
        .output()
        .expect("time");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(has(&report, "malformed", bundle::BLOCKS), "{report:#}");
    let kb: u64 = stderr(&out)
        .trim()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .expect("rss");
    assert!(kb < 200 * 1024, "peak {kb} KiB for a {big}-byte file");
}

#[test]
fn custody_details_beyond_what_a_bundle_may_hold_are_refused_before_they_are_replayed() {
    // Parsed, a record's JSON text can grow many times over: the replay keeps bounded.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("big-details.evidence");
    py(
        r#"
it = load(A[0])
lines = dict((i.filename, d) for i, d in it)['custody.jsonl'].decode().splitlines()
e = json.loads(lines[0])
e['details'] = json.dumps({'x': [0] * (3 * 1024 * 1024)}, separators=(',', ':'))
lines[0] = json.dumps(e, separators=(',', ':'), ensure_ascii=False)
write(A[1], replace(it, 'custody.jsonl', ('\n'.join(lines) + '\n').encode()))
"#,
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    let f = finding(&report, "malformed", "custody.jsonl");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("past what a bundle may hold"),
        "{f:#}"
    );
}

#[test]
fn a_tag_file_larger_than_the_verifier_reads_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let case = store.create_case("Posts", "A. Teacher").expect("case");
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"a post\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    let (_, key) = staff_key(dir.path());
    let out = dir.path().join("b.evidence");
    let e = bundle::seal(
        &store,
        &key,
        &SealRequest {
            case_id: case.id.clone(),
            out: Some(out.clone()),
            to: Vec::new(),
            // bag-info.txt past the 1 MiB the verifier reads.
            organization: Some("School ".repeat(200_000)),
        },
        &mut |_, _| {},
    )
    .expect_err("too large");
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("bag-info.txt"), "{e}");
    assert!(!out.exists());
    let log = store.custody(Some(&case.id)).expect("log");
    assert!(log.iter().all(|e| e.action != "sealed"));
}
