//! Tampering: each change is found and named (changed, removed or added bytes and
//! files, signatures by another key or lifted from another bundle, zip checksums).

use super::fixture::*;
use crate::util::*;
use evidence_kit::bundle;
use evidence_kit::keys::PublicKey;
use evidence_kit::verify;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn a_flipped_byte_in_evidence_is_named_with_its_block() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    // Byte 10,000 of a 20,016-byte image: 4 KiB blocks, so the third block.
    flip_in_entry(&file, &bad, &payload(0), None, 10_000);
    let report = kit.findings(&bad);
    let f = finding(&report, "altered", &payload(0));
    assert_eq!(f["offset"], 8192, "{f:#}");
    assert!(
        f["message"].as_str().unwrap().contains("8,192–12,287"),
        "{f:#}"
    );
    assert!(payload(0).starts_with("data/001-"));
    // Nothing else is blamed on the other items.
    for i in 1..4 {
        let p = payload(i);
        assert!(
            !report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"] == p.as_str()),
            "{report:#}"
        );
    }
    // bagit.py agrees (unzip writes the damaged file, complaining about its CRC).
    let bag = kit.env.path("bag");
    let _ = tool(
        kit.env.dir.path(),
        "unzip",
        &["-qo", bad.to_str().unwrap(), "-d", bag.to_str().unwrap()],
    );
    assert!(!bagit_validate(&bag).status.success());
}

#[test]
fn a_flipped_byte_in_each_tag_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    for (entry, needle, also) in [
        ("case.json", &b"Posts about me"[..], None),
        ("custody.jsonl", b"A. Teacher", Some("chain")),
        ("bag-info.txt", b"Posts about me", None),
        ("manifest-sha256.txt", b"  data/002", None),
        ("bagit.txt", b"1.0", None),
    ] {
        let bad = kit.env.path(&format!("bad-{entry}.evidence"));
        flip_in_entry(&file, &bad, entry, Some(needle), 0);
        let report = kit.findings(&bad);
        assert_finding(&report, "altered", entry);
        if let Some(kind) = also {
            assert_finding(&report, kind, entry);
        }
    }
    // The signature file is covered by no manifest: a change even to its unsigned
    // comment line is still found.
    let bad = kit.env.path("bad-sig.evidence");
    flip_in_entry(
        &file,
        &bad,
        bundle::SIGNATURE,
        Some(b"Evidence Kit seal of"),
        0,
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert!(
        finding(&report, "signature", bundle::SIGNATURE)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unsigned comment"),
        "{report:#}"
    );
    // And a change to the tag manifest breaks the signature.
    let bad = kit.env.path("bad-tm.evidence");
    flip_in_entry(&file, &bad, bundle::TAGMANIFEST, Some(b"  case.json"), 0);
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "signature", bundle::TAGMANIFEST);
    assert_eq!(report["signer"]["signature_valid"], false);
}

#[test]
fn a_removed_evidence_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        &format!(
            "write(A[1], without(load(A[0]), {:?}))",
            payload(1).as_str()
        ),
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "missing", &payload(1));
    assert_finding(&report, "mismatch", "bag-info.txt");
    // bagit.py agrees.
    let bag = kit.env.path("bag");
    py_extract(&bad, &bag);
    assert!(!bagit_validate(&bag).status.success());
}

#[test]
fn an_added_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        "write(A[1], load(A[0]) + [(info('data/005-planted.png'), b'\\x89PNG planted'), (info('notes.txt'), b'hi')])",
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "extra", "data/005-planted.png");
    assert_finding(&report, "extra", "notes.txt");
    let bag = kit.env.path("bag");
    py_extract(&bad, &bag);
    assert!(!bagit_validate(&bag).status.success());
}

fn minisign_sign(kit: &Kit, dir: &Path, trusted_comment: &str) {
    let out = Command::new("minisign")
        .args([
            "-S",
            "-W",
            "-s",
            "x.key",
            "-m",
            "tagmanifest-sha256.txt",
            "-t",
            trusted_comment,
        ])
        .current_dir(dir)
        .env("HOME", kit.env.path("home"))
        .output()
        .expect("minisign -S");
    assert_tool_ok(&out, "minisign -S");
}

fn trusted_comment(minisig: &Path) -> String {
    std::fs::read_to_string(minisig)
        .expect("minisig")
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("trusted comment")
        .to_string()
}

#[test]
fn headline_a_signature_by_another_key_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let work = kit.env.path("work");
    py_extract(&file, &work);
    other_key(&kit, &work);
    let tc = trusted_comment(&work.join(bundle::SIGNATURE));
    minisign_sign(&kit, &work, &tc);
    std::fs::copy(work.join("x.pub"), work.join("signer.pub")).expect("copy");
    let bad = kit.env.path("bad.evidence");
    py(
        "import os\nit = load(A[0])\nfor n in ('tagmanifest-sha256.txt.minisig', 'signer.pub'):\n    it = replace(it, n, open(os.path.join(A[2], n), 'rb').read())\nwrite(A[1], it)",
        &[&file, &bad, &work],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "untrusted_key", "signer.pub");
    assert_finding(&report, "altered", "signer.pub");
    assert_eq!(report["signer"]["trusted"], false);

    // A forgery re-signed consistently: changed evidence, both manifests recomputed,
    // signed by the other key with facts naming it. The signature is valid; the key
    // is not one the DSL trusts, and that is said.
    let forged = kit.env.path("forged.evidence");
    py(
        &format!(
            r#"import os
w = A[2]
p = os.path.join(w, {target:?})
open(p, 'wb').write(b'Nothing happened.\n')
h = lambda f: hashlib.sha256(open(os.path.join(w, f), 'rb').read()).hexdigest()
lines = open(os.path.join(w, 'manifest-sha256.txt')).read().splitlines()
lines = [(h({target:?}) + '  ' + {target:?}) if l.endswith({target:?}) else l for l in lines]
open(os.path.join(w, 'manifest-sha256.txt'), 'w').write('\n'.join(lines) + '\n')
tags = [l.split('  ', 1)[1] for l in open(os.path.join(w, 'tagmanifest-sha256.txt')).read().splitlines()]
open(os.path.join(w, 'tagmanifest-sha256.txt'), 'w').write(''.join(h(t) + '  ' + t + '\n' for t in tags))
"#,
            target = payload(1)
        ),
        &[&file, &forged, &work],
    );
    let mut facts: Value = serde_json::from_str(&tc).expect("facts");
    let new_pub = PublicKey::read(&work.join("x.pub")).expect("x.pub");
    facts["key_id"] = new_pub.key_id.clone().into();
    facts["tagmanifest_sha256"] = sha256sum(&work.join("tagmanifest-sha256.txt")).into();
    minisign_sign(&kit, &work, &facts.to_string());
    py(
        "import os\nit = load(A[0])\nfor n in ('tagmanifest-sha256.txt', 'tagmanifest-sha256.txt.minisig', 'signer.pub', 'manifest-sha256.txt', A[3]):\n    it = replace(it, n, open(os.path.join(A[2], n), 'rb').read())\nwrite(A[1], it)",
        &[&file, &forged, &work, Path::new(&payload(1))],
    );
    let report = kit.findings(&forged);
    assert_finding(&report, "untrusted_key", "signer.pub");
    assert_eq!(report["signer"]["signature_valid"], true, "{report:#}");
    assert_eq!(report["signer"]["trusted"], false);
    assert!(!has(&report, "altered", &payload(1)), "{report:#}");
    for tag in ["manifest-sha256.txt", bundle::TAGMANIFEST, "signer.pub"] {
        assert!(!has(&report, "altered", tag), "{report:#}");
    }
}

#[test]
fn a_signature_lifted_from_another_bundle_is_named() {
    let kit = Kit::new();
    let a = kit.seal("a.evidence", &[]);
    let b = kit.seal("b.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        "sa = dict((i.filename, d) for i, d in load(A[0]))\nit = load(A[1])\nfor n in ('tagmanifest-sha256.txt.minisig', 'signer.pub'):\n    it = replace(it, n, sa[n])\nwrite(A[2], it)",
        &[&a, &b, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "signature", bundle::TAGMANIFEST);
    assert!(
        finding(&report, "signature", bundle::TAGMANIFEST)["message"]
            .as_str()
            .unwrap()
            .contains("lifted from another bundle")
    );
}

/// Rewrite a bundle canonically (as seal lays a zip out, with the seal's DOS time) with
/// `edit` applied to each entry's bytes: what anyone can do without a key.
fn rewrite_canonical(src: &Path, dst: &Path, edit: &dyn Fn(&str, Vec<u8>) -> Vec<u8>) {
    use std::io::Read;
    let bytes = std::fs::read(src).expect("read");
    let dos = (
        u16::from_le_bytes([bytes[10], bytes[11]]),
        u16::from_le_bytes([bytes[12], bytes[13]]),
    );
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut w = bundle::zipfmt::Writer::new(Vec::new(), dos);
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let name = String::from_utf8(f.name_raw().to_vec()).expect("utf-8 name");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("entry bytes");
        w.add_bytes(&name, &edit(&name, data)).expect("add");
    }
    std::fs::write(dst, w.finish().expect("finish")).expect("write");
}

#[test]
fn white_space_around_the_trusted_comment_is_named_though_minisign_ignores_it() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    // Unchanged, rewritten: still intact (the rewrite itself is faithful).
    let same = kit.env.path("same.evidence");
    rewrite_canonical(&file, &same, &|_, d| d);
    assert_eq!(std::fs::read(&same).unwrap(), std::fs::read(&file).unwrap());
    for (name, edit) in [
        ("trailing.evidence", " \n"),
        ("leading.evidence", "\ttrusted comment:  "),
    ] {
        let bad = kit.env.path(name);
        rewrite_canonical(&file, &bad, &|n, d| {
            if n != bundle::SIGNATURE {
                return d;
            }
            let text = String::from_utf8(d).unwrap();
            let out = match edit {
                " \n" => {
                    let mut lines: Vec<&str> = text.lines().collect();
                    let padded = format!("{} ", lines[2]);
                    lines[2] = &padded;
                    lines.join("\n") + "\n"
                }
                _ => text.replacen("trusted comment: ", "trusted comment:  ", 1),
            };
            out.into_bytes()
        });
        let report = kit.findings(&bad);
        assert_finding(&report, "signature", bundle::SIGNATURE);
    }
}

#[test]
fn no_byte_of_the_signature_file_can_change_even_with_the_zip_rebuilt() {
    // The signature file is covered by no manifest: what binds it is its canonical
    // text. Every change to any of its bytes (a flip, a space, a line break, a removed
    // or added byte), with the zip rebuilt canonically around it (no key needed), is
    // named.
    let b = lib_bundle(&[("a.txt".to_string(), b"evidence\n".to_vec())], false);
    let dir = b.dir.path();
    let sig = {
        let bytes = std::fs::read(&b.path).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(bundle::SIGNATURE).unwrap();
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut v).unwrap();
        v
    };
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for i in 0..sig.len() {
        for v in [sig[i] ^ 0x01, b' ', b'\r'] {
            if v != sig[i] {
                let mut s = sig.clone();
                s[i] = v;
                variants.push(s);
            }
        }
        let mut cut = sig.clone();
        cut.remove(i);
        variants.push(cut);
        let mut more = sig.clone();
        more.insert(i, b' ');
        variants.push(more);
    }
    let mut longer = sig.clone();
    longer.extend_from_slice(b"\n");
    variants.push(longer);
    let out = dir.join("variant.evidence");
    for (k, s) in variants.iter().enumerate() {
        rewrite_canonical(&b.path, &out, &|n, d| {
            if n == bundle::SIGNATURE { s.clone() } else { d }
        });
        let r = verify::verify(&out, &b.opts).expect("verify");
        assert!(
            !r.intact(),
            "variant {k} of the signature file was accepted: {:?}",
            String::from_utf8_lossy(s)
        );
    }
    assert!(variants.len() > 1000, "{}", variants.len());
}

#[test]
fn a_changed_zip_checksum_of_any_tag_file_is_named() {
    // The CRC-32 the zip records is bytes of the bundle too; blocks-sha256.txt's was
    // compared with nothing, so 8 bytes could change without a key.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    for name in [
        bundle::BLOCKS,
        "case.json",
        bundle::TAGMANIFEST,
        "bagit.txt",
    ] {
        let bad = kit.env.path(&format!("crc-{name}.evidence"));
        py(
            r#"
b = bytearray(open(A[0], 'rb').read())
name = A[2].encode()
z = zipfile.ZipFile(A[0])
i = z.getinfo(A[2])
struct.pack_into('<I', b, i.header_offset + 14, i.CRC ^ 0xdeadbeef)
at = b.find(b'PK\x01\x02')
while at >= 0:
    n = struct.unpack_from('<H', b, at + 28)[0]
    if bytes(b[at + 46:at + 46 + n]) == name:
        struct.pack_into('<I', b, at + 16, i.CRC ^ 0xdeadbeef)
    at = b.find(b'PK\x01\x02', at + 4)
open(A[1], 'wb').write(b)
"#,
            &[&file, &bad, Path::new(name)],
        );
        let report = kit.findings(&bad);
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"] == name),
            "{name}: {report:#}"
        );
    }
}

#[test]
fn a_custody_line_at_the_largest_sequence_number_is_a_finding_not_an_overflow() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("seq.evidence");
    let zeros = "0".repeat(64);
    py(
        &format!(
            "it = load(A[0])\nline = '{{\"seq\":9223372036854775807,\"redacted\":true,\"prev_hash\":\"{zeros}\",\"hash\":\"{zeros}\"}}\\n'\nit = replace(it, 'custody.jsonl', (line + line).encode())\nwrite(A[1], it)"
        ),
        &[&file, &bad],
    );
    // (Kit::run fails the test on a panic or exit 101.)
    let report = kit.findings(&bad);
    assert_finding(&report, "chain", "custody.jsonl");
}
