//! Recovery paths for keys (issue 16): a forgotten passphrase makes a new signing key
//! and keeps the old one; a designated person's key is never replaced without asking;
//! a designated person can be removed. Through the CLI and the core, on real files.

use crate::util::*;
use evidence_kit::keys::{KeyDir, KeyError};
use std::path::{Path, PathBuf};

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = walk_files(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// `verify FILE [--trust KEY]`: (exit code, stdout).
fn verify(env: &Env, bundle: &Path, trust: Option<&Path>) -> (Option<i32>, String) {
    let mut args = vec!["verify", bundle.to_str().unwrap()];
    if let Some(t) = trust {
        args.extend(["--trust", t.to_str().unwrap()]);
    }
    let out = env.ek(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A designated person's `age1…` (a keys folder of their own, in `env`).
fn recipient(env: &Env, folder: &str) -> String {
    let cfg = env.path(folder);
    let out = env.ek_cfg(
        &cfg,
        &[
            "keys",
            "new-recipient",
            "--name",
            "D. Lead",
            "--no-passphrase",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn headline_a_forgotten_passphrase_makes_a_new_key_and_old_bundles_stay_valid() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    let f = env.file("a.txt", b"a message");
    env.ok(&["capture", "file", "--case", &case, f.to_str().unwrap()]);
    let old_bundle = env.seal(&cfg, &case, "old.evidence");
    let old_pub = std::fs::read(cfg.join("signing.pub")).unwrap();
    let old_key_files: Vec<_> = ["signing.key", "signing.pub", "signing.json"]
        .iter()
        .map(|n| std::fs::read(cfg.join(n)).unwrap())
        .collect();
    let kept_pub = env.file("kept.pub", &old_pub);
    let untrusted_before = verify(&env, &old_bundle, None);
    let trusted_before = verify(&env, &old_bundle, Some(&kept_pub));
    assert_eq!(trusted_before.0, Some(0), "{}", trusted_before.1);

    // Without --replace the key is never touched.
    let out = env.ek_cfg(
        &cfg,
        &["keys", "new", "--name", "A. Teacher", "--no-passphrase"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    assert_eq!(std::fs::read(cfg.join("signing.pub")).unwrap(), old_pub);

    // The CLI's path: --replace moves the old files aside, byte for byte.
    let out = env.ek_cfg(
        &cfg,
        &[
            "keys",
            "new",
            "--name",
            "A. Teacher",
            "--no-passphrase",
            "--replace",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("old key"));
    let retired = cfg.join("retired");
    let kept = files_in(&retired);
    assert_eq!(kept.len(), 3, "{kept:?}");
    let folder = kept[0].0.parent().unwrap().to_path_buf();
    let old_fp = KeyDir::at(retired.join(&folder)).public_signing_key();
    let name = folder.to_string_lossy().into_owned();
    assert_eq!(name.len(), "2026-12-01-".len() + 16, "{name}");
    assert!(
        name.ends_with(&old_fp.unwrap().fingerprint().replace(' ', "")),
        "{name}"
    );
    for (i, n) in ["signing.key", "signing.pub", "signing.json"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            std::fs::read(retired.join(&folder).join(n)).unwrap(),
            old_key_files[i]
        );
    }
    assert_ne!(std::fs::read(cfg.join("signing.pub")).unwrap(), old_pub);

    // The old bundle says what it said: untrusted without its key, intact with it.
    assert_eq!(verify(&env, &old_bundle, None), untrusted_before);
    let retired_pub = retired.join(&folder).join("signing.pub");
    let (code, text) = verify(&env, &old_bundle, Some(&retired_pub));
    let text = text.replace(retired_pub.to_str().unwrap(), kept_pub.to_str().unwrap());
    assert_eq!((code, text), trusted_before);

    // The app's path: a new passphrase, the name kept, the fingerprint returned.
    let dir = KeyDir::at(cfg.clone());
    assert!(matches!(
        dir.replace_signing_key("short"),
        Err(KeyError::WeakPassphrase { .. })
    ));
    let before = dir.public_signing_key().unwrap();
    let new = dir.replace_signing_key("a new passphrase").unwrap();
    assert_eq!(
        new.fingerprint(),
        dir.public_signing_key().unwrap().fingerprint()
    );
    assert_ne!(new.fingerprint(), before.fingerprint());
    assert_eq!(dir.signing_info().unwrap().name, "A. Teacher");
    assert!(matches!(
        dir.signing_key(None, Some("wrong one")),
        Err(KeyError::WrongPassphrase)
    ));
    assert_eq!(
        dir.signing_key(None, Some("a new passphrase"))
            .unwrap()
            .public
            .key_id,
        new.key_id
    );
    assert_eq!(files_in(&retired).len(), 6, "both old keys kept");
    // A bundle sealed with the new key verifies with the new key.
    std::fs::write(env.path("pass"), "a new passphrase").unwrap();
    let p = env.path("pass");
    let out = env.ek_cfg(
        &cfg,
        &[
            "seal",
            "--case",
            &case,
            "--out",
            env.path("new.evidence").to_str().unwrap(),
            "--passphrase-file",
            p.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let now_pub = cfg.join("signing.pub");
    assert_eq!(
        verify(&env, &env.path("new.evidence"), Some(&now_pub)).0,
        Some(0)
    );
}

#[test]
fn headline_a_designated_persons_key_is_never_replaced_without_asking() {
    let env = Env::new();
    let cfg = env.path("cfg");
    let first = recipient(&env, "dsl1");
    let second = recipient(&env, "dsl2");
    let add = |r: &str, extra: &[&str]| {
        let mut args = vec!["keys", "add-recipient", "--name", "DSL", r];
        args.extend_from_slice(extra);
        env.ek_cfg(&cfg, &args)
    };
    assert!(add(&first, &[]).status.success());
    let list = cfg.join("recipients.json");
    let before = std::fs::read(&list).unwrap();
    // The same key again: nothing changes.
    assert!(add(&first, &[]).status.success());
    assert_eq!(std::fs::read(&list).unwrap(), before);
    // Another key under the same name: refused, both fingerprints named, --replace hinted.
    let out = add(&second, &[]);
    assert_refused(&out, "--replace");
    let err = stderr(&out);
    let fp = evidence_kit::keys::recipient_fingerprint;
    assert!(
        err.contains(&fp(&first)) && err.contains(&fp(&second)),
        "{err}"
    );
    assert!(err.contains("\"DSL\""), "{err}");
    assert_eq!(std::fs::read(&list).unwrap(), before, "nothing changed");
    // The core's code, for the app to ask.
    let dir = KeyDir::at(cfg.clone());
    let e = dir.add_recipient("DSL", &second, false).unwrap_err();
    assert_eq!(e.code(), "recipient_exists");
    // Asked, and replaced: the old key kept aside.
    assert!(add(&second, &["--replace"]).status.success());
    assert_eq!(dir.resolve_recipient("DSL").unwrap().recipient, second);
    let retired = dir.retired_recipients().unwrap();
    assert_eq!(retired.len(), 1);
    assert_eq!(
        (retired[0].recipient.as_str(), retired[0].why.as_str()),
        (first.as_str(), "replaced")
    );
}

#[test]
fn headline_a_designated_person_removed_is_kept_aside_and_never_sealed_to() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let r = recipient(&env, "dsl1");
    env.ok(&[
        "--config",
        cfg.to_str().unwrap(),
        "keys",
        "add-recipient",
        "--name",
        "DSL",
        &r,
    ]);
    let case = env.case();
    let out = env.ek_cfg(&cfg, &["keys", "remove-recipient", "--name", "dsl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Removed DSL"));
    let dir = KeyDir::at(cfg.clone());
    assert!(dir.recipients().unwrap().is_empty());
    let kept = dir.retired_recipients().unwrap();
    assert_eq!(
        (
            kept[0].name.as_str(),
            kept[0].recipient.as_str(),
            kept[0].why.as_str()
        ),
        ("DSL", r.as_str(), "removed")
    );
    let out = env.ek_cfg(
        &cfg,
        &[
            "seal",
            "--case",
            &case,
            "--to",
            "DSL",
            "--out",
            env.path("x.evidence").to_str().unwrap(),
        ],
    );
    assert_refused(&out, "no designated person called \"DSL\"");
    assert!(!env.path("x.evidence.age").exists() && !env.path("x.evidence").exists());
    let out = env.ek_cfg(&cfg, &["keys", "remove-recipient", "--name", "DSL"]);
    assert_refused(&out, "no designated person called \"DSL\"");
    assert_eq!(dir.retired_recipients().unwrap().len(), 1);
}
