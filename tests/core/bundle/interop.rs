//! Interoperability with stock tools: bagit.py, minisign, sha256sum, unzip and age read
//! what seal writes.

use super::fixture::*;
use crate::util::*;
use std::path::Path;
use std::process::Command;

/// The stock tools accept the bag in `zip`: unzip -t, Python's testzip, bagit.py,
/// minisign with the staff key, sha256sum -c of both manifests.
fn stock_tools_accept(kit: &Kit, zip: &Path, bag: &Path) {
    assert_tool_ok(
        &tool(kit.env.dir.path(), "unzip", &["-tq", zip.to_str().unwrap()]),
        "unzip -t",
    );
    py_extract(zip, bag);
    assert_tool_ok(&bagit_validate(bag), "bagit.py --validate");
    let m = tool(
        bag,
        "minisign",
        &[
            "-Vm",
            "tagmanifest-sha256.txt",
            "-p",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    assert_tool_ok(&m, "minisign -V");
    let said = String::from_utf8_lossy(&m.stdout);
    assert!(said.contains("Trusted comment: {"), "{said}");
    assert!(
        said.contains("\"format\":\"evidence-kit-bundle/1\""),
        "{said}"
    );
    assert!(
        said.contains(&format!("\"case\":\"{}\"", kit.case)),
        "{said}"
    );
    let tm = sha256sum(&bag.join("tagmanifest-sha256.txt"));
    assert!(said.contains(&format!("\"tagmanifest_sha256\":\"{tm}\"")));
    for manifest in ["manifest-sha256.txt", "tagmanifest-sha256.txt"] {
        assert_tool_ok(
            &tool(bag, "sha256sum", &["--strict", "-c", manifest]),
            manifest,
        );
    }
    // The evidence, byte for byte.
    for (i, original) in kit.originals.iter().enumerate() {
        assert_eq!(sha256sum(&bag.join(payload(i))), sha256sum(original));
    }
}

#[test]
fn headline_stock_tools_check_a_sealed_bundle() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &["--json"]);
    stock_tools_accept(&kit, &file, &kit.env.path("bag"));
    let (code, report, err) = kit.verify(&file, &[]);
    let report = report.unwrap_or_else(|| panic!("{err}"));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signer"]["trusted"], true);
    assert_eq!(report["items"], 4);
    assert_eq!(report["sha256"], sha256sum(&file).as_str());
}

#[test]
fn stock_tools_check_an_encrypted_bundle_after_age_decrypts_it() {
    let kit = Kit::new();
    kit.dsl_identity();
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    assert!(file.to_str().unwrap().ends_with(".evidence.age"));
    assert!(
        !kit.env.path("case.evidence").exists(),
        "no plain copy left"
    );
    let head = std::fs::read(&file).expect("read");
    assert!(head.starts_with(b"age-encryption.org/v1\n"));

    // age itself opens it with the DSL's identity file.
    let plain = kit.env.path("plain.zip");
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(kit.dsl.join("identity.age"))
        .arg("-o")
        .arg(&plain)
        .arg(&file)
        .output()
        .expect("age");
    assert_tool_ok(&out, "age -d");
    stock_tools_accept(&kit, &plain, &kit.env.path("bag"));

    // Our verify: with the identity, intact.
    let id = kit.dsl.join("identity.age");
    let (code, report, err) = kit.verify(&file, &["--identity", id.to_str().unwrap()]);
    let report = report.unwrap_or_else(|| panic!("{err}"));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["encrypted"], true);
    assert!(
        report["facts"]["recipients"][0]
            .as_str()
            .unwrap()
            .starts_with("age1")
    );

    // With someone else's identity: exit 2, one plain sentence, nothing left behind.
    let other = kit.env.path("other-config");
    kit.ok(
        &other,
        &[
            "keys",
            "new-recipient",
            "--name",
            "Someone Else",
            "--no-passphrase",
        ],
    );
    let out = kit.run(
        &kit.dsl,
        &[
            "verify",
            file.to_str().unwrap(),
            "--identity",
            other.join("identity.age").to_str().unwrap(),
        ],
    );
    assert_refused(&out, "encrypted to someone else's key");

    // Without any identity at all: exit 2, and it says how to give one. An identity
    // in the (fake) home folder's default config is not used behind --config's back.
    let home_cfg = kit.env.path("home/.config/evidence-kit");
    std::fs::create_dir_all(&home_cfg).expect("mkdir");
    std::fs::copy(kit.dsl.join("identity.age"), home_cfg.join("identity.age")).expect("copy");
    let none = kit.env.path("empty-config");
    let out = kit.run(&none, &["verify", file.to_str().unwrap()]);
    assert_refused(&out, "--identity");
}

/// Issue 16, "No built-in school": a staff member who never gave a school seals a
/// bundle whose `bag-info.txt` has no `Source-Organization` line at all (RFC 8493 makes
/// it optional), never a school nobody chose; bagit.py still validates it and our
/// verify finds it intact. With a school in settings.json, that school is the line.
#[test]
fn headline_a_bundle_sealed_with_no_school_has_no_source_organization_and_validates() {
    let kit = Kit::new();
    assert!(!kit.staff.join("settings.json").exists());
    let file = kit.seal("case.evidence", &[]);
    let bag = kit.env.path("bag");
    stock_tools_accept(&kit, &file, &bag);
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).expect("bag-info.txt");
    assert!(!info.contains("Source-Organization"), "{info}");
    assert!(info.starts_with("Contact-Name: A. Teacher\n"), "{info}");
    let (code, report, err) = kit.verify(&file, &[]);
    let report = report.unwrap_or_else(|| panic!("{err}"));
    assert_eq!(code, 0, "{report:#}");

    std::fs::write(
        kit.staff.join("settings.json"),
        r#"{"name": "A. Teacher", "school": "Ysgol Test"}"#,
    )
    .expect("settings");
    let file = kit.seal("school.evidence", &[]);
    let bag = kit.env.path("bag-school");
    stock_tools_accept(&kit, &file, &bag);
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).expect("bag-info.txt");
    assert!(
        info.starts_with("Source-Organization: Ysgol Test\nContact-Name: A. Teacher\n"),
        "{info}"
    );
}
