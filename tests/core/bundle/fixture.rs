//! What the bundle tests share: the CLI fixture (a staff member with a key, a case with
//! several items, a designated person), readers of findings, the Python builders of
//! tampered and hostile zips, the stock-tool runners, the hostile-bundle harness and a
//! bundle sealed through the library.

use crate::util::*;
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Details};
use evidence_kit::keys::{KeyDir, PublicKey, RecipientInfo};
use evidence_kit::store::Store;
use evidence_kit::verify::{Options, Report};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The evidence every CLI test seals: an image, a text, an e-mail, an odd name.
pub fn evidence() -> Vec<(&'static str, Vec<u8>)> {
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
pub fn payload(i: usize) -> String {
    bundle::payload_name(i, 3, evidence()[i].0)
}

pub struct Kit {
    pub env: Env,
    /// The staff member's keys folder.
    pub staff: PathBuf,
    /// The designated person's keys folder (trusts nothing by itself).
    pub dsl: PathBuf,
    /// The staff member's exported public key.
    pub staff_pub: PathBuf,
    pub case: String,
    /// The captured files, in item order.
    pub originals: Vec<PathBuf>,
}

impl Kit {
    /// Keys (no passphrase: scrypt is slow in debug builds; the passphrase path has
    /// its own test), a case and the [`evidence`] captured.
    pub fn new() -> Kit {
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
    pub fn run(&self, config: &Path, args: &[&str]) -> Output {
        self.run_env(config, args, &[])
    }

    pub fn run_env(&self, config: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
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
    pub fn run_traced(&self, trace: &Path, config: &Path, args: &[&str]) -> Option<Output> {
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
    pub fn command(&self, mut c: Command, config: &Path, args: &[&str]) -> Command {
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
    pub fn finished(&self, out: Output) -> Output {
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

    pub fn ok(&self, config: &Path, args: &[&str]) -> String {
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
    pub fn seal(&self, name: &str, extra: &[&str]) -> PathBuf {
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
    pub fn dsl_identity(&self) -> String {
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
    pub fn verify(&self, file: &Path, extra: &[&str]) -> (i32, Option<Value>, String) {
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
    pub fn findings(&self, file: &Path) -> Value {
        let (code, report, err) = self.verify(file, &[]);
        let report = report.unwrap_or_else(|| panic!("no JSON report: {err}"));
        assert_eq!(code, 1, "exit 1 expected: {report:#}");
        assert!(!report["findings"].as_array().unwrap().is_empty());
        report
    }
}

/// Whether `report` has a finding of `kind` about `file`.
pub fn has(report: &Value, kind: &str, file: &str) -> bool {
    report["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["kind"] == kind && f["file"] == file))
}

#[track_caller]
pub fn assert_finding(report: &Value, kind: &str, file: &str) {
    assert!(
        has(report, kind, file),
        "expected a {kind} finding about {file}: {:#}",
        report["findings"]
    );
}

/// A finding of `kind` about no particular file (the whole bundle).
#[track_caller]
pub fn assert_unnamed(report: &Value, kind: &str) {
    assert!(
        report["findings"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["kind"] == kind && f["file"].is_null())),
        "expected a {kind} finding: {:#}",
        report["findings"]
    );
}

pub fn finding<'a>(report: &'a Value, kind: &str, file: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["kind"] == kind && f["file"] == file))
        .unwrap_or_else(|| panic!("no {kind} finding about {file}: {report:#}"))
}

// ---------------------------------------------------------------------------------
// Python (zipfile, struct) builds the tampered and hostile zips: a second,
// independent reader and writer of the format.
// ---------------------------------------------------------------------------------

pub const PY_PRELUDE: &str = r#"
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
pub fn py(code: &str, args: &[&Path]) -> String {
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
pub fn py_layout(zip: &Path) -> BTreeMap<String, (u64, u64)> {
    let v: BTreeMap<String, (u64, u64)> =
        serde_json::from_str(&py("print(json.dumps(layout(A[0])))", &[zip])).expect("json");
    v
}

/// Copy `src` to `dst` with the byte at `at` flipped.
pub fn flip(src: &Path, dst: &Path, at: u64) {
    let mut b = std::fs::read(src).expect("read");
    b[at as usize] ^= 0x01;
    std::fs::write(dst, b).expect("write");
}

/// Copy `src` to `dst`, flipping one byte of `entry`'s data: the first byte of
/// `needle` inside it (or the byte at `at` when no needle).
pub fn flip_in_entry(src: &Path, dst: &Path, entry: &str, needle: Option<&[u8]>, at: u64) -> u64 {
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

pub fn bagit_validate(dir: &Path) -> Output {
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/bagit.py"))
        .arg("--validate")
        .arg(dir)
        .output()
        .expect("bagit.py (run `make bootstrap`)")
}

/// Unzip with Python's zipfile (checks every CRC) into `dir`.
pub fn py_extract(zip: &Path, dir: &Path) {
    py(
        "z = zipfile.ZipFile(A[0]); assert z.testzip() is None; z.extractall(A[1])",
        &[zip, dir],
    );
}

pub fn tool(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

#[track_caller]
pub fn assert_tool_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

/// A second key pair in `dir`, made by `minisign -G` (x.pub, x.key; no password).
pub fn other_key(kit: &Kit, dir: &Path) {
    let out = Command::new("minisign")
        .args(["-G", "-W", "-p", "x.pub", "-s", "x.key"])
        .current_dir(dir)
        .env("HOME", kit.env.path("home"))
        .output()
        .expect("minisign -G");
    assert_tool_ok(&out, "minisign -G");
}

/// Every path under `dir` (files, folders and links, not followed).
pub fn tree(dir: &Path) -> BTreeSet<PathBuf> {
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
pub fn hostile(kit: &Kit, file: &Path) -> (Option<Value>, String) {
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
pub fn build(kit: &Kit, sealed: &Path, name: &str, code: &str) -> PathBuf {
    let dst = kit.env.path(name);
    py(code, &[sealed, &dst]);
    dst
}

/// A sealed bundle made through the library.
pub struct LibBundle {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub opts: Options,
}

/// A signing key (no passphrase) for "A. Teacher" in `dir/cfg`: (its public key, the key).
pub fn staff_key(dir: &Path) -> (PublicKey, evidence_kit::keys::SigningKey) {
    let keys = KeyDir::at(dir.join("cfg"));
    let trusted = keys
        .new_signing_key("A. Teacher", None, false)
        .expect("key");
    (trusted, keys.signing_key(None, None).expect("open key"))
}

pub fn lib_bundle(files: &[(String, Vec<u8>)], encrypt: bool) -> LibBundle {
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
            organization: None,
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
pub type Layout = Vec<(String, u64, u64, u64)>;

pub fn layout(path: &Path) -> Layout {
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

pub fn kinds(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| format!("{}:{}", f.kind, f.file.as_deref().unwrap_or("-")))
        .collect()
}
