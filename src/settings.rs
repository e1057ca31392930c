//! The staff member's details and the desktop app's settings: `settings.json` in the
//! keys folder ([`Profile`], read through [`KeyDir::profile`] and
//! [`KeyDir::read_profile`], saved with [`KeyDir::save_profile`]), and the app's mode
//! (`staff` or `dsl`). Above the keys: it is kept in their folder, and `keys::Profile`
//! still names it.

use crate::keys::KeyDir;
use crate::keys::format::{KeyError, MAX_KEY_FILE_BYTES, not_found, read_regular};
use serde::{Deserialize, Serialize};

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
    /// The school's name (default: Newport CE Junior School).
    pub school: Option<String>,
    /// Show image previews without blurring them first (off unless chosen).
    pub show_previews: bool,
    /// The desktop app's capture shortcut (default Ctrl+Shift+E).
    pub shortcut: Option<String>,
    /// The desktop app's mode: `staff` (the default) or `dsl` (the designated person's).
    pub mode: Option<String>,
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
            mode: text("mode"),
            show_previews: v
                .get("show_previews")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        };
        (p, too_long)
    }
}

/// The desktop app's modes: the staff member's and the designated person's.
fn known_mode(m: &str) -> bool {
    m == "staff" || m == "dsl"
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
            mode: clean(&p.mode).filter(|m| known_mode(m)),
        };
        if p.name.is_none() {
            return Err(KeyError::BadName);
        }
        self.write_json("settings.json", &p)?;
        Ok(p)
    }

    /// Choose the desktop app's mode (`staff` or `dsl`), keeping the rest of the
    /// profile as it is (a name is not needed for this).
    pub fn set_mode(&self, mode: &str) -> Result<(), KeyError> {
        let mut p = self.profile();
        p.mode = Some(mode).filter(|m| known_mode(m)).map(str::to_string);
        self.write_json("settings.json", &p)
    }
}
