//! The CLI as a terminal program (issue 12): text from a bundle, store or settings is
//! printed as text, never as control codes; a closed stdout is a normal end; files in
//! the keys folder are read only when they are ordinary files of a sensible size;
//! `seal --out` is used as given; the school comes from settings.json; a minisign-CLI
//! key without a passphrase signs.

use crate::util::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A title that would clear the screen and draw a green "INTACT", then reverse the rest.
const HOSTILE_TITLE: &str = "\u{1b}[2J\u{1b}[H\u{1b}[32mINTACT: sealed\u{1b}[0m \u{202E}gpj.exe";
/// A staff name that moves the cursor up and wipes a line.
const HOSTILE_STAFF: &str = "Mr\u{1b}[1A\u{1b}[2K B\u{2066}";

fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_evidence-kit"));
    c.args(args)
        .env_remove("EVIDENCE_KIT_STORE")
        .env_remove("EVIDENCE_KIT_CONFIG")
        .env_remove("EVIDENCE_KIT_SCHOOL")
        .env_remove("EVIDENCE_KIT_PASSPHRASE");
    c
}

/// Run with a deadline: a command that hangs (a FIFO opened for reading waits for a
/// writer for ever) is killed and the test fails, instead of the suite hanging.
fn run_within(mut c: Command, secs: u64) -> Output {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn evidence-kit");
    // Read both pipes on threads so a chatty child cannot block on a full pipe.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "evidence-kit {:?} hung for more than {secs} s",
                c.get_args()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: t_out.join().expect("stdout thread"),
        stderr: t_err.join().expect("stderr thread"),
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn no_control_codes(what: &str, o: &Output) {
    for (name, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        assert!(
            !bytes.contains(&0x1b),
            "{what}: {name} holds an ESC byte: {:?}",
            String::from_utf8_lossy(bytes)
        );
        let s = String::from_utf8_lossy(bytes);
        for c in ['\u{202E}', '\u{2066}'] {
            assert!(!s.contains(c), "{what}: {name} holds {c:?}: {s:?}");
        }
    }
}

/// A staff member with a key (no passphrase) and a case whose title and staff name
/// carry terminal control codes and bidi controls, with one file whose name does too.
struct Hostile {
    env: Env,
    cfg: PathBuf,
    case: String,
}

fn hostile() -> Hostile {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env
        .ok(&[
            "case",
            "new",
            "--title",
            HOSTILE_TITLE,
            "--staff",
            HOSTILE_STAFF,
        ])
        .trim()
        .to_string();
    let f = env.file("evil\u{1b}[31m\u{202E}txt.exe", b"a message");
    env.ok(&[
        "capture",
        "file",
        "--case",
        &case,
        "--note",
        "line one\nline\u{1b}[2K two\u{202D}",
        f.to_str().unwrap(),
    ]);
    Hostile { env, cfg, case }
}

#[test]
fn text_from_the_store_and_bundles_is_printed_as_text_not_control_codes() {
    let h = hostile();
    let env = &h.env;
    let cfg = h.cfg.to_str().unwrap();

    let list = env.ek(&["case", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    no_control_codes("case list", &list);
    let shown = String::from_utf8_lossy(&list.stdout);
    assert!(
        shown.contains("[U+001B][2J[U+001B][H[U+001B][32mINTACT"),
        "{shown}"
    );
    assert!(shown.contains("[U+202E]gpj.exe"), "{shown}");
    assert!(
        shown.contains("Mr[U+001B][1A[U+001B][2K B[U+2066]"),
        "{shown}"
    );

    for args in [
        vec!["case", "show", "--case", &h.case],
        vec!["items", "--case", &h.case],
        vec!["log", "--case", &h.case],
    ] {
        let o = env.ek(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        no_control_codes(&format!("{args:?}"), &o);
        assert!(text(&o).contains("[U+001B]"), "{args:?}: {}", text(&o));
    }
    // A one-line field shows its line break as a code.
    let items = String::from_utf8_lossy(&env.ek(&["items", "--case", &h.case]).stdout).into_owned();
    assert!(
        items.contains("line one[U+000A]line[U+001B][2K two[U+202D]"),
        "{items}"
    );

    // Sealed, then verified: the verdict's case line is text.
    let bundle = env.path("hostile.evidence");
    let o = env.ek(&[
        "--config",
        cfg,
        "seal",
        "--case",
        &h.case,
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "seal: {}", stderr(&o));
    no_control_codes("seal", &o);
    let o = env.ek(&["--config", cfg, "verify", bundle.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    no_control_codes("verify", &o);
    let verdict = String::from_utf8_lossy(&o.stdout);
    assert!(
        verdict.starts_with("INTACT: signed with the key you trusted as A. Teacher"),
        "{verdict}"
    );
    assert!(verdict.contains("[U+001B][2J"), "{verdict}");

    // The designated person receives it and lists the register.
    let dsl = Env::new();
    let dcfg = dsl.path("cfg");
    let pubkey = h.cfg.join("signing.pub");
    let o = dsl.ek(&[
        "--config",
        dcfg.to_str().unwrap(),
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    no_control_codes("dsl receive", &o);
    let o = dsl.ek(&["--config", dcfg.to_str().unwrap(), "dsl", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    no_control_codes("dsl list", &o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Mr[U+001B][1A[U+001B][2K B[U+2066]"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_visible_form_of_text_is_the_forms_notation() {
    use evidence_kit::text::visible;
    assert!(matches!(
        visible("plain Ελένη"),
        std::borrow::Cow::Borrowed(_)
    ));
    assert_eq!(
        visible("a\tb\nc\u{7f}\u{85}\u{200E}\u{200F}\u{061C}\u{202A}\u{2069}"),
        "a[U+0009]b[U+000A]c[U+007F][U+0085][U+200E][U+200F][U+061C][U+202A][U+2069]"
    );
    assert_eq!(
        evidence_kit::text::visible_lines("one\ntwo\r\u{1b}"),
        "one\ntwo[U+000D][U+001B]"
    );
}

/// `cmd` with stdout a pipe whose reading end is already closed.
fn with_closed_stdout(mut c: Command) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let child = c
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.wait_with_output().expect("wait")
}

#[test]
fn a_closed_stdout_is_a_normal_end() {
    let h = hostile();
    let bundle = h.env.seal(&h.cfg, &h.case, "b.evidence");
    let store = h.env.store();
    let (store, cfg) = (store.to_str().unwrap(), h.cfg.to_str().unwrap());
    let b = bundle.to_str().unwrap();
    for (args, code) in [
        (vec!["verify", b], 0),
        (vec!["verify", b, "--json"], 0),
        (vec!["case", "list"], 0),
        (vec!["case", "show", "--case", &h.case], 0),
        (vec!["items", "--case", &h.case], 0),
        (vec!["log", "--case", &h.case], 0),
        (vec!["keys", "show"], 0),
        (vec!["--help"], 0),
        // A command that fails keeps its own exit code.
        (vec!["verify", "/nonexistent.evidence"], 2),
    ] {
        let mut all = vec!["--store", store, "--config", cfg];
        all.extend(&args);
        let o = with_closed_stdout(cmd(&all));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    }
    // A tampered bundle: the output stops, the verdict's exit code stays 1.
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes.windows(9).position(|w| w == b"a message").unwrap();
    bytes[at] ^= 1;
    let bad = h.env.file("bad.evidence", &bytes);
    let o = with_closed_stdout(cmd(&["--config", cfg, "verify", bad.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // stderr closed too: the refusal cannot be printed, the exit code still says it.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let o = cmd(&["--config", cfg, "verify", "/nonexistent.evidence"])
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .expect("run");
    assert_eq!(o.code(), Some(2));
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

/// One sentence on stderr, exit 2, no hang.
fn refused_within(c: Command, needle: &str) {
    let o = run_within(c, 20);
    assert_refused(&o, needle);
}

#[test]
fn fifos_and_devices_in_the_keys_folder_are_refused_not_waited_on() {
    let h = hostile();
    let env = &h.env;
    let cfg = h.cfg.to_str().unwrap();
    let store = env.store();
    let store = store.to_str().unwrap();
    let bundle = env.seal(&h.cfg, &h.case, "b.evidence");
    let b = bundle.to_str().unwrap();
    let out = env.path("x.evidence");
    let out = out.to_str().unwrap();

    // settings.json a FIFO: seal and form (which read the school) refuse it.
    let settings = h.cfg.join("settings.json");
    mkfifo(&settings);
    let seal = || {
        cmd(&[
            "--store", store, "--config", cfg, "seal", "--case", &h.case, "--out", out,
        ])
    };
    refused_within(seal(), "settings.json");
    let pdf = env.path("f.pdf");
    let form = || {
        cmd(&[
            "--store",
            store,
            "--config",
            cfg,
            "form",
            "--case",
            &h.case,
            "--out",
            pdf.to_str().unwrap(),
        ])
    };
    refused_within(form(), "settings.json");
    // /dev/zero as settings.json: refused, not read until memory runs out.
    std::fs::remove_file(&settings).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &settings).unwrap();
    refused_within(seal(), "settings.json");
    std::fs::remove_file(&settings).unwrap();
    assert!(!Path::new(out).exists());

    // trusted/x.pub a FIFO: skipped; the bundle still verifies with the key it has.
    std::fs::create_dir_all(h.cfg.join("trusted")).unwrap();
    mkfifo(&h.cfg.join("trusted/x.pub"));
    let o = run_within(cmd(&["--config", cfg, "verify", b]), 20);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // --trust naming a FIFO: refused.
    let fifo = env.path("fifo.pub");
    mkfifo(&fifo);
    refused_within(
        cmd(&[
            "--config",
            cfg,
            "verify",
            b,
            "--trust",
            fifo.to_str().unwrap(),
        ]),
        "fifo.pub",
    );
    refused_within(
        cmd(&["--config", cfg, "verify", b, "--trust", "/dev/zero"]),
        "/dev/zero",
    );

    // receipt-keys/x.pub a FIFO, and the receipt itself a FIFO.
    std::fs::create_dir_all(h.cfg.join("receipt-keys")).unwrap();
    mkfifo(&h.cfg.join("receipt-keys/x.pub"));
    let receipt = env.path("r.evidence-receipt");
    mkfifo(&receipt);
    refused_within(
        cmd(&[
            "--store",
            store,
            "--config",
            cfg,
            "receipt",
            "verify",
            receipt.to_str().unwrap(),
        ]),
        "r.evidence-receipt",
    );

    // --passphrase-file a FIFO or /dev/zero.
    let pass = env.path("pass");
    mkfifo(&pass);
    let other = env.path("other-cfg");
    for p in [pass.to_str().unwrap(), "/dev/zero"] {
        refused_within(
            cmd(&[
                "--config",
                other.to_str().unwrap(),
                "keys",
                "new",
                "--name",
                "X",
                "--passphrase-file",
                p,
            ]),
            p,
        );
    }

    // An identity file that is a FIFO, for an encrypted bundle.
    let dcfg = env.path("dsl-cfg");
    let r = env.ok(&[
        "--config",
        dcfg.to_str().unwrap(),
        "keys",
        "new-recipient",
        "--name",
        "DSL",
        "--no-passphrase",
    ]);
    env.ok(&[
        "--config",
        cfg,
        "keys",
        "add-recipient",
        "--name",
        "DSL",
        r.trim(),
    ]);
    let sealed = env.path("enc.evidence.age");
    env.ok(&[
        "--config",
        cfg,
        "seal",
        "--case",
        &h.case,
        "--to",
        "DSL",
        "--out",
        sealed.to_str().unwrap(),
    ]);
    let id = env.path("id.age");
    mkfifo(&id);
    refused_within(
        cmd(&[
            "--config",
            dcfg.to_str().unwrap(),
            "verify",
            sealed.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
        ]),
        "id.age",
    );
}

#[test]
fn settings_too_large_or_too_long_are_refused_not_used() {
    let h = hostile();
    let env = &h.env;
    let cfg = h.cfg.to_str().unwrap();
    let settings = h.cfg.join("settings.json");
    let out = env.path("x.evidence");
    let seal = || {
        run_within(
            cmd(&[
                "--store",
                env.store().to_str().unwrap(),
                "--config",
                cfg,
                "seal",
                "--case",
                &h.case,
                "--out",
                out.to_str().unwrap(),
            ]),
            60,
        )
    };
    // A school name of 5,000 characters in a small file.
    std::fs::write(
        &settings,
        serde_json::json!({"name": "A. Teacher", "school": "S".repeat(5000)}).to_string(),
    )
    .unwrap();
    assert_refused(&seal(), "school");
    assert!(!out.exists());
    // A 2 MB school name: the file is over the size a settings file can have.
    std::fs::write(
        &settings,
        serde_json::json!({"school": "S".repeat(2_000_000)}).to_string(),
    )
    .unwrap();
    assert_refused(&seal(), "settings.json");
    assert!(!out.exists());
    // The desktop's lenient reading drops the long value rather than using it.
    std::fs::write(
        &settings,
        serde_json::json!({"name": "A. Teacher", "school": "S".repeat(5000)}).to_string(),
    )
    .unwrap();
    let p = evidence_kit::keys::KeyDir::at(h.cfg.clone()).profile();
    assert_eq!(p.school, None);
    assert_eq!(p.name.as_deref(), Some("A. Teacher"));
}

#[test]
fn keys_show_with_a_damaged_public_key_is_a_refusal_on_stderr() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    std::fs::write(cfg.join("signing.pub"), "garbage\n").unwrap();
    let o = env.ek_cfg(&cfg, &["keys", "show"]);
    assert_refused(&o, "signing.pub");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = env.ek_cfg(&cfg, &["keys", "show", "--json"]);
    assert_refused(&o, "signing.pub");
}

/// The names in a zip (the `unzip` tool's own reading).
fn zip_entry(bundle: &Path, name: &str) -> String {
    let o = Command::new("unzip")
        .arg("-p")
        .arg(bundle)
        .arg(name)
        .output()
        .expect("unzip");
    assert!(o.status.success(), "unzip {name}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn seal_out_is_used_exactly_as_given_and_the_default_name_stays() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let dcfg = env.path("dsl-cfg");
    let r = env.ok(&[
        "--config",
        dcfg.to_str().unwrap(),
        "keys",
        "new-recipient",
        "--name",
        "DSL",
        "--no-passphrase",
    ]);
    let c = cfg.to_str().unwrap();
    env.ok(&[
        "--config",
        c,
        "keys",
        "add-recipient",
        "--name",
        "DSL",
        r.trim(),
    ]);

    let given = env.path("X.evidence.age");
    env.ok(&[
        "--config",
        c,
        "seal",
        "--case",
        &case,
        "--to",
        "DSL",
        "--out",
        given.to_str().unwrap(),
    ]);
    assert!(given.is_file());
    assert!(!env.path("X.evidence.age.age").exists());
    // Any name at all, with or without --to.
    let odd = env.path("for-the-dsl.bin");
    env.ok(&[
        "--config",
        c,
        "seal",
        "--case",
        &case,
        "--to",
        "DSL",
        "--out",
        odd.to_str().unwrap(),
    ]);
    assert!(odd.is_file());
    let plain = env.path("plain.evidence");
    env.ok(&[
        "--config",
        c,
        "seal",
        "--case",
        &case,
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(plain.is_file());

    // Without --out: CASE.evidence, and CASE.evidence.age when encrypted, here.
    let here = env.path("here");
    std::fs::create_dir(&here).unwrap();
    let store = env.store();
    for extra in [vec![], vec!["--to", "DSL"]] {
        let mut args = vec![
            "--store",
            store.to_str().unwrap(),
            "--config",
            c,
            "seal",
            "--case",
            &case,
        ];
        args.extend(&extra);
        let mut command = cmd(&args);
        command.current_dir(&here);
        let o = run_within(command, 60);
        assert!(o.status.success(), "{}", text(&o));
    }
    assert!(here.join(format!("{case}.evidence")).is_file());
    assert!(here.join(format!("{case}.evidence.age")).is_file());
    assert_eq!(std::fs::read_dir(&here).unwrap().count(), 2);
}

#[test]
fn seal_takes_the_school_from_settings_field_by_field() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    // A wrong type in another field must not reset the school to the default.
    std::fs::write(
        cfg.join("settings.json"),
        r#"{"name": "A. Teacher", "school": "Ysgol Test", "show_previews": "yes", "role": 7}"#,
    )
    .unwrap();
    let p = evidence_kit::keys::KeyDir::at(cfg.clone()).profile();
    assert_eq!(p.school.as_deref(), Some("Ysgol Test"));
    assert_eq!(p.name.as_deref(), Some("A. Teacher"));
    assert_eq!(p.role, None);
    assert!(!p.show_previews);

    let bundle = env.seal(&cfg, &case, "school.evidence");
    let info = zip_entry(&bundle, "bag-info.txt");
    assert!(info.contains("Source-Organization: Ysgol Test\n"), "{info}");
    // --organization wins over settings.
    let given = env.path("given.evidence");
    env.ok(&[
        "--config",
        cfg.to_str().unwrap(),
        "seal",
        "--case",
        &case,
        "--organization",
        "Other School",
        "--out",
        given.to_str().unwrap(),
    ]);
    let info = zip_entry(&given, "bag-info.txt");
    assert!(
        info.contains("Source-Organization: Other School\n"),
        "{info}"
    );
    // No settings: no school (issue 16: none is built in), so no Source-Organization.
    std::fs::remove_file(cfg.join("settings.json")).unwrap();
    let plain = env.seal(&cfg, &case, "default.evidence");
    let info = zip_entry(&plain, "bag-info.txt");
    assert!(!info.contains("Source-Organization"), "{info}");
}

#[test]
fn seal_signs_with_a_minisign_cli_key_made_without_a_passphrase() {
    let env = Env::new();
    let case = env.case();
    let (k, kpub) = (env.path("K"), env.path("K.pub"));
    let o = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&kpub)
        .arg("-s")
        .arg(&k)
        .stdin(Stdio::null())
        .output()
        .expect("minisign");
    assert!(o.status.success(), "minisign -G: {}", stderr(&o));
    let cfg = env.path("cfg");
    let bundle = env.path("k.evidence");
    let o = env.ek_cfg(
        &cfg,
        &[
            "seal",
            "--case",
            &case,
            "--key",
            k.to_str().unwrap(),
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "seal --key: {}", stderr(&o));
    // minisign itself checks the tag manifest's signature with the public key.
    let dir = env.path("unpacked");
    std::fs::create_dir(&dir).unwrap();
    for name in ["tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig"] {
        std::fs::write(dir.join(name), zip_entry(&bundle, name)).unwrap();
    }
    let o = Command::new("minisign")
        .arg("-Vm")
        .arg(dir.join("tagmanifest-sha256.txt"))
        .arg("-p")
        .arg(&kpub)
        .output()
        .expect("minisign -V");
    assert!(
        o.status.success(),
        "minisign -V: {}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    // And Evidence Kit verifies it with that key trusted.
    let o = env.ek_cfg(
        &cfg,
        &[
            "verify",
            bundle.to_str().unwrap(),
            "--trust",
            kpub.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Every spelling of a value with a fixed set that the CLI accepted before its values
/// became `ValueEnum`s over the core's enums (issue 15), and those it refused: recorded
/// by running the old binary (77931da) on each. `""` clears a field; matching is exact
/// everywhere but `dsl status --set`, which trims and folds case (the core's rule).
#[test]
fn every_value_spelling_accepted_before_is_accepted_and_no_other() {
    struct Spellings {
        accepted: &'static [&'static str],
        refused: &'static [&'static str],
    }
    let responsible = Spellings {
        accepted: &["pupil", "parent", "colleague", "unknown", "other", ""],
        refused: &[
            "Pupil",
            "PUPIL",
            " pupil",
            "teacher",
            "carer",
            "from_handle",
        ],
    };
    let continuing = Spellings {
        accepted: &["yes", "no", ""],
        refused: &["Yes", "NO", "true", "y"],
    };
    let police = Spellings {
        accepted: &["yes", "no", "undecided", ""],
        refused: &["Undecided", "YES", "maybe"],
    };
    let field = Spellings {
        accepted: &[
            "note",
            "site",
            "url",
            "seen",
            "from_handle",
            "from_email",
            "from_phone",
            "from_profile",
        ],
        refused: &[
            "Note",
            "SITE",
            "from-handle",
            "fromHandle",
            "handle",
            "",
            " note",
        ],
    };
    let status = Spellings {
        accepted: &[
            "received", "reviewed", "referred", "closed", "Reviewed", " CLOSED ", "REFERRED",
        ],
        refused: &["", "done", "open"],
    };

    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let f = env.file("a.txt", b"a message");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let report =
        |flag: &str, v: &str| env.ek(&["case", "report", "--case", &case, &format!("--{flag}"), v]);
    let shown = |flag: &str| -> serde_json::Value {
        let c: serde_json::Value =
            serde_json::from_str(&env.ok(&["case", "show", "--case", &case, "--json"])).unwrap();
        c["report"][flag].clone()
    };
    // What `case show --json` holds after `--FLAG v`.
    let stored = |flag: &str, v: &str| match (flag, v) {
        (_, "") => serde_json::Value::Null,
        ("continuing", v) => serde_json::Value::Bool(v == "yes"),
        (_, v) => serde_json::Value::String(v.into()),
    };
    // A refusal by clap: exit 2, its "invalid value" sentence, nothing changed.
    let refused_by_clap = |o: &Output, what: &str| {
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what} should be refused: {}",
            text(o)
        );
        assert!(stderr(o).contains("invalid value"), "{what}: {}", text(o));
    };

    for (flag, s) in [
        ("responsible", &responsible),
        ("continuing", &continuing),
        ("police", &police),
    ] {
        for v in s.accepted {
            let o = report(flag, v);
            assert_eq!(o.status.code(), Some(0), "--{flag} {v:?}: {}", text(&o));
            // Stored as that value (the core's own spelling), or cleared by "".
            assert_eq!(shown(flag), stored(flag, v), "--{flag} {v:?}");
        }
        report(flag, s.accepted[0]);
        for v in s.refused {
            refused_by_clap(&report(flag, v), &format!("--{flag} {v:?}"));
            let kept = stored(flag, s.accepted[0]);
            assert_eq!(shown(flag), kept, "--{flag} {v:?} changed the report");
        }
    }

    for v in field.accepted {
        let o = env.ek(&["edit", "--item", "1", "--field", v, "--value", ""]);
        assert_eq!(o.status.code(), Some(0), "--field {v:?}: {}", text(&o));
    }
    env.ok(&["edit", "--item", "1", "--field", "note", "--value", "kept"]);
    for v in field.refused {
        let o = env.ek(&["edit", "--item", "1", "--field", v, "--value", "x"]);
        assert_refused(
            &o,
            "is not a field you can change; use one of note, site, url, seen, from_handle, from_email, from_phone, from_profile.",
        );
    }
    assert_eq!(env.items(&case)[0]["note"], "kept");

    // The designated person's register, for `dsl status`.
    let bundle = env.seal(&cfg, &case, "a.evidence");
    let dsl = Env::new();
    let pubkey = cfg.join("signing.pub");
    dsl.ok(&[
        "dsl",
        "receive",
        bundle.to_str().unwrap(),
        "--trust",
        pubkey.to_str().unwrap(),
    ]);
    for v in status.accepted {
        let o = dsl.ek(&["dsl", "status", "--case", &case, "--set", v]);
        assert_eq!(o.status.code(), Some(0), "--set {v:?}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("is now {}.", v.trim().to_lowercase())),
            "--set {v:?}: {}",
            text(&o)
        );
    }
    for v in status.refused {
        let o = dsl.ek(&["dsl", "status", "--case", &case, "--set", v]);
        assert_refused(
            &o,
            "is not a status; use received, reviewed, referred or closed.",
        );
    }
}
