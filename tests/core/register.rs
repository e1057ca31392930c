//! The designated person's register through the CLI: receive (verify, record), the
//! same bundle twice, a tampered one, an older copy (replay), statuses, CSV.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What any write into a file would change: its SHA-256 (by `sha256sum`), its size and
/// its modification time (a write of the same bytes, or a touch, still moves it).
#[derive(Debug, PartialEq, Eq)]
struct FileState {
    sha256: String,
    len: u64,
    modified: std::time::SystemTime,
}

fn file_state(p: &Path) -> FileState {
    let m = std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    FileState {
        sha256: sha256sum(p),
        len: m.len(),
        modified: m.modified().expect("mtime"),
    }
}

/// [`file_state`] of every file under `dir`: a file added, removed or written to changes it.
fn tree_state(dir: &Path) -> BTreeMap<PathBuf, FileState> {
    let files = walk_files(dir);
    assert!(!files.is_empty(), "nothing under {}", dir.display());
    files
        .into_iter()
        .map(|f| (f.clone(), file_state(&f)))
        .collect()
}

/// A staff member with a key and a case holding one message: (store, keys, case).
fn staff_with_one_item() -> (Env, PathBuf, String) {
    let staff = Env::new();
    let cfg = staff.path("cfg");
    staff.new_key(&cfg, "A. Teacher");
    let case = staff.case();
    let f = staff.file("a.txt", b"a message");
    staff.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    (staff, cfg, case)
}

#[test]
fn the_register_records_checks_and_exports_what_arrives() {
    let (staff, cfg, case) = staff_with_one_item();
    let seal = |name: &str| staff.seal(&cfg, &case, name);
    let first = seal("first.evidence");
    staff.ok(&["edit", "--item", "1", "--field", "note", "--value", "later"]);
    let second = seal("second.evidence");
    let pubkey = cfg.join("signing.pub");

    // The designated person's own store.
    let dsl = Env::new();
    let receive = |file: &Path| {
        dsl.ek(&[
            "dsl",
            "receive",
            file.to_str().unwrap(),
            "--trust",
            pubkey.to_str().unwrap(),
            "--json",
        ])
    };
    let out = receive(&second);
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["duplicate"], false);
    assert_eq!(got["bundle"]["intact"], true);
    assert_eq!(got["bundle"]["case_ref"], case.as_str());
    assert_eq!(got["bundle"]["signer"], "A. Teacher");
    assert_eq!(got["bundle"]["sha256"], sha256sum(&second).as_str());
    assert_eq!(got["bundle"]["status"], "received");

    // The same bytes again: recognised, nothing added.
    let again: Value = serde_json::from_slice(&receive(&second).stdout).unwrap();
    assert_eq!(again["duplicate"], true);

    // The older seal of the same case, received after the newer one: flagged.
    let older: Value = serde_json::from_slice(&receive(&first).stdout).unwrap();
    assert_eq!(older["bundle"]["replay"], true);

    // A tampered copy: registered as failed, exit 1, the finding named.
    let mut bytes = std::fs::read(&second).unwrap();
    let at = bytes.windows(9).position(|w| w == b"a message").unwrap();
    bytes[at] ^= 1;
    // Named like a spreadsheet formula: the CSV must not let it run.
    let bad = dsl.file("=HYPERLINK(1).evidence", &bytes);
    let out = receive(&bad);
    assert_eq!(out.status.code(), Some(1));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["bundle"]["intact"], false);
    assert!(
        got["bundle"]["findings"]
            .to_string()
            .contains("was changed after sealing")
    );

    // Statuses, with notes; bad ones refused in a sentence.
    dsl.ok(&[
        "dsl",
        "status",
        "--case",
        &case,
        "--set",
        "reviewed",
        "--note",
        "Read with the staff member",
    ]);
    dsl.ok(&[
        "dsl",
        "status",
        "--case",
        &case,
        "--set",
        "referred",
        "--note",
        "Headteacher, 26 Nov",
    ]);
    assert_refused(
        &dsl.ek(&["dsl", "status", "--case", &case, "--set", "forgotten"]),
        "is not a status",
    );
    assert_refused(
        &dsl.ek(&["dsl", "status", "--case", "EK-NONE", "--set", "closed"]),
        "No bundle for case EK-NONE",
    );
    let list: Vec<Value> = serde_json::from_str(&dsl.ok(&["dsl", "list", "--json"])).unwrap();
    assert_eq!(list.len(), 3);
    // The case's status is on its copies as sealed; the tampered copy is its own entry.
    assert!(list[..2].iter().all(|b| b["status"] == "referred"));
    assert_eq!(list[2]["status"], Value::Null);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dsl.store().join("register.sqlite"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "register.sqlite is {mode:o}");
    }

    // CSV: Python's csv reads a header and a row per bundle.
    let csv = dsl.path("register.csv");
    dsl.ok(&["dsl", "export", "--csv", csv.to_str().unwrap()]);
    let py = std::process::Command::new("python3")
        .args(["-c", "import csv,sys,json; r=list(csv.DictReader(open(sys.argv[1], newline=''))); print(json.dumps(r))"])
        .arg(&csv)
        .output()
        .unwrap();
    let rows: Vec<Value> = serde_json::from_slice(&py.stdout).expect("csv parsed");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["case"], case.as_str());
    assert_eq!(rows[0]["verdict"], "intact");
    assert_eq!(rows[2]["verdict"], "FAILED");
    assert_eq!(rows[1]["replay"], "older than one on file");
    assert_eq!(rows[0]["status note"], "Headteacher, 26 Nov");
    assert_eq!(rows[2]["bundle file"], "'=HYPERLINK(1).evidence");

    // A receipt by case is for the latest bundle that verified, not a later failed one.
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let receipt = dsl.path("r.evidence-receipt");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receipt", "--case", &case, "--out", receipt.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    assert_eq!(r["receipt"]["bundle_sha256"], sha256sum(&second).as_str());
    assert_eq!(r["receipt"]["verdict"], "intact");
}

/// `receipt verify FILE --trust KEY [--record]`.
fn receipt_verify<'a>(file: &'a Path, key: &'a Path, record: bool) -> Vec<&'a str> {
    let mut args = vec!["receipt", "verify", file.to_str().unwrap()];
    args.extend(["--trust", key.to_str().unwrap()]);
    if record {
        args.push("--record");
    }
    args
}

#[test]
fn a_signed_receipt_closes_the_loop_and_a_changed_one_is_refused() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");

    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let pubkey = cfg.join("signing.pub");
    dsl.ok(&[
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    let make_receipt = |out: &Path| {
        let out = out.to_str().unwrap();
        dsl.ek_cfg(&dcfg, &["dsl", "receipt", "--case", &case, "--out", out])
    };
    let receipt = dsl.path("receipt.txt");
    let out = make_receipt(&receipt);
    assert!(out.status.success(), "{}", stderr(&out));

    // The staff member checks it with the designated person's public key.
    let dsl_pub = dcfg.join("signing.pub");
    let ok = staff.ok(&receipt_verify(&receipt, &dsl_pub, false));
    assert!(ok.contains("Received and verified by Mrs D. Lead"), "{ok}");
    assert!(ok.contains(&sha256sum(&bundle)), "{ok}");
    assert!(ok.contains("(intact)"), "{ok}");
    // Recorded on the staff member's case: the record shows it, the log says it.
    let rec = staff.ok(&receipt_verify(&receipt, &dsl_pub, true));
    assert!(rec.contains(&format!("Recorded on case {case}")), "{rec}");
    let cases: Vec<Value> = serde_json::from_str(&staff.ok(&["case", "list", "--json"])).unwrap();
    let shown = cases[0]["receipt"].as_str().unwrap_or_default().to_string();
    assert!(
        shown.starts_with("Received and verified by Mrs D. Lead on "),
        "{shown}"
    );
    assert_eq!(
        cases[0]["changed_since_seal"], false,
        "a receipt is not a change"
    );
    let log = staff.ok(&["log", "--case", &case]);
    assert!(
        log.contains("Mrs D. Lead confirmed receiving the sealed file"),
        "{log}"
    );
    staff.assert_intact();
    // Opened twice: recorded once.
    staff.ok(&receipt_verify(&receipt, &dsl_pub, true));
    let log_after = staff.ok(&["log", "--case", &case]);
    assert_eq!(
        log_after.matches("confirmed receiving").count(),
        1,
        "{log_after}"
    );
    // Sealed again: the receipt was for the earlier bundle, so the record no longer
    // reads as received.
    staff.ok(&["edit", "--item", "1", "--field", "note", "--value", "more"]);
    staff.seal(&cfg, &case, "b2.evidence");
    let cases: Vec<Value> = serde_json::from_str(&staff.ok(&["case", "list", "--json"])).unwrap();
    assert_eq!(cases[0]["receipt"], Value::Null, "{:#}", cases[0]);
    // A receipt for a bundle this store never sealed is not recorded.
    let elsewhere = Env::new();
    let out = elsewhere.ek(&receipt_verify(&receipt, &dsl_pub, true));
    assert_refused(&out, "There is no case");

    // Changed, or checked against another key: refused.
    let text = std::fs::read_to_string(&receipt).unwrap();
    let changed = staff.file(
        "changed.txt",
        text.replace("\"intact\"", "\"failed\"").as_bytes(),
    );
    let out = staff.ek(&receipt_verify(&changed, &dsl_pub, false));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not check out"),
        "{}",
        stderr(&out)
    );
    let out = staff.ek(&receipt_verify(&receipt, &pubkey, false));
    assert_eq!(out.status.code(), Some(1));
    let junk = staff.file("junk.txt", b"hello");
    let out = staff.ek(&receipt_verify(&junk, &dsl_pub, false));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not an Evidence Kit receipt"));
    // Never over an existing file.
    let out = make_receipt(&receipt);
    assert_refused(&out, "already exists");

    // A signature line cut to the wrong length (no key needed) made minisign 0.10 panic;
    // now it is a receipt that cannot be read, exit 1, no panic.
    let file: Value = serde_json::from_str(&text).unwrap();
    let sig = file["signature"].as_str().unwrap();
    let lines: Vec<String> = sig.lines().map(str::to_string).collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    for (line, keep) in [(3, 57), (1, 60)] {
        let mut cut = lines.clone();
        let raw = b64.decode(&lines[line]).unwrap();
        cut[line] = b64.encode(&raw[..keep]);
        let mut bad = file.clone();
        bad["signature"] = Value::from(cut.join("\n") + "\n");
        let short = staff.file("short.txt", bad.to_string().as_bytes());
        let out = staff.ek(&receipt_verify(&short, &dsl_pub, false));
        assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
}

/// A receipt is recorded only if it names a bundle sealed from that record on this
/// computer: here the case exists (a copy of the store, taken before either sealed,
/// holds the same case) but the receipt names the copy's seal, never this one's.
#[test]
fn headline_a_receipt_for_a_bundle_this_record_never_sealed_is_refused() {
    let (staff, cfg, case) = staff_with_one_item();
    let copy = Env::new();
    let cp = std::process::Command::new("cp")
        .arg("-a")
        .arg(staff.store())
        .arg(copy.store())
        .status()
        .unwrap();
    assert!(cp.success());
    staff.seal(&cfg, &case, "ours.evidence");
    let theirs = copy.seal(&cfg, &case, "theirs.evidence");
    let listed: Vec<Value> = serde_json::from_str(&copy.ok(&["case", "list", "--json"])).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["id"],
        case.as_str(),
        "the copy holds the same case"
    );

    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    #[rustfmt::skip]
    dsl.ok(&["dsl", "receive", theirs.to_str().unwrap(), "--trust", cfg.join("signing.pub").to_str().unwrap()]);
    let receipt = dsl.path("receipt.txt");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receipt", "--case", &case, "--out", receipt.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dsl_pub = dcfg.join("signing.pub");

    // Refused in one sentence, exit 2, and nothing recorded.
    let before = staff.snapshot();
    assert!(before.contains("sealed"), "{before}");
    let out = staff.ek(&receipt_verify(&receipt, &dsl_pub, true));
    assert_refused(
        &out,
        &format!(
            "This receipt is for a bundle (SHA-256 {}) that was not sealed from record {case} on this computer; it was not recorded.",
            sha256sum(&theirs)
        ),
    );
    assert_eq!(
        staff.snapshot(),
        before,
        "a refused receipt changes nothing"
    );
    let cases: Vec<Value> = serde_json::from_str(&staff.ok(&["case", "list", "--json"])).unwrap();
    assert_eq!(cases[0]["receipt"], Value::Null, "{:#}", cases[0]);
    staff.assert_intact();
    // The error the app branches on.
    let text = std::fs::read_to_string(&receipt).unwrap();
    let key = evidence_kit::keys::PublicKey::read(&dsl_pub).unwrap();
    let (body, signer) = evidence_kit::register::verify_receipt(&text, &[key]).unwrap();
    let store = evidence_kit::store::Store::open(&staff.store()).unwrap();
    let err = store
        .record_receipt(&body, &signer.fingerprint())
        .unwrap_err();
    assert_eq!(err.code(), "not_our_bundle", "{err}");
    drop(store);
    // The same receipt is good where that bundle was sealed: only the seal differs.
    let rec = copy.ok(&receipt_verify(&receipt, &dsl_pub, true));
    assert!(rec.contains(&format!("Recorded on case {case}")), "{rec}");
}

#[test]
fn accounts_named_across_cases_are_indexed_with_first_and_last_seen() {
    let staff = Env::new();
    let cfg = staff.path("cfg");
    staff.new_key(&cfg, "A. Teacher");
    let one = staff.case();
    let two = staff.case();
    let f = staff.file("a.txt", b"post one");
    let g = staff.file("b.txt", b"post two");
    let h = staff.file("c.txt", b"post three");
    let w = staff.file("d.txt", b"withdrawn");
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &one, f.to_str().unwrap(), "--from", "@Bully_99",
        "--from-phone", "07700 900123", "--seen", "2026-11-20T09:00:00+00:00"]);
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &two, g.to_str().unwrap(), "--from", "bully_99",
        "--from-profile", "https://www.instagram.com/bully_99/", "--seen", "2026-11-24T18:30:00+00:00"]);
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &two, h.to_str().unwrap(), "--from-phone", "+44 7700 900123",
        "--from-email", "Someone@Example.org", "--seen", "2026-11-22T12:00:00+00:00"]);
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &two, w.to_str().unwrap(), "--from", "@not_counted"]);
    staff.ok(&["withdraw", "--item", "4", "--reason", "wrong file"]);
    let pubkey = cfg.join("signing.pub");

    let dsl = Env::new();
    // Not yet verified (the key is not trusted): its claims stay out of the index.
    let first = staff.seal(&cfg, &one, &format!("{one}.evidence"));
    let out = dsl.ek(&["dsl", "receive", first.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        dsl.ok(&["dsl", "accounts"]).trim(),
        "No accounts named yet."
    );
    for case in [&one, &two] {
        let b = staff.path(&format!("{case}.evidence"));
        if !b.exists() {
            staff.seal(&cfg, case, &format!("{case}.evidence"));
        }
        #[rustfmt::skip]
        dsl.ok(&["dsl", "receive", b.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
        // Received twice: nothing counted twice.
        #[rustfmt::skip]
        dsl.ok(&["dsl", "receive", b.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    }
    let all: Vec<Value> = serde_json::from_str(&dsl.ok(&["dsl", "accounts", "--json"])).unwrap();
    let find = |kind: &str, value: &str| {
        all.iter()
            .find(|a| a["kind"] == kind && a["value"] == value)
            .unwrap_or_else(|| panic!("{kind} {value} not in {all:#?}"))
            .clone()
    };
    let user = find("username", "@bully_99");
    assert_eq!(user["cases"], serde_json::json!([one, two]));
    assert_eq!(user["mentions"].as_array().unwrap().len(), 2);
    assert_eq!(user["first_seen"], "2026-11-20T09:00:00Z");
    assert_eq!(user["last_seen"], "2026-11-24T18:30:00Z");
    assert_eq!(user["shown"], "bully_99");
    let phone = find("phone", "+447700900123");
    assert_eq!(phone["cases"].as_array().unwrap().len(), 2);
    find("profile", "instagram.com/bully_99");
    find("e-mail", "someone@example.org");
    assert!(
        !all.iter().any(|a| a["value"] == "@not_counted"),
        "a withdrawn item is not indexed"
    );
    // Those in most cases come first.
    assert_eq!(all[0]["cases"].as_array().unwrap().len(), 2);
    let text = dsl.ok(&["dsl", "accounts"]);
    assert!(
        text.contains("@Bully_99 (username): 2 case(s)")
            || text.contains("bully_99 (username): 2 case(s)"),
        "{text}"
    );
}

/// Promise 15: the designated person's side never writes into the bundle it is given,
/// nor into the copy it unpacked: the bundle's state is taken before `dsl receive` and
/// compared after every later step (receive, both forms, a second receive).
#[test]
fn headline_an_opened_bundle_is_unpacked_read_only_and_its_form_carries_the_register() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let pubkey = cfg.join("signing.pub");
    let sealed = file_state(&bundle);
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    #[rustfmt::skip]
    dsl.ok(&["dsl", "receive", bundle.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    assert_eq!(
        file_state(&bundle),
        sealed,
        "dsl receive wrote into the bundle"
    );
    let folder = dsl.store().join("received").join(&sealed.sha256);
    let unpacked = tree_state(&folder);
    let unchanged = |step: &str| {
        assert_eq!(file_state(&bundle), sealed, "{step} wrote into the bundle");
        assert_eq!(
            tree_state(&folder),
            unpacked,
            "{step} changed the unpacked copy"
        );
    };
    let files = walk_files(&folder);
    assert!(files.iter().any(|f| f.ends_with("case.json")), "{files:?}");
    let payload: Vec<_> = files
        .iter()
        .filter(|f| f.to_string_lossy().contains("/data/"))
        .collect();
    assert_eq!(payload.len(), 1);
    assert_eq!(std::fs::read(payload[0]).unwrap(), b"a message");
    assert!(
        files
            .iter()
            .all(|f| std::fs::metadata(f).unwrap().permissions().readonly()),
        "every unpacked file is read-only"
    );

    #[rustfmt::skip]
    dsl.ok(&["dsl", "status", "--case", &case, "--set", "referred", "--note", "Passed to the LADO"]);
    unchanged("dsl status");
    let pdf = dsl.path("form.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", bundle.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--register", "--out", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    unchanged("form --bundle --register");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("Mrs D. Lead"), "{text}");
    assert!(text.contains("referred. Passed to the LADO"), "{text}");
    assert!(text.contains("received."), "{text}");
    // Without --register the section is left to fill in by hand.
    let blank = dsl.path("blank.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", bundle.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--out", blank.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    unchanged("form --bundle");
    // Received a second time: recognised, and still nothing written.
    #[rustfmt::skip]
    let again = dsl.ok(&["dsl", "receive", bundle.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    assert!(again.starts_with("Already received on "), "{again}");
    unchanged("a second dsl receive");
    // A bundle never received cannot fill it. (Another seal of the same case is other
    // bytes: a new bundle id and a new `sealed` entry, whatever the clock says.)
    let other = staff.seal(&cfg, &case, "c.evidence");
    assert_ne!(sha256sum(&other), sealed.sha256);
    let pdf2 = dsl.path("form2.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", other.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--register", "--out", pdf2.to_str().unwrap()]);
    assert_refused(&out, "has not been received into your register yet");
}

#[test]
fn a_protected_designated_person_key_opens_only_with_its_passphrase() {
    let (staff, cfg, case) = staff_with_one_item();
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    let pass = dsl.file("pass.txt", b"correct horse battery\n");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["keys", "new-recipient", "--name", "Mrs D. Lead",
        "--passphrase-file", pass.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recipient = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let identity = dcfg.join("identity.age");
    let raw = std::fs::read(&identity).unwrap();
    assert!(
        raw.starts_with(b"age-encryption.org/v1"),
        "the key file is itself encrypted"
    );
    assert!(!raw.windows(15).any(|w| w == b"AGE-SECRET-KEY-"));

    let bundle = staff.path("b.evidence.age");
    #[rustfmt::skip]
    let o = staff.ek_cfg(&cfg, &["seal", "--case", &case, "--to", &recipient,
        "--out", bundle.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pubkey = cfg.join("signing.pub");
    // The age tool opens the protected key too (it asks for the passphrase at a terminal;
    // here, the key file decrypted with the passphrase through age's own scrypt support).
    let plain_id = dsl.path("plain-identity");
    let age = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "script -qec 'age -d -o {} {}' /dev/null <<'EOF'\ncorrect horse battery\nEOF",
            plain_id.display(),
            identity.display()
        ))
        .output()
        .unwrap();
    assert!(
        std::fs::read_to_string(&plain_id)
            .map(|t| t.contains("AGE-SECRET-KEY-"))
            .unwrap_or(false),
        "age -d with the passphrase: {}",
        String::from_utf8_lossy(&age.stderr)
    );

    // No passphrase: a sentence, exit 2, nothing registered.
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["verify", bundle.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    assert_refused(&out, "A passphrase is needed");
    let wrong = dsl.file("wrong.txt", b"not it at all\n");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["verify", bundle.to_str().unwrap(), "--trust", pubkey.to_str().unwrap(),
        "--identity-passphrase-file", wrong.to_str().unwrap()]);
    assert_refused(&out, "does not open your designated-person key");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receive", bundle.to_str().unwrap(), "--trust", pubkey.to_str().unwrap(),
        "--identity-passphrase-file", pass.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        said.trim(),
        format!("Received b.evidence.age for case {case}: intact."),
        "the exact verdict line"
    );
    assert!(
        !said.to_lowercase().contains("not intact") && !said.contains("VERIFICATION FAILED"),
        "{said}"
    );
}

#[test]
fn a_register_made_before_the_accounts_index_is_brought_up_to_date() {
    let dsl = Env::new();
    std::fs::create_dir_all(dsl.store()).unwrap();
    // The register as the first version wrote it (no path column, no accounts table).
    let conn = rusqlite::Connection::open(dsl.store().join("register.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE bundles (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, file TEXT NOT NULL,
            case_ref TEXT, staff TEXT, signer TEXT, signer_fingerprint TEXT, sealed_utc TEXT,
            received_utc TEXT NOT NULL, received_local TEXT NOT NULL, intact INTEGER NOT NULL,
            findings TEXT NOT NULL, replay INTEGER NOT NULL) STRICT;
         CREATE TABLE status (id INTEGER PRIMARY KEY, case_ref TEXT NOT NULL, status TEXT NOT NULL,
            note TEXT, at_utc TEXT NOT NULL, at_local TEXT NOT NULL) STRICT;
         INSERT INTO bundles VALUES (1, 'ab', 'old.evidence', 'EK-OLD', 'A', 'A', 'F', '2026-01-01T00:00:00Z',
            '2026-01-02T00:00:00Z', '2026-01-02T00:00:00+00:00', 1, '[]', 0);",
    )
    .unwrap();
    drop(conn);
    let list: Vec<Value> = serde_json::from_str(&dsl.ok(&["dsl", "list", "--json"])).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["case_ref"], "EK-OLD");
    assert_eq!(
        dsl.ok(&["dsl", "accounts"]).trim(),
        "No accounts named yet."
    );
    // Opening it again changes nothing more.
    assert_eq!(
        dsl.ok(&["dsl", "accounts"]).trim(),
        "No accounts named yet."
    );
}

/// A PNG whose header claims `w` × `h` pixels, with no real pixels behind it.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        c.extend_from_slice(&crc.finalize().to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// Promise 15 for a bundle kept by the app: pictures decoded with limits, names kept
/// inside, and the kept copy and its unpacked files never written to (taken when it is
/// kept, compared after opening it, a form with the register, and receiving it again).
#[test]
fn headline_a_huge_picture_in_a_bundle_is_refused_not_rendered_and_names_cannot_escape() {
    let staff = Env::new();
    let cfg = staff.path("cfg");
    staff.new_key(&cfg, "A. Teacher");
    let case = staff.case();
    let huge = staff.file("huge.png", &png_claiming(50_000, 50_000));
    let small = staff.path("small.png");
    image::RgbImage::from_pixel(30, 20, image::Rgb([1, 2, 3]))
        .save(&small)
        .unwrap();
    #[rustfmt::skip]
    staff.ok(&["capture", "file", "--case", &case, huge.to_str().unwrap(), small.to_str().unwrap()]);
    let bundle = staff.seal(&cfg, &case, "b.evidence");

    let dsl = Env::new();
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    // Through the window: in parts, hashed as they come, moved into place.
    let bytes = std::fs::read(&bundle).unwrap();
    let through_window = |name: &str| {
        let mut arriving = evidence_kit::capture::Arriving::new(&dsl.store()).unwrap();
        for part in bytes.chunks(4096) {
            arriving.append(part).unwrap();
        }
        reg.keep_arrived(name, &mut arriving).unwrap()
    };
    let sha = through_window("b.evidence");
    assert_eq!(sha, sha256sum(&bundle));
    assert!(walk_files(&dsl.store().join("tmp")).is_empty());
    let kept = reg.kept(&sha).unwrap();
    let as_kept = file_state(&kept);
    assert_eq!(as_kept.sha256, sha);
    let opts = evidence_kit::verify::Options {
        trusted: vec![evidence_kit::keys::PublicKey::read(&cfg.join("signing.pub")).unwrap()],
        ..Default::default()
    };
    let view = reg.open_kept(&sha, &opts).unwrap();
    assert!(
        view.report.findings.is_empty(),
        "{:?}",
        view.report.findings
    );
    assert_eq!(
        file_state(&kept),
        as_kept,
        "opening wrote into the kept copy"
    );
    let folder = PathBuf::from(&view.folder);
    let unpacked = tree_state(&folder);
    let unchanged = |step: &str| {
        assert_eq!(
            file_state(&kept),
            as_kept,
            "{step} wrote into the kept copy"
        );
        assert_eq!(
            tree_state(&folder),
            unpacked,
            "{step} changed the unpacked copy"
        );
    };
    // The printed form with the register's section, from the kept copy.
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let pdf = dsl.path("form.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", kept.to_str().unwrap(), "--trust",
        cfg.join("signing.pub").to_str().unwrap(), "--register", "--out", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    unchanged("form --bundle --register");
    // Received again, by the CLI and by the app: recognised, nothing written.
    #[rustfmt::skip]
    let again = dsl.ok(&["dsl", "receive", kept.to_str().unwrap(), "--trust",
        cfg.join("signing.pub").to_str().unwrap()]);
    assert!(again.starts_with("Already received on "), "{again}");
    unchanged("dsl receive");
    assert!(reg.open_kept(&sha, &opts).unwrap().duplicate);
    unchanged("opening it again");
    let path_of = |name: &str| {
        view.items
            .iter()
            .find(|i| i.item.original_name == name)
            .unwrap()
            .path
            .clone()
    };
    assert_eq!(reg.picture(&sha, &path_of("huge.png"), 480).unwrap(), None);
    let shown = reg
        .picture(&sha, &path_of("small.png"), 480)
        .unwrap()
        .unwrap();
    let back = image::load_from_memory(&shown).unwrap();
    assert_eq!((back.width(), back.height()), (30, 20));
    // Names from outside never leave the bundle's folder.
    assert_eq!(
        reg.picture(&sha, "data/../../register.sqlite", 480)
            .unwrap(),
        None
    );
    assert_eq!(reg.picture(&sha, "/etc/passwd", 480).unwrap(), None);
    assert!(reg.picture("../../etc", "data/x", 480).is_err());
    unchanged("showing pictures");
    // The kept copy is read-only; keeping the same bytes again keeps one copy, as it was.
    assert!(std::fs::metadata(&kept).unwrap().permissions().readonly());
    assert_eq!(kept.file_name().unwrap(), "b.evidence");
    let mut f = std::fs::File::open(&bundle).unwrap();
    assert_eq!(reg.keep("../../other name.evidence", &mut f).unwrap(), sha);
    assert_eq!(through_window("../again.evidence"), sha);
    assert_eq!(walk_files(&dsl.store().join("bundles")).len(), 1);
    assert!(walk_files(&dsl.store().join("tmp")).is_empty());
    unchanged("keeping the same bytes again");
}

#[test]
fn headline_a_key_with_a_trusted_keys_id_is_named_as_substituted_and_never_trusted_over_it() {
    use evidence_kit::keys::{KeyDir, PublicKey};
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let real = PublicKey::read(&cfg.join("signing.pub")).unwrap();
    // Another key, made to look like the staff member's: same id, other bytes (what a
    // stranger who copied the public key id would send).
    let other_cfg = staff.path("other-cfg");
    staff.new_key(&other_cfg, "Someone Else");
    let other = PublicKey::read(&other_cfg.join("signing.pub")).unwrap();
    let lookalike = PublicKey {
        name: Some("A. Teacher".into()),
        key: other.key.clone(),
        key_id: real.key_id.clone(),
    };
    // The fingerprint people compare covers the whole key, so the two differ although
    // their ids are the same.
    assert_ne!(real.fingerprint(), lookalike.fingerprint());
    assert_eq!(real.fingerprint().len(), 19);

    let dsl = Env::new();
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    let opts = evidence_kit::verify::Options {
        trusted: vec![lookalike.clone()],
        ..Default::default()
    };
    let view = reg.open_bundle(&bundle, &opts).unwrap();
    let kinds: Vec<_> = view.report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [evidence_kit::verify::FindingKind::SubstitutedKey],
        "{:?}",
        view.report.findings
    );
    assert!(view.report.findings[0].message.contains("pretending"));
    assert!(
        !view.can_trust,
        "a substituted key is never offered for trust"
    );
    assert_eq!(
        view.report.signer.as_ref().unwrap().fingerprint,
        real.fingerprint()
    );

    // Trusting never replaces a trusted key with a different one of the same id.
    let keys = KeyDir::at(dsl.path("dsl-cfg"));
    keys.trust(&lookalike, "A. Teacher").unwrap();
    let err = keys.trust(&real, "A. Teacher").unwrap_err();
    assert!(
        err.to_string().contains("someone may be pretending"),
        "{err}"
    );
    assert_eq!(
        keys.trusted_keys()[0].key.to_base64(),
        other.key.to_base64()
    );
    // The same key again is fine.
    keys.trust(&lookalike, "A. Teacher").unwrap();
}

#[test]
fn a_bundle_received_by_the_cli_opens_from_where_it_was_and_the_failure_note_follows_the_verdict() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let dsl = Env::new();
    // Received without trusting the key: not intact, a failure note beside the files.
    let out = dsl.ek(&["dsl", "receive", bundle.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let sha = sha256sum(&bundle);
    let note = dsl
        .store()
        .join("received")
        .join(&sha)
        .join("VERIFICATION-FAILED.txt");
    assert!(note.is_file());

    // Opened again (no copy was kept: from where it was received), now trusting the key:
    // intact, and the note is gone.
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    assert!(reg.kept(&sha).is_none());
    let opts = evidence_kit::verify::Options {
        trusted: vec![evidence_kit::keys::PublicKey::read(&cfg.join("signing.pub")).unwrap()],
        ..Default::default()
    };
    let view = reg.open_kept(&sha, &opts).unwrap();
    assert!(
        view.report.findings.is_empty(),
        "{:?}",
        view.report.findings
    );
    assert!(view.received.intact);
    assert!(!note.exists(), "the failure note follows the latest check");
    assert_eq!(view.unpack_problem, None);

    // Moved away since: said in a sentence naming where it was.
    std::fs::rename(&bundle, staff.path("moved.evidence")).unwrap();
    let err = reg.open_kept(&sha, &opts).unwrap_err().to_string();
    assert!(err.contains("is no longer at"), "{err}");
    assert!(err.contains("b.evidence"), "{err}");
    // Something that is not a bundle's SHA-256 at all.
    let err = reg.open_kept("../etc", &opts).unwrap_err().to_string();
    assert!(err.contains("not in your register"), "{err}");
}

// ---------------------------------------------------------------------------------
// Issue 12, item 1 (F4, B2, F7): the register knows a seal by what identifies it, its
// bundle id and the SHA-256 of its tag manifest, not by the file's bytes.
// ---------------------------------------------------------------------------------

/// `dsl receive FILE --json` as the designated person (keys in `dcfg`), trusting `key`.
fn receive_json(dsl: &Env, dcfg: &Path, file: &Path, key: &Path) -> (Option<i32>, Value) {
    #[rustfmt::skip]
    let out = dsl.ek_cfg(dcfg, &["dsl", "receive", file.to_str().unwrap(),
        "--trust", key.to_str().unwrap(), "--json"]);
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no JSON: {}", stderr(&out)));
    (out.status.code(), v)
}

fn register_rows(dsl: &Env) -> Vec<Value> {
    serde_json::from_str(&dsl.ok(&["dsl", "list", "--json"])).unwrap()
}

/// `src` with the byte of the first `needle` (+ `at`) flipped, as `name` in `env`.
fn flipped(env: &Env, src: &Path, needle: &[u8], at: usize, name: &str) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    let i = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("stored as it is");
    bytes[i + at] ^= 1;
    env.file(name, &bytes)
}

/// The staff member seals `case` encrypted to `recipient`: the `.age` file (named as
/// seal names it: with `.age` added to `--out`, or `--out` exactly).
fn seal_to(staff: &Env, cfg: &Path, case: &str, recipient: &str, name: &str) -> PathBuf {
    let out = staff.path(name);
    #[rustfmt::skip]
    let o = staff.ek_cfg(cfg, &["seal", "--case", case, "--to", recipient, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let with_age = staff.path(&format!("{name}.age"));
    if with_age.is_file() { with_age } else { out }
}

/// `age -d` of `file` with the designated person's (unprotected) identity.
fn decrypt(identity: &Path, file: &Path, out: &Path) {
    #[rustfmt::skip]
    let o = std::process::Command::new("age")
        .args(["-d", "-i", identity.to_str().unwrap(), "-o", out.to_str().unwrap(), file.to_str().unwrap()])
        .output()
        .expect("age");
    assert!(o.status.success(), "age -d: {}", stderr(&o));
}

#[test]
fn another_file_of_a_seal_on_file_is_already_received_and_a_changed_copy_is_flagged() {
    let (staff, cfg, case) = staff_with_one_item();
    let pubkey = cfg.join("signing.pub");
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    #[rustfmt::skip]
    let recipient = dsl.ok(&["--config", dcfg.to_str().unwrap(), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"]);
    let age = seal_to(&staff, &cfg, &case, recipient.trim(), "b.evidence");
    // The same seal in other bytes: the bundle the .age file holds, decrypted.
    let plain = dsl.path("decrypted.evidence");
    decrypt(&dcfg.join("identity.age"), &age, &plain);
    assert_ne!(sha256sum(&age), sha256sum(&plain));

    let (code, first) = receive_json(&dsl, &dcfg, &age, &pubkey);
    assert_eq!(code, Some(0), "{first:#}");
    assert_eq!(first["duplicate"], false);
    assert!(first["bundle"]["bundle_id"].is_string(), "{first:#}");
    assert!(first["bundle"]["tagmanifest_sha256"].is_string());
    let (code, again) = receive_json(&dsl, &dcfg, &plain, &pubkey);
    assert_eq!(code, Some(0), "{again:#}");
    assert_eq!(again["duplicate"], true, "the same seal: {again:#}");
    assert_eq!(
        again["bundle"]["sha256"],
        sha256sum(&age).as_str(),
        "the row on file"
    );
    assert_eq!(again["file_sha256"], sha256sum(&plain).as_str());
    assert_eq!(register_rows(&dsl).len(), 1);
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["dsl", "receive", plain.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("Already received on"), "{said}");
    assert!(
        said.contains("the same seal as the bundle on file"),
        "{said}"
    );

    // A copy with one byte of evidence changed claims the same seal but is not it: a
    // new row, failed, flagged with a sentence naming the one on file.
    let changed = flipped(&dsl, &plain, b"a message", 0, "changed.evidence");
    let (code, got) = receive_json(&dsl, &dcfg, &changed, &pubkey);
    assert_eq!(code, Some(1));
    assert_eq!(got["duplicate"], false, "{got:#}");
    assert_eq!(got["bundle"]["intact"], false);
    let flag = got["bundle"]["conflict"].as_str().expect("flagged");
    assert!(
        flag.starts_with("This bundle claims to be the same seal as one received on "),
        "{flag}"
    );
    assert!(
        flag.contains("(b.evidence"),
        "names the earlier one: {flag}"
    );
    assert!(flag.ends_with("but its contents differ: one of them is not what was sealed."));
    // The same changed bytes again are that row again.
    let (code, got) = receive_json(&dsl, &dcfg, &changed, &pubkey);
    assert_eq!(code, Some(1));
    assert_eq!(got["duplicate"], true, "{got:#}");
    assert_eq!(got["bundle"]["sha256"], sha256sum(&changed).as_str());
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["conflict"].is_null(), "the first is not flagged");
    assert_eq!(
        rows[0]["intact"], true,
        "a changed copy never downgrades it"
    );

    // The CLI's list and the CSV say so too.
    let list = dsl.ok(&["dsl", "list"]);
    assert_eq!(
        list.matches("claims a seal on file but differs").count(),
        1,
        "{list}"
    );
    let csv = dsl.path("register.csv");
    dsl.ok(&["dsl", "export", "--csv", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.lines().next().unwrap().contains(",same seal differs,"));
    assert!(
        text.contains("one of them is not what was sealed"),
        "{text}"
    );
}

/// `dsl receive FILE --json` as the designated person (keys in `dcfg`), trusting only
/// the keys saved there.
fn receive_saved(dsl: &Env, dcfg: &Path, file: &Path) -> (Option<i32>, Value) {
    let out = dsl.ek_cfg(dcfg, &["dsl", "receive", file.to_str().unwrap(), "--json"]);
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no JSON: {}", stderr(&out)));
    (out.status.code(), v)
}

#[test]
fn a_seal_received_before_its_key_was_trusted_turns_intact_when_another_copy_verifies() {
    let (staff, cfg, case) = staff_with_one_item();
    let pubkey = cfg.join("signing.pub");
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    #[rustfmt::skip]
    let recipient = dsl.ok(&["--config", dcfg.to_str().unwrap(), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"]);
    let age = seal_to(&staff, &cfg, &case, recipient.trim(), "b.evidence");
    let plain = dsl.path("decrypted.evidence");
    decrypt(&dcfg.join("identity.age"), &age, &plain);

    // Received before the staff member's key is trusted: as sealed, but not intact.
    let (code, first) = receive_saved(&dsl, &dcfg, &age);
    assert_eq!(code, Some(1), "{first:#}");
    assert_eq!(first["bundle"]["intact"], false);
    let findings = first["bundle"]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{first:#}");
    assert!(
        findings[0]
            .as_str()
            .unwrap()
            .contains("not marked as trusted yet")
    );
    let age_sha = sha256sum(&age);
    // Received by the CLI, an encrypted bundle is not unpacked (nothing decrypted is
    // written, issue 14): its ciphertext is kept, and the register row has the verdict.
    assert!(!dsl.store().join("received").join(&age_sha).exists());
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    let kept = reg.kept(&age_sha).expect("the .age copy is kept");
    assert_eq!(sha256sum(&kept), age_sha);
    // Opened as the window opens it (asked for): unpacked, with its failure note.
    let opts = evidence_kit::verify::Options {
        identity: Some(dcfg.join("identity.age")),
        ..Default::default()
    };
    let view = reg.open_kept(&age_sha, &opts).unwrap();
    assert!(!view.received.intact);
    drop(reg);
    let note = dsl
        .store()
        .join("received")
        .join(&age_sha)
        .join("VERIFICATION-FAILED.txt");
    assert!(note.is_file());

    // The key trusted (`keys trust`), then the decrypted copy: the same seal, verified
    // intact now. The row on file says so; nothing is added.
    #[rustfmt::skip]
    dsl.ok(&["--config", dcfg.to_str().unwrap(), "keys", "trust", pubkey.to_str().unwrap(), "--name", "A. Teacher"]);
    let (code, got) = receive_saved(&dsl, &dcfg, &plain);
    assert_eq!(got["duplicate"], true, "{got:#}");
    assert_eq!(got["bundle"]["sha256"], age_sha.as_str(), "the row on file");
    assert_eq!(got["bundle"]["intact"], true, "brought up to date: {got:#}");
    assert_eq!(got["bundle"]["findings"], serde_json::json!([]));
    assert_eq!(code, Some(0));
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["intact"], true, "{rows:#?}");
    assert!(
        !note.exists(),
        "the on-file copy's failure note follows its verdict"
    );
    let list = dsl.ok(&["dsl", "list"]);
    assert!(!list.contains("FAILED"), "{list}");

    // A changed copy of it then is its own row, flagged; the intact row stays intact.
    let changed = flipped(&dsl, &plain, b"a message", 0, "changed.evidence");
    let (code, got) = receive_saved(&dsl, &dcfg, &changed);
    assert_eq!(code, Some(1));
    assert_eq!(got["duplicate"], false, "{got:#}");
    assert!(got["bundle"]["conflict"].is_string(), "{got:#}");
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["intact"], true, "not downgraded by a changed copy");
    assert!(rows[0]["conflict"].is_null());
    assert!(!note.exists());
}

#[test]
fn differently_changed_copies_of_one_seal_each_keep_their_own_row_and_findings() {
    let (staff, cfg, case) = staff_with_one_item();
    let pubkey = cfg.join("signing.pub");
    let genuine = staff.seal(&cfg, &case, "genuine.evidence");
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    // Two copies of one seal, each changed in another place: the evidence, the log.
    let evidence = flipped(&dsl, &genuine, b"a message", 0, "evidence-changed.evidence");
    let log = flipped(&dsl, &genuine, b"\"actor\"", 1, "log-changed.evidence");

    let (code, one) = receive_json(&dsl, &dcfg, &evidence, &pubkey);
    assert_eq!(code, Some(1), "{one:#}");
    assert!(one["bundle"]["bundle_id"].is_string(), "{one:#}");
    assert!(
        one["bundle"]["conflict"].is_null(),
        "nothing else on file yet"
    );
    let (code, two) = receive_json(&dsl, &dcfg, &log, &pubkey);
    assert_eq!(code, Some(1), "{two:#}");
    assert_eq!(two["duplicate"], false, "{two:#}");
    assert_eq!(two["bundle"]["sha256"], sha256sum(&log).as_str());
    assert_eq!(two["bundle"]["bundle_id"], one["bundle"]["bundle_id"]);
    let flag = two["bundle"]["conflict"].as_str().expect("flagged");
    assert!(flag.contains("(evidence-changed.evidence)"), "{flag}");

    // Each file the designated person was given: its own row, SHA-256 and findings.
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!(rows[0]["sha256"], sha256sum(&evidence).as_str());
    assert_eq!(rows[1]["sha256"], sha256sum(&log).as_str());
    let said = |r: &Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(said(&rows[0]).contains("data/001"), "{}", said(&rows[0]));
    assert!(
        !said(&rows[0]).contains("custody.jsonl"),
        "{}",
        said(&rows[0])
    );
    assert!(
        said(&rows[1]).contains("custody.jsonl"),
        "{}",
        said(&rows[1])
    );
    assert!(!said(&rows[1]).contains("data/001"), "{}", said(&rows[1]));
    assert!(rows.iter().all(|r| r["intact"] == false));

    // Each again is its own row again; the genuine one then is a row of its own, flagged
    // as differing from the first copy on file, and intact.
    let (_, again) = receive_json(&dsl, &dcfg, &log, &pubkey);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["bundle"]["sha256"], sha256sum(&log).as_str());
    let (code, real) = receive_json(&dsl, &dcfg, &genuine, &pubkey);
    assert_eq!(code, Some(0), "{real:#}");
    assert_eq!(real["duplicate"], false);
    assert_eq!(real["bundle"]["intact"], true);
    assert!(real["bundle"]["conflict"].is_string());
    assert_eq!(register_rows(&dsl).len(), 3);
    // The CSV carries each file's findings on its own line.
    let csv = dsl.path("register.csv");
    dsl.ok(&["dsl", "export", "--csv", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
}

/// An insider's forgery of `src`: the case title changed (in case.json and bag-info),
/// the tag manifest recomputed and signed again with the staff member's own key from
/// `cfg`, with the same bundle id and seal time, written in the canonical layout: a
/// different bundle claiming to be the same seal.
fn forge_same_seal(src: &Path, cfg: &Path, dst: &Path) {
    use evidence_kit::bundle::zipfmt;
    use sha2::Digest;
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect();
    let sha = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
    let mut edit = |name: &str, old: &str, new: &str| {
        let e = entries.iter_mut().find(|(n, _)| n == name).unwrap();
        let text = String::from_utf8(e.1.clone()).unwrap();
        assert_eq!(text.matches(old).count(), 1, "{name}: {old}");
        e.1 = text.replace(old, new).into_bytes();
    };
    edit(
        "case.json",
        "\"title\": \"Posts about me\"",
        "\"title\": \"Nothing to see\"",
    );
    edit(
        "bag-info.txt",
        "External-Description: Posts about me",
        "External-Description: Nothing to see",
    );
    let body = |entries: &[(String, Vec<u8>)], n: &str| {
        entries.iter().find(|(m, _)| m == n).unwrap().1.clone()
    };
    let tagmanifest: String = String::from_utf8(body(&entries, "tagmanifest-sha256.txt"))
        .unwrap()
        .lines()
        .map(|l| {
            let (_, name) = l.split_once("  ").unwrap();
            format!("{}  {name}\n", sha(&body(&entries, name)))
        })
        .collect();
    let sig = String::from_utf8(body(&entries, "tagmanifest-sha256.txt.minisig")).unwrap();
    let untrusted = sig
        .lines()
        .next()
        .unwrap()
        .strip_prefix("untrusted comment: ")
        .unwrap();
    let trusted = sig
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .unwrap();
    let mut facts: Value = serde_json::from_str(trusted).unwrap();
    facts["tagmanifest_sha256"] = sha(tagmanifest.as_bytes()).into();
    let sk = minisign::SecretKeyBox::from_string(
        &std::fs::read_to_string(cfg.join("signing.key")).unwrap(),
    )
    .unwrap()
    .into_unencrypted_secret_key()
    .unwrap();
    let pk = minisign::PublicKey::from_secret_key(&sk).unwrap();
    let signature = minisign::sign(
        Some(&pk),
        &sk,
        tagmanifest.as_bytes(),
        Some(&facts.to_string()),
        Some(untrusted),
    )
    .unwrap()
    .to_string();
    for (n, b) in &mut entries {
        match n.as_str() {
            "tagmanifest-sha256.txt" => *b = tagmanifest.clone().into_bytes(),
            "tagmanifest-sha256.txt.minisig" => *b = signature.clone().into_bytes(),
            _ => {}
        }
    }
    let sealed: chrono::DateTime<chrono::Utc> = facts["sealed"].as_str().unwrap().parse().unwrap();
    let mut w = zipfmt::Writer::new(
        std::fs::File::create(dst).unwrap(),
        zipfmt::dos_time(&sealed),
    );
    for (n, b) in &entries {
        w.add_bytes(n, b).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn a_different_bundle_claiming_the_same_seal_is_received_but_flagged() {
    let (staff, cfg, case) = staff_with_one_item();
    let pubkey = cfg.join("signing.pub");
    let genuine = staff.seal(&cfg, &case, "genuine.evidence");
    let forged = staff.path("forged.evidence");
    forge_same_seal(&genuine, &cfg, &forged);
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    let (code, first) = receive_json(&dsl, &dcfg, &genuine, &pubkey);
    assert_eq!(code, Some(0), "{first:#}");
    let (_, got) = receive_json(&dsl, &dcfg, &forged, &pubkey);
    // Signed with the staff member's own key, it verified intact when this was written
    // (an insider's forgery verify cannot tell); the register is what notices.
    // Same bundle id and seal time, another tag manifest: received, and flagged.
    assert_eq!(got["duplicate"], false, "{got:#}");
    assert_eq!(got["bundle"]["bundle_id"], first["bundle"]["bundle_id"]);
    assert_eq!(got["bundle"]["sealed"], first["bundle"]["sealed"]);
    assert_ne!(
        got["bundle"]["tagmanifest_sha256"],
        first["bundle"]["tagmanifest_sha256"]
    );
    let flag = got["bundle"]["conflict"].as_str().expect("flagged");
    assert!(flag.contains("(genuine.evidence)"), "{flag}");
    assert!(
        flag.contains("one of them is not what was sealed"),
        "{flag}"
    );
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["conflict"].is_null());
    // A receipt for the case names the bundle not flagged.
    let dcfg2 = dsl.path("dsl-keys");
    dsl.new_key(&dcfg2, "Mrs D. Lead");
    let receipt = dsl.path("r.evidence-receipt");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg2, &["dsl", "receipt", "--case", &case, "--out", receipt.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    assert_eq!(r["receipt"]["bundle_sha256"], sha256sum(&genuine).as_str());
    // Said in plain words on receipt, as a replay is.
    let dsl2 = Env::new();
    receive_json(&dsl2, &dcfg, &genuine, &pubkey);
    #[rustfmt::skip]
    let out = dsl2.ek_cfg(&dcfg, &["dsl", "receive", forged.to_str().unwrap(), "--trust", pubkey.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("  Warning: This bundle claims to be the same seal"),
        "{said}"
    );
}

/// A designated person's register as the CLI at commit efcc59f left it (before the register
/// knew seals by bundle id and tag manifest), with the bundles it received and TEST-ONLY
/// keys: made by `make-efcc59f.sh` beside it (see its README).
fn efcc59f_register() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/registers/efcc59f")
}

/// Copy the folder `from` into the folder `to` (made if missing), recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

#[test]
fn a_register_made_before_seal_keys_gets_them_from_its_kept_copies() {
    let dsl = Env::new();
    copy_tree(&efcc59f_register(), dsl.dir.path());
    // Read-only, as the old CLI unpacked every bundle it received (git keeps no such bit).
    for f in walk_files(&dsl.store().join("received")) {
        let mut p = std::fs::metadata(&f).unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&f, p).unwrap();
    }
    let pubkey = dsl.path("staff-keys-TEST-ONLY/signing.pub");
    let dcfg = dsl.path("dsl-keys-TEST-ONLY");
    let unpacked = |file: &Path| dsl.store().join("received").join(sha256sum(file));
    // X: encrypted, unpacked when received.
    let x = dsl.path("x.evidence.age");
    assert!(unpacked(&x).is_dir(), "X unpacked");
    // Y: its unpacked copy gone since, and none kept: nothing to read its seal from.
    let y = dsl.path("y.evidence");
    assert!(!unpacked(&y).exists(), "Y not unpacked");
    // Z: kept as the window keeps a bundle (bundles/SHA/NAME), not unpacked.
    let z = dsl.path("z.evidence");
    assert!(!unpacked(&z).exists(), "Z not unpacked");
    let kept = dsl.store().join("bundles").join(sha256sum(&z));
    assert!(kept.join("z.evidence").is_file(), "Z kept");
    let version = |dsl: &Env| -> i64 {
        let c = rusqlite::Connection::open(dsl.store().join("register.sqlite")).unwrap();
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&dsl), 2, "the old register");

    // Opened by this version: X and Z have their seal from what was kept, Y has none.
    let rows = register_rows(&dsl);
    assert_eq!(version(&dsl), 4, "migrations 3 and 4 (referrals)");
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0]["bundle_id"].is_string(),
        "X from its unpacked copy: {:#}",
        rows[0]
    );
    assert!(rows[1]["bundle_id"].is_null(), "Y: nothing kept");
    assert!(
        rows[2]["bundle_id"].is_string(),
        "Z from its kept file: {:#}",
        rows[2]
    );

    // X decrypted: the same seal, already received.
    let x_plain = dsl.path("x-decrypted.evidence");
    decrypt(&dcfg.join("identity.age"), &x, &x_plain);
    let (_, got) = receive_json(&dsl, &dcfg, &x_plain, &pubkey);
    assert_eq!(got["duplicate"], true, "{got:#}");
    assert_eq!(got["bundle"]["sha256"], sha256sum(&x).as_str());
    // Z with a byte changed: claims Z's seal, flagged naming it.
    let z_changed = flipped(&dsl, &z, b"a message", 0, "z-changed.evidence");
    let (_, got) = receive_json(&dsl, &dcfg, &z_changed, &pubkey);
    assert_eq!(got["duplicate"], false);
    assert!(
        got["bundle"]["conflict"]
            .as_str()
            .is_some_and(|c| c.contains("(z.evidence)")),
        "{got:#}"
    );
    // Y with a byte changed: Y's seal is not known, so it cannot be compared (a new,
    // failed row, unflagged); Y itself again is still known by its bytes, and learns
    // its seal.
    let y_changed = flipped(&dsl, &y, b"a message", 0, "y-changed.evidence");
    let (_, got) = receive_json(&dsl, &dcfg, &y_changed, &pubkey);
    assert_eq!(got["duplicate"], false);
    assert!(got["bundle"]["conflict"].is_null());
    let (_, got) = receive_json(&dsl, &dcfg, &y, &pubkey);
    assert_eq!(got["duplicate"], true);
    assert!(got["bundle"]["bundle_id"].is_string(), "{got:#}");
    assert_eq!(register_rows(&dsl).len(), 5);
    // Opening it again changes nothing more.
    assert_eq!(version(&dsl), 4);
}

/// `pdftotext -layout` of `pdf`.
fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn headline_referrals_are_kept_with_the_status_and_tick_the_forms_boxes() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let pubkey = cfg.join("signing.pub");
    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let (code, _) = receive_json(&dsl, &dcfg, &bundle, &pubkey);
    assert_eq!(code, Some(0));
    let status = |args: &[&str]| {
        let mut all = vec!["dsl", "status", "--case", case.as_str()];
        all.extend_from_slice(args);
        dsl.ek(&all)
    };
    // Refused in a sentence, nothing kept.
    assert_refused(
        &status(&["--set", "referred", "--to", "the caretaker"]),
        "is not someone a case can be referred to",
    );
    assert_refused(
        &status(&["--set", "referred", "--to", "other:"]),
        "after \"other:\"",
    );
    assert_refused(
        &status(&["--set", "reviewed", "--to", "police"]),
        "goes with the status \"referred\" only",
    );
    #[rustfmt::skip]
    let out = status(&["--set", "referred", "--to", "lado", "--to", "Other: Early Help team", "--note", "Called them"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "now referred to LADO (local authority designated officer), other: Early Help team."
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let rows = register_rows(&dsl);
    assert_eq!(rows[0]["status"], "referred");
    assert_eq!(
        rows[0]["referred_to"],
        serde_json::json!([{"to": "lado"}, {"to": "other", "other": "Early Help team"}])
    );
    let list = dsl.ok(&["dsl", "list"]);
    assert!(
        list.contains(
            "[referred to LADO (local authority designated officer), other: Early Help team]"
        ),
        "{list}"
    );
    // Kept with that status entry only: a later status names nobody.
    dsl.ok(&["dsl", "status", "--case", &case, "--set", "closed"]);
    assert_eq!(register_rows(&dsl)[0]["referred_to"], serde_json::json!([]));
    let reg = dsl.store().join("register.sqlite");
    let col = std::process::Command::new("sqlite3")
        .arg(&reg)
        .arg("SELECT status, coalesce(referred_to, 'NULL') FROM status ORDER BY id")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&col.stdout),
        "received|NULL\nreferred|[\"lado\",\"other:Early Help team\"]\nclosed|NULL\n"
    );
    // The form's boxes tick from them, and its actions say who.
    let pdf = dsl.path("form.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", bundle.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--register", "--out", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("☐ headteacher ☐ chair of governors ☐ HR ☒ LADO (local authority designated officer) ☐ police ☒ other: Early Help team"), "{text}");
    assert!(flat.contains("referred. Referred to LADO (local authority designated officer), other: Early Help team. Called them"), "{text}");
    // Without the register nothing is ticked.
    let blank = dsl.path("blank.pdf");
    #[rustfmt::skip]
    let out = dsl.ek_cfg(&dcfg, &["form", "--bundle", bundle.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--out", blank.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let blank = pdf_text(&blank);
    assert!(!blank.contains('☒') || !blank.contains("☒ LADO"), "{blank}");
}

#[test]
fn a_register_made_before_referrals_keeps_its_old_statuses_as_they_were() {
    let dsl = Env::new();
    copy_tree(&efcc59f_register(), dsl.dir.path());
    let reg = dsl.store().join("register.sqlite");
    let q = |sql: &str| {
        let o = std::process::Command::new("sqlite3")
            .arg(&reg)
            .arg(sql)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let before = q(
        "SELECT id, case_ref, status, coalesce(note, ''), at_utc, at_local FROM status ORDER BY id",
    );
    let rows = register_rows(&dsl);
    assert!(
        rows.iter()
            .all(|r| r["referred_to"] == serde_json::json!([])),
        "{rows:?}"
    );
    assert_eq!(q("PRAGMA user_version"), "4\n");
    assert_eq!(
        q(
            "SELECT id, case_ref, status, coalesce(note, ''), at_utc, at_local FROM status ORDER BY id"
        ),
        before
    );
    assert_eq!(
        q("SELECT count(*) FROM status WHERE referred_to IS NOT NULL"),
        "0\n"
    );
}

#[test]
fn headline_the_list_has_three_states_and_a_changed_copy_never_takes_the_cases_status() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let pubkey = cfg.join("signing.pub");
    let dsl = Env::new();
    // Received before the key was checked: intact, key not checked yet.
    let out = dsl.ek(&["dsl", "receive", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rows = register_rows(&dsl);
    assert_eq!(rows[0]["state"], "intact_key_not_checked");
    assert_eq!(rows[0]["status"], "received");
    #[rustfmt::skip]
    dsl.ok(&["dsl", "status", "--case", &case, "--set", "referred", "--to", "police"]);
    // A changed copy of the same case: its own entry, not intact, no status of the case's.
    let bad = flipped(&dsl, &bundle, b"a message", 0, "changed.evidence");
    let out = dsl.ek(&[
        "dsl",
        "receive",
        bad.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The same seal, with its key checked: intact.
    let out = dsl.ek(&[
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = register_rows(&dsl);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0]["state"].as_str(), rows[0]["status"].as_str()),
        (Some("intact"), Some("referred"))
    );
    assert_eq!(
        rows[0]["referred_to"],
        serde_json::json!([{"to": "police"}])
    );
    assert_eq!(rows[1]["sha256"], sha256sum(&bad).as_str());
    assert_eq!(rows[1]["state"], "not_intact");
    assert_eq!(rows[1]["status"], Value::Null);
    assert_eq!(rows[1]["status_note"], Value::Null);
    assert_eq!(rows[1]["referred_to"], serde_json::json!([]));
    let list = dsl.ok(&["dsl", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert!(
        lines[0].contains("  Intact  [referred to police]"),
        "{list}"
    );
    assert!(
        lines[1].contains("  NOT intact, claims a seal on file but differs  [its own entry]"),
        "{list}"
    );
    // A changed copy of a case never received starts no status for it.
    let (staff2, cfg2, case2) = staff_with_one_item();
    let other = staff2.seal(&cfg2, &case2, "o.evidence");
    let bad2 = flipped(&dsl, &other, b"a message", 0, "changed2.evidence");
    let out = dsl.ek(&["dsl", "receive", bad2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let rows = register_rows(&dsl);
    assert_eq!(
        (rows[2]["state"].as_str(), &rows[2]["status"]),
        (Some("not_intact"), &Value::Null)
    );
    let reg = dsl.store().join("register.sqlite");
    let o = std::process::Command::new("sqlite3")
        .arg(&reg)
        .arg(format!(
            "SELECT count(*) FROM status WHERE case_ref = '{case2}'"
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "0\n");
    // Its form has no actions of the case's either.
    let dcfg = dsl.path("dsl-cfg");
    dsl.new_key(&dcfg, "Mrs D. Lead");
    let pdf = dsl.path("bad.pdf");
    #[rustfmt::skip]
    let _ = dsl.ek_cfg(&dcfg, &["form", "--bundle", bad.to_str().unwrap(),
        "--trust", pubkey.to_str().unwrap(), "--register", "--out", pdf.to_str().unwrap()]);
    let text = pdf_text(&pdf);
    assert!(
        !text.is_empty() && !text.contains("☒ police") && !text.contains("referred."),
        "{text}"
    );
}

#[test]
fn headline_a_bundle_says_how_many_items_were_removed_as_possible_indecent_images() {
    let (staff, cfg, case) = staff_with_one_item();
    let f = staff.file("b.png", b"not really a picture");
    staff.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    staff.ok(&["case", "safeguard", "--case", &case, "--item", "2"]);
    let bundle = staff.seal(&cfg, &case, "b.evidence");
    let dsl = Env::new();
    let pubkey = cfg.join("signing.pub");
    let out = dsl.ek(&[
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reg = evidence_kit::register::Register::open(&dsl.store()).unwrap();
    let opts = evidence_kit::verify::Options {
        trusted_files: vec![(
            pubkey.clone(),
            evidence_kit::keys::PublicKey::read(&pubkey).unwrap(),
        )],
        ..Default::default()
    };
    let view = reg.open_kept(&sha256sum(&bundle), &opts).unwrap();
    assert_eq!((view.items.len(), view.removed_items), (1, 1));
    // None removed: none said.
    let (staff, cfg, case) = staff_with_one_item();
    let plain = staff.seal(&cfg, &case, "p.evidence");
    let pubkey = cfg.join("signing.pub");
    let out = dsl.ek(&[
        "dsl",
        "receive",
        plain.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let opts = evidence_kit::verify::Options {
        trusted_files: vec![(
            pubkey.clone(),
            evidence_kit::keys::PublicKey::read(&pubkey).unwrap(),
        )],
        ..Default::default()
    };
    let view = reg.open_kept(&sha256sum(&plain), &opts).unwrap();
    assert_eq!((view.items.len(), view.removed_items), (1, 0));
}
