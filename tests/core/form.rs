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
        "Newport CE Junior School",
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
fn the_form_from_a_bundle_is_verified_first_and_a_changed_byte_fails_every_page() {
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
