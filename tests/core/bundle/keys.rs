//! Keys: no trusted key means not verified, wrong passphrases, unprotected keys, the
//! verdict's signer, forged key ids, bundles sealed to several designated persons.

use super::fixture::*;
use crate::util::*;
use evidence_kit::keys::{KeyDir, PublicKey};
use serde_json::Value;
use std::process::Command;

#[test]
fn headline_no_trusted_key_means_not_verified() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    // The DSL's folder trusts nobody yet, and no --trust is given.
    let out = kit.run(&kit.dsl, &["verify", file.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "untrusted_key", "signer.pub");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert_eq!(report["signer"]["signature_valid"], true);
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("fingerprint"), "{msg}");
    // The plain text output says so too.
    let out = kit.run(&kit.dsl, &["verify", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NOT VERIFIED"));
}

#[test]
fn a_wrong_passphrase_signs_nothing() {
    let kit = Kit::new();
    let cfg = kit.env.path("pw-config");
    let pw = kit.env.file("pw", b"correct horse battery staple\n");
    let wrong = kit.env.file("wrong", b"correct horse battery stapler\n");
    kit.ok(
        &cfg,
        &[
            "keys",
            "new",
            "--name",
            "B. Teacher",
            "--passphrase-file",
            pw.to_str().unwrap(),
        ],
    );
    // Made once; a second `keys new` refuses and keeps the first key.
    let key_before = std::fs::read(cfg.join("signing.key")).expect("key");
    let out = kit.run(
        &cfg,
        &[
            "keys",
            "new",
            "--name",
            "B. Teacher",
            "--passphrase-file",
            pw.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "already have a signing key");
    assert_eq!(std::fs::read(cfg.join("signing.key")).unwrap(), key_before);
    let out = kit.run(&cfg, &["keys", "new", "--name", "Other", "--no-passphrase"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already have a signing key"));
    assert_eq!(std::fs::read(cfg.join("signing.key")).unwrap(), key_before);

    // The key file is minisign's own, scrypt-protected.
    let sk = std::fs::read_to_string(cfg.join("signing.key")).unwrap();
    assert!(sk.starts_with("untrusted comment:"), "{sk}");

    let snapshot = kit.env.snapshot();
    let target = kit.env.path("pw.evidence");
    let out = kit.run(
        &cfg,
        &[
            "seal",
            "--case",
            &kit.case,
            "--out",
            target.to_str().unwrap(),
            "--passphrase-file",
            wrong.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "does not open your signing key");
    assert!(!target.exists());
    let strays: Vec<_> = tree(kit.env.dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("pw.evidence"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    assert_eq!(
        kit.env.snapshot(),
        snapshot,
        "no custody entry for a failed seal"
    );

    // No passphrase at all, and no terminal: refused, nothing sealed.
    let out = kit.run(
        &cfg,
        &[
            "seal",
            "--case",
            &kit.case,
            "--out",
            target.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "passphrase is needed");
    assert!(!target.exists());

    // The right one, from the environment: sealed.
    let out = kit.run_env(
        &cfg,
        &[
            "seal",
            "--case",
            &kit.case,
            "--out",
            target.to_str().unwrap(),
        ],
        &[("EVIDENCE_KIT_PASSPHRASE", "correct horse battery staple")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(target.exists());
    // minisign checks it with the exported key.
    let b_pub = kit.env.path("b.pub");
    kit.ok(&cfg, &["keys", "export", "--out", b_pub.to_str().unwrap()]);
    let bag = kit.env.path("bag");
    py_extract(&target, &bag);
    assert_tool_ok(
        &tool(
            &bag,
            "minisign",
            &[
                "-Vm",
                "tagmanifest-sha256.txt",
                "-p",
                b_pub.to_str().unwrap(),
            ],
        ),
        "minisign -V",
    );
}

#[test]
fn a_key_without_passphrase_is_warned_about() {
    let kit = Kit::new();
    let cfg = kit.env.path("np-config");
    let out = kit.run(
        &cfg,
        &["keys", "new", "--name", "C. Teacher", "--no-passphrase"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("Warning:"), "{err}");
    assert!(err.contains("no passphrase"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Fingerprint:"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cfg.join("signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "signing.key is {mode:o}");
    }
}

#[test]
fn a_bundle_sealed_to_two_designated_persons_opens_for_each() {
    let kit = Kit::new();
    kit.dsl_identity();
    let deputy = kit.env.path("deputy-config");
    let r2 = kit
        .ok(
            &deputy,
            &[
                "keys",
                "new-recipient",
                "--name",
                "Deputy",
                "--no-passphrase",
            ],
        )
        .trim()
        .to_string();
    let file = kit.seal("both.evidence", &["--to", "DSL", "--to", &r2]);
    for (config, who) in [(&kit.dsl, "DSL"), (&deputy, "deputy")] {
        let id = config.join("identity.age");
        let (code, report, err) = kit.verify(&file, &["--identity", id.to_str().unwrap()]);
        let report = report.unwrap_or_else(|| panic!("{who}: {err}"));
        assert_eq!(code, 0, "{who}: {report:#}");
        assert_eq!(report["facts"]["recipients"].as_array().unwrap().len(), 2);
        // The age CLI agrees.
        let out = Command::new("age")
            .args(["-d", "-i", id.to_str().unwrap(), file.to_str().unwrap()])
            .output()
            .expect("age");
        assert!(out.status.success(), "{who}: {}", stderr(&out));
        assert!(out.stdout.starts_with(b"PK\x03\x04"));
    }
}

#[test]
fn the_verdict_names_the_signer_as_the_key_was_trusted() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    // Trusted for this run only: the file is named, never the name the bundle claims.
    let out = kit.run(
        &kit.dsl,
        &[
            "verify",
            file.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "signed with the key in {}",
            kit.staff_pub.display()
        )),
        "{text}"
    );
    // Trusted under another name than the one the key claims: that name, and a note.
    kit.ok(
        &kit.dsl,
        &[
            "keys",
            "trust",
            kit.staff_pub.to_str().unwrap(),
            "--name",
            "Mrs A. Teacher (Year 4)",
        ],
    );
    let out = kit.run(&kit.dsl, &["verify", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("signed with the key you trusted as Mrs A. Teacher (Year 4)"),
        "{text}"
    );
    assert!(
        text.contains("It calls its signer \"A. Teacher\"; you trusted this key as \"Mrs A. Teacher (Year 4)\"."),
        "{text}"
    );
    assert!(!text.contains("sealed by A. Teacher"), "{text}");
}

#[test]
fn a_forged_key_with_a_trusted_id_does_not_shadow_the_real_one() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    // A key with the staff key's id but other key bytes, kept in trusted/ first.
    let real = PublicKey::read(&kit.staff_pub).expect("staff.pub");
    let work = kit.env.path("forge");
    std::fs::create_dir_all(&work).expect("mkdir");
    other_key(&kit, &work);
    let other = PublicKey::read(&work.join("x.pub")).expect("x.pub");
    let mut blob = b"Ed".to_vec();
    blob.extend(real.key.keynum());
    blob.extend(&other.key.to_bytes()[10..]);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&blob);
    let forged = PublicKey::parse(&format!("untrusted comment: forged\n{b64}\n")).expect("forged");
    assert_eq!(forged.key_id, real.key_id);
    KeyDir::at(kit.dsl.clone())
        .trust(&forged, "Forger")
        .expect("trust forged");
    let (code, report, err) = kit.verify(&file, &[]);
    let report = report.unwrap_or_else(|| panic!("{err}"));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signer"]["trusted"], true);
}
