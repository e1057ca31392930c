//! The staff member's details and the desktop app's settings: `settings.json` in the
//! keys folder ([`Profile`], read through [`KeyDir::profile`] and
//! [`KeyDir::read_profile`], saved with [`KeyDir::save_profile`]), and the app's
//! [`Mode`]. Above the keys: it is kept in their folder, and `keys::Profile` still
//! names it.
//!
//! Also the rules both shells (the CLI and the desktop app) apply over the keys folder,
//! written once here: the school's name ([`school_name`]), how to verify with the
//! folder's keys ([`KeyDir::verify_options`]) and setting up the designated person
//! ([`KeyDir::setup_designated_person`]).

use crate::keys::KeyDir;
use crate::keys::format::{
    KeyError, MAX_KEY_FILE_BYTES, PublicKey, check_new_passphrase, not_found, read_identities,
    read_regular,
};
use crate::verify;
use serde::{Deserialize, Deserializer, Serialize};
use std::path::PathBuf;

/// The longest text setting accepted from `settings.json`, in characters (the app saves
/// at most 200).
pub const MAX_SETTING_CHARS: usize = 1000;

/// The staff member's details, kept in `settings.json` in the keys folder: who they
/// are on the form and on new records, and the school's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct Profile {
    /// Their name.
    pub name: Option<String>,
    /// Their role at school.
    pub role: Option<String>,
    /// School e-mail or phone.
    pub contact: Option<String>,
    /// The school's name (none built in: without one the form says "School: not
    /// recorded" and a bundle has no `Source-Organization`).
    pub school: Option<String>,
    /// Show image previews without blurring them first (off unless chosen).
    pub show_previews: bool,
    /// The desktop app's capture shortcut (default Ctrl+Shift+E).
    pub shortcut: Option<String>,
    /// The desktop app's mode: `staff` (the default) or `dsl` (the designated person's).
    /// From the app, a word that is not a mode is none (as it was never saved).
    #[serde(deserialize_with = "mode_given")]
    pub mode: Option<Mode>,
}

/// The desktop app's modes, kept in `settings.json` as their words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `staff`: the staff member's screens (the default).
    Staff,
    /// `dsl`: the designated person's screens.
    Dsl,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 2] = [Mode::Staff, Mode::Dsl];

    /// Its word in `settings.json` and over IPC.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Staff => "staff",
            Mode::Dsl => "dsl",
        }
    }

    /// The mode named exactly `word`, if any.
    pub fn from_word(word: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == word)
    }
}

/// A profile's mode as the app sends it: trimmed, and none unless it is a mode's word
/// (what saving kept of it when the mode was a string).
fn mode_given<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Mode>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .as_deref()
        .map(str::trim)
        .and_then(Mode::from_word))
}

impl Profile {
    /// The profile in `v`, field by field: a field of the wrong type is left out; the
    /// first text field longer than [`MAX_SETTING_CHARS`] is left out too and named,
    /// with its length.
    fn from_json(
        v: &serde_json::Map<String, serde_json::Value>,
    ) -> (Profile, Option<(&'static str, usize)>) {
        let mut too_long = None;
        let mut text = |field: &'static str| {
            let s = v.get(field)?.as_str()?;
            let chars = s.chars().count();
            if chars > MAX_SETTING_CHARS {
                too_long.get_or_insert((field, chars));
                return None;
            }
            Some(s.to_string())
        };
        let p = Profile {
            name: text("name"),
            role: text("role"),
            contact: text("contact"),
            school: text("school"),
            shortcut: text("shortcut"),
            mode: text("mode").as_deref().and_then(Mode::from_word),
            show_previews: v
                .get("show_previews")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        };
        (p, too_long)
    }
}

impl KeyDir {
    /// The staff member's details (`settings.json`), read leniently, for the desktop
    /// app: empty when none were saved yet or the file cannot be used; otherwise field by
    /// field, a field of the wrong type or longer than [`MAX_SETTING_CHARS`] left out
    /// (so a wrong type in one field never resets the school to the default).
    pub fn profile(&self) -> Profile {
        self.settings_json()
            .ok()
            .flatten()
            .map(|v| Profile::from_json(&v).0)
            .unwrap_or_default()
    }

    /// The staff member's details, for a command that relies on them (the CLI's seal and
    /// form take the school from here): as [`KeyDir::profile`] field by field, but a file
    /// that is not an ordinary file, is too large, is not a JSON object, or holds a
    /// setting longer than [`MAX_SETTING_CHARS`] is refused with a sentence instead of
    /// silently replaced by the defaults. No file: the defaults.
    pub fn read_profile(&self) -> Result<Profile, KeyError> {
        let Some(v) = self.settings_json()? else {
            return Ok(Profile::default());
        };
        let (p, too_long) = Profile::from_json(&v);
        if let Some((field, chars)) = too_long {
            return Err(KeyError::SettingTooLong {
                path: self.path("settings.json"),
                field,
                chars,
                max: MAX_SETTING_CHARS,
            });
        }
        Ok(p)
    }

    /// `settings.json` as a JSON object; `None` when there is no such file.
    fn settings_json(
        &self,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, KeyError> {
        let p = self.path("settings.json");
        let bytes = match read_regular(&p, MAX_KEY_FILE_BYTES) {
            Ok(b) => b,
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        match serde_json::from_slice(&bytes) {
            Ok(serde_json::Value::Object(m)) => Ok(Some(m)),
            _ => Err(KeyError::BadSettings { path: p }),
        }
    }

    /// Save the staff member's details (each text trimmed, empty ones dropped).
    pub fn save_profile(&self, p: &Profile) -> Result<Profile, KeyError> {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(200).collect::<String>())
        };
        let p = Profile {
            name: clean(&p.name),
            role: clean(&p.role),
            contact: clean(&p.contact),
            school: clean(&p.school),
            show_previews: p.show_previews,
            shortcut: clean(&p.shortcut),
            mode: p.mode,
        };
        if p.name.is_none() {
            return Err(KeyError::BadName);
        }
        self.write_json("settings.json", &p)?;
        Ok(p)
    }

    /// Choose the desktop app's mode, keeping the rest of the profile as it is (a name
    /// is not needed for this).
    pub fn set_mode(&self, mode: Mode) -> Result<(), KeyError> {
        let mut p = self.profile();
        p.mode = Some(mode);
        self.write_json("settings.json", &p)
    }

    /// The school's name from this folder: [`school_name`] with this folder's settings
    /// (`None`: no school was given or set).
    pub fn school_name(&self, given: Option<&str>) -> Result<Option<String>, KeyError> {
        school_name(given, || Ok::<_, KeyError>(self.clone()))
    }

    /// How to verify with this folder's keys: `identity` (a file given), else the
    /// designated person's own key when it exists, opened with `passphrase`; and every
    /// staff key trusted here. No key trusted for one run only: a shell adds its own
    /// (the CLI's `--trust`).
    pub fn verify_options(
        &self,
        identity: Option<PathBuf>,
        passphrase: Option<String>,
    ) -> verify::Options {
        let trusted = self.trusted_keys();
        let identity = identity.or_else(|| {
            let p = self.identity_path(None);
            p.exists().then_some(p)
        });
        verify::Options {
            identity,
            identity_passphrase: passphrase,
            trusted,
            trusted_files: Vec::new(),
        }
    }

    /// "I have forgotten my passphrase": a new signing key under `passphrase` (checked as
    /// a new one), in the name the old key had (else the profile's). The old key's files
    /// are kept in `retired/` ([`KeyDir::retire_signing_key`]); bundles sealed with it
    /// stay valid, as each carries its own public key. Returns the new key, whose
    /// fingerprint the designated person must be given.
    pub fn replace_signing_key(&self, passphrase: &str) -> Result<PublicKey, KeyError> {
        check_new_passphrase(passphrase)?;
        let name = self
            .signing_info()
            .map(|i| i.name)
            .ok()
            .or_else(|| self.profile().name)
            .ok_or(KeyError::BadName)?;
        self.new_signing_key(&name, Some(passphrase), true)
    }

    /// Set up the designated person on this computer: `passphrase` checked as a new
    /// one, `name` saved in the profile with the designated person's [`Mode`], then
    /// their decryption key (the one staff seal to) and their signing key (for
    /// receipts) made with that name and passphrase; keys that exist are kept. Whether
    /// `passphrase` opens their decryption key (a key made before, with another
    /// passphrase, asks for its own).
    pub fn setup_designated_person(&self, name: &str, passphrase: &str) -> Result<bool, KeyError> {
        check_new_passphrase(passphrase)?;
        let p = self.profile();
        let p = self.save_profile(&Profile {
            name: Some(name.to_string()),
            mode: Some(Mode::Dsl),
            ..p
        })?;
        let name = p.name.unwrap_or_else(|| name.to_string());
        if self.identity_info().is_err() {
            self.new_identity(&name, Some(passphrase), false)?;
        }
        if self.public_signing_key().is_err() {
            self.new_signing_key(&name, Some(passphrase), false)?;
        }
        Ok(read_identities(&self.identity_path(None), Some(passphrase)).is_ok())
    }
}

/// The school's name, the one rule of both shells for a seal's `Source-Organization`
/// and the form: `given` (a flag), trimmed, when not empty; else the school in
/// `settings.json` in the keys folder `dir` gives, trimmed, read strictly
/// ([`KeyDir::read_profile`]: a file that cannot be used is refused rather than
/// silently replaced by none); else none: no school is built in (issue 16), so the form
/// says "School: not recorded" and the bundle has no `Source-Organization` line, and the
/// shells can say the school is missing. An empty school is no school. The folder is
/// asked for (`dir` called) only when no school is given.
pub fn school_name<E: From<KeyError>>(
    given: Option<&str>,
    dir: impl FnOnce() -> Result<KeyDir, E>,
) -> Result<Option<String>, E> {
    if let Some(s) = given.map(str::trim).filter(|s| !s.is_empty()) {
        return Ok(Some(s.to_string()));
    }
    Ok(dir()?
        .read_profile()?
        .school
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}
