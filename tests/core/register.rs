//! The designated person's register through the CLI: receive (verify, record), the
//! same bundle twice, a tampered one, an older copy (replay), statuses, CSV.

use crate::util::*;
use serde_json::Value;
use std::path::Path;

fn ek_cfg(store: &Path, cfg: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--config", cfg.to_str().unwrap()];
    all.extend_from_slice(args);
    ek_on(store, &all)
}

/// A signing key with no passphrase for `name` in `cfg`.
fn new_key(store: &Path, cfg: &Path, name: &str) {
    let o = ek_cfg(
        store,
        cfg,
        &["keys", "new", "--name", name, "--no-passphrase"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A staff member with a key and a case holding one message: (store, keys, case).
fn staff_with_one_item() -> (Env, std::path::PathBuf, String) {
    let staff = Env::new();
    let cfg = staff.path("cfg");
    new_key(&staff.store(), &cfg, "A. Teacher");
    let case = staff.case();
    let f = staff.file("a.txt", b"a message");
    staff.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    (staff, cfg, case)
}

/// Seal the case into `name` in the staff member's folder.
fn seal_as_staff(staff: &Env, cfg: &Path, case: &str, name: &str) -> std::path::PathBuf {
    let out = staff.path(name);
    let o = ek_cfg(
        &staff.store(),
        cfg,
        &["seal", "--case", case, "--out", out.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn the_register_records_checks_and_exports_what_arrives() {
    let (staff, cfg, case) = staff_with_one_item();
    let seal = |name: &str| seal_as_staff(&staff, &cfg, &case, name);
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
    let bad = dsl.file("changed.evidence", &bytes);
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
    assert!(list.iter().all(|b| b["status"] == "referred"));

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
}

#[test]
fn a_signed_receipt_closes_the_loop_and_a_changed_one_is_refused() {
    let (staff, cfg, case) = staff_with_one_item();
    let bundle = seal_as_staff(&staff, &cfg, &case, "b.evidence");

    let dsl = Env::new();
    let dcfg = dsl.path("dsl-cfg");
    new_key(&dsl.store(), &dcfg, "Mrs D. Lead");
    let pubkey = cfg.join("signing.pub");
    dsl.ok(&[
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    let receipt = dsl.path("receipt.txt");
    let out = ek_cfg(
        &dsl.store(),
        &dcfg,
        &[
            "dsl",
            "receipt",
            "--case",
            &case,
            "--out",
            receipt.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // The staff member checks it with the designated person's public key.
    let dsl_pub = dcfg.join("signing.pub");
    let ok = staff.ok(&[
        "receipt",
        "verify",
        receipt.to_str().unwrap(),
        "--trust",
        dsl_pub.to_str().unwrap(),
    ]);
    assert!(ok.contains("Received and verified by Mrs D. Lead"), "{ok}");
    assert!(ok.contains(&sha256sum(&bundle)), "{ok}");
    assert!(ok.contains("(intact)"), "{ok}");

    // Changed, or checked against another key: refused.
    let text = std::fs::read_to_string(&receipt).unwrap();
    let changed = staff.file(
        "changed.txt",
        text.replace("\"intact\"", "\"failed\"").as_bytes(),
    );
    let out = staff.ek(&[
        "receipt",
        "verify",
        changed.to_str().unwrap(),
        "--trust",
        dsl_pub.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not check out"),
        "{}",
        stderr(&out)
    );
    let out = staff.ek(&[
        "receipt",
        "verify",
        receipt.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let junk = staff.file("junk.txt", b"hello");
    let out = staff.ek(&[
        "receipt",
        "verify",
        junk.to_str().unwrap(),
        "--trust",
        dsl_pub.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not an Evidence Kit receipt"));
    // Never over an existing file.
    let out = ek_cfg(
        &dsl.store(),
        &dcfg,
        &[
            "dsl",
            "receipt",
            "--case",
            &case,
            "--out",
            receipt.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "already exists");
}
