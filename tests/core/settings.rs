//! The rules both shells take from the core's `settings` (issue 15, point 5): the
//! school's name, the app's mode, verify options from the keys folder and setting up
//! the designated person. Real keys folders, real key files, a real CLI run.

use crate::util::{Env, stderr};
use evidence_kit::keys::{KeyDir, KeyError, Mode, Profile};
use evidence_kit::settings::school_name;
use std::path::Path;
use std::process::Command;

fn keys_with_settings(env: &Env, json: &str) -> KeyDir {
    let cfg = env.path("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("settings.json"), json).unwrap();
    KeyDir::at(cfg)
}

/// The app took `profile().school` as it was: a school of spaces was printed on the
/// form and sealed as the Source-Organization. The one rule (the CLI's) trims, and an
/// empty school is no school. Issue 16: no school is built in, so no school is none.
#[test]
fn a_school_of_spaces_is_no_school_and_none_is_built_in() {
    let env = Env::new();
    let dir = keys_with_settings(&env, r#"{"name": "A. Teacher", "school": "   "}"#);
    assert_eq!(dir.school_name(None).unwrap(), None);
    // A given school of spaces is none either; one with spaces around is trimmed.
    assert_eq!(dir.school_name(Some("  ")).unwrap(), None);
    assert_eq!(
        dir.school_name(Some("  Ysgol Test ")).unwrap().as_deref(),
        Some("Ysgol Test")
    );
    let dir = keys_with_settings(&env, r#"{"school": " St Mary's\t"}"#);
    assert_eq!(dir.school_name(None).unwrap().as_deref(), Some("St Mary's"));
    // No settings: no school.
    std::fs::remove_file(dir.root().join("settings.json")).unwrap();
    assert_eq!(dir.school_name(None).unwrap(), None);
}

/// The app's `save_profile` keeps the school it is sent (trimmed), and that is the
/// school sealed and printed; saving a profile without one leaves none.
#[test]
fn the_school_saved_with_the_profile_is_the_school_used() {
    let env = Env::new();
    let dir = KeyDir::at(env.path("cfg"));
    let p: Profile =
        serde_json::from_str(r#"{"name": "A. Teacher", "school": "  Ysgol Test "}"#).unwrap();
    assert_eq!(
        dir.save_profile(&p).unwrap().school.as_deref(),
        Some("Ysgol Test")
    );
    assert_eq!(dir.profile().school.as_deref(), Some("Ysgol Test"));
    assert_eq!(
        dir.school_name(None).unwrap().as_deref(),
        Some("Ysgol Test")
    );
    let p: Profile = serde_json::from_str(r#"{"name": "A. Teacher"}"#).unwrap();
    assert_eq!(dir.save_profile(&p).unwrap().school, None);
    assert_eq!(dir.school_name(None).unwrap(), None);
}

/// One strictness for both shells: a settings file that cannot be used is refused for
/// the school (the app too, now), but only when no school is given; the keys folder is
/// not even looked for then (the CLI's `form --school` needs none).
#[test]
fn the_school_is_read_strictly_and_only_when_none_is_given() {
    let env = Env::new();
    let dir = keys_with_settings(&env, "[1, 2]");
    let e = dir.school_name(None).unwrap_err();
    assert_eq!(e.code(), "bad_settings", "{e}");
    assert_eq!(
        dir.school_name(Some("Ysgol Test")).unwrap().as_deref(),
        Some("Ysgol Test")
    );
    let long = serde_json::json!({"school": "S".repeat(5000)}).to_string();
    let dir = keys_with_settings(&env, &long);
    assert_eq!(
        dir.school_name(None).unwrap_err().code(),
        "setting_too_long"
    );
    let given = school_name(Some(" Given "), || Err::<KeyDir, _>(KeyError::NoHome));
    assert_eq!(given.unwrap().as_deref(), Some("Given"));
    let none = school_name(None, || Err::<KeyDir, _>(KeyError::NoHome));
    assert_eq!(none.unwrap_err().code(), "no_home");
}

fn bag_info(bundle: &Path) -> String {
    let o = Command::new("unzip")
        .arg("-p")
        .arg(bundle)
        .arg("bag-info.txt")
        .output()
        .expect("unzip");
    assert!(o.status.success(), "unzip: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The CLI, through the core's rule: a school of spaces in settings.json, or given
/// with `--organization`, seals no school (the line left out); a given one is trimmed.
#[test]
fn cli_seal_leaves_out_a_school_of_spaces() {
    let env = Env::new();
    let cfg = env.path("cfg");
    env.new_key(&cfg, "A. Teacher");
    let case = env.case();
    std::fs::write(
        cfg.join("settings.json"),
        r#"{"name": "A. Teacher", "school": "   "}"#,
    )
    .unwrap();
    let bundle = env.seal(&cfg, &case, "spaces.evidence");
    let info = bag_info(&bundle);
    assert!(!info.contains("Source-Organization"), "{info}");
    for (given, name, want) in [
        ("   ", "given-spaces.evidence", "Contact-Name: ".to_string()),
        (
            "  Ysgol Test ",
            "given.evidence",
            "Source-Organization: Ysgol Test\n".to_string(),
        ),
    ] {
        let out = env.path(name);
        let o = env.ek_cfg(
            &cfg,
            &[
                "seal",
                "--case",
                &case,
                "--organization",
                given,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "seal: {}", stderr(&o));
        let info = bag_info(&out);
        assert!(info.starts_with(&want), "{given:?}: {info}");
    }
}

/// The mode's words are today's, both ways; what is not one of them reads as no mode
/// (the app then shows the staff screens, as it did for an unknown word).
#[test]
fn the_mode_is_spelled_staff_and_dsl_and_anything_else_is_none() {
    assert_eq!(
        Mode::ALL.map(|m| serde_json::to_string(&m).unwrap()),
        ["\"staff\"", "\"dsl\""]
    );
    for m in Mode::ALL {
        assert_eq!(Mode::from_word(m.as_str()), Some(m));
        let back: Mode = serde_json::from_str(&format!("\"{}\"", m.as_str())).unwrap();
        assert_eq!(back, m);
    }
    let env = Env::new();
    for (mode, read) in [
        (r#""dsl""#, Some(Mode::Dsl)),
        (r#""staff""#, Some(Mode::Staff)),
        (r#""DSL""#, None),
        (r#"" dsl""#, None),
        (r#""teacher""#, None),
        ("7", None),
        ("null", None),
    ] {
        let dir = keys_with_settings(&env, &format!(r#"{{"name": "A", "mode": {mode}}}"#));
        assert_eq!(dir.profile().mode, read, "{mode}");
        assert_eq!(dir.read_profile().unwrap().mode, read, "{mode}");
        assert_eq!(dir.profile().name.as_deref(), Some("A"), "{mode}");
    }
    // A mode too long to be a setting is refused by the strict reader, as before.
    let long = serde_json::json!({"mode": "d".repeat(5000)}).to_string();
    let dir = keys_with_settings(&env, &long);
    assert_eq!(dir.profile().mode, None);
    assert_eq!(dir.read_profile().unwrap_err().code(), "setting_too_long");
}

/// settings.json is written as before (`"mode": "dsl"`), by `set_mode` and by saving
/// the profile the app sends, whose mode is trimmed and kept only if it is a mode.
#[test]
fn the_mode_is_saved_as_its_word_in_the_same_settings_file() {
    let env = Env::new();
    let dir = keys_with_settings(&env, r#"{"name": "A. Teacher", "school": "St Mary's"}"#);
    dir.set_mode(Mode::Dsl).unwrap();
    let written = std::fs::read_to_string(dir.root().join("settings.json")).unwrap();
    assert_eq!(
        written,
        "{\n  \"name\": \"A. Teacher\",\n  \"role\": null,\n  \"contact\": null,\n  \
         \"school\": \"St Mary's\",\n  \"show_previews\": false,\n  \"shortcut\": null,\n  \
         \"mode\": \"dsl\"\n}"
    );
    for (sent, saved) in [
        (r#"" staff ""#, Some(Mode::Staff)),
        (r#""dsl""#, Some(Mode::Dsl)),
        (r#""teacher""#, None),
        ("null", None),
    ] {
        let p: Profile =
            serde_json::from_str(&format!(r#"{{"name": "A. Teacher", "mode": {sent}}}"#)).unwrap();
        assert_eq!(dir.save_profile(&p).unwrap().mode, saved, "{sent}");
        assert_eq!(dir.profile().mode, saved, "{sent}");
    }
    // Over IPC, `set_mode` takes only the two words.
    assert!(serde_json::from_str::<Mode>("\"teacher\"").is_err());
}

/// Verify options from the keys folder, the same for both shells: the identity given,
/// else the designated person's own key only when it exists; every key trusted here.
#[test]
fn verify_options_take_the_identity_if_it_exists_and_every_trusted_key() {
    let env = Env::new();
    let dir = KeyDir::at(env.path("dsl"));
    let opts = dir.verify_options(None, None);
    assert_eq!(opts.identity, None);
    assert!(opts.trusted.is_empty());
    let staff = KeyDir::at(env.path("staff"));
    let k = staff.new_signing_key("A. Teacher", None, false).unwrap();
    dir.trust(&k, "A. Teacher").unwrap();
    dir.new_identity("Mrs D. Lead", None, false).unwrap();
    let opts = dir.verify_options(None, Some("secret words".into()));
    assert_eq!(opts.identity, Some(dir.identity_path(None)));
    assert_eq!(opts.identity_passphrase.as_deref(), Some("secret words"));
    assert_eq!(opts.trusted.len(), 1);
    assert_eq!(opts.trusted[0].key_id, k.key_id);
    assert!(opts.trusted_files.is_empty());
    let other = env.path("other.age");
    let opts = dir.verify_options(Some(other.clone()), None);
    assert_eq!(opts.identity, Some(other));
    assert_eq!(opts.identity_passphrase, None);
}

/// Setting up the designated person: the profile saved with the dsl mode, both keys
/// made with one passphrase; a second set-up keeps the keys, and says whether its
/// passphrase opens them. A weak passphrase changes nothing.
#[test]
fn setting_up_the_designated_person_makes_both_keys_once() {
    let env = Env::new();
    let dir = KeyDir::at(env.path("cfg"));
    let e = dir
        .setup_designated_person("Mrs D. Lead", "short")
        .unwrap_err();
    assert_eq!(e.code(), "weak_passphrase");
    assert!(
        !dir.root().exists(),
        "nothing is written for a weak passphrase"
    );

    let pass = "correct horse battery";
    assert!(dir.setup_designated_person("  Mrs D. Lead ", pass).unwrap());
    let p = dir.profile();
    assert_eq!(p.name.as_deref(), Some("Mrs D. Lead"));
    assert_eq!(p.mode, Some(Mode::Dsl));
    let id = dir.identity_info().unwrap();
    assert_eq!(id.name, "Mrs D. Lead");
    let signing = dir.public_signing_key().unwrap();
    assert_eq!(signing.name.as_deref(), Some("Mrs D. Lead"));
    assert!(evidence_kit::keys::identity_is_protected(
        &dir.identity_path(None)
    ));
    evidence_kit::keys::read_identities(&dir.identity_path(None), Some(pass)).unwrap();
    dir.signing_key(None, Some(pass)).unwrap();

    // Again, another passphrase and name: the keys are kept; it does not open them.
    assert!(
        !dir.setup_designated_person("D. Lead", "another long phrase")
            .unwrap()
    );
    assert_eq!(dir.profile().name.as_deref(), Some("D. Lead"));
    assert_eq!(dir.identity_info().unwrap().recipient, id.recipient);
    assert_eq!(dir.public_signing_key().unwrap().key_id, signing.key_id);
    assert!(dir.setup_designated_person("D. Lead", pass).unwrap());
}
