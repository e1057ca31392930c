//! `open` extracts read-only copies of an intact bundle and refuses a failed one; an
//! encrypted bundle leaves no plain copy on disk, sealed or checked (watched by strace).

use super::fixture::*;
use crate::util::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    let name = "bundle::open::sealing_to_a_designated_person_writes_no_plain_copy_on_the_way";
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
    let name =
        "bundle::open::headline_nothing_decrypted_is_written_when_an_encrypted_bundle_is_checked";
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
