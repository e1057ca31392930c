//! The E-safety incident-logging form: real PDFs, read back with real tools
//! (qpdf, pdftotext, pdfinfo, pdfimages, pdffonts, pdftoppm).

use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A staff member with a key and a case, all through the CLI.
struct Kit {
    env: Env,
    cfg: PathBuf,
    case: String,
}

const STAFF: &str = "Siân Ŵyn";

impl Kit {
    fn new() -> Kit {
        let env = Env::new();
        let cfg = env.path("cfg");
        let mut k = Kit {
            env,
            cfg,
            case: String::new(),
        };
        k.ok(&["keys", "new", "--name", STAFF, "--no-passphrase"]);
        k.case = k
            .ok(&[
                "case",
                "new",
                "--title",
                "Messages in the parents' group",
                "--staff",
                STAFF,
            ])
            .trim()
            .to_string();
        k
    }

    fn ek(&self, args: &[&str]) -> Output {
        let mut all = vec!["--config", self.cfg.to_str().unwrap()];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_evidence-kit"))
            .arg("--store")
            .arg(self.env.store())
            .args(&all)
            .env_remove("EVIDENCE_KIT_STORE")
            .env_remove("EVIDENCE_KIT_SCHOOL")
            .output()
            .expect("run evidence-kit")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.ek(args);
        assert!(
            out.status.success(),
            "evidence-kit {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn capture(&self, files: &[PathBuf], extra: &[&str]) {
        let mut args = vec!["capture", "file", "--case", self.case.as_str()];
        args.extend_from_slice(extra);
        args.extend(files.iter().map(|p| p.to_str().unwrap()));
        self.ok(&args);
    }

    fn hashes(&self) -> Vec<String> {
        let v: Vec<Value> =
            serde_json::from_str(&self.ok(&["items", "--case", &self.case, "--json"]))
                .expect("items");
        v.iter()
            .map(|i| i["sha256"].as_str().unwrap().to_string())
            .collect()
    }

    fn form(&self, out: &Path) -> Output {
        self.ek(&["form", "--case", &self.case, "--out", out.to_str().unwrap()])
    }
}

fn image(kind: &str, w: u32, h: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    match kind {
        "rgb" => {
            let px: Vec<u8> = (0..w * h)
                .flat_map(|i| [(i % 251) as u8, (i / w % 256) as u8, 90])
                .collect();
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(&px, w, h, image::ExtendedColorType::Rgb8)
                .expect("png");
        }
        "rgba" => {
            let px: Vec<u8> = (0..w * h)
                .flat_map(|i| [200, (i % 256) as u8, 30, (i % 200) as u8])
                .collect();
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(&px, w, h, image::ExtendedColorType::Rgba8)
                .expect("png");
        }
        _ => {
            let px: Vec<u8> = (0..w * h)
                .flat_map(|i| [(i % 256) as u8, 120, (i / w % 256) as u8])
                .collect();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
                .write_image(&px, w, h, image::ExtendedColorType::Rgb8)
                .expect("jpeg");
        }
    }
    out
}

fn tool(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (run scripts/bootstrap)"))
}

fn text_of(pdf: &Path) -> String {
    let out = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    assert!(out.status.success(), "pdftotext: {}", stderr(&out));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn pages(pdf: &Path) -> usize {
    let out = tool("qpdf", &["--show-npages", pdf.to_str().unwrap()]);
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("page count")
}

/// Every page of the text says "page X of N".
fn assert_page_numbers(text: &str, n: usize) {
    let per_page: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(per_page.len(), n, "pages of text");
    for (i, p) in per_page.iter().enumerate() {
        assert!(
            p.contains(&format!("page {} of {n}", i + 1)),
            "page {} has no footer: {p}",
            i + 1
        );
    }
}

/// qpdf finds no error, and no object holds anything active: no JavaScript, actions,
/// links, forms, embedded files.
fn assert_valid_and_inert(pdf: &Path) {
    let out = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "qpdf --check: {report}{}",
        stderr(&out)
    );
    assert!(
        report.contains("No syntax or stream encoding errors"),
        "{report}"
    );
    let out = tool(
        "qpdf",
        &["--json=2", "--json-key=qpdf", pdf.to_str().unwrap()],
    );
    assert!(out.status.success(), "qpdf --json: {}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).expect("qpdf json");
    let forbidden = [
        "/JS",
        "/JavaScript",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/URI",
        "/AcroForm",
        "/SubmitForm",
        "/GoToR",
        "/RichMedia",
    ];
    fn walk(v: &Value, forbidden: &[&str], path: &str) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    assert!(!forbidden.contains(&k.as_str()), "{k} found at {path}");
                    if let Value::String(s) = v {
                        assert!(
                            !["/JavaScript", "/Launch", "/URI", "/SubmitForm"]
                                .contains(&s.as_str()),
                            "{s} found at {path}/{k}"
                        );
                    }
                    walk(v, forbidden, &format!("{path}/{k}"));
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, forbidden, path)),
            _ => {}
        }
    }
    walk(&json, &forbidden, "");
}

/// Where tests leave files worth looking at (the README shows page 1).
fn output_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

const HOSTILE: &str = "They wrote: ) \\ % endobj /JS (app.alert(1)) <</S/JavaScript/JS(x)>> \u{202E}gpj.exe\u{202C} trailer %%EOF";

#[test]
fn the_form_for_a_sealed_case_holds_every_field_and_item_and_is_inert() {
    let k = Kit::new();
    let desc = format!(
        "On Monday a parent posted about me in the class group.\n\n{HOSTILE}\n\nI have kept screen prints of every message."
    );
    let desc_file = k.env.file("desc.txt", desc.as_bytes());
    k.ok(&[
        "case",
        "report",
        "--case",
        &k.case,
        "--description-file",
        desc_file.to_str().unwrap(),
        "--responsible",
        "parent",
        "--continuing",
        "yes",
        "--police",
        "undecided",
        "--platform-report",
        "2026-11-24 FB-REF-77",
        "--witnesses",
        "Zoë Łukasiewicz, Ελένη, Олена, Ahmet Çağlar",
        "--addressed-to",
        "Mrs D. Lead",
        "--role",
        "Year 4 teacher",
        "--contact",
        "s.wyn@school.example",
        "--informed",
        "Headteacher",
    ]);
    let files = vec![
        k.env.file("screen-1.png", &image("rgb", 640, 400)),
        k.env.file("photo.png", &image("rgba", 300, 500)),
        k.env.file("camera.jpg", &image("jpeg", 800, 600)),
        k.env.file(
            "complaint.eml",
            b"From: Someone <someone@example.com>\r\nTo: s.wyn@school.example\r\nSubject: You\r\n\r\nWe know.\r\n",
        ),
        k.env.file("chat \u{202E}txt.exe", b"the group chat, saved"),
    ];
    k.capture(
        &files,
        &[
            "--site",
            "Facebook",
            "--url",
            "https://facebook.example/groups/class4",
            "--from",
            "@angry.parent",
        ],
    );
    k.ok(&[
        "withdraw",
        "--item",
        "5",
        "--reason",
        "Copied twice by mistake",
    ]);
    k.ok(&[
        "case",
        "safeguard",
        "--case",
        &k.case,
        "--site",
        "a group chat",
    ]);
    // The school as set-up saves it.
    std::fs::write(
        k.cfg.join("settings.json"),
        format!(r#"{{"name": "{STAFF}", "school": "St Mary's CE Primary School"}}"#),
    )
    .expect("settings");
    let bundle = k.env.path("case.evidence");
    let sealed = k.ok(&["seal", "--case", &k.case, "--out", bundle.to_str().unwrap()]);
    let bundle_sha = sha256sum(&bundle);
    assert!(sealed.contains(&bundle_sha));

    let pdf = k.env.path("form.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&pdf);

    let n = pages(&pdf);
    let text = text_of(&pdf);
    assert_page_numbers(&text, n);
    // Words may wrap onto the next line of a column: compare with spaces collapsed.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "St Mary's CE Primary School",
        "E-safety incident-logging form",
        "Confidential — safeguarding",
        k.case.as_str(),
        STAFF,
        "Year 4 teacher",
        "s.wyn@school.example",
        "Mrs D. Lead",
        "a parent or carer",
        "Zoë Łukasiewicz, Ελένη, Олена, Ahmet Çağlar",
        "On Monday a parent posted about me in the class group.",
        "I have kept screen prints of every message.",
        "2026-11-24 FB-REF-77",
        "Headteacher",
        "I wish to report this to the police",
        "not yet decided",
        "Possible indecent image of a child seen on a group chat",
        "Not captured, as the school's policy requires",
        "Facebook",
        "https://facebook.example/groups/class4",
        "@angry.parent",
        "WITHDRAWN",
        "Copied twice by mistake",
        "chat [U+202E]txt.exe",
        "case.evidence",
        bundle_sha.as_str(),
        "What this proves",
        "does not by itself prove who wrote the content",
        "For the designated safeguarding person",
        "LADO",
        "Appendix: screen prints",
    ] {
        assert!(flat.contains(want), "the form should say {want:?}:\n{text}");
    }
    // A field nobody filled says so.
    assert!(text.contains("Advice sought"), "{text}");
    assert!(text.contains("not recorded"), "{text}");
    // The hostile line comes back as text, its override shown, not obeyed.
    assert!(
        flat.contains("They wrote: ) \\ % endobj /JS (app.alert(1)) <</S/JavaScript/JS(x)>> [U+202E]gpj.exe[U+202C] trailer %%EOF"),
        "{text}"
    );
    for h in k.hashes() {
        assert!(text.contains(&h), "item hash {h} missing");
    }

    // One image per picture (an RGB PNG, an RGBA PNG flattened, a JPEG), no masks.
    let out = tool("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let list = String::from_utf8_lossy(&out.stdout);
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 3, "{list}");
    assert!(images.iter().all(|l| l.contains(" image ")), "{list}");
    // The three fonts, embedded.
    let out = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let fonts = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 3, "{fonts}");
    for r in &rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        assert!(r.contains("DejaVu"), "{r}");
        assert_eq!(cols[cols.len() - 5], "yes", "embedded: {fonts}");
    }
    // Metadata.
    let out = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        info.contains(&format!("E-safety incident-logging form — {}", k.case)),
        "{info}"
    );
    assert!(
        info.contains(&format!("Author:          {STAFF}")),
        "{info}"
    );
    assert!(info.contains("CreationDate:"), "{info}");
    assert!(info.contains("pts (A4)"), "{info}");
    assert!(!info.contains("PDF/X"), "no conformance claim: {info}");
    assert!(info.contains("JavaScript:      no"), "{info}");

    // The QR code, read by a real decoder, is the bundle's SHA-256.
    let qr_page = text
        .split('\u{c}')
        .position(|p| p.contains("The QR code holds"))
        .expect("a page with the QR code")
        + 1;
    let qr_png = k.env.path("qr");
    let page = qr_page.to_string();
    let out = tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
            pdf.to_str().unwrap(),
            qr_png.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "pdftoppm: {}", stderr(&out));
    let out = tool(
        "zbarimg",
        &["-q", "--raw", k.env.path("qr.png").to_str().unwrap()],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        bundle_sha,
        "zbarimg"
    );

    // Page 1 as a picture, for the README and for looking at.
    let prefix = output_dir().join("form-page");
    let out = tool(
        "pdftoppm",
        &[
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "pdftoppm: {}", stderr(&out));
    std::fs::copy(&pdf, output_dir().join("form.pdf")).expect("copy");
}

#[test]
fn a_long_description_and_300_items_paginate_without_losing_text() {
    let k = Kit::new();
    let words: Vec<String> = (1..=1000).map(|i| format!("w{i:04}")).collect();
    let desc = words
        .chunks(97)
        .map(|c| c.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    let desc_file = k.env.file("desc.txt", desc.as_bytes());
    k.ok(&[
        "case",
        "report",
        "--case",
        &k.case,
        "--description-file",
        desc_file.to_str().unwrap(),
    ]);
    std::fs::create_dir_all(k.env.path("items")).expect("mkdir");
    let files: Vec<PathBuf> = (1..=300)
        .map(|i| {
            k.env.file(
                &format!("items/message-{i:03}.txt"),
                format!("message {i}").as_bytes(),
            )
        })
        .collect();
    k.capture(&files, &["--site", "WhatsApp"]);
    let pdf = k.env.path("form.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&pdf);
    let n = pages(&pdf);
    assert!(n > 20, "300 items take many pages, got {n}");
    let text = text_of(&pdf);
    assert_page_numbers(&text, n);
    let found: Vec<&str> = text
        .split_whitespace()
        .filter(|t| {
            t.len() == 5 && t.starts_with('w') && t[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    assert_eq!(found, words, "every word of the description, in order");
    for h in k.hashes() {
        assert_eq!(
            text.matches(&h).count(),
            2,
            "{h}: in the schedule and the appendix"
        );
    }
    for i in 1..=300 {
        assert!(text.contains(&format!("message-{i:03}.txt")), "item {i}");
    }
    assert!(text.contains("Not sealed yet"), "never sealed");
}

#[test]
fn a_hundred_kilobytes_of_hostile_text_stays_text() {
    let k = Kit::new();
    let mut desc = String::new();
    let mut i = 0;
    while desc.len() < 100 * 1024 {
        desc.push_str(&format!("t{i:05} {HOSTILE}\n"));
        i += 1;
    }
    let desc_file = k.env.file("desc.txt", desc.as_bytes());
    k.ok(&[
        "case",
        "report",
        "--case",
        &k.case,
        "--description-file",
        desc_file.to_str().unwrap(),
    ]);
    let pdf = k.env.path("form.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&pdf);
    let text = text_of(&pdf);
    assert_page_numbers(&text, pages(&pdf));
    let markers = text
        .split_whitespace()
        .filter(|t| {
            t.len() == 6 && t.starts_with('t') && t[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .count();
    assert_eq!(markers, i, "every line of the description");
    assert_eq!(text.matches("app.alert(1)").count(), i);
}

#[test]
fn headline_the_form_from_a_bundle_is_verified_first_and_a_changed_byte_fails_every_page() {
    let k = Kit::new();
    let png = image("rgb", 320, 200);
    k.capture(&[k.env.file("screen.png", &png)], &["--site", "Instagram"]);
    k.ok(&["case", "report", "--case", &k.case, "--police", "no"]);
    let pubkey = k.env.path("staff.pub");
    k.ok(&["keys", "export", "--out", pubkey.to_str().unwrap()]);
    let bundle = k.env.path("case.evidence");
    k.ok(&["seal", "--case", &k.case, "--out", bundle.to_str().unwrap()]);

    // The designated person: their own (empty) config, trusting the staff key.
    let dsl = Kit {
        env: Env::new(),
        cfg: k.env.path("dsl-cfg"),
        case: String::new(),
    };
    let form = |bundle: &Path, out: &Path| {
        dsl.ek(&[
            "form",
            "--bundle",
            bundle.to_str().unwrap(),
            "--trust",
            pubkey.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--school",
            "Ysgol Gymraeg Llanŵyr",
        ])
    };
    let good = k.env.path("good.pdf");
    let out = form(&bundle, &good);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&good);
    let text = text_of(&good);
    assert!(text.contains("Ysgol Gymraeg Llanŵyr"), "{text}");
    assert!(text.contains("verified just now: intact"), "{text}");
    assert!(text.contains(&sha256sum(&bundle)), "{text}");
    assert!(text.contains("☒ no"), "{text}");
    assert!(!text.contains("VERIFICATION FAILED"), "{text}");

    // One byte of the screenshot changed inside the bundle.
    let mut bytes = std::fs::read(&bundle).expect("read");
    let at = bytes
        .windows(png.len())
        .position(|w| w == png.as_slice())
        .expect("the PNG is stored as it is")
        + png.len() / 2;
    bytes[at] ^= 0x01;
    let bad_bundle = k.env.path("changed.evidence");
    std::fs::write(&bad_bundle, &bytes).expect("write");
    let bad = k.env.path("bad.pdf");
    let out = form(&bad_bundle, &bad);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("Verification FAILED"));
    assert_valid_and_inert(&bad);
    let text = text_of(&bad);
    let n = pages(&bad);
    assert_page_numbers(&text, n);
    for (i, page) in text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        assert!(
            page.contains("VERIFICATION FAILED"),
            "page {}: {page}",
            i + 1
        );
    }
    assert!(
        text.contains("data/001-screen.png was changed after sealing"),
        "{text}"
    );

    // Nothing is overwritten.
    let out = form(&bundle, &good);
    assert_refused(&out, "already exists");

    // Encrypted to the designated person: opened with their identity.
    let recipient = dsl.ok(&[
        "keys",
        "new-recipient",
        "--name",
        "Mrs D. Lead",
        "--no-passphrase",
    ]);
    k.ok(&["keys", "add-recipient", "--name", "DSL", recipient.trim()]);
    let sealed_to = k.env.path("to-dsl.evidence.age");
    k.ok(&[
        "seal",
        "--case",
        &k.case,
        "--out",
        sealed_to.to_str().unwrap(),
        "--to",
        "DSL",
    ]);
    let age = sealed_to;
    let from_age = k.env.path("from-age.pdf");
    let out = form(&age, &from_age);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&from_age);
    assert!(text.contains("verified just now: intact"), "{text}");
    assert!(
        text.contains(&sha256sum(&age)),
        "the .age file's own hash: {text}"
    );
}

/// Audit 2026-12 §6 promise 14, the store half: `form --case` re-hashes every stored
/// file before it says anything, so one changed object (the last of many) or one gone
/// marks every page "STORE CHECK FAILED" and exits 1.
#[test]
fn headline_the_form_from_the_store_rehashes_every_file_and_a_changed_one_fails_every_page() {
    let k = Kit::new();
    std::fs::create_dir_all(k.env.path("items")).expect("mkdir");
    let files: Vec<PathBuf> = (1..=40)
        .map(|i| {
            k.env.file(
                &format!("items/message-{i:02}.txt"),
                format!("message number {i}").as_bytes(),
            )
        })
        .collect();
    k.capture(&files, &["--site", "WhatsApp"]);
    let good = k.env.path("good.pdf");
    let out = k.form(&good);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = text_of(&good)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("All 40 stored file(s) were re-checked just now"),
        "{text}"
    );
    assert!(!text.contains("STORE CHECK FAILED"), "{text}");

    // The last item's bytes overwritten (same length, so only a re-hash can tell).
    let hashes = k.hashes();
    let object = |sha: &str| evidence_kit::store::object_path_in(&k.env.store(), sha);
    std::fs::write(object(&hashes[39]), b"message number 4X").expect("overwrite");
    let bad = k.env.path("bad.pdf");
    let out = k.form(&bad);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("FAILED"), "{}", stderr(&out));
    assert_valid_and_inert(&bad);
    let text = text_of(&bad);
    let n = pages(&bad);
    assert!(n >= 2, "the test needs more than one page, got {n}");
    assert_page_numbers(&text, n);
    for (i, page) in text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        assert!(
            page.contains("STORE CHECK FAILED"),
            "page {}: {page}",
            i + 1
        );
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "Item 40 (message-40.txt) no longer matches the SHA-256 recorded when it was captured."
        ),
        "{flat}"
    );
    assert!(
        flat.contains("1 of 40 stored file(s) did not match what was captured"),
        "{flat}"
    );
    assert!(!flat.contains("none has changed"), "{flat}");

    // And one gone as well: both named.
    std::fs::remove_file(object(&hashes[19])).expect("remove");
    let worse = k.env.path("worse.pdf");
    let out = k.form(&worse);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let flat = text_of(&worse)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("Item 20 (message-20.txt) is missing from the evidence store."),
        "{flat}"
    );
    assert!(
        flat.contains("Item 40 (message-40.txt) no longer matches"),
        "{flat}"
    );
    assert!(
        flat.contains("2 of 40 stored file(s) did not match what was captured"),
        "{flat}"
    );
}

#[test]
fn impossible_form_requests_are_refused_in_one_sentence() {
    let k = Kit::new();
    let out_pdf = k.env.path("x.pdf");
    let out = k.ek(&[
        "form",
        "--case",
        "EK-NOPE",
        "--out",
        out_pdf.to_str().unwrap(),
    ]);
    assert_refused(&out, "There is no case EK-NOPE");
    let missing = k.env.path("missing.evidence");
    let out = k.ek(&[
        "form",
        "--bundle",
        missing.to_str().unwrap(),
        "--out",
        out_pdf.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    assert!(!out_pdf.exists(), "no form for what could not be read");
}

/// `src` with its `case.json` changed by the Python `code` (which changes `cj`, the
/// parsed record, in place), written to `dst` with Python's zipfile: an unsigned
/// change, so the bundle fails verification, as anyone's edit would.
fn rewrite_case_json(src: &Path, dst: &Path, code: &str) {
    let script = format!(
        "import sys, zipfile, json, copy\nz = zipfile.ZipFile(sys.argv[1])\ncj = json.loads(z.read('case.json'))\n{code}\no = zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED)\nfor i in z.infolist():\n    d = z.read(i)\n    if i.filename == 'case.json':\n        d = (json.dumps(cj, indent=2, ensure_ascii=False) + '\\n').encode()\n    o.writestr(i.filename, d)\no.close()\n"
    );
    let out = tool(
        "python3",
        &["-c", &script, src.to_str().unwrap(), dst.to_str().unwrap()],
    );
    assert!(out.status.success(), "python: {}", stderr(&out));
}

/// A sealed bundle of one text item, its public key, and the designated person's
/// (empty) config.
fn sealed_one_item(k: &Kit) -> (PathBuf, PathBuf, PathBuf) {
    k.capture(
        &[k.env.file("message.txt", b"a message")],
        &["--site", "WhatsApp"],
    );
    let pubkey = k.env.path("staff.pub");
    k.ok(&["keys", "export", "--out", pubkey.to_str().unwrap()]);
    let bundle = k.env.path("case.evidence");
    k.ok(&["seal", "--case", &k.case, "--out", bundle.to_str().unwrap()]);
    (bundle, pubkey, k.env.path("dsl-cfg"))
}

/// `form --bundle` as the designated person would run it.
fn bundle_form(bundle: &Path, pubkey: &Path, dsl_cfg: &Path, out: &Path) -> Output {
    let dsl = Kit {
        env: Env::new(),
        cfg: dsl_cfg.to_path_buf(),
        case: String::new(),
    };
    dsl.ek(&[
        "form",
        "--bundle",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Issue 12, item 2 (F5): a 3-million-character word in a bundle overflowed the layout's
/// `u32` width sum (a panic, exit 101). Every text from a bundle is now cut to the
/// store's own limits, visibly.
#[test]
fn a_bundle_s_three_million_character_word_and_overlong_texts_are_cut_visibly_not_a_panic() {
    let k = Kit::new();
    let (bundle, pubkey, dsl_cfg) = sealed_one_item(&k);
    let long = k.env.path("long.evidence");
    rewrite_case_json(
        &bundle,
        &long,
        "cj['case']['title'] = 'W' * 3000000\ncj['case']['report']['description'] = 'Ж' * 260000\ncj['items'][0]['note'] = 'ж' * 45000",
    );
    let pdf = k.env.path("long.pdf");
    let out = bundle_form(&long, &pubkey, &dsl_cfg, &pdf);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed form, not a panic: {}",
        stderr(&out)
    );
    assert_valid_and_inert(&pdf);
    let text = text_of(&pdf);
    assert_page_numbers(&text, pages(&pdf));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Cut to the store's limits (20,000 characters; 200,000 for the description).
    for (marker, letter, kept) in [
        ("[…cut: 2980000 more characters]", 'W', 20_000),
        ("[…cut: 60000 more characters]", 'Ж', 200_000),
        ("[…cut: 25000 more characters]", 'ж', 20_000),
    ] {
        assert!(flat.contains(marker), "{marker} missing");
        // The form's own words hold no 'Ж' or 'ж', and a 'W' only alone.
        let shown: usize = text
            .split(|c: char| c != letter)
            .map(|run| run.chars().count())
            .filter(|&n| letter != 'W' || n >= 2)
            .sum();
        // The findings may quote up to 200 characters of a value that differs from
        // the bundle's own custody log (replay), and no more.
        assert!(
            (kept..=kept + 200).contains(&shown),
            "{letter}: as many as the store allows, no more: {shown}"
        );
    }
    assert!(text.contains("VERIFICATION FAILED"), "{text}");
}

/// L9: a bundle anyone can make, listing many tiny items, made `form` take 2.9 GiB
/// (100,000 items). Items are read one at a time and at most MAX_FORM_ITEMS laid out;
/// past a budget of item text, fewer; the rest are counted and the form says so.
#[test]
fn a_bundle_listing_more_items_than_a_form_holds_shows_the_first_and_counts_the_rest() {
    let k = Kit::new();
    let (bundle, pubkey, dsl_cfg) = sealed_one_item(&k);
    let n = evidence_kit::form::MAX_FORM_ITEMS + 10;
    let many = k.env.path("many.evidence");
    rewrite_case_json(
        &bundle,
        &many,
        &format!(
            "it = cj['items'][0]\ncj['items'] = []\nfor i in range({n}):\n    x = copy.deepcopy(it); x['id'] = i + 1; x['path'] = 'data/%04d-message.txt' % (i + 1); cj['items'].append(x)"
        ),
    );
    let pdf = k.env.path("many.pdf");
    let out = bundle_form(&many, &pubkey, &dsl_cfg, &pdf);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = text_of(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown = evidence_kit::form::MAX_FORM_ITEMS;
    assert!(
        flat.contains(&format!(
            "The bundle lists {n} items; this form shows the first {shown}"
        )),
        "{flat}"
    );
    assert!(
        flat.contains(&format!("Item {shown} · ")),
        "the last one shown"
    );
    assert!(
        !flat.contains(&format!("Item {} · ", shown + 1)),
        "none past it"
    );
    // Page 1 lists a bounded number of findings and counts the rest.
    assert!(flat.contains("more finding(s), not listed here"), "{flat}");

    // Items with long details: fewer of them, within the budget of item text.
    let wordy = k.env.path("wordy.evidence");
    rewrite_case_json(
        &bundle,
        &wordy,
        "it = cj['items'][0]\ncj['items'] = []\nfor i in range(60):\n    x = copy.deepcopy(it); x['id'] = i + 1; x['path'] = 'data/%03d-message.txt' % (i + 1); x['note'] = 'n' * 20000; cj['items'].append(x)",
    );
    let pdf = k.env.path("wordy.pdf");
    let out = bundle_form(&wordy, &pubkey, &dsl_cfg, &pdf);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let flat = text_of(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let said = "The bundle lists 60 items; this form shows the first ";
    let fit: usize = flat
        .split_once(said)
        .and_then(|(_, rest)| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the form says how many it shows: {flat}"));
    // About 20,200 characters an item: the budget holds 49 of them.
    let most = evidence_kit::form::MAX_FORM_ITEM_CHARS / 20_000;
    assert!((most - 5..most).contains(&fit), "{fit} of 60 shown");
    assert!(
        flat.contains(&format!("Item {fit} · ")),
        "the last one shown"
    );
    assert!(
        !flat.contains(&format!("Item {} · ", fit + 1)),
        "none past it"
    );
}

/// The three claims the form used to print on every form (issue 12, item 8; F7).
const CLAIMS: [&str; 3] = [
    "unchanged since they were captured",
    "nothing was added, removed or changed after sealing",
    "nothing has been deleted",
];

fn claims_in(text: &str) -> Vec<&'static str> {
    let flat = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    CLAIMS.into_iter().filter(|c| flat.contains(c)).collect()
}

/// Issue 12, item 8: the form claims only what the checks just made support. From the
/// store, "unchanged since captured" only when every stored file re-hashed right; from
/// a bundle that verified, unchanged since sealing by the holder of the key (capture
/// times are the signer's record); from a failed bundle, none of it.
#[test]
fn what_the_form_claims_is_only_what_the_checks_that_passed_support() {
    let k = Kit::new();
    let (bundle, pubkey, dsl_cfg) = sealed_one_item(&k);

    // The store, every file re-hashed right: all three.
    let store_pdf = k.env.path("store.pdf");
    assert!(k.form(&store_pdf).status.success());
    assert_eq!(
        claims_in(&text_of(&store_pdf)).len(),
        2,
        "captured and deleted"
    );
    assert!(claims_in(&text_of(&store_pdf)).contains(&"unchanged since they were captured"));

    // A bundle that verified: unchanged since sealing, by the key's holder; nothing more.
    let good = k.env.path("good.pdf");
    let out = bundle_form(&bundle, &pubkey, &dsl_cfg, &good);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&good);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        claims_in(&text),
        ["nothing was added, removed or changed after sealing"],
        "{flat}"
    );
    assert!(
        flat.contains("These files are unchanged since the bundle was sealed on"),
        "{flat}"
    );
    assert!(
        flat.contains(&format!("the key you trust as {STAFF}'s")),
        "{flat}"
    );
    assert!(
        flat.contains("This proves what the holder of that key sealed"),
        "{flat}"
    );
    assert!(
        flat.contains("are what the signer's computer recorded"),
        "{flat}"
    );

    // A bundle with one byte changed: none of them, and it says why.
    let mut bytes = std::fs::read(&bundle).expect("read");
    let at = bytes
        .windows(9)
        .position(|w| w == b"a message")
        .expect("stored as it is");
    bytes[at] ^= 0x01;
    let changed = k.env.path("changed.evidence");
    std::fs::write(&changed, &bytes).expect("write");
    let bad = k.env.path("bad.pdf");
    let out = bundle_form(&changed, &pubkey, &dsl_cfg, &bad);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = text_of(&bad);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(claims_in(&text), Vec::<&str>::new(), "{flat}");
    assert!(
        !flat.contains("unchanged since the bundle was sealed"),
        "{flat}"
    );
    assert!(flat.contains("This bundle FAILED its checks"), "{flat}");
    assert!(
        flat.contains("What this form shows is only what the bundle claims"),
        "{flat}"
    );

    // The store with a stored file changed: none of them either.
    let object = walk_files(&k.env.store().join("objects"))
        .into_iter()
        .next()
        .expect("one object");
    let mut perm = std::fs::metadata(&object).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&object, perm).expect("chmod");
    std::fs::write(&object, b"a messagf").expect("write");
    let damaged = k.env.path("damaged.pdf");
    let out = k.form(&damaged);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = text_of(&damaged);
    assert!(text.contains("STORE CHECK FAILED"), "{text}");
    assert_eq!(claims_in(&text), Vec::<&str>::new(), "{text}");
}

/// Issue 16, "No built-in school": with no school anywhere (no flag, no
/// $EVIDENCE_KIT_SCHOOL, none in settings.json) the form says so where the school goes,
/// and never names a school nobody chose; the school in settings.json is printed.
#[test]
fn headline_the_form_prints_the_school_from_settings_or_says_it_is_not_recorded() {
    let k = Kit::new();
    assert!(!k.cfg.join("settings.json").exists());
    let pdf = k.env.path("no-school.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&pdf);
    let text = text_of(&pdf);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert_eq!(first.trim(), "School: not recorded", "{text}");
    assert!(!text.contains("Junior School"), "{text}");
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(!info.contains("Junior School"), "{info}");

    std::fs::write(
        k.cfg.join("settings.json"),
        r#"{"name": "Siân Ŵyn", "school": " Ysgol Gymraeg Test "}"#,
    )
    .expect("settings");
    let pdf = k.env.path("school.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&pdf);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert_eq!(first.trim(), "Ysgol Gymraeg Test", "{text}");
    assert!(!text.contains("not recorded\nE-safety"), "{text}");
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Ysgol Gymraeg Test"), "{info}");
}

/// The form as `pdftotext -layout` reads it.
fn layout_of(pdf: &Path) -> String {
    let out = tool(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    );
    assert!(out.status.success(), "pdftotext: {}", stderr(&out));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// Each page's lines with text, its footer left out.
fn pages_of(layout: &str) -> Vec<Vec<&str>> {
    layout
        .split('\u{c}')
        .map(|p| {
            let mut lines: Vec<&str> = p.lines().filter(|l| !l.trim().is_empty()).collect();
            if lines.last().is_some_and(|l| l.contains(" page ")) {
                lines.pop();
            }
            lines
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// A heading of the form: "6. The sealed bundle", "4a. …", "Appendix: …", "Why …".
fn is_heading(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = &t[digits..];
    let rest = rest
        .strip_prefix(|c: char| c.is_ascii_lowercase())
        .unwrap_or(rest);
    (digits > 0 && rest.starts_with(". ") && rest[2..].starts_with(|c: char| c.is_uppercase()))
        || t.starts_with("Appendix: ")
        || t.starts_with("Why this form is marked as failed")
}

fn pdf_pages(pdf: &Path) -> usize {
    let out = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo: {info}"))
}

/// The walk (issue 16, "The form"): "6. The sealed bundle" was stranded at the foot of
/// page 2, its fields on page 3. Whatever the length of the description, no page ends
/// with a heading, and section 6's heading shares its page with its first field; the
/// signature labels are printed whole ("Signed (designated pers…" was cut off).
#[test]
fn headings_are_kept_with_their_first_lines_and_labels_are_whole() {
    let k = Kit::new();
    k.capture(
        &[k.env.file("message.txt", b"a message")],
        &["--site", "WhatsApp"],
    );
    let bundle = k.env.path("case.evidence");
    k.ok(&["seal", "--case", &k.case, "--out", bundle.to_str().unwrap()]);
    let mut stranded = Vec::new();
    let mut first = String::new();
    for n in 0..60 {
        let desc: String = (0..n)
            .map(|i| format!("Line {i} of what happened.\n"))
            .collect();
        let desc_file = k
            .env
            .file(&format!("desc-{n}.txt"), format!("{desc}End.").as_bytes());
        k.ok(&[
            "case",
            "report",
            "--case",
            &k.case,
            "--description-file",
            desc_file.to_str().unwrap(),
        ]);
        let pdf = k.env.path(&format!("form-{n}.pdf"));
        let out = k.form(&pdf);
        assert!(out.status.success(), "{}", stderr(&out));
        let layout = layout_of(&pdf);
        for (p, lines) in pages_of(&layout).iter().enumerate() {
            if let Some(last) = lines.last().filter(|l| is_heading(l)) {
                stranded.push(format!(
                    "{n} lines: page {} ends with {:?}",
                    p + 1,
                    last.trim()
                ));
            }
            if let Some(h) = lines
                .iter()
                .position(|l| l.contains("6. The sealed bundle"))
            {
                let first = lines.get(h + 1).copied().unwrap_or("");
                if !first.contains("Bundle file") {
                    stranded.push(format!(
                        "{n} lines: section 6 on page {} is followed by {first:?}",
                        p + 1
                    ));
                }
            }
        }
        if n == 0 {
            assert_valid_and_inert(&pdf);
            first = layout;
        }
    }
    assert!(stranded.is_empty(), "{stranded:#?}");
    let flat = first.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in ["Signed (staff member)", "Signed (designated person)"] {
        assert!(flat.contains(want), "{want:?}:\n{first}");
    }
    // Nothing is cut short (the footer's short SHA-256 aside).
    let cut: Vec<&str> = pages_of(&first)
        .into_iter()
        .flatten()
        .filter(|l| l.contains('…'))
        .collect();
    assert!(cut.is_empty(), "{cut:?}");
}

/// The walk: the indecent-image boxes floated between sections 4 and 5 with no heading;
/// "Appendix: items that are not images" listed an "Image (image/png)" (the picture
/// whose bytes were removed as a possible indecent image); a withdrawn duplicate got a
/// full appendix page. Now: the boxes are under their own heading, a picture that is not
/// shown is listed with the reason under a heading of its own, and only pictures shown
/// take a page each.
#[test]
fn the_appendix_lists_each_item_under_the_right_heading_and_a_withdrawn_one_takes_no_page() {
    let k = Kit::new();
    let files = vec![
        k.env.file("screen-1.png", &image("rgb", 640, 400)),
        k.env.file("screen-2.png", &image("rgb", 641, 400)),
        k.env.file("seen.png", &image("rgb", 300, 200)),
        k.env.file("chat.txt", b"the group chat, saved"),
    ];
    k.capture(&files, &["--site", "Facebook"]);
    let before = k.env.path("before.pdf");
    assert!(k.form(&before).status.success());
    let ids: Vec<String> =
        serde_json::from_str::<Vec<Value>>(&k.ok(&["items", "--case", &k.case, "--json"]))
            .expect("items")
            .iter()
            .map(|i| i["id"].to_string())
            .collect();
    k.ok(&[
        "withdraw",
        "--item",
        &ids[1],
        "--reason",
        "A duplicate of item 1",
    ]);
    k.ok(&["case", "safeguard", "--case", &k.case, "--item", &ids[2]]);
    let pdf = k.env.path("form.pdf");
    let out = k.form(&pdf);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid_and_inert(&pdf);
    let layout = layout_of(&pdf);
    let pages = pages_of(&layout);

    // The indecent-image record is under its own heading.
    let lines: Vec<&str> = pages.iter().flatten().copied().collect();
    let boxed = lines
        .iter()
        .position(|l| l.contains("Possible indecent image of a child"))
        .expect("the indecent-image record");
    let heading = lines[..boxed].iter().rev().find(|l| is_heading(l)).unwrap();
    assert!(heading.contains("indecent image"), "{heading:?}:\n{layout}");

    // The list of items that are not images holds no image.
    let flat = layout.split_whitespace().collect::<Vec<_>>().join(" ");
    let others = flat
        .split("Appendix: items that are not images")
        .nth(1)
        .expect("the non-image appendix");
    let others = others.split("Appendix: ").next().unwrap_or(others);
    assert!(others.contains("chat.txt"), "{others}");
    for image in ["image/png", "Image", "screen-2.png", "seen.png"] {
        assert!(!others.contains(image), "{image:?} in: {others}");
    }
    // The pictures not shown are listed, each with why.
    let not_shown = flat
        .split("Appendix: pictures not shown")
        .nth(1)
        .expect("the list of pictures not shown");
    let not_shown = not_shown.split("Appendix: ").next().unwrap_or(not_shown);
    assert!(not_shown.contains("screen-2.png"), "{not_shown}");
    assert!(not_shown.contains("A duplicate of item 1"), "{not_shown}");
    assert!(not_shown.contains("seen.png"), "{not_shown}");
    assert!(not_shown.contains("possible indecent image"), "{not_shown}");

    // Only item 1's picture takes a page: the appendix is one page of lists and one
    // picture, where before the withdrawal and removal it held three pictures.
    let first = pages
        .iter()
        .position(|p| p.iter().any(|l| l.trim_start().starts_with("Appendix: ")))
        .expect("an appendix");
    let pictures = |pages: &[Vec<&str>]| {
        pages
            .iter()
            .filter(|p| p.iter().any(|l| l.contains("Appendix: screen prints")))
            .count()
    };
    assert_eq!(pictures(&pages), 1, "{layout}");
    assert_eq!(pdf_pages(&pdf), first + 2, "{layout}");
    assert_eq!(pictures(&pages_of(&layout_of(&before))), 3);
}
