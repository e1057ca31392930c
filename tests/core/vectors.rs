//! The test vectors of `tests/vectors/` (see its README and docs/bundle-format.md): each
//! `NAME.evidence` or `NAME.evidence.age` is verified by the real CLI with the test-only
//! signer key trusted, and the verdict, every finding (kind and file) and the expected notes
//! are compared with `NAME.expect`. A finding not listed is a disagreement too, unless the
//! file says `others: allowed`; a panic (exit 101) always is.
//!
//! The genuine vectors (sealed by efcc59f, `genuine:` in their `.expect`) have a test of
//! their own: old bundles keep verifying. The full run names every vector that disagrees.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// One `.expect` file.
#[derive(Debug, Default)]
struct Expect {
    intact: bool,
    genuine: bool,
    /// (kind, file); file `None` for `-`.
    findings: Vec<(String, Option<String>)>,
    /// Words a note must contain (case-insensitive).
    notes: Vec<String>,
    others_allowed: bool,
    identity: Option<String>,
}

fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    let mut verdict = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("line {}: no `key:`", i + 1));
        };
        let value = value.trim();
        match key {
            "expect" => verdict = Some(value == "intact"),
            "genuine" => e.genuine = true,
            "finding" => {
                let (kind, file) = value.split_once(' ').unwrap_or((value, "-"));
                let file = (file != "-").then(|| file.to_string());
                e.findings.push((kind.to_string(), file));
            }
            "note" => e.notes.push(value.to_lowercase()),
            "others" => e.others_allowed = value == "allowed",
            "identity" => e.identity = Some(value.to_string()),
            other => return Err(format!("line {}: unknown key {other}", i + 1)),
        }
    }
    if !text.starts_with("expect: intact\n") && !text.starts_with("expect: failed\n") {
        return Err("the first line must be `expect: intact` or `expect: failed`".into());
    }
    e.intact = verdict.unwrap_or(false);
    Ok(e)
}

/// Every vector: (name, bundle file, expectation).
fn vectors() -> Vec<(String, PathBuf, Expect)> {
    let dir = vectors_dir();
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/vectors")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "expect"))
        .collect();
    names.sort();
    for p in names {
        let name = p
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let text = std::fs::read_to_string(&p).expect("read .expect");
        let expect = parse_expect(&text).unwrap_or_else(|e| panic!("{name}.expect: {e}"));
        let plain = dir.join(format!("{name}.evidence"));
        let age = dir.join(format!("{name}.evidence.age"));
        let file = if plain.exists() { plain } else { age };
        assert!(file.exists(), "{name}.expect has no {name}.evidence(.age)");
        out.push((name, file, expect));
    }
    assert!(out.len() >= 30, "only {} vectors found", out.len());
    out
}

/// Verify one vector with the CLI; returns what disagrees with its `.expect` (empty: agrees).
fn disagreements(file: &Path, expect: &Expect) -> Vec<String> {
    let dir = vectors_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    // An empty keys folder: only the key given with --trust is trusted.
    let cfg = tmp.path().join("config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evidence-kit"));
    cmd.arg("--store")
        .arg(tmp.path().join("store"))
        .arg("--config")
        .arg(&cfg)
        .args(["verify", "--json", "--trust"])
        .arg(dir.join("keys/staff/signing.pub"));
    let encrypted = file.extension().is_some_and(|x| x == "age");
    if encrypted || expect.identity.is_some() {
        let id = expect
            .identity
            .as_deref()
            .unwrap_or("keys/dsl/identity.age");
        cmd.arg("--identity").arg(dir.join(id));
    }
    let out = cmd
        .arg(file)
        .env_remove("EVIDENCE_KIT_STORE")
        .env_remove("EVIDENCE_KIT_CONFIG")
        .env_remove("EVIDENCE_KIT_PASSPHRASE")
        .output()
        .expect("run evidence-kit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    if code == 101 || stderr.contains("panicked") {
        let first = stderr
            .lines()
            .find(|l| l.contains("panicked"))
            .unwrap_or("");
        return vec![format!("it PANICKED (exit {code}): {}", first.trim())];
    }
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(r) => r,
        Err(_) => {
            return vec![format!(
                "no JSON report (exit {code}): {}",
                stderr.trim().lines().next().unwrap_or("")
            )];
        }
    };
    let mut found: Vec<(String, Option<String>)> = report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["kind"].as_str().unwrap_or("?").to_string(),
                        f["file"].as_str().map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let messages: Vec<String> = report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    format!(
                        "{} {}: {}",
                        f["kind"].as_str().unwrap_or("?"),
                        f["file"].as_str().unwrap_or("-"),
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let notes: Vec<String> = report["notes"]
        .as_array()
        .map(|ns| {
            ns.iter()
                .filter_map(|n| n.as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default();

    let mut wrong = Vec::new();
    let intact = code == 0 && found.is_empty();
    if intact != expect.intact {
        wrong.push(format!(
            "verdict {} (exit {code}), expected {}",
            if intact { "intact" } else { "failed" },
            if expect.intact { "intact" } else { "failed" }
        ));
    }
    if !intact && code != 1 {
        wrong.push(format!("exit {code} for a failed verdict, expected 1"));
    }
    for (kind, file) in &expect.findings {
        match found.iter().position(|(k, f)| k == kind && f == file) {
            Some(i) => {
                found.remove(i);
            }
            None => wrong.push(format!(
                "no `{kind}` finding for {}",
                file.as_deref().unwrap_or("-")
            )),
        }
    }
    if !expect.others_allowed && !found.is_empty() {
        for (kind, file) in &found {
            let file = file.as_deref().unwrap_or("-");
            let msg = messages
                .iter()
                .find(|m| m.starts_with(&format!("{kind} {file}:")))
                .cloned()
                .unwrap_or_default();
            wrong.push(format!("unexpected finding {msg}"));
        }
    }
    for n in &expect.notes {
        if !notes.iter().any(|have| have.contains(n.as_str())) {
            wrong.push(format!("no note mentioning \"{n}\" (notes: {notes:?})"));
        }
    }
    wrong
}

fn run(filter: impl Fn(&Expect) -> bool) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut n = 0;
    for (name, file, expect) in vectors().into_iter().filter(|(_, _, e)| filter(e)) {
        n += 1;
        let wrong = disagreements(&file, &expect);
        if !wrong.is_empty() {
            failures.push(format!("  {name}:\n    - {}", wrong.join("\n    - ")));
        }
    }
    (n, failures)
}

#[test]
fn genuine_vectors_sealed_at_efcc59f_still_verify_intact() {
    let (n, failures) = run(|e| e.genuine);
    assert!(n >= 7, "only {n} genuine vectors");
    assert!(
        failures.is_empty(),
        "{} of {n} genuine vectors disagree with their .expect:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_vector_gets_the_verdict_and_findings_its_expect_file_names() {
    let (n, failures) = run(|_| true);
    assert!(
        failures.is_empty(),
        "{} of {n} vectors in tests/vectors disagree with their .expect:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn expect_files_parse() {
    let e = parse_expect(
        "expect: failed\nfinding: extra fetch.txt\nfinding: container -\nnote: clock\n# why\n",
    )
    .expect("parses");
    assert!(!e.intact && !e.others_allowed);
    assert_eq!(
        e.findings,
        vec![
            ("extra".into(), Some("fetch.txt".into())),
            ("container".into(), None)
        ]
    );
    assert!(parse_expect("finding: extra x\nexpect: failed\n").is_err());
    assert!(parse_expect("expect: failed\nfindings: x\n").is_err());
}

/// The worked example of docs/bundle-format.md ("custody.jsonl"), computed by the library:
/// the spec's hash input, hash and line are what Evidence Kit itself makes.
#[test]
fn the_spec_s_worked_custody_example_is_what_the_library_computes() {
    use evidence_kit::bundle::CustodyLine;
    use evidence_kit::clock::Stamp;
    use evidence_kit::custody::Entry;
    let details = serde_json::json!({"old": null, "new": "caf\u{e9} \"x\" \\ \u{1} 日本 😀", "field": "note"});
    let mut e = Entry {
        seq: 2,
        at: Stamp {
            utc: "2026-11-25T14:32:05.123Z".into(),
            local: "2026-11-25T14:32:05.123+00:00".into(),
            zone: "Europe/London".into(),
        },
        actor: "Zo\u{eb}\tTeacher".into(),
        action: "note_edited".into(),
        case_id: Some("EK-20261125-3F2A9C".into()),
        item_id: Some(1),
        details: details.to_string(),
        clock_anomaly: false,
        prev_hash: "86c43dbf2d783bf9ef20c06e2e64bac9e3886d2c93960a4ea31e6931767cdfa7".into(),
        hash: String::new(),
    };
    assert_eq!(
        e.details,
        r#"{"field":"note","new":"café \"x\" \\ \u0001 日本 😀","old":null}"#
    );
    e.hash = e.compute_hash();
    assert_eq!(
        e.hash,
        "d3277ac2873b3f6e5026c49ac898950aa39d59d4d7497e53ff1ac17479613a8f"
    );
    let line = serde_json::to_string(&CustodyLine::Full(e)).expect("json");
    assert_eq!(
        line,
        r#"{"seq":2,"at":{"utc":"2026-11-25T14:32:05.123Z","local":"2026-11-25T14:32:05.123+00:00","zone":"Europe/London"},"actor":"Zoë\tTeacher","action":"note_edited","case_id":"EK-20261125-3F2A9C","item_id":1,"details":"{\"field\":\"note\",\"new\":\"café \\\"x\\\" \\\\ \\u0001 日本 😀\",\"old\":null}","clock_anomaly":false,"prev_hash":"86c43dbf2d783bf9ef20c06e2e64bac9e3886d2c93960a4ea31e6931767cdfa7","hash":"d3277ac2873b3f6e5026c49ac898950aa39d59d4d7497e53ff1ac17479613a8f"}"#
    );
}

/// `verify --json` of `file` (decrypting with the test-only identity `id`, if given).
fn report_of(file: &Path, id: Option<&str>) -> serde_json::Value {
    let dir = vectors_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evidence-kit"));
    cmd.arg("--store")
        .arg(tmp.path().join("store"))
        .arg("--config")
        .arg(tmp.path().join("config"))
        .args(["verify", "--json", "--trust"])
        .arg(dir.join("keys/staff/signing.pub"));
    if let Some(id) = id {
        cmd.arg("--identity").arg(dir.join(id));
    }
    let out = cmd
        .arg(file)
        .env_remove("EVIDENCE_KIT_STORE")
        .env_remove("EVIDENCE_KIT_CONFIG")
        .env_remove("EVIDENCE_KIT_PASSPHRASE")
        .output()
        .expect("run evidence-kit");
    assert_ne!(
        out.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON for {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The findings of a report, each as `kind file offset: message`, sorted.
fn findings_of(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {}: {}",
                f["kind"], f["file"], f["offset"], f["message"]
            )
        })
        .collect();
    v.sort();
    v
}

/// Issue 14: an encrypted bundle is read in one streaming pass, a plain one at random,
/// by two different readers of the zip. Every plain vector, encrypted with the `age`
/// CLI, must get exactly the findings (kind, file, offset and words) of the zip itself,
/// the same case and counts, and the same notes but the one encryption adds.
#[test]
fn headline_every_vector_encrypted_gets_exactly_the_findings_of_its_zip() {
    let name = "vectors::headline_every_vector_encrypted_gets_exactly_the_findings_of_its_zip";
    if Command::new("age").arg("--version").output().is_err() {
        return crate::util::skip(name, "the age CLI is not installed");
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let recipient = "age1dpmdkc0l485e0vl2zvqlhalw9de4my8cla8z7wyakvksqsy4s9cscay474";
    let mut n = 0;
    let mut wrong = Vec::new();
    for (vname, file, expect) in vectors() {
        if file.extension().is_some_and(|x| x == "age") {
            continue;
        }
        let age = tmp.path().join(format!("{vname}.evidence.age"));
        let st = Command::new("age")
            .args(["-r", recipient, "-o"])
            .arg(&age)
            .arg(&file)
            .status()
            .expect("age");
        assert!(st.success());
        let plain = report_of(&file, expect.identity.as_deref());
        let enc = report_of(&age, Some("keys/dsl/identity.age"));
        n += 1;
        let notes = |r: &serde_json::Value| -> Vec<String> {
            r["notes"]
                .as_array()
                .expect("notes")
                .iter()
                .filter_map(|n| n.as_str())
                .filter(|n| !n.contains("encrypted afterwards"))
                .map(str::to_string)
                .collect()
        };
        for (what, a, b) in [
            (
                "findings",
                findings_of(&plain).join("\n"),
                findings_of(&enc).join("\n"),
            ),
            ("notes", notes(&plain).join("\n"), notes(&enc).join("\n")),
            ("case", plain["case"].to_string(), enc["case"].to_string()),
            (
                "items",
                plain["items"].to_string(),
                enc["items"].to_string(),
            ),
            (
                "payload_bytes",
                plain["payload_bytes"].to_string(),
                enc["payload_bytes"].to_string(),
            ),
            (
                "signer",
                plain["signer"].to_string(),
                enc["signer"].to_string(),
            ),
        ] {
            if a != b {
                wrong.push(format!(
                    "{vname}: {what} differ:\n  zip:\n{a}\n  encrypted:\n{b}"
                ));
            }
        }
        assert_eq!(enc["encrypted"], true);
    }
    assert!(n >= 30, "only {n} plain vectors");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
