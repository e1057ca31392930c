//! Properties, through the library (fast): arbitrary evidence seals and verifies, any
//! changed byte is found and placed, any truncation is a clean error.

use super::fixture::*;
use evidence_kit::bundle;
use evidence_kit::verify::{self, Report};
use proptest::prelude::*;
use std::path::Path;

/// Where each byte of a plain bundle belongs, read from its own bytes.
struct Map {
    /// Each entry: (name, local header start, data start, data end).
    entries: Layout,
    /// Each central directory record: (name, start, end).
    directory: Vec<(String, u64, u64)>,
    /// Where the end-of-central-directory record starts (it runs to the end).
    eocd: u64,
}

fn map_of(path: &Path) -> Map {
    let bytes = std::fs::read(path).expect("read");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    // Evidence Kit writes no zip comment: the record is the last 22 bytes.
    let eocd = bytes.len() - 22;
    assert_eq!(&bytes[eocd..eocd + 4], b"PK\x05\x06");
    let mut at = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut directory = Vec::new();
    for _ in 0..u16_at(eocd + 10) {
        assert_eq!(&bytes[at..at + 4], b"PK\x01\x02");
        let n = u16_at(at + 28);
        let end = at + 46 + n + u16_at(at + 30) + u16_at(at + 32);
        let name = String::from_utf8_lossy(&bytes[at + 46..at + 46 + n]).into_owned();
        directory.push((name, at as u64, end as u64));
        at = end;
    }
    assert_eq!(at, eocd, "the directory runs up to its end record");
    Map {
        entries: layout(path),
        directory,
        eocd: eocd as u64,
    }
}

/// The range "bytes A–B" a finding's message gives (digits grouped by commas).
fn range_in(message: &str) -> Option<(u64, u64)> {
    let rest = &message[message.find("bytes ")? + "bytes ".len()..];
    let (a, rest) = rest.split_once('\u{2013}')?;
    let b: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    let num = |t: &str| t.replace(',', "").parse().ok();
    Some((num(a)?, num(&b)?))
}

/// A changed byte at `off` must be found (the verdict is findings, never intact) and
/// placed where it is:
/// - inside an entry's data, by a finding naming that entry: for a payload file,
///   `altered` with the changed range (`offset` its start, "bytes A–B" in the
///   message) holding the byte; for a tag file, which has no block hashes, the file
///   is the place: `altered` (the tag manifest covers it) or `signature` (the tag
///   manifest and its signature, which the signature covers);
/// - in a local header or a directory record, by a `container` finding giving that
///   very byte or by a finding naming the entry the header describes (a changed
///   name reads as that name missing and the new one extra);
/// - only where the zip cannot be read past the byte, by a `malformed` finding that
///   names no file: the end-of-central-directory record (which locates the
///   directory), and in a directory record its signature (bytes 0-3) and its three
///   length fields (bytes 28-33), which locate the next record. The zip reader stops
///   there, so no entry can be named.
///
/// A refusal of the whole file (`Err`) is never accepted: verify refuses only what is
/// not a file, cannot be read, or starts with age's magic, and no single changed byte
/// turns a zip's `PK\x03\x04` into `age-encryption.org/v1`. A zip too damaged to
/// read is a `malformed` finding, placed as above.
fn check_flip(r: &Result<Report, verify::VerifyError>, map: &Map, off: u64) -> Result<(), String> {
    let r = match r {
        Ok(r) => r,
        Err(e) => return Err(format!("byte {off}: refused whole ({}: {e})", e.code())),
    };
    if r.intact() {
        return Err(format!("byte {off}: not detected"));
    }
    let named = |name: &str| -> Vec<&verify::Finding> {
        r.findings
            .iter()
            .filter(|f| f.file.as_deref() == Some(name))
            .collect()
    };
    let inside = map
        .entries
        .iter()
        .find(|(_, _, d, e)| (*d..*e).contains(&off));
    let header = map
        .entries
        .iter()
        .map(|(n, h, d, _)| (n, *h, *d))
        .chain(map.directory.iter().map(|(n, a, b)| (n, *a, *b)))
        .find(|(_, a, b)| (*a..*b).contains(&off));
    let (place, ok) = match (inside, header) {
        (Some((name, _, d, _)), _) if name.starts_with("data/") => {
            let rel = off - d;
            let ok = named(name).iter().any(|f| {
                f.kind == verify::FindingKind::Altered
                    && range_in(&f.message)
                        .is_some_and(|(a, b)| f.offset == Some(a) && (a..=b).contains(&rel))
            });
            (format!("{name}, its byte {rel}"), ok)
        }
        (Some((name, ..)), _) => {
            let ok = named(name).iter().any(|f| {
                matches!(
                    f.kind,
                    verify::FindingKind::Altered | verify::FindingKind::Signature
                )
            });
            (name.clone(), ok)
        }
        (None, Some((name, start, _))) => {
            let ok = r
                .findings
                .iter()
                .any(|f| f.kind == verify::FindingKind::Container && f.offset == Some(off))
                || !named(name).is_empty();
            let in_record = off - start;
            let unreadable = map.directory.iter().any(|(_, a, _)| *a == start)
                && matches!(in_record, 0..=3 | 28..=33);
            let ok = ok
                || (unreadable
                    && r.findings
                        .iter()
                        .any(|f| f.kind == verify::FindingKind::Malformed && f.file.is_none()));
            (format!("the header of {name}, its byte {in_record}"), ok)
        }
        (None, None) => {
            let ok = off >= map.eocd
                && r.findings.iter().any(|f| {
                    (f.kind == verify::FindingKind::Malformed && f.file.is_none())
                        || (f.kind == verify::FindingKind::Container && f.offset == Some(off))
                });
            ("the end record".to_string(), ok)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("byte {off} (in {place}): {:?}", kinds(r)))
    }
}

fn file_name() -> impl Strategy<Value = String> {
    "[^/\u{0}]{1,40}".prop_filter("a file name", |n| n != "." && n != ".." && n.len() <= 200)
}

fn evidence_set() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    proptest::collection::vec(
        (
            file_name(),
            proptest::collection::vec(any::<u8>(), 0..20_000),
        ),
        1..=6,
    )
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn any_evidence_seals_and_verifies_intact(files in evidence_set()) {
        let b = lib_bundle(&files, false);
        let r = verify::verify(&b.path, &b.opts).expect("verify");
        prop_assert!(r.intact(), "{:?}", kinds(&r));
        prop_assert_eq!(r.items, files.len());
        prop_assert_eq!(
            r.payload_bytes,
            files.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
        );
        // Each payload is byte-identical to what was captured.
        let mut z = zip::ZipArchive::new(std::fs::File::open(&b.path).unwrap()).unwrap();
        for (i, (name, bytes)) in files.iter().enumerate() {
            let p = bundle::payload_name(i, 3, name);
            let mut e = z.by_name(&p).expect("payload entry");
            let mut got = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut got).unwrap();
            prop_assert!(&got == bytes, "{}", p);
        }
    }
}

/// One bundle for the mutation properties (built once per test).
fn mutation_fixture() -> (LibBundle, Vec<u8>, Map) {
    let b = lib_bundle(
        &[
            (
                "screen shot \u{e9}.png".into(),
                b"\x89PNG\r\n\x1a\nsome pixels".to_vec(),
            ),
            ("chat.txt".into(), b"hello ".repeat(1500)),
            ("empty".into(), Vec::new()),
        ],
        false,
    );
    assert!(verify::verify(&b.path, &b.opts).expect("verify").intact());
    let bytes = std::fs::read(&b.path).expect("read");
    let map = map_of(&b.path);
    (b, bytes, map)
}

#[test]
fn headline_any_single_changed_byte_is_detected_and_placed() {
    let (b, orig, map) = mutation_fixture();
    let p = b.dir.path().join("mutated.evidence");
    let mut runner = proptest::test_runner::TestRunner::new(config(300));
    let n = orig.len();
    runner
        .run(&(0..n, 1u8..=255), |(off, x)| {
            let mut m = orig.clone();
            m[off] ^= x;
            std::fs::write(&p, &m).unwrap();
            let r = verify::verify(&p, &b.opts);
            check_flip(&r, &map, off as u64).map_err(TestCaseError::fail)
        })
        .unwrap();
    // And every header byte at least once (they are few and the sampling above
    // mostly lands in data).
    let mut bad = Vec::new();
    let mut off = 0u64;
    for (_, h, d, e) in &map.entries {
        for o in (*h..*d).chain(off..*h) {
            let mut m = orig.clone();
            m[o as usize] ^= 0x01;
            std::fs::write(&p, &m).unwrap();
            if let Err(e) = check_flip(&verify::verify(&p, &b.opts), &map, o) {
                bad.push(e);
            }
        }
        off = *e;
    }
    // And every byte of the signature file, which no manifest covers.
    let (_, _, d, e) = map
        .entries
        .iter()
        .find(|l| l.0 == bundle::SIGNATURE)
        .expect("signature entry");
    for o in *d..*e {
        let mut m = orig.clone();
        m[o as usize] ^= 0x01;
        std::fs::write(&p, &m).unwrap();
        if let Err(e) = check_flip(&verify::verify(&p, &b.opts), &map, o) {
            bad.push(e);
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every offset, three different flips: minutes, so only on request
/// (`cargo test --test core exhaustively -- --ignored`).
#[test]
#[ignore = "exhaustive: every byte of a bundle, a few minutes"]
fn every_single_byte_change_is_detected_exhaustively() {
    let (b, orig, map) = mutation_fixture();
    let p = b.dir.path().join("mutated.evidence");
    let mut bad = Vec::new();
    for o in 0..orig.len() as u64 {
        for x in [0x01u8, 0x20, 0x80] {
            let mut m = orig.clone();
            m[o as usize] ^= x;
            std::fs::write(&p, &m).unwrap();
            if let Err(e) = check_flip(&verify::verify(&p, &b.opts), &map, o) {
                bad.push(format!("{e} (^{x:#x})"));
            }
        }
    }
    assert!(bad.is_empty(), "{} misses:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn every_directory_byte_change_is_detected() {
    let (b, orig, map) = mutation_fixture();
    let p = b.dir.path().join("mutated.evidence");
    let end = map.entries.iter().map(|l| l.3).max().unwrap();
    let mut bad = Vec::new();
    for o in end..orig.len() as u64 {
        for x in [0x01u8, 0x80] {
            let mut m = orig.clone();
            m[o as usize] ^= x;
            std::fs::write(&p, &m).unwrap();
            if let Err(e) = check_flip(&verify::verify(&p, &b.opts), &map, o) {
                bad.push(e);
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A bundle cut short anywhere is never intact, and what is said is what a cut at
/// that place can give:
/// - a plain bundle is never refused whole: its zip cannot be read (`malformed`,
///   naming no file) or entries are missing or damaged; findings, exit 1;
/// - an encrypted one cut inside age's magic line is no age file, so it is read as a
///   zip that cannot be read (`malformed`); cut inside the rest of age's header or
///   the payload's nonce, it is refused whole as `not_a_bundle` ("its encryption
///   header is damaged"); cut after them, the only finding is `decryption`, and
///   nothing decrypted is read.
#[test]
fn truncation_at_any_offset_is_a_clean_error() {
    const MAGIC: &[u8] = b"age-encryption.org/v1\n";
    for encrypt in [false, true] {
        let b = lib_bundle(
            &[
                ("a.png".into(), b"\x89PNG\r\n\x1a\npixels".repeat(300)),
                ("b.txt".into(), b"text".to_vec()),
            ],
            encrypt,
        );
        let orig = std::fs::read(&b.path).expect("read");
        // Where what age reads before decrypting ends: its header, up to the MAC line
        // "--- …\n", and the payload's 16-byte nonce.
        let header_end = if encrypt {
            assert!(orig.starts_with(MAGIC));
            let mac = orig
                .windows(4)
                .position(|w| w == b"\n---")
                .expect("mac line")
                + 1;
            mac + orig[mac..]
                .iter()
                .position(|&c| c == b'\n')
                .expect("end of header")
                + 1
                + 16
        } else {
            0
        };
        let p = b.dir.path().join(if encrypt {
            "cut.evidence.age"
        } else {
            "cut.evidence"
        });
        let expect = |cut: usize| -> Result<(), String> {
            std::fs::write(&p, &orig[..cut]).unwrap();
            let got = verify::verify(&p, &b.opts);
            let unnamed_malformed = |r: &Report| {
                r.findings
                    .iter()
                    .any(|f| f.kind == verify::FindingKind::Malformed && f.file.is_none())
            };
            let ok = match (&got, encrypt) {
                (Ok(r), _) if r.intact() => false,
                (Ok(r), false) => !r.findings.is_empty(),
                (Ok(r), true) if cut < MAGIC.len() => !r.encrypted && unnamed_malformed(r),
                (Err(e), true) => {
                    (MAGIC.len()..header_end).contains(&cut) && e.code() == "not_a_bundle"
                }
                (Ok(r), true) => {
                    cut >= header_end
                        && r.encrypted
                        && kinds(r) == ["decryption:-"]
                        && r.case.is_none()
                }
                (Err(_), false) => false,
            };
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "cut at {cut} of {} (age header ends at {header_end}): {:?}",
                    orig.len(),
                    got.as_ref()
                        .map(kinds)
                        .map_err(|e| (e.code(), e.to_string()))
                ))
            }
        };
        // Each boundary, then anywhere.
        let mut bad = Vec::new();
        for cut in [
            0,
            1,
            4,
            21,
            22,
            23,
            header_end.saturating_sub(1),
            header_end,
        ]
        .into_iter()
        .chain([header_end + 1, orig.len() - 22, orig.len() - 1])
        .filter(|&c| c < orig.len())
        {
            if let Err(e) = expect(cut) {
                bad.push(e);
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
        let mut runner = proptest::test_runner::TestRunner::new(config(64));
        runner
            .run(&(0..orig.len()), |cut| {
                expect(cut).map_err(TestCaseError::fail)
            })
            .unwrap();
    }
}
