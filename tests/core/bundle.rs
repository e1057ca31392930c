//! Sealed bundles: stock tools read them (bagit.py, minisign, sha256sum, unzip, age),
//! every kind of tampering is named, hostile zips are refused without harm, and the
//! properties hold for arbitrary evidence, any changed byte and any truncation.

use crate::util::*;
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Details};
use evidence_kit::keys::{KeyDir, PublicKey, RecipientInfo};
use evidence_kit::store::Store;
use evidence_kit::verify::{self, Options, Report};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// ---------------------------------------------------------------------------------
// The CLI fixture: a staff member with a key, a case with several items, a DSL.
// ---------------------------------------------------------------------------------

/// The evidence every CLI test seals: an image, a text, an e-mail, an odd name.
fn evidence() -> Vec<(&'static str, Vec<u8>)> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..20_000u32).map(|i| (i % 251) as u8));
    vec![
        ("screen shot 1.png", png),
        ("message.txt", b"You will regret this. Everyone knows.\n".to_vec()),
        (
            "complaint.eml",
            b"From: Someone <someone@example.com>\r\nTo: a.teacher@example.org\r\nSubject: About you\r\nDate: Tue, 24 Nov 2026 21:14:03 +0000\r\nMessage-ID: <abc123@example.com>\r\n\r\nWe are watching.\r\n"
                .to_vec(),
        ),
        (
            "Zo\u{eb}'s chat \u{2013} \u{fc}n\u{ef}code \u{1f4f7}.txt",
            "Zoë: the group chat transcript\n".as_bytes().to_vec(),
        ),
    ]
}

/// The payload path of item `i` (0-based) of [`evidence`].
fn payload(i: usize) -> String {
    bundle::payload_name(i, 3, evidence()[i].0)
}

struct Kit {
    env: Env,
    /// The staff member's keys folder.
    staff: PathBuf,
    /// The designated person's keys folder (trusts nothing by itself).
    dsl: PathBuf,
    /// The staff member's exported public key.
    staff_pub: PathBuf,
    case: String,
    /// The captured files, in item order.
    originals: Vec<PathBuf>,
}

impl Kit {
    /// Keys (no passphrase: scrypt is slow in debug builds; the passphrase path has
    /// its own test), a case and the [`evidence`] captured.
    fn new() -> Kit {
        let env = Env::new();
        for d in ["home", "tmp", "src"] {
            std::fs::create_dir_all(env.path(d)).expect("mkdir");
        }
        let mut kit = Kit {
            staff: env.path("staff-config"),
            dsl: env.path("dsl-config"),
            staff_pub: env.path("staff.pub"),
            case: String::new(),
            originals: Vec::new(),
            env,
        };
        let out = kit.run(
            &kit.staff,
            &["keys", "new", "--name", "A. Teacher", "--no-passphrase"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        kit.ok(
            &kit.staff,
            &["keys", "export", "--out", kit.staff_pub.to_str().unwrap()],
        );
        kit.case = kit
            .ok(
                &kit.staff,
                &[
                    "case",
                    "new",
                    "--title",
                    "Posts about me",
                    "--staff",
                    "A. Teacher",
                ],
            )
            .trim()
            .to_string();
        for (name, bytes) in evidence() {
            let p = kit.env.path("src").join(name);
            std::fs::write(&p, bytes).expect("write");
            kit.originals.push(p);
        }
        let mut args = vec!["capture", "file", "--case", kit.case.as_str()];
        args.extend(kit.originals.iter().map(|p| p.to_str().unwrap()));
        kit.ok(&kit.staff, &args);
        kit
    }

    /// Run the CLI with this store and `config`; never the user's own folders.
    /// Afterwards the private temp folder must be empty again.
    fn run(&self, config: &Path, args: &[&str]) -> Output {
        self.run_env(config, args, &[])
    }

    fn run_env(&self, config: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut c = self.command(
            Command::new(env!("CARGO_BIN_EXE_evidence-kit")),
            config,
            args,
        );
        for (k, v) in vars {
            c.env(k, v);
        }
        self.finished(c.output().expect("run evidence-kit"))
    }

    /// Run the CLI under `strace` (following threads and children) into `trace`,
    /// recording the calls that create, write, rename or remove files, with paths for
    /// file descriptors and the first bytes of each write. `None` without strace.
    fn run_traced(&self, trace: &Path, config: &Path, args: &[&str]) -> Option<Output> {
        Command::new("strace").arg("-V").output().ok()?;
        let mut c = Command::new("strace");
        c.args(["-f", "-qq", "-y", "-s", "32", "-o"])
            .arg(trace)
            .args([
                "-e",
                "trace=open,openat,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,\
             unlink,unlinkat,truncate,write,pwrite64,writev,pwritev,pwritev2",
                "--",
                env!("CARGO_BIN_EXE_evidence-kit"),
            ]);
        Some(self.finished(self.command(c, config, args).output().expect("strace")))
    }

    /// `c` (the CLI, or a tracer of it) given this store and `config`, in the private
    /// home and temp folders.
    fn command(&self, mut c: Command, config: &Path, args: &[&str]) -> Command {
        c.arg("--store")
            .arg(self.env.store())
            .arg("--config")
            .arg(config)
            .args(args)
            .current_dir(self.env.path("home"))
            .env("HOME", self.env.path("home"))
            .env("TMPDIR", self.env.path("tmp"))
            .env_remove("EVIDENCE_KIT_STORE")
            .env_remove("EVIDENCE_KIT_CONFIG")
            .env_remove("EVIDENCE_KIT_PASSPHRASE")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME");
        c
    }

    /// Check how a run ended: no panic, and the private temp folder empty again.
    fn finished(&self, out: Output) -> Output {
        assert_ne!(out.status.code(), Some(101), "panicked: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        let left: Vec<_> = std::fs::read_dir(self.env.path("tmp"))
            .expect("tmp")
            .flatten()
            .map(|e| e.path())
            .collect();
        assert!(left.is_empty(), "left in the temp folder: {left:?}");
        out
    }

    fn ok(&self, config: &Path, args: &[&str]) -> String {
        let out = self.run(config, args);
        assert!(
            out.status.success(),
            "evidence-kit {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Seal the case into `name` (in the temp folder); returns the file written.
    fn seal(&self, name: &str, extra: &[&str]) -> PathBuf {
        // `--out` is used as given: an encrypted bundle is named .age here.
        let out = if extra.contains(&"--to") {
            self.env.path(&format!("{name}.age"))
        } else {
            self.env.path(name)
        };
        let mut args = vec![
            "seal",
            "--case",
            self.case.as_str(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        self.ok(&self.staff, &args);
        out
    }

    /// Make the DSL's age identity and add it to the staff member's recipients.
    fn dsl_identity(&self) -> String {
        let r = self
            .ok(
                &self.dsl,
                &[
                    "keys",
                    "new-recipient",
                    "--name",
                    "Mrs D. Lead",
                    "--no-passphrase",
                ],
            )
            .trim()
            .to_string();
        assert!(r.starts_with("age1"), "{r}");
        self.ok(&self.staff, &["keys", "add-recipient", "--name", "DSL", &r]);
        r
    }

    /// `verify --json` as the DSL, trusting the staff key; (exit code, report, stderr).
    fn verify(&self, file: &Path, extra: &[&str]) -> (i32, Option<Value>, String) {
        let mut args = vec![
            "verify",
            file.to_str().unwrap(),
            "--trust",
            self.staff_pub.to_str().unwrap(),
            "--json",
        ];
        args.extend(extra);
        let out = self.run(&self.dsl, &args);
        let code = out.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&out.stdout).ok();
        (code, report, stderr(&out))
    }

    /// Verify a bundle that must be refused with findings (exit 1); returns the report.
    fn findings(&self, file: &Path) -> Value {
        let (code, report, err) = self.verify(file, &[]);
        let report = report.unwrap_or_else(|| panic!("no JSON report: {err}"));
        assert_eq!(code, 1, "exit 1 expected: {report:#}");
        assert!(!report["findings"].as_array().unwrap().is_empty());
        report
    }
}

/// Whether `report` has a finding of `kind` about `file`.
fn has(report: &Value, kind: &str, file: &str) -> bool {
    report["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["kind"] == kind && f["file"] == file))
}

#[track_caller]
fn assert_finding(report: &Value, kind: &str, file: &str) {
    assert!(
        has(report, kind, file),
        "expected a {kind} finding about {file}: {:#}",
        report["findings"]
    );
}

/// A finding of `kind` about no particular file (the whole bundle).
#[track_caller]
fn assert_unnamed(report: &Value, kind: &str) {
    assert!(
        report["findings"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["kind"] == kind && f["file"].is_null())),
        "expected a {kind} finding: {:#}",
        report["findings"]
    );
}

fn finding<'a>(report: &'a Value, kind: &str, file: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["kind"] == kind && f["file"] == file))
        .unwrap_or_else(|| panic!("no {kind} finding about {file}: {report:#}"))
}

// ---------------------------------------------------------------------------------
// Python (zipfile, struct) builds the tampered and hostile zips: a second,
// independent reader and writer of the format.
// ---------------------------------------------------------------------------------

const PY_PRELUDE: &str = r#"
import sys, zipfile, struct, json, hashlib, warnings
warnings.simplefilter('ignore')
A = sys.argv[1:]

def load(src):
    z = zipfile.ZipFile(src)
    return [(i, z.read(i)) for i in z.infolist()]

def info(name, attr=0o100644 << 16, method=zipfile.ZIP_STORED):
    zi = zipfile.ZipInfo(name, date_time=(2026, 11, 25, 12, 0, 0))
    zi.compress_type = method
    zi.create_system = 3
    zi.external_attr = attr
    return zi

def write(dst, items):
    with zipfile.ZipFile(dst, 'w') as z:
        for zi, data in items:
            z.writestr(zi, data)

def replace(items, name, data):
    assert any(i.filename == name for i, _ in items), name
    return [(i, data if i.filename == name else d) for i, d in items]

def without(items, name):
    assert any(i.filename == name for i, _ in items), name
    return [(i, d) for i, d in items if i.filename != name]

def patch(path, old, new):
    b = open(path, 'rb').read()
    assert len(old) == len(new) and old in b, (old, new)
    open(path, 'wb').write(b.replace(old, new))

def layout(path):
    b = open(path, 'rb').read()
    out = {}
    for i in zipfile.ZipFile(path).infolist():
        h = i.header_offset
        n, x = struct.unpack('<HH', b[h + 26:h + 30])
        out[i.filename] = [h + 30 + n + x, i.compress_size]
    return out
"#;

/// Run `code` (after [`PY_PRELUDE`]) with `args` as `A`; returns stdout.
fn py(code: &str, args: &[&Path]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("{PY_PRELUDE}\n{code}"))
        .args(args)
        .output()
        .expect("python3");
    assert!(out.status.success(), "python failed: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Where each entry's data lies, as Python's zipfile sees it: name → (start, len).
fn py_layout(zip: &Path) -> BTreeMap<String, (u64, u64)> {
    let v: BTreeMap<String, (u64, u64)> =
        serde_json::from_str(&py("print(json.dumps(layout(A[0])))", &[zip])).expect("json");
    v
}

/// Copy `src` to `dst` with the byte at `at` flipped.
fn flip(src: &Path, dst: &Path, at: u64) {
    let mut b = std::fs::read(src).expect("read");
    b[at as usize] ^= 0x01;
    std::fs::write(dst, b).expect("write");
}

/// Copy `src` to `dst`, flipping one byte of `entry`'s data: the first byte of
/// `needle` inside it (or the byte at `at` when no needle).
fn flip_in_entry(src: &Path, dst: &Path, entry: &str, needle: Option<&[u8]>, at: u64) -> u64 {
    let (start, len) = py_layout(src)[entry];
    let data = std::fs::read(src).expect("read");
    let rel = match needle {
        Some(n) => data[start as usize..(start + len) as usize]
            .windows(n.len())
            .position(|w| w == n)
            .unwrap_or_else(|| panic!("{:?} not in {entry}", String::from_utf8_lossy(n)))
            as u64,
        None => at,
    };
    assert!(rel < len);
    flip(src, dst, start + rel);
    rel
}

fn bagit_validate(dir: &Path) -> Output {
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/bagit.py"))
        .arg("--validate")
        .arg(dir)
        .output()
        .expect("bagit.py (run `make bootstrap`)")
}

/// Unzip with Python's zipfile (checks every CRC) into `dir`.
fn py_extract(zip: &Path, dir: &Path) {
    py(
        "z = zipfile.ZipFile(A[0]); assert z.testzip() is None; z.extractall(A[1])",
        &[zip, dir],
    );
}

fn tool(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

#[track_caller]
fn assert_tool_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

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

// ---------------------------------------------------------------------------------
// 1. Interoperability with stock tools.
// ---------------------------------------------------------------------------------

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

/// What an `strace -f -y` log says was written: every file opened for writing (or
/// created, truncated, renamed or linked into place), and the first bytes of each
/// write to a file, by path (`-y` names each descriptor's file).
#[derive(Debug, Default)]
struct Written {
    /// Paths opened to write, created, truncated, or the source or target of a rename
    /// or link, in order.
    paths: Vec<PathBuf>,
    /// (rename source, target).
    renames: Vec<(PathBuf, PathBuf)>,
    /// (file, the first bytes of a write to it, as strace shows them).
    writes: Vec<(PathBuf, String)>,
}

fn written(trace: &Path, cwd: &Path) -> Written {
    let text = std::fs::read_to_string(trace).expect("strace log");
    let mut w = Written::default();
    let mut pending: BTreeMap<String, String> = BTreeMap::new();
    // `<path>` after a descriptor (` (deleted)` dropped).
    let fd_path = |s: &str| -> Option<PathBuf> {
        let p = s.strip_prefix('<')?.split('>').next()?;
        let p = p.strip_suffix(" (deleted)").unwrap_or(p);
        p.starts_with('/').then(|| PathBuf::from(p))
    };
    let quoted = |s: &str| -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    for raw in text.lines() {
        let (pid, rest) = raw.trim_start().split_once(' ').unwrap_or(("", raw));
        let rest = rest.trim_start();
        let call = if let Some(start) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid.to_string(), start.to_string());
            continue;
        } else if rest.starts_with("<... ") {
            let Some((_, tail)) = rest.split_once(" resumed>") else {
                continue;
            };
            pending.remove(pid).unwrap_or_default() + tail
        } else {
            rest.to_string()
        };
        let Some((name, args)) = call.split_once('(') else {
            continue;
        };
        let Some((args, result)) = args.rsplit_once(") = ") else {
            continue;
        };
        if result.starts_with('-') || result.starts_with('?') {
            continue; // failed: nothing was written
        }
        let resolve = |p: &str| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { cwd.join(p) }
        };
        match name {
            "open" | "openat" | "creat" => {
                let writes = name == "creat"
                    || [
                        "O_WRONLY",
                        "O_RDWR",
                        "O_CREAT",
                        "O_TRUNC",
                        "O_APPEND",
                        "O_TMPFILE",
                    ]
                    .iter()
                    .any(|f| args.contains(f));
                let fd = result.trim_start_matches(|c: char| c.is_ascii_digit());
                if writes && let Some(p) = fd_path(fd) {
                    w.paths.push(p);
                }
            }
            "rename" | "renameat" | "renameat2" | "link" | "linkat" | "symlink" | "symlinkat" => {
                let q = quoted(args);
                if q.len() >= 2 {
                    let (from, to) = (resolve(&q[0]), resolve(&q[1]));
                    w.paths.push(from.clone());
                    w.paths.push(to.clone());
                    w.renames.push((from, to));
                }
            }
            "truncate" => w.paths.extend(quoted(args).first().map(|p| resolve(p))),
            "write" | "pwrite64" | "writev" | "pwritev" | "pwritev2" => {
                let fd = args.trim_start_matches(|c: char| c.is_ascii_digit());
                if let Some(p) = fd_path(fd) {
                    let data = quoted(args).into_iter().next().unwrap_or_default();
                    w.writes.push((p, data));
                }
            }
            _ => {}
        }
    }
    w
}

/// "No plain copy touches the disk", watched while `seal --to` runs (not only looked
/// for afterwards): under strace, every file the seal creates or writes is the
/// `.age` output's partial (renamed into place) or the store's own index and chain
/// anchor; its first bytes are age's; and no write anywhere starts a zip — nothing in
/// the temp folder, the store's `tmp/`, or beside the output.
#[test]
fn sealing_to_a_designated_person_writes_no_plain_copy_on_the_way() {
    let name = "sealing_to_a_designated_person_writes_no_plain_copy_on_the_way";
    let kit = Kit::new();
    kit.dsl_identity();
    let file = kit.env.path("case.evidence.age");
    let partial = kit.env.path("case.evidence.age.partial");
    let trace = kit.env.path("seal.strace");
    #[rustfmt::skip]
    let args = ["seal", "--case", kit.case.as_str(), "--to", "DSL", "--out", file.to_str().unwrap()];
    let Some(out) = kit.run_traced(&trace, &kit.staff, &args) else {
        return skip(name, "strace is not installed");
    };
    if !out.status.success() && stderr(&out).contains("ptrace") {
        return skip(name, &format!("strace cannot trace here: {}", stderr(&out)));
    }
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read(&file)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n")
    );

    let w = written(&trace, &kit.env.path("home"));
    let store = kit.env.store();
    let allowed = |p: &Path| {
        p == partial
            || p == file
            || (p.parent() == Some(store.as_path())
                && p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("evidence.sqlite") || n.starts_with("custody.head")
                }))
    };
    assert!(
        w.paths.contains(&partial),
        "the trace saw the seal write its partial: {w:#?}"
    );
    assert!(
        w.renames.contains(&(partial.clone(), file.clone())),
        "{:#?}",
        w.renames
    );
    let others: Vec<_> = w.paths.iter().filter(|p| !allowed(p)).collect();
    assert!(others.is_empty(), "written besides the .age: {others:#?}");
    let first = w.writes.iter().find(|(p, _)| *p == partial);
    assert!(
        first.is_some_and(|(_, d)| d.starts_with("age-encryption.org/v1\\n")),
        "the first bytes written are age's: {first:?}"
    );
    // A zip starts with a local header, PK\3\4: no file received one.
    let zips: Vec<_> = w
        .writes
        .iter()
        .filter(|(_, d)| d.starts_with("PK\\3\\4"))
        .collect();
    assert!(zips.is_empty(), "a plain zip was written: {zips:#?}");
}

/// Issue 14: what the designated person does with an encrypted bundle writes nothing
/// decrypted, anywhere. `verify`, `form --bundle` and `dsl receive` of an `.age` run
/// under `strace -f -y` with private home, temp and XDG folders and a register of their
/// own: `verify` opens nothing to write, `form` writes only its PDF, `receive` only its
/// register (the index and the `.age` copy it keeps); no write starts a zip; and
/// afterwards no file in those folders holds a byte string of the evidence or the bag.
/// (Opening a bundle in the designated person's window asks for it: that unpacks.)
#[test]
fn headline_nothing_decrypted_is_written_when_an_encrypted_bundle_is_checked() {
    let name = "bundle::headline_nothing_decrypted_is_written_when_an_encrypted_bundle_is_checked";
    let kit = Kit::new();
    kit.dsl_identity();
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    let png = &evidence()[0].1;
    let mut markers: Vec<Vec<u8>> = vec![
        png[1000..1032].to_vec(),
        b"You will regret this".to_vec(),
        b"We are watching.".to_vec(),
        b"the group chat transcript".to_vec(),
        b"BagIt-Version: 1.0".to_vec(),
        b"PK\x03\x04".to_vec(),
        b"\"action\":\"captured\"".to_vec(),
    ];
    markers.push(std::fs::read(kit.env.path("staff.pub")).unwrap()[..40].to_vec());
    let (home, tmp, xdg, store, out_dir) = (
        kit.env.path("dsl-home"),
        kit.env.path("dsl-tmp"),
        kit.env.path("dsl-xdg"),
        kit.env.path("dsl-store"),
        kit.env.path("out"),
    );
    for d in [&home, &tmp, &xdg, &out_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    let traced =
        |label: &str, args: &[&str]| -> Option<(Output, Written)> {
            let trace = kit.env.path(&format!("{label}.strace"));
            Command::new("strace").arg("-V").output().ok()?;
            let mut c = Command::new("strace");
            c.args(["-f", "-qq", "-y", "-s", "32", "-o"]).arg(&trace).args([
            "-e",
            "trace=open,openat,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,\
             unlink,unlinkat,truncate,write,pwrite64,writev,pwritev,pwritev2",
            "--",
            env!("CARGO_BIN_EXE_evidence-kit"),
        ]);
            c.arg("--store").arg(&store).arg("--config").arg(&kit.dsl);
            c.args(args)
                .current_dir(&home)
                .env("HOME", &home)
                .env("TMPDIR", &tmp);
            for v in ["CACHE", "CONFIG", "DATA", "STATE", "RUNTIME"] {
                let d = xdg.join(v.to_lowercase());
                std::fs::create_dir_all(&d).unwrap();
                let key = if v == "RUNTIME" {
                    "XDG_RUNTIME_DIR".to_string()
                } else {
                    format!("XDG_{v}_HOME")
                };
                c.env(key, d);
            }
            for v in [
                "EVIDENCE_KIT_STORE",
                "EVIDENCE_KIT_CONFIG",
                "EVIDENCE_KIT_PASSPHRASE",
            ] {
                c.env_remove(v);
            }
            let out = c.output().expect("strace");
            assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
            Some((out, written(&trace, &home)))
        };
    let f = file.to_str().unwrap();
    let trust = kit.staff_pub.to_str().unwrap();
    let pdf = out_dir.join("form.pdf");
    let runs: [(&str, Vec<&str>); 3] = [
        ("verify", vec!["verify", f, "--trust", trust]),
        (
            "form",
            vec![
                "form",
                "--bundle",
                f,
                "--trust",
                trust,
                "--out",
                pdf.to_str().unwrap(),
            ],
        ),
        ("receive", vec!["dsl", "receive", f, "--trust", trust]),
    ];
    for (label, args) in runs {
        let Some((out, w)) = traced(label, &args) else {
            return skip(name, "strace is not installed");
        };
        if !out.status.success() && stderr(&out).contains("ptrace") {
            return skip(name, &format!("strace cannot trace here: {}", stderr(&out)));
        }
        assert!(out.status.success(), "{label}: {}", stderr(&out));
        let allowed = |p: &Path| match label {
            "form" => p.starts_with(&out_dir),
            "receive" => p.strip_prefix(&store).is_ok_and(|rel| {
                rel.starts_with("bundles") || rel.to_string_lossy().starts_with("register.sqlite")
            }),
            _ => false,
        };
        let others: Vec<_> = w.paths.iter().filter(|p| !allowed(p)).collect();
        assert!(others.is_empty(), "{label} wrote: {others:#?}");
        let zips: Vec<_> = w
            .writes
            .iter()
            .filter(|(_, d)| d.starts_with("PK\\3\\4"))
            .collect();
        assert!(zips.is_empty(), "{label} wrote a plain zip: {zips:#?}");
    }
    assert!(pdf.is_file(), "the form was written");
    assert!(
        !store.join("received").exists(),
        "dsl receive unpacked nothing"
    );
    let kept = walk_files(&store.join("bundles"));
    assert_eq!(kept.len(), 1, "the .age copy is kept: {kept:?}");
    assert_eq!(sha256sum(&kept[0]), sha256sum(&file));
    let mut searched = 0;
    for dir in [&home, &tmp, &xdg, &store, &kit.dsl] {
        for p in walk_files(dir) {
            let bytes = std::fs::read(&p).unwrap();
            searched += 1;
            for m in &markers {
                assert!(
                    !bytes.windows(m.len()).any(|w| w == &m[..]),
                    "{} holds decrypted bytes ({:?})",
                    p.display(),
                    String::from_utf8_lossy(m)
                );
            }
        }
    }
    assert!(
        searched >= 3,
        "the register and the kept copy were searched"
    );
}

// ---------------------------------------------------------------------------------
// 2. Tampering: each change is found and named.
// ---------------------------------------------------------------------------------

#[test]
fn a_flipped_byte_in_evidence_is_named_with_its_block() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    // Byte 10,000 of a 20,016-byte image: 4 KiB blocks, so the third block.
    flip_in_entry(&file, &bad, &payload(0), None, 10_000);
    let report = kit.findings(&bad);
    let f = finding(&report, "altered", &payload(0));
    assert_eq!(f["offset"], 8192, "{f:#}");
    assert!(
        f["message"].as_str().unwrap().contains("8,192–12,287"),
        "{f:#}"
    );
    assert!(payload(0).starts_with("data/001-"));
    // Nothing else is blamed on the other items.
    for i in 1..4 {
        let p = payload(i);
        assert!(
            !report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"] == p.as_str()),
            "{report:#}"
        );
    }
    // bagit.py agrees (unzip writes the damaged file, complaining about its CRC).
    let bag = kit.env.path("bag");
    let _ = tool(
        kit.env.dir.path(),
        "unzip",
        &["-qo", bad.to_str().unwrap(), "-d", bag.to_str().unwrap()],
    );
    assert!(!bagit_validate(&bag).status.success());
}

#[test]
fn a_flipped_byte_in_each_tag_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    for (entry, needle, also) in [
        ("case.json", &b"Posts about me"[..], None),
        ("custody.jsonl", b"A. Teacher", Some("chain")),
        ("bag-info.txt", b"Posts about me", None),
        ("manifest-sha256.txt", b"  data/002", None),
        ("bagit.txt", b"1.0", None),
    ] {
        let bad = kit.env.path(&format!("bad-{entry}.evidence"));
        flip_in_entry(&file, &bad, entry, Some(needle), 0);
        let report = kit.findings(&bad);
        assert_finding(&report, "altered", entry);
        if let Some(kind) = also {
            assert_finding(&report, kind, entry);
        }
    }
    // The signature file is covered by no manifest: a change even to its unsigned
    // comment line is still found.
    let bad = kit.env.path("bad-sig.evidence");
    flip_in_entry(
        &file,
        &bad,
        bundle::SIGNATURE,
        Some(b"Evidence Kit seal of"),
        0,
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert!(
        finding(&report, "signature", bundle::SIGNATURE)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unsigned comment"),
        "{report:#}"
    );
    // And a change to the tag manifest breaks the signature.
    let bad = kit.env.path("bad-tm.evidence");
    flip_in_entry(&file, &bad, bundle::TAGMANIFEST, Some(b"  case.json"), 0);
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "signature", bundle::TAGMANIFEST);
    assert_eq!(report["signer"]["signature_valid"], false);
}

#[test]
fn a_removed_evidence_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        &format!(
            "write(A[1], without(load(A[0]), {:?}))",
            payload(1).as_str()
        ),
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "missing", &payload(1));
    assert_finding(&report, "mismatch", "bag-info.txt");
    // bagit.py agrees.
    let bag = kit.env.path("bag");
    py_extract(&bad, &bag);
    assert!(!bagit_validate(&bag).status.success());
}

#[test]
fn an_added_file_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        "write(A[1], load(A[0]) + [(info('data/005-planted.png'), b'\\x89PNG planted'), (info('notes.txt'), b'hi')])",
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "extra", "data/005-planted.png");
    assert_finding(&report, "extra", "notes.txt");
    let bag = kit.env.path("bag");
    py_extract(&bad, &bag);
    assert!(!bagit_validate(&bag).status.success());
}

/// A second key pair in `dir`, made by `minisign -G` (x.pub, x.key; no password).
fn other_key(kit: &Kit, dir: &Path) {
    let out = Command::new("minisign")
        .args(["-G", "-W", "-p", "x.pub", "-s", "x.key"])
        .current_dir(dir)
        .env("HOME", kit.env.path("home"))
        .output()
        .expect("minisign -G");
    assert_tool_ok(&out, "minisign -G");
}

fn minisign_sign(kit: &Kit, dir: &Path, trusted_comment: &str) {
    let out = Command::new("minisign")
        .args([
            "-S",
            "-W",
            "-s",
            "x.key",
            "-m",
            "tagmanifest-sha256.txt",
            "-t",
            trusted_comment,
        ])
        .current_dir(dir)
        .env("HOME", kit.env.path("home"))
        .output()
        .expect("minisign -S");
    assert_tool_ok(&out, "minisign -S");
}

fn trusted_comment(minisig: &Path) -> String {
    std::fs::read_to_string(minisig)
        .expect("minisig")
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))
        .expect("trusted comment")
        .to_string()
}

#[test]
fn headline_a_signature_by_another_key_is_named() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let work = kit.env.path("work");
    py_extract(&file, &work);
    other_key(&kit, &work);
    let tc = trusted_comment(&work.join(bundle::SIGNATURE));
    minisign_sign(&kit, &work, &tc);
    std::fs::copy(work.join("x.pub"), work.join("signer.pub")).expect("copy");
    let bad = kit.env.path("bad.evidence");
    py(
        "import os\nit = load(A[0])\nfor n in ('tagmanifest-sha256.txt.minisig', 'signer.pub'):\n    it = replace(it, n, open(os.path.join(A[2], n), 'rb').read())\nwrite(A[1], it)",
        &[&file, &bad, &work],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "untrusted_key", "signer.pub");
    assert_finding(&report, "altered", "signer.pub");
    assert_eq!(report["signer"]["trusted"], false);

    // A forgery re-signed consistently: changed evidence, both manifests recomputed,
    // signed by the other key with facts naming it. The signature is valid; the key
    // is not one the DSL trusts, and that is said.
    let forged = kit.env.path("forged.evidence");
    py(
        &format!(
            r#"import os
w = A[2]
p = os.path.join(w, {target:?})
open(p, 'wb').write(b'Nothing happened.\n')
h = lambda f: hashlib.sha256(open(os.path.join(w, f), 'rb').read()).hexdigest()
lines = open(os.path.join(w, 'manifest-sha256.txt')).read().splitlines()
lines = [(h({target:?}) + '  ' + {target:?}) if l.endswith({target:?}) else l for l in lines]
open(os.path.join(w, 'manifest-sha256.txt'), 'w').write('\n'.join(lines) + '\n')
tags = [l.split('  ', 1)[1] for l in open(os.path.join(w, 'tagmanifest-sha256.txt')).read().splitlines()]
open(os.path.join(w, 'tagmanifest-sha256.txt'), 'w').write(''.join(h(t) + '  ' + t + '\n' for t in tags))
"#,
            target = payload(1)
        ),
        &[&file, &forged, &work],
    );
    let mut facts: Value = serde_json::from_str(&tc).expect("facts");
    let new_pub = PublicKey::read(&work.join("x.pub")).expect("x.pub");
    facts["key_id"] = new_pub.key_id.clone().into();
    facts["tagmanifest_sha256"] = sha256sum(&work.join("tagmanifest-sha256.txt")).into();
    minisign_sign(&kit, &work, &facts.to_string());
    py(
        "import os\nit = load(A[0])\nfor n in ('tagmanifest-sha256.txt', 'tagmanifest-sha256.txt.minisig', 'signer.pub', 'manifest-sha256.txt', A[3]):\n    it = replace(it, n, open(os.path.join(A[2], n), 'rb').read())\nwrite(A[1], it)",
        &[&file, &forged, &work, Path::new(&payload(1))],
    );
    let report = kit.findings(&forged);
    assert_finding(&report, "untrusted_key", "signer.pub");
    assert_eq!(report["signer"]["signature_valid"], true, "{report:#}");
    assert_eq!(report["signer"]["trusted"], false);
    assert!(!has(&report, "altered", &payload(1)), "{report:#}");
    for tag in ["manifest-sha256.txt", bundle::TAGMANIFEST, "signer.pub"] {
        assert!(!has(&report, "altered", tag), "{report:#}");
    }
}

#[test]
fn a_signature_lifted_from_another_bundle_is_named() {
    let kit = Kit::new();
    let a = kit.seal("a.evidence", &[]);
    let b = kit.seal("b.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    py(
        "sa = dict((i.filename, d) for i, d in load(A[0]))\nit = load(A[1])\nfor n in ('tagmanifest-sha256.txt.minisig', 'signer.pub'):\n    it = replace(it, n, sa[n])\nwrite(A[2], it)",
        &[&a, &b, &bad],
    );
    let report = kit.findings(&bad);
    assert_finding(&report, "signature", bundle::SIGNATURE);
    assert_finding(&report, "signature", bundle::TAGMANIFEST);
    assert!(
        finding(&report, "signature", bundle::TAGMANIFEST)["message"]
            .as_str()
            .unwrap()
            .contains("lifted from another bundle")
    );
}

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

// ---------------------------------------------------------------------------------
// 3. Hostile input: refused, named, and nothing written outside the output folder.
// ---------------------------------------------------------------------------------

/// Every path under `dir` (files, folders and links, not followed).
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            out.insert(p.clone());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(tree(&p));
            }
        }
    }
    out
}

/// `verify` and then `open --force` a hostile bundle. Both must end cleanly (exit 1
/// or 2, never a panic), and `open` may write only inside its output folder, never
/// a link. Returns the verify report (None when it was refused with exit 2) and
/// the stderr sentence.
fn hostile(kit: &Kit, file: &Path) -> (Option<Value>, String) {
    let parent = kit.env.path(&format!(
        "open-{}",
        file.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&parent).expect("mkdir");
    let out_dir = parent.join("out");
    let before = tree(kit.env.dir.path());
    let (code, report, err) = kit.verify(file, &[]);
    assert_eq!(tree(kit.env.dir.path()), before, "verify wrote something");
    assert!(
        code == 1 || code == 2,
        "exit {code} for a hostile bundle: {report:?} {err}"
    );
    if code == 2 {
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(err.starts_with("evidence-kit: "), "{err}");
    } else {
        let r = report.as_ref().expect("report");
        assert!(!r["findings"].as_array().unwrap().is_empty());
    }

    let out = kit.run(
        &kit.dsl,
        &[
            "open",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(
        matches!(out.status.code(), Some(1) | Some(2)),
        "open --force: {:?} {}",
        out.status,
        stderr(&out)
    );
    let after = tree(kit.env.dir.path());
    let outside: Vec<_> = after
        .difference(&before)
        .filter(|p| !p.starts_with(&out_dir))
        .collect();
    assert!(outside.is_empty(), "written outside --out: {outside:?}");
    for p in tree(&out_dir) {
        let m = std::fs::symlink_metadata(&p).expect("meta");
        assert!(!m.file_type().is_symlink(), "a link was extracted: {p:?}");
    }
    if out.status.code() == Some(1) && out_dir.exists() {
        assert!(out_dir.join("VERIFICATION-FAILED.txt").exists());
    }
    (report, err)
}

/// Build `name` from the sealed bundle with a Python snippet (`src`, `dst` = A[0], A[1]).
fn build(kit: &Kit, sealed: &Path, name: &str, code: &str) -> PathBuf {
    let dst = kit.env.path(name);
    py(code, &[sealed, &dst]);
    dst
}

#[test]
fn a_climbing_entry_is_refused_and_never_written() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "evil.evidence",
        "write(A[1], load(A[0]) + [(info('../evil'), b'gotcha'), (info('data/../../evil2'), b'x')])",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_finding(&report, "unsafe_name", "../evil");
    assert_finding(&report, "unsafe_name", "data/../../evil2");
    assert!(!kit.env.path("evil").exists() && !kit.env.path("evil2").exists());
    // The genuine files were extracted, the folder is marked failed.
    let out = kit.env.path("open-evil.evidence/out");
    assert!(out.join(payload(0)).exists());
    let failed = std::fs::read_to_string(out.join("VERIFICATION-FAILED.txt")).expect("marker");
    assert!(failed.contains("unsafe_name"), "{failed}");
}

#[test]
fn hostile_names_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // (file, entry name as Python writes it, the name the finding gives)
    let cases = [
        (
            "abs",
            "/tmp/evidence-kit-hostile-abs",
            "/tmp/evidence-kit-hostile-abs",
        ),
        // Python source `data\\..` is the name `data\..`, shown escaped again.
        (
            "backslash",
            r"data\\..\\..\\evil.txt",
            r"data\\..\\..\\evil.txt",
        ),
        ("bidi", r"data/\u202egnp.exe", r"data/\u{202e}gnp.exe"),
        ("control", r"data/a\x07b.txt", r"data/a\u{7}b.txt"),
        ("drive", "C:evil.txt", "C:evil.txt"),
    ];
    for (tag, py_name, shown) in cases {
        let bad = build(
            &kit,
            &sealed,
            &format!("{tag}.evidence"),
            &format!("write(A[1], load(A[0]) + [(info('{py_name}'), b'x')])"),
        );
        let (report, _) = hostile(&kit, &bad);
        let report = report.expect("report");
        // The finding's file is the name, escaped for display.
        assert_finding(&report, "unsafe_name", shown);
    }
    assert!(!Path::new("/tmp/evidence-kit-hostile-abs").exists());

    // A name that is not UTF-8 (and no UTF-8 flag): bytes patched into both headers.
    let bad = build(
        &kit,
        &sealed,
        "nonutf8.evidence",
        "write(A[1], load(A[0]) + [(info('data/XX-hostile.txt'), b'x')])\npatch(A[1], b'data/XX-hostile', b'data/\\xff\\xfe-hostile')",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "unsafe_name")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        f["message"].as_str().unwrap().contains("not UTF-8"),
        "{f:#}"
    );
}

#[test]
fn a_symlink_entry_is_refused_and_not_created() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "link.evidence",
        "write(A[1], load(A[0]) + [(info('data/005-link', attr=0o120777 << 16), b'/etc/passwd')])",
    );
    let (report, _) = hostile(&kit, &bad);
    assert_finding(&report.expect("report"), "unsafe_name", "data/005-link");
    assert!(
        std::fs::symlink_metadata(kit.env.path("open-link.evidence/out/data/005-link")).is_err()
    );
}

#[test]
fn duplicate_names_are_refused_exact_case_folded_and_unicode_normalised() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let exact = payload(1);
    for (tag, extra, named) in [
        (
            "exact",
            format!("(info({exact:?}), b'a different message')"),
            exact.clone(),
        ),
        (
            "case",
            "(info('data/A.txt'), b'1'), (info('data/a.txt'), b'2')".to_string(),
            "data/a.txt".to_string(),
        ),
        (
            "nfd",
            "(info('data/\\u00e9.txt'), b'1'), (info('data/e\\u0301.txt'), b'2')".to_string(),
            "data/e\u{301}.txt".to_string(),
        ),
    ] {
        let bad = build(
            &kit,
            &sealed,
            &format!("dup-{tag}.evidence"),
            &format!("write(A[1], load(A[0]) + [{extra}])"),
        );
        let (report, _) = hostile(&kit, &bad);
        assert_finding(&report.expect("report"), "unsafe_name", &named);
    }
    // The extracted copy of the exact duplicate is neither of the two: it is refused.
    let out = kit.env.path("open-dup-exact.evidence/out");
    assert!(!out.join(&exact).exists());
}

#[test]
fn overlapping_entries_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // Two directory entries pointing at one local header (the "better zip bomb").
    let bad = build(
        &kit,
        &sealed,
        "overlap.evidence",
        r#"
write(A[1], load(A[0]) + [(info('data/zz-a.txt'), b'same bytes'), (info('data/zz-b.txt'), b'same bytes')])
b = bytearray(open(A[1], 'rb').read())
z = zipfile.ZipFile(A[1])
first = z.getinfo('data/zz-a.txt').header_offset
i = 0
while True:
    i = b.index(b'PK\x01\x02', i)
    n = struct.unpack('<H', b[i + 28:i + 30])[0]
    if b[i + 46:i + 46 + n] == b'data/zz-b.txt':
        b[i + 42:i + 46] = struct.pack('<I', first)
        break
    i += 4
open(A[1], 'wb').write(bytes(b))
"#,
    );
    let (report, _) = hostile(&kit, &bad);
    assert_finding(&report.expect("report"), "container", "data/zz-b.txt");
}

/// Run the CLI under `/usr/bin/time -f %M`: (output, peak KiB). Only memory is
/// limited here: wall time in a debug build, beside the other tests on a shared
/// machine, says little (the speed of these refusals is `scripts/bench-hostile`'s).
fn timed(kit: &Kit, args: &[&str]) -> (Output, u64) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK-KIB %M")
        .arg(env!("CARGO_BIN_EXE_evidence-kit"))
        .arg("--store")
        .arg(kit.env.store())
        .arg("--config")
        .arg(&kit.dsl)
        .args(args)
        .env("HOME", kit.env.path("home"))
        .env("TMPDIR", kit.env.path("tmp"))
        .output()
        .expect("/usr/bin/time");
    let err = stderr(&out);
    let peak = err
        .lines()
        .find_map(|l| l.strip_prefix("PEAK-KIB "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {err}"));
    (out, peak)
}

#[test]
fn headline_a_zip_bomb_is_refused_in_little_memory() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // 200 MiB of zeros, deflated to ~200 KB: an extra entry, and one in place of a
    // sealed file whose headers claim its sealed size (a lying bomb).
    let bad = build(
        &kit,
        &sealed,
        "bomb.evidence",
        r#"
def bomb(z, name):
    zi = info(name, method=zipfile.ZIP_DEFLATED)
    with z.open(zi, 'w') as w:
        chunk = bytes(1 << 20)
        for _ in range(200):
            w.write(chunk)
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        z.writestr(zi, data)
    bomb(z, 'data/999-bomb.bin')
"#,
    );
    assert!(std::fs::metadata(&bad).unwrap().len() < 2_000_000);
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "too_large", "data/999-bomb.bin");
    assert!(peak_kib < 200 * 1024, "peak {peak_kib} KiB");

    let lying = build(
        &kit,
        &sealed,
        "lying-bomb.evidence",
        &format!(
            r#"
import zlib
target = {target:?}
items = load(A[0])
size = [i.file_size for i, _ in items if i.filename == target][0]
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in items:
        if zi.filename == target:
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, bytes(50 << 20))
        else:
            z.writestr(zi, data)
# Make both headers claim the sealed size: the stream inflates to 50 MiB anyway.
b = bytearray(open(A[1], 'rb').read())
name = target.encode()
for sig, at in ((b'PK\x03\x04', 22), (b'PK\x01\x02', 24)):
    i = 0
    while True:
        i = b.index(sig, i)
        n = struct.unpack('<H', b[i + (26 if sig == b'PK\x03\x04' else 28):][:2])[0]
        start = i + (30 if sig == b'PK\x03\x04' else 46)
        if b[start:start + n] == name:
            b[i + at:i + at + 4] = struct.pack('<I', size)
            break
        i += 4
open(A[1], 'wb').write(bytes(b))
"#,
            target = payload(0)
        ),
    );
    let (report, _) = hostile(&kit, &lying);
    let report = report.expect("report");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == payload(0).as_str()),
        "{report:#}"
    );
    // open --force wrote no more than the sealed size for it, and nothing of the
    // extra bomb.
    let out = kit.env.path("open-lying-bomb.evidence/out");
    if let Ok(m) = std::fs::metadata(out.join(payload(0))) {
        assert!(m.len() <= 20_016, "extracted {} bytes", m.len());
    }
    let (out, peak_kib) = timed(
        &kit,
        &[
            "open",
            bad.to_str().unwrap(),
            "--out",
            kit.env.path("bomb-out").to_str().unwrap(),
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(peak_kib < 200 * 1024, "peak {peak_kib} KiB");
    let bomb = kit.env.path("bomb-out/data/999-bomb.bin");
    assert!(
        std::fs::metadata(&bomb).map(|m| m.len()).unwrap_or(0) == 0,
        "the bomb was extracted"
    );
}

#[test]
fn a_bundle_declaring_too_much_is_not_examined_or_extracted() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // 17 entries whose directory sizes claim 4 GiB each (the data is tiny): over the
    // 64 GiB a bundle may unpack to.
    let bad = build(
        &kit,
        &sealed,
        "huge-claim.evidence",
        r#"
write(A[1], load(A[0]) + [(info('data/9%02d-big.bin' % k), b'x' * 100) for k in range(17)])
b = bytearray(open(A[1], 'rb').read())
i = 0
while True:
    i = b.find(b'PK\x01\x02', i)
    if i < 0:
        break
    n = struct.unpack('<H', b[i + 28:i + 30])[0]
    if b[i + 46:i + 46 + n].endswith(b'-big.bin'):
        # Just under 4 GiB (0xFFFFFFFF would mean zip64) in both size fields.
        b[i + 20:i + 28] = struct.pack('<II', 0xFFFFFFFE, 0xFFFFFFFE)
    i += 4
open(A[1], 'wb').write(bytes(b))
"#,
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_unnamed(&report, "too_large");
    // open --force wrote nothing of it but the failure note.
    let out = kit.env.path("open-huge-claim.evidence/out");
    let got: Vec<_> = tree(&out).into_iter().collect();
    assert_eq!(got, vec![out.join("VERIFICATION-FAILED.txt")]);
}

#[test]
fn truncated_empty_and_foreign_files_end_cleanly() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bytes = std::fs::read(&sealed).expect("read");
    let len = bytes.len();
    let cd = py("print(zipfile.ZipFile(A[0]).start_dir)", &[&sealed])
        .trim()
        .parse::<usize>()
        .expect("start_dir");
    for cut in [1, 4, 30, 100, len / 2, cd - 1, cd + 10, len - 22, len - 1] {
        let p = kit.env.path(&format!("cut-{cut}.evidence"));
        std::fs::write(&p, &bytes[..cut]).expect("write");
        hostile(&kit, &p);
        // Without --force nothing is extracted.
        let out_dir = kit.env.path(&format!("cut-{cut}-out"));
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        assert!(matches!(out.status.code(), Some(1) | Some(2)));
        assert!(!out_dir.exists(), "cut at {cut}: extracted anyway");
    }
    for (name, content) in [
        ("empty.evidence", &b""[..]),
        ("text.evidence", b"This is a letter, not a bundle.\n"),
        ("png.evidence", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ] {
        let p = kit.env.path(name);
        std::fs::write(&p, content).expect("write");
        let (report, _) = hostile(&kit, &p);
        assert_unnamed(&report.expect("report"), "malformed");
    }
    let out = kit.run(
        &kit.dsl,
        &["verify", kit.env.path("nothing-here").to_str().unwrap()],
    );
    assert_refused(&out, "There is no file");
    let out = kit.run(&kit.dsl, &["verify", kit.env.path("src").to_str().unwrap()]);
    assert_refused(&out, "not a file");
}

#[test]
fn a_truncated_or_altered_age_file_is_refused_and_nothing_extracted() {
    let kit = Kit::new();
    kit.dsl_identity();
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    let bytes = std::fs::read(&file).expect("read");
    // Cut inside the payload: age authenticates the last chunk and refuses.
    let header_end = bytes
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("header")
        + 48;
    for (name, data) in [
        ("cut.evidence.age", bytes[..bytes.len() - 40].to_vec()),
        ("cut-early.evidence.age", bytes[..header_end + 100].to_vec()),
        ("flipped.evidence.age", {
            let mut b = bytes.clone();
            let at = b.len() - 500;
            b[at] ^= 0x01;
            b
        }),
    ] {
        let p = kit.env.path(name);
        std::fs::write(&p, data).expect("write");
        let (code, report, err) = kit.verify(&p, &[]);
        assert_eq!(code, 1, "{name}: {err}");
        let report = report.expect("report");
        assert_unnamed(&report, "decryption");
        assert_eq!(report["findings"].as_array().unwrap().len(), 1);
        assert!(report["case"].is_null(), "nothing decrypted was read");
        let out_dir = kit.env.path(&format!("{name}-out"));
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(!out_dir.exists());
        let out = kit.run(
            &kit.dsl,
            &[
                "open",
                p.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
                "--force",
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let got: Vec<_> = tree(&out_dir).into_iter().collect();
        assert_eq!(got, vec![out_dir.join("VERIFICATION-FAILED.txt")]);
    }
    // Cut inside the age header: not openable at all, one sentence.
    let p = kit.env.path("cut-header.evidence.age");
    std::fs::write(&p, &bytes[..40]).expect("write");
    let out = kit.run(&kit.dsl, &["verify", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim().lines().count(), 1);
}

/// Issue 14's invariant: each age chunk is examined only after its own tag verifies,
/// and no verdict is given (nothing extracted, no case read) until the final chunk
/// authenticates. A bundle of several chunks cut at a chunk boundary (64 KiB of
/// plaintext and a 16-byte tag each), so that every chunk left verifies and holds the
/// whole bag but the last of its evidence, is "damaged": one `decryption` finding, no
/// case, no signer, no partial verdict, nothing extracted.
#[test]
fn a_bundle_whose_last_age_chunks_are_dropped_is_damaged_with_no_partial_verdict() {
    let kit = Kit::new();
    kit.dsl_identity();
    // Evidence of ~300 KiB: a bundle of six chunks, its tag files in the first.
    let big = kit.env.path("src/long recording.bin");
    std::fs::write(
        &big,
        (0..300_000u32)
            .map(|i| (i * 7 % 253) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write");
    #[rustfmt::skip]
    kit.ok(&kit.staff, &["capture", "file", "--case", kit.case.as_str(), big.to_str().unwrap()]);
    let file = kit.seal("case.evidence", &["--to", "DSL"]);
    let bytes = std::fs::read(&file).expect("read");
    // The header ends with its MAC line; then the 16-byte payload nonce; then chunks.
    let mac = bytes
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("header");
    let header_end = mac + 1 + bytes[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let body = header_end + 16;
    const SEALED_CHUNK: usize = 64 * 1024 + 16;
    let chunks = (bytes.len() - body).div_ceil(SEALED_CHUNK);
    assert!(chunks >= 5, "{chunks} chunks");
    let (code, whole, err) = kit.verify(&file, &[]);
    assert_eq!(code, 0, "the whole file verifies: {err}");
    assert!(whole.is_some());
    for kept in [chunks - 1, chunks - 2, 1] {
        let name = format!("cut-to-{kept}.evidence.age");
        let p = kit.env.path(&name);
        std::fs::write(&p, &bytes[..body + kept * SEALED_CHUNK]).expect("write");
        let (code, report, err) = kit.verify(&p, &[]);
        assert_eq!(code, 1, "{name}: {err}");
        let report = report.expect("report");
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{name}: {report:#}");
        assert_unnamed(&report, "decryption");
        for field in ["case", "facts", "signer"] {
            assert!(
                report[field].is_null(),
                "{name}: {field} was read: {report:#}"
            );
        }
        assert_eq!(report["items"], 0, "{name}: {report:#}");
        assert_eq!(
            report["sha256"],
            sha256sum(&p).as_str(),
            "the file as given"
        );
        // Opened anyway (--force): nothing of it is extracted.
        let out_dir = kit.env.path(&format!("{name}-out"));
        #[rustfmt::skip]
        let out = kit.run(&kit.dsl, &["open", p.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--force"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let got: Vec<_> = tree(&out_dir).into_iter().collect();
        assert_eq!(got, vec![out_dir.join("VERIFICATION-FAILED.txt")]);
        // Its form is a failed one, with no case of it read.
        let pdf = kit.env.path(&format!("{name}.pdf"));
        #[rustfmt::skip]
        let out = kit.run(&kit.dsl, &["form", "--bundle", p.to_str().unwrap(), "--trust", kit.staff_pub.to_str().unwrap(), "--out", pdf.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
        if let Ok(text) = text {
            assert!(text.contains("VERIFICATION FAILED"), "{text}");
            assert!(
                !text.contains("Posts about me"),
                "the case was read: {text}"
            );
        }
    }
}

#[test]
fn an_enormous_manifest_is_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let bad = build(
        &kit,
        &sealed,
        "huge.evidence",
        "line = b'0' * 64 + b'  data/'\nbody = b''.join(line + b'%08d\\n' % i for i in range(17 * 1024 * 1024 // 80 + 1000))\nassert len(body) > 16 << 20\nwrite(A[1], replace(load(A[0]), 'manifest-sha256.txt', body))",
    );
    let (report, _) = hostile(&kit, &bad);
    let report = report.expect("report");
    assert_finding(&report, "malformed", "manifest-sha256.txt");
    assert!(
        finding(&report, "malformed", "manifest-sha256.txt")["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB")
    );

    // Deflated, a 160 MiB manifest is a 9 MB file (18:1, under the zip-bomb ratio):
    // it is refused without being read into memory.
    let deflated = build(
        &kit,
        &sealed,
        "huge-deflated.evidence",
        r#"
import os
rnd = os.urandom(1 << 20).hex().encode()
body = b''.join(rnd[k * 2 % len(rnd):k * 2 % len(rnd) + 2] + b'0' * 62 + b'  data/%08d\n' % k
                for k in range((160 << 20) // 80))
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        if zi.filename == 'manifest-sha256.txt':
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = body
        z.writestr(zi, data)
"#,
    );
    assert!(std::fs::metadata(&deflated).unwrap().len() < 16 << 20);
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            deflated.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "malformed", "manifest-sha256.txt");
    assert!(peak_kib < 64 * 1024, "peak {peak_kib} KiB");
}

#[test]
fn an_enormous_block_list_is_not_read_into_memory() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    // An altered evidence file makes verify look up where it changed, in
    // blocks-sha256.txt; here that file is 160 MiB deflated to ~9 MB.
    let bad = build(
        &kit,
        &sealed,
        "huge-blocks.evidence",
        &format!(
            r#"
import os
rnd = os.urandom(1 << 20).hex().encode()
body = b''.join(rnd[k * 2 % len(rnd):k * 2 % len(rnd) + 2] + b'0' * 78 for k in range((160 << 20) // 80))
with zipfile.ZipFile(A[1], 'w') as z:
    for zi, data in load(A[0]):
        if zi.filename == {blocks:?}:
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = body
        if zi.filename == {target:?}:
            data = b'changed' + data[7:]
        z.writestr(zi, data)
"#,
            blocks = bundle::BLOCKS,
            target = payload(0)
        ),
    );
    let (out, peak_kib) = timed(
        &kit,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_finding(&report, "altered", &payload(0));
    assert_finding(&report, "altered", bundle::BLOCKS);
    assert!(peak_kib < 64 * 1024, "peak {peak_kib} KiB");
}

#[test]
fn malformed_manifest_lines_are_refused() {
    let kit = Kit::new();
    let sealed = kit.seal("case.evidence", &[]);
    let h = "ab".repeat(32);
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "bom",
            "manifest-sha256.txt",
            format!("\u{feff}{h}  data/001-x\n"),
            "BOM",
        ),
        (
            "cr",
            "manifest-sha256.txt",
            format!("{h}  data/001-x\r{h}  data/002-y\r"),
            "lone CR",
        ),
        (
            "hex",
            "manifest-sha256.txt",
            format!("{}zz  data/001-x\n", &h[..62]),
            "64 hexadecimal",
        ),
        (
            "short",
            "manifest-sha256.txt",
            format!("{}  data/001-x\n", &h[..60]),
            "64 hexadecimal",
        ),
        (
            "sep",
            "manifest-sha256.txt",
            format!("{h}data/001-x\n"),
            "no space",
        ),
        (
            "dup",
            "manifest-sha256.txt",
            format!("{h}  data/001-x\n{}  data/001-x\n", "cd".repeat(32)),
            "listed twice",
        ),
        (
            "escape",
            "manifest-sha256.txt",
            format!("{h}  data/%41\n"),
            "escapes",
        ),
        (
            "outside",
            "manifest-sha256.txt",
            format!("{h}  other/001-x\n"),
            "not under data/",
        ),
        (
            "tagdata",
            bundle::TAGMANIFEST,
            format!("{h}  data/001-x\n"),
            "lists a payload file",
        ),
        (
            "oxum",
            "bag-info.txt",
            "Payload-Oxum: 1.1\nPayload-Oxum: 2.2\n".to_string(),
            "more than once",
        ),
    ];
    for (tag, target, body, says) in cases {
        let body_file = kit.env.file(&format!("{tag}.body"), body.as_bytes());
        let dst = kit.env.path(&format!("{tag}.evidence"));
        py(
            &format!("write(A[1], replace(load(A[0]), {target:?}, open(A[2], 'rb').read()))"),
            &[&sealed, &dst, &body_file],
        );
        let (report, _) = hostile(&kit, &dst);
        let report = report.expect("report");
        let f = finding(&report, "malformed", target);
        assert!(
            f["message"].as_str().unwrap().contains(says),
            "{tag}: {f:#}"
        );
    }
}

// ---------------------------------------------------------------------------------
// 5. open: extracts read-only copies of an intact bundle; refuses a failed one.
// ---------------------------------------------------------------------------------

#[test]
fn open_extracts_an_intact_bundle_read_only() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let out_dir = kit.env.path("opened");
    let stdout = kit.ok(
        &kit.dsl,
        &[
            "open",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    assert!(stdout.contains("INTACT"), "{stdout}");
    for (i, original) in kit.originals.iter().enumerate() {
        let p = out_dir.join(payload(i));
        assert_eq!(sha256sum(&p), sha256sum(original), "{p:?}");
        let mode = std::fs::metadata(&p).unwrap().permissions();
        assert!(mode.readonly(), "{p:?} is writable");
    }
    assert!(!out_dir.join("VERIFICATION-FAILED.txt").exists());
    // The extracted folder is a valid bag by itself.
    assert_tool_ok(&bagit_validate(&out_dir), "bagit.py on the opened folder");
    // A second open into the same (now full) folder is refused.
    let out = kit.run(
        &kit.dsl,
        &[
            "open",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "not empty");
}

#[test]
fn open_refuses_a_failed_bundle_unless_forced() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("bad.evidence");
    flip_in_entry(&file, &bad, &payload(1), None, 3);
    let out_dir = kit.env.path("opened");
    let args = |force: bool| {
        let mut a = vec![
            "open".to_string(),
            bad.display().to_string(),
            "--out".into(),
            out_dir.display().to_string(),
            "--trust".into(),
            kit.staff_pub.display().to_string(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let a = args(false);
    let out = kit.run(&kit.dsl, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(!out_dir.exists() || tree(&out_dir).is_empty());

    let a = args(true);
    let out = kit.run(&kit.dsl, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let failed = std::fs::read_to_string(out_dir.join("VERIFICATION-FAILED.txt")).expect("marker");
    assert!(failed.starts_with("VERIFICATION FAILED"), "{failed}");
    assert!(failed.contains("altered"), "{failed}");
    assert!(failed.contains(&payload(1)), "{failed}");
    // The untouched items are still byte-identical.
    assert_eq!(
        sha256sum(&out_dir.join(payload(0))),
        sha256sum(&kit.originals[0])
    );
}

// ---------------------------------------------------------------------------------
// 6. Keys.
// ---------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------
// 4. Properties, through the library (fast).
// ---------------------------------------------------------------------------------

/// A sealed bundle made through the library.
struct LibBundle {
    dir: tempfile::TempDir,
    path: PathBuf,
    opts: Options,
}

/// A signing key (no passphrase) for "A. Teacher" in `dir/cfg`: (its public key, the key).
fn staff_key(dir: &Path) -> (PublicKey, evidence_kit::keys::SigningKey) {
    let keys = KeyDir::at(dir.join("cfg"));
    let trusted = keys
        .new_signing_key("A. Teacher", None, false)
        .expect("key");
    (trusted, keys.signing_key(None, None).expect("open key"))
}

fn lib_bundle(files: &[(String, Vec<u8>)], encrypt: bool) -> LibBundle {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let case = store
        .create_case("Posts about me", "A. Teacher")
        .expect("case");
    for (i, (name, bytes)) in files.iter().enumerate() {
        let d = dir.path().join("src").join(i.to_string());
        std::fs::create_dir_all(&d).expect("mkdir");
        let p = d.join(name);
        std::fs::write(&p, bytes).expect("write");
        capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    }
    let (trusted, key) = staff_key(dir.path());
    let (to, identity) = if encrypt {
        let dsl = KeyDir::at(dir.path().join("dsl"));
        let r: RecipientInfo = dsl
            .new_identity("Mrs D. Lead", None, false)
            .expect("identity");
        (vec![r], Some(dsl.identity_path(None)))
    } else {
        (Vec::new(), None)
    };
    let sealed = bundle::seal(
        &store,
        &key,
        &SealRequest {
            case_id: case.id.clone(),
            out: Some(dir.path().join("case.evidence")),
            to,
            organization: bundle::DEFAULT_ORGANIZATION.into(),
        },
        &mut |_, _| {},
    )
    .expect("seal");
    LibBundle {
        path: sealed.path,
        dir,
        opts: Options {
            identity,
            trusted: vec![trusted],
            ..Options::default()
        },
    }
}

/// Each entry of a plain bundle: (name, header start, data start, data end).
type Layout = Vec<(String, u64, u64, u64)>;

fn layout(path: &Path) -> Layout {
    let bytes = std::fs::read(path).expect("read");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut out = Vec::new();
    for i in 0..z.len() {
        let f = z.by_index_raw(i).expect("entry");
        let h = f.header_start() as usize;
        let n = u16::from_le_bytes([bytes[h + 26], bytes[h + 27]]) as u64;
        let x = u16::from_le_bytes([bytes[h + 28], bytes[h + 29]]) as u64;
        let d = h as u64 + 30 + n + x;
        out.push((
            String::from_utf8_lossy(f.name_raw()).into_owned(),
            h as u64,
            d,
            d + f.compressed_size(),
        ));
    }
    out
}

fn kinds(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| format!("{}:{}", f.kind, f.file.as_deref().unwrap_or("-")))
        .collect()
}

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
fn an_altered_object_in_the_store_is_never_sealed() {
    let kit = Kit::new();
    // Alter one stored object (several items, so the readers ahead are mid-stream).
    let items: Vec<Value> =
        serde_json::from_str(&kit.ok(&kit.staff, &["items", "--case", &kit.case, "--json"]))
            .unwrap();
    let sha = items[1]["sha256"].as_str().unwrap().to_string();
    let object = kit
        .env
        .store()
        .join("objects/sha256")
        .join(&sha[..2])
        .join(&sha[2..]);
    Command::new("chmod")
        .arg("600")
        .arg(&object)
        .status()
        .unwrap();
    let mut bytes = std::fs::read(&object).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&object, bytes).unwrap();

    let out_file = kit.env.path("never.evidence");
    let out = kit.run(
        &kit.staff,
        &[
            "seal",
            "--case",
            &kit.case,
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert_refused(&out, "no longer matches the SHA-256 recorded");
    assert!(!out_file.exists());
    assert!(
        !kit.env.path("never.evidence.partial").exists(),
        "partial removed"
    );
    let log = kit.ok(&kit.staff, &["log", "--case", &kit.case, "--json"]);
    assert!(!log.contains("\"sealed\""), "no sealed entry");
}

/// Seal reads the case twice (to hash its tag files, then to write them): another
/// process editing notes and capturing meanwhile must not make the two differ. Seal
/// reads inside one snapshot, so every bundle verifies and holds the case as it was.
/// Sealing in this process while another process (the CLI, a new one for each
/// change) edits items and captures files into the same store: each bundle is intact,
/// whatever the other process committed while it was being sealed.
#[test]
fn sealing_while_another_process_edits_and_captures_gives_intact_bundles() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("store");
    let store = Store::open(&root).expect("store");
    let case = store
        .create_case("Posts about me", "A. Teacher")
        .expect("case");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..300 {
        let p = src.join(format!("post-{i}.txt"));
        std::fs::write(&p, format!("post {i}")).expect("write");
        capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    }
    let (trusted, key) = staff_key(dir.path());
    let opts = Options {
        identity: None,
        trusted: vec![trusted],
        ..Options::default()
    };
    let stop = AtomicBool::new(false);
    // How many custody entries another process committed while a seal ran: those
    // after the last one the bundle holds (its snapshot) and before its own `sealed`.
    let index = rusqlite::Connection::open(root.join("evidence.sqlite")).expect("index");
    let landed = |bundle: &Path, sha256: &str| -> i64 {
        let mut z = zip::ZipArchive::new(std::fs::File::open(bundle).unwrap()).unwrap();
        let mut log = String::new();
        std::io::Read::read_to_string(&mut z.by_name("custody.jsonl").unwrap(), &mut log).unwrap();
        let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
        let sealed: i64 = index
            .query_row(
                "SELECT seq FROM custody WHERE action = 'sealed'
                    AND json_extract(details, '$.sha256') = ?1",
                [sha256],
                |r| r.get(0),
            )
            .unwrap();
        sealed - last["seq"].as_i64().unwrap() - 1
    };
    let during = std::thread::scope(|s| {
        let editor = s.spawn(|| {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let id = (1 + n % 300).to_string();
                let note = format!("edit {n}");
                let mut out = ek_on(
                    &root,
                    &["edit", "--item", &id, "--field", "note", "--value", &note],
                );
                if out.status.success() && n.is_multiple_of(10) {
                    let p = src.join(format!("late-{n}.txt"));
                    std::fs::write(&p, format!("late {n}")).expect("write");
                    out = ek_on(
                        &root,
                        &["capture", "file", "--case", &case.id, p.to_str().unwrap()],
                    );
                }
                if !out.status.success() {
                    stop.store(true, Ordering::Relaxed);
                    panic!("the other process failed: {}", stderr(&out));
                }
                n += 1;
            }
        });
        // A seal is quick beside a process start: seal again until six of the other
        // process's commits landed while a seal ran (or give up after 100 rounds).
        let mut during = 0i64;
        for round in 0..100 {
            if during >= 6 {
                break;
            }
            let out = dir.path().join(format!("round-{round}.evidence"));
            let sealed = bundle::seal(
                &store,
                &key,
                &SealRequest {
                    case_id: case.id.clone(),
                    out: Some(out.clone()),
                    to: Vec::new(),
                    organization: bundle::DEFAULT_ORGANIZATION.into(),
                },
                &mut |_, _| {},
            );
            let sealed = match sealed {
                Ok(s) => s,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    panic!("round {round}: seal failed: {e}");
                }
            };
            let report = verify::verify(&out, &opts).expect("verify");
            if !report.intact() {
                stop.store(true, Ordering::Relaxed);
            }
            assert!(report.intact(), "round {round}: {:#?}", report.findings);
            assert!(sealed.items >= 300);
            during += landed(&out, &sealed.sha256);
        }
        stop.store(true, Ordering::Relaxed);
        editor.join().expect("editor");
        during
    });
    assert!(
        during >= 6,
        "the other process committed only {during} change(s) while a seal ran"
    );
    drop(store);
    let (code, report) = {
        let out = ek_on(&root, &["check", "--json"]);
        let r: Value = serde_json::from_slice(&out.stdout).expect("check json");
        (out.status.code(), r)
    };
    assert_eq!(code, Some(0), "{report:#}");
}

// ---------------------------------------------------------------------------------
// What outside checks found (issue 12): seal never makes a bundle verify refuses, the
// verdict names the signer as trusted, a forged key cannot shadow a trusted one.
// ---------------------------------------------------------------------------------

#[test]
fn long_odd_and_many_names_seal_to_bundles_that_verify() {
    // The 80-character cut used to leave a trailing dot ("aaa…a." from 79 a's and
    // ".txt"), a name verify refuses as unsafe.
    let names = [
        format!("{}.txt", "a".repeat(79)),
        format!("{}.txt", "b".repeat(78)),
        format!("{}-.txt", "c".repeat(79)),
        "x.".repeat(60),
        "--dash--.txt".to_string(),
        "caf\u{e9} r\u{e9}sum\u{e9}.txt".to_string(),
        "\u{65e5}\u{672c}\u{8a9e}".to_string(),
        "\u{1f600} smile.txt".to_string(),
        format!("{}.{}", "d".repeat(200), "e".repeat(50)),
        ".hidden.".to_string(),
        "x.".to_string(),
    ];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), format!("file {i}\n").into_bytes()))
        .collect();
    let b = lib_bundle(&files, false);
    let r = verify::verify(&b.path, &b.opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    for (path, ..) in layout(&b.path) {
        assert!(
            !path.ends_with('.') && !path.ends_with('-'),
            "{path} ends with a dot or dash"
        );
        assert!(path.chars().count() <= 5 + 4 + 80, "{path}");
    }
}

#[test]
fn a_case_over_the_entry_limit_is_refused_before_anything_is_written() {
    let kit = Kit::new();
    let out = kit.env.path("big.evidence");
    let seal = |limit: &str| {
        kit.run_env(
            &kit.staff,
            &["seal", "--case", &kit.case, "--out", out.to_str().unwrap()],
            &[("EVIDENCE_KIT_TEST_MAX_ENTRIES", limit)],
        )
    };
    // 4 items and 9 tag files: 13 entries. A limit of 12 refuses, with nothing written.
    let before = kit.run(&kit.staff, &["log", "--case", &kit.case]);
    let refused = seal("12");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("more than the 3"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(kit.env.path(""))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let after = kit.run(&kit.staff, &["log", "--case", &kit.case]);
    assert_eq!(
        before.stdout, after.stdout,
        "a refused seal records nothing"
    );
    // At the limit it seals, and the verifier (with the same limit) accepts it.
    let sealed = seal("13");
    assert!(sealed.status.success(), "{}", stderr(&sealed));
    let (code, report, err) = {
        let o = kit.run_env(
            &kit.dsl,
            &[
                "verify",
                out.to_str().unwrap(),
                "--trust",
                kit.staff_pub.to_str().unwrap(),
                "--json",
            ],
            &[("EVIDENCE_KIT_TEST_MAX_ENTRIES", "13")],
        );
        (
            o.status.code(),
            serde_json::from_slice::<Value>(&o.stdout).ok(),
            stderr(&o),
        )
    };
    assert_eq!(code, Some(0), "{report:#?} {err}");
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

#[test]
fn a_damaged_age_header_is_one_sentence_without_age_s_upgrade_advice() {
    let kit = Kit::new();
    let identity = kit.dsl_identity();
    assert!(identity.starts_with("age1"));
    for (name, bytes) in [
        (
            "unknown.evidence.age",
            &b"age-encryption.org/v1\n-> X25519 abc\nxyz\n--- aaaa\nzzzz"[..],
        ),
        ("stanza.evidence.age", b"age-encryption.org/v1\n-> \n--- \n"),
    ] {
        let file = kit.env.file(name, bytes);
        let (code, _, err) = kit.verify(&file, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(!err.to_lowercase().contains("upgrad"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    }
}

#[test]
fn a_thousand_items_are_numbered_four_digits_wide_and_verify() {
    let files: Vec<(String, Vec<u8>)> = (0..1000)
        .map(|i| (format!("note {i}.txt"), format!("{i}\n").into_bytes()))
        .collect();
    let b = lib_bundle(&files, false);
    let r = verify::verify(&b.path, &b.opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    let names: Vec<String> = layout(&b.path).into_iter().map(|(n, ..)| n).collect();
    assert!(
        names.contains(&"data/0001-note-0.txt".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"data/1000-note-999.txt".to_string()));
}

/// Rewrite a bundle canonically (as seal lays a zip out, with the seal's DOS time) with
/// `edit` applied to each entry's bytes: what anyone can do without a key.
fn rewrite_canonical(src: &Path, dst: &Path, edit: &dyn Fn(&str, Vec<u8>) -> Vec<u8>) {
    use std::io::Read;
    let bytes = std::fs::read(src).expect("read");
    let dos = (
        u16::from_le_bytes([bytes[10], bytes[11]]),
        u16::from_le_bytes([bytes[12], bytes[13]]),
    );
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut w = bundle::zipfmt::Writer::new(Vec::new(), dos);
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let name = String::from_utf8(f.name_raw().to_vec()).expect("utf-8 name");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("entry bytes");
        w.add_bytes(&name, &edit(&name, data)).expect("add");
    }
    std::fs::write(dst, w.finish().expect("finish")).expect("write");
}

#[test]
fn white_space_around_the_trusted_comment_is_named_though_minisign_ignores_it() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    // Unchanged, rewritten: still intact (the rewrite itself is faithful).
    let same = kit.env.path("same.evidence");
    rewrite_canonical(&file, &same, &|_, d| d);
    assert_eq!(std::fs::read(&same).unwrap(), std::fs::read(&file).unwrap());
    for (name, edit) in [
        ("trailing.evidence", " \n"),
        ("leading.evidence", "\ttrusted comment:  "),
    ] {
        let bad = kit.env.path(name);
        rewrite_canonical(&file, &bad, &|n, d| {
            if n != bundle::SIGNATURE {
                return d;
            }
            let text = String::from_utf8(d).unwrap();
            let out = match edit {
                " \n" => {
                    let mut lines: Vec<&str> = text.lines().collect();
                    let padded = format!("{} ", lines[2]);
                    lines[2] = &padded;
                    lines.join("\n") + "\n"
                }
                _ => text.replacen("trusted comment: ", "trusted comment:  ", 1),
            };
            out.into_bytes()
        });
        let report = kit.findings(&bad);
        assert_finding(&report, "signature", bundle::SIGNATURE);
    }
}

#[test]
fn no_byte_of_the_signature_file_can_change_even_with_the_zip_rebuilt() {
    // The signature file is covered by no manifest: what binds it is its canonical
    // text. Every change to any of its bytes (a flip, a space, a line break, a removed
    // or added byte), with the zip rebuilt canonically around it (no key needed), is
    // named.
    let b = lib_bundle(&[("a.txt".to_string(), b"evidence\n".to_vec())], false);
    let dir = b.dir.path();
    let sig = {
        let bytes = std::fs::read(&b.path).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(bundle::SIGNATURE).unwrap();
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut v).unwrap();
        v
    };
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for i in 0..sig.len() {
        for v in [sig[i] ^ 0x01, b' ', b'\r'] {
            if v != sig[i] {
                let mut s = sig.clone();
                s[i] = v;
                variants.push(s);
            }
        }
        let mut cut = sig.clone();
        cut.remove(i);
        variants.push(cut);
        let mut more = sig.clone();
        more.insert(i, b' ');
        variants.push(more);
    }
    let mut longer = sig.clone();
    longer.extend_from_slice(b"\n");
    variants.push(longer);
    let out = dir.join("variant.evidence");
    for (k, s) in variants.iter().enumerate() {
        rewrite_canonical(&b.path, &out, &|n, d| {
            if n == bundle::SIGNATURE { s.clone() } else { d }
        });
        let r = verify::verify(&out, &b.opts).expect("verify");
        assert!(
            !r.intact(),
            "variant {k} of the signature file was accepted: {:?}",
            String::from_utf8_lossy(s)
        );
    }
    assert!(variants.len() > 1000, "{}", variants.len());
}

/// The whole entry limit, for `make test-long` (minutes): a case of exactly as many
/// items as a bundle holds seals and verifies intact; one more is refused before
/// anything is written.
#[test]
#[ignore = "long: 99,992 captures; run by make test-long"]
fn the_entry_limit_in_full_seals_the_largest_case_and_refuses_one_more() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let case = store.create_case("Many posts", "A. Teacher").expect("case");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let max = bundle::max_items();
    assert_eq!(max, 99_991);
    let mut done = 0;
    while done < max {
        let batch: Vec<PathBuf> = (done..(done + 5_000).min(max))
            .map(|i| {
                let p = src.join(format!("post {i}.txt"));
                std::fs::write(&p, format!("post {i}\n")).expect("write");
                p
            })
            .collect();
        capture::files(
            &store,
            &case.id,
            &batch,
            &Details::default(),
            &mut |_, _, _| {},
        )
        .expect("capture");
        for p in &batch {
            std::fs::remove_file(p).expect("remove");
        }
        done += batch.len();
    }
    let (trusted, key) = staff_key(dir.path());
    let req = |out: &str| SealRequest {
        case_id: case.id.clone(),
        out: Some(dir.path().join(out)),
        to: Vec::new(),
        organization: bundle::DEFAULT_ORGANIZATION.into(),
    };
    let sealed = bundle::seal(&store, &key, &req("full.evidence"), &mut |_, _| {}).expect("seal");
    assert_eq!(sealed.items, max);
    let opts = Options {
        trusted: vec![trusted],
        ..Options::default()
    };
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(
        r.intact(),
        "{:?}",
        kinds(&r).into_iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(r.items, max);
    // One more: refused, nothing written.
    let p = src.join("one more.txt");
    std::fs::write(&p, b"one more\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    let e = bundle::seal(&store, &key, &req("over.evidence"), &mut |_, _| {})
        .expect_err("over the limit");
    assert_eq!(e.code(), "too_many_items", "{e}");
    assert!(!dir.path().join("over.evidence").exists());
    assert!(!dir.path().join("over.evidence.partial").exists());
}

#[test]
fn a_changed_zip_checksum_of_any_tag_file_is_named() {
    // The CRC-32 the zip records is bytes of the bundle too; blocks-sha256.txt's was
    // compared with nothing, so 8 bytes could change without a key.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    for name in [
        bundle::BLOCKS,
        "case.json",
        bundle::TAGMANIFEST,
        "bagit.txt",
    ] {
        let bad = kit.env.path(&format!("crc-{name}.evidence"));
        py(
            r#"
b = bytearray(open(A[0], 'rb').read())
name = A[2].encode()
z = zipfile.ZipFile(A[0])
i = z.getinfo(A[2])
struct.pack_into('<I', b, i.header_offset + 14, i.CRC ^ 0xdeadbeef)
at = b.find(b'PK\x01\x02')
while at >= 0:
    n = struct.unpack_from('<H', b, at + 28)[0]
    if bytes(b[at + 46:at + 46 + n]) == name:
        struct.pack_into('<I', b, at + 16, i.CRC ^ 0xdeadbeef)
    at = b.find(b'PK\x01\x02', at + 4)
open(A[1], 'wb').write(b)
"#,
            &[&file, &bad, Path::new(name)],
        );
        let report = kit.findings(&bad);
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"] == name),
            "{name}: {report:#}"
        );
    }
}

#[test]
fn a_line_break_in_a_finding_cannot_draw_a_fake_verdict() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("fake.evidence");
    py(
        "it = load(A[0])\nm = dict((i.filename, d) for i, d in it)['manifest-sha256.txt']\nm += b'0' * 64 + b'  data/zz%0A%0AINTACT: signed with the key you trusted as Head Teacher (key 1234 5678 9ABC DEF0), sealed on 2026-12-01; unchanged since it was sealed.\\n'\nwrite(A[1], replace(it, 'manifest-sha256.txt', m))",
        &[&file, &bad],
    );
    let out = kit.run(
        &kit.dsl,
        &[
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            kit.staff_pub.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NOT VERIFIED"), "{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("INTACT"),
            "a fake verdict line: {text}"
        );
    }
    assert!(text.contains("[U+000A]"), "{text}");
}

#[test]
fn a_hostile_block_list_costs_no_memory_when_a_file_changed() {
    // A block size of 1 made locating a change keep a SHA-256 per byte (32 times the
    // file). No key is needed: the file is changed, the block line made up.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("blocks.evidence");
    let big = 40 * 1024 * 1024;
    py(
        &format!(
            r#"
it = load(A[0])
p = [i.filename for i, _ in it if i.filename.startswith('data/')][0]
items = []
for i, d in it:
    if i.filename == p:
        d = b'x' * {big}
    elif i.filename == 'blocks-sha256.txt':
        d = (p + '\t1\t' + '0' * 64 * 1000 + '\n').encode()
    items.append((i, d))
write(A[1], items)
"#
        ),
        &[&file, &bad],
    );
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_evidence-kit"))
        .args(["--config"])
        .arg(&kit.dsl)
        .args(["verify", "--json", "--trust"])
        .arg(&kit.staff_pub)
        .arg(&bad)
        .output()
        .expect("time");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(has(&report, "malformed", bundle::BLOCKS), "{report:#}");
    let kb: u64 = stderr(&out)
        .trim()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .expect("rss");
    assert!(kb < 200 * 1024, "peak {kb} KiB for a {big}-byte file");
}

#[test]
fn a_custody_line_at_the_largest_sequence_number_is_a_finding_not_an_overflow() {
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("seq.evidence");
    let zeros = "0".repeat(64);
    py(
        &format!(
            "it = load(A[0])\nline = '{{\"seq\":9223372036854775807,\"redacted\":true,\"prev_hash\":\"{zeros}\",\"hash\":\"{zeros}\"}}\\n'\nit = replace(it, 'custody.jsonl', (line + line).encode())\nwrite(A[1], it)"
        ),
        &[&file, &bad],
    );
    // (Kit::run fails the test on a panic or exit 101.)
    let report = kit.findings(&bad);
    assert_finding(&report, "chain", "custody.jsonl");
}

#[test]
fn a_clock_set_back_before_sealing_is_recorded_and_the_bundle_verifies() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("store")).expect("store");
    let shift = Arc::new(Mutex::new(0i64));
    let s2 = shift.clone();
    store.set_clock(Arc::new(move || {
        let t = chrono::Utc::now() - chrono::Duration::seconds(*s2.lock().unwrap());
        evidence_kit::clock::Stamp {
            utc: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            local: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            zone: "UTC".into(),
        }
    }));
    let case = store.create_case("Posts", "A. Teacher").expect("case");
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"a post\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    // The clock goes back an hour before sealing, with nothing written in between.
    *shift.lock().unwrap() = 3600;
    let (trusted, key) = staff_key(dir.path());
    let seal = |store: &Store, case_id: &str, name: &str| {
        let req = SealRequest {
            case_id: case_id.to_string(),
            out: Some(dir.path().join(name)),
            to: Vec::new(),
            organization: bundle::DEFAULT_ORGANIZATION.into(),
        };
        bundle::seal(store, &key, &req, &mut |_, _| {}).expect("seal")
    };
    let sealed = seal(&store, &case.id, "b.evidence");
    let opts = Options {
        trusted: vec![trusted],
        ..Options::default()
    };
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
    assert!(
        r.notes.iter().any(|n| n.contains("clock was set back")),
        "{:?}",
        r.notes
    );
    let log = store.custody(None).expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "clock_set_back" && e.clock_anomaly)
    );

    // Again, but the entry that went back is another record's (redacted in this
    // bundle), and the seal comes after it: seal's record still explains the times.
    let case2 = store.create_case("Posts 2", "A. Teacher").expect("case");
    let q = dir.path().join("b.txt");
    std::fs::write(&q, b"another post\n").expect("write");
    *shift.lock().unwrap() = 0;
    capture::file(&store, &case2.id, &q, &Details::default()).expect("capture");
    *shift.lock().unwrap() = 1800;
    store
        .create_case("Something else", "A. Teacher")
        .expect("other case");
    let sealed = seal(&store, &case2.id, "c.evidence");
    let r = verify::verify(&sealed.path, &opts).expect("verify");
    assert!(r.intact(), "{:?}", kinds(&r));
}

#[test]
fn custody_details_beyond_what_a_bundle_may_hold_are_refused_before_they_are_replayed() {
    // Parsed, a record's JSON text can grow many times over: the replay keeps bounded.
    let kit = Kit::new();
    let file = kit.seal("case.evidence", &[]);
    let bad = kit.env.path("big-details.evidence");
    py(
        r#"
it = load(A[0])
lines = dict((i.filename, d) for i, d in it)['custody.jsonl'].decode().splitlines()
e = json.loads(lines[0])
e['details'] = json.dumps({'x': [0] * (3 * 1024 * 1024)}, separators=(',', ':'))
lines[0] = json.dumps(e, separators=(',', ':'), ensure_ascii=False)
write(A[1], replace(it, 'custody.jsonl', ('\n'.join(lines) + '\n').encode()))
"#,
        &[&file, &bad],
    );
    let report = kit.findings(&bad);
    let f = finding(&report, "malformed", "custody.jsonl");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("past what a bundle may hold"),
        "{f:#}"
    );
}

#[test]
fn a_tag_file_larger_than_the_verifier_reads_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let case = store.create_case("Posts", "A. Teacher").expect("case");
    let p = dir.path().join("a.txt");
    std::fs::write(&p, b"a post\n").expect("write");
    capture::file(&store, &case.id, &p, &Details::default()).expect("capture");
    let (_, key) = staff_key(dir.path());
    let out = dir.path().join("b.evidence");
    let e = bundle::seal(
        &store,
        &key,
        &SealRequest {
            case_id: case.id.clone(),
            out: Some(out.clone()),
            to: Vec::new(),
            // bag-info.txt past the 1 MiB the verifier reads.
            organization: "School ".repeat(200_000),
        },
        &mut |_, _| {},
    )
    .expect_err("too large");
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("bag-info.txt"), "{e}");
    assert!(!out.exists());
    let log = store.custody(Some(&case.id)).expect("log");
    assert!(log.iter().all(|e| e.action != "sealed"));
}
