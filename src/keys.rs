//! Keys: the staff member's minisign (Ed25519) signing key, the designated person's
//! age (X25519) identity, the list of designated persons staff can seal to, and the
//! staff keys a designated person trusts.
//!
//! Everything lives in one folder (the OS config folder, or `$EVIDENCE_KIT_CONFIG`):
//!
//! ```text
//! CONFIG/            0700
//!   signing.key      minisign secret key, scrypt-encrypted with the passphrase (0600)
//!   signing.pub      minisign public key (give it to the designated person)
//!   signing.json     {name, key_id, created}
//!   recipients.json  designated persons staff can seal to: [{name, recipient}]
//!   identity.age     the designated person's age identity (0600)
//!   identity.json    {name, recipient}
//!   trusted/*.pub    staff keys this person trusts (verify also trusts signing.pub)
//! ```
//!
//! Both file formats are the tools' own, so `minisign -V -p signing.pub` and
//! `age -d -i identity.age` work on them directly.

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Something went wrong with a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No signing key yet.
    #[error(
        "You have no signing key yet. Make one with: evidence-kit keys new --name \"Your Name\"."
    )]
    NoSigningKey,
    /// Would overwrite an existing signing key.
    #[error(
        "You already have a signing key ({fingerprint}). Bundles you sealed with it rely on it; keep it. Use --replace only if it is lost or compromised."
    )]
    SigningKeyExists {
        /// The existing key's fingerprint.
        fingerprint: String,
    },
    /// The passphrase does not open the key.
    #[error("That passphrase does not open your signing key. Nothing was signed.")]
    WrongPassphrase,
    /// The key file is damaged or not a minisign key.
    #[error("{path} is not a minisign key Evidence Kit can read ({reason}).")]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not an age recipient.
    #[error(
        "\"{value}\" is not an age recipient: it should start with age1 and come from your designated person."
    )]
    BadRecipient {
        /// What was given.
        value: String,
    },
    /// No designated person of that name.
    #[error(
        "You have no designated person called \"{name}\". Add them with: evidence-kit keys add-recipient --name NAME age1…"
    )]
    UnknownRecipient {
        /// The name given.
        name: String,
    },
    /// No identity (designated person's key) yet.
    #[error(
        "There is no designated-person key here. Make one with: evidence-kit keys new-recipient --name NAME."
    )]
    NoIdentity,
    /// An identity file that cannot be read.
    #[error("{path} is not an age identity file Evidence Kit can read.")]
    BadIdentityFile {
        /// The file.
        path: PathBuf,
    },
    /// A name that is empty or too long.
    #[error("The name must be between 1 and 200 characters.")]
    BadName,
    /// A new passphrase that is too short.
    #[error(
        "Choose a passphrase of at least {min} characters: it protects your signing key, so that nobody else can seal evidence in your name."
    )]
    WeakPassphrase {
        /// The least accepted.
        min: usize,
    },
    /// File-system trouble.
    #[error("Could not {action} {}: {}.", path.display(), crate::error::plain_io(source))]
    Io {
        /// What we were doing.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// No config folder could be found.
    #[error("Could not find your home folder to keep keys in; set EVIDENCE_KIT_CONFIG.")]
    NoHome,
    /// A different key with the id of one already trusted (a substituted key).
    #[error(
        "This key has the same id as {name}'s key, which you already trust, but it is a different key: someone may be pretending to be {name}. It was not trusted."
    )]
    KeyIdTaken {
        /// Whose trusted key has that id.
        name: String,
    },
    /// The designated-person key is protected and no passphrase was given.
    #[error(
        "Your designated-person key is protected by a passphrase: enter it to open encrypted bundles."
    )]
    IdentityLocked,
    /// The passphrase does not open the designated-person key.
    #[error("That passphrase does not open your designated-person key. Nothing was opened.")]
    WrongIdentityPassphrase,
    /// A key, settings, passphrase or receipt file that is not an ordinary file (a pipe
    /// or a device would make the command wait or read for ever).
    #[error(
        "{} is not an ordinary file (it may be a pipe or a device), so it was not read.",
        path.display()
    )]
    NotAFile {
        /// The file.
        path: PathBuf,
    },
    /// A key, settings, passphrase or receipt file larger than such a file can be.
    #[error(
        "{} is larger than {} KiB, more than a file of this kind can be, so it was not read.",
        path.display(),
        max_bytes / 1024
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most accepted, in bytes.
        max_bytes: u64,
    },
    /// A file that should be UTF-8 text and is not.
    #[error("{} is not text (UTF-8), so it was not used.", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// `settings.json` that is not a JSON object.
    #[error("{} is damaged (it is not the settings Evidence Kit writes), so it was not used. Save your details again in the app, or remove the file.", path.display())]
    BadSettings {
        /// The file.
        path: PathBuf,
    },
    /// A setting longer than any real value.
    #[error(
        "The \"{field}\" in {} is {chars} characters long, more than the {max} a setting may have, so it was not used. Correct it in the app's settings.",
        path.display()
    )]
    SettingTooLong {
        /// The settings file.
        path: PathBuf,
        /// The field's name in the file.
        field: &'static str,
        /// Its length, in characters.
        chars: usize,
        /// The most accepted.
        max: usize,
    },
}

impl KeyError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::NoSigningKey => "no_signing_key",
            KeyError::SigningKeyExists { .. } => "signing_key_exists",
            KeyError::WrongPassphrase => "wrong_passphrase",
            KeyError::BadKeyFile { .. } => "bad_key_file",
            KeyError::BadRecipient { .. } => "bad_recipient",
            KeyError::UnknownRecipient { .. } => "unknown_recipient",
            KeyError::NoIdentity => "no_identity",
            KeyError::BadIdentityFile { .. } => "bad_identity_file",
            KeyError::BadName => "bad_name",
            KeyError::WeakPassphrase { .. } => "weak_passphrase",
            KeyError::Io { .. } => "io",
            KeyError::NoHome => "no_home",
            KeyError::IdentityLocked => "identity_locked",
            KeyError::KeyIdTaken { .. } => "key_id_taken",
            KeyError::WrongIdentityPassphrase => "wrong_identity_passphrase",
            KeyError::NotAFile { .. } => "not_a_file",
            KeyError::TooLarge { .. } => "file_too_large",
            KeyError::NotText { .. } => "not_text",
            KeyError::BadSettings { .. } => "bad_settings",
            KeyError::SettingTooLong { .. } => "setting_too_long",
        }
    }
}

/// The most a key file, `settings.json`, `recipients.json` or an identity file is read
/// to (they are a few hundred bytes; anything near this is not one of them).
pub const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;
/// The most a `--passphrase-file` is read to.
pub const MAX_PASSPHRASE_FILE_BYTES: u64 = 64 * 1024;
/// The longest text setting accepted from `settings.json`, in characters (the app saves
/// at most 200).
pub const MAX_SETTING_CHARS: usize = 1000;

/// Open `path` for reading only if it is an ordinary file. On Unix it is opened with
/// `O_NONBLOCK`, so a FIFO (whose plain open waits for a writer for ever) opens at once
/// and is then refused; the check is made on the opened file, so it cannot be swapped
/// between a check and the open.
pub fn open_regular(path: &Path) -> Result<fs::File, KeyError> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if !fs::metadata(path).map_err(io("read", path))?.is_file() {
        return Err(KeyError::NotAFile { path: path.into() });
    }
    let f = opts.open(path).map_err(io("read", path))?;
    if !f.metadata().map_err(io("read", path))?.is_file() {
        return Err(KeyError::NotAFile { path: path.into() });
    }
    Ok(f)
}

/// The bytes of the ordinary file `path`, refused when it is larger than `max_bytes`
/// (read no further than one byte past it: `/dev/zero` or a huge file never fills memory).
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<Vec<u8>, KeyError> {
    let f = open_regular(path)?;
    let mut buf = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io("read", path))?;
    if buf.len() as u64 > max_bytes {
        return Err(KeyError::TooLarge {
            path: path.into(),
            max_bytes,
        });
    }
    Ok(buf)
}

/// [`read_regular`] of UTF-8 text.
pub fn read_regular_text(path: &Path, max_bytes: u64) -> Result<String, KeyError> {
    String::from_utf8(read_regular(path, max_bytes)?)
        .map_err(|_| KeyError::NotText { path: path.into() })
}

/// Whether `e` says the file does not exist.
fn not_found(e: &KeyError) -> bool {
    matches!(e, KeyError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> KeyError + 'a {
    move |source| KeyError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A public signing key with its owner's name and id.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Whose key this says it is (from the file's comment; not proof).
    pub name: Option<String>,
    /// The key.
    pub key: minisign::PublicKey,
    /// The key id as minisign prints it (16 hex digits).
    pub key_id: String,
}

impl PublicKey {
    /// The short fingerprint people compare: the first 8 bytes of the SHA-256 of the
    /// whole public key (algorithm, key id and key), in groups of four hex digits. Not the
    /// key id alone: whoever makes a key chooses its id, so a stranger could copy a staff
    /// member's; they cannot make a key whose whole bytes hash the same.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.key.to_bytes());
        fingerprint(&hex::encode_upper(&digest[..8]))
    }

    /// The key in minisign's `.pub` format, with our comment naming its owner.
    pub fn to_pub_file(&self) -> String {
        let who = self.name.as_deref().unwrap_or("unknown");
        format!(
            "untrusted comment: Evidence Kit signing key of {} ({})\n{}\n",
            one_line(who),
            self.fingerprint(),
            self.key.to_base64()
        )
    }

    /// Parse minisign's `.pub` format (or a bare base64 key).
    pub fn parse(text: &str) -> Option<PublicKey> {
        let mut name = None;
        let mut b64 = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(c) = line.strip_prefix("untrusted comment:") {
                name = c
                    .trim()
                    .strip_prefix("Evidence Kit signing key of ")
                    .and_then(|r| r.rsplit_once(" ("))
                    .map(|(n, _)| n.to_string());
            } else if b64.is_none() {
                b64 = Some(line.to_string());
            }
        }
        let key = minisign::PublicKey::from_base64(&b64?).ok()?;
        let key_id = key_id_hex(key.keynum());
        Some(PublicKey { name, key, key_id })
    }

    /// Read a `.pub` file.
    pub fn read(path: &Path) -> Result<PublicKey, KeyError> {
        let text = read_regular_text(path, MAX_KEY_FILE_BYTES)?;
        PublicKey::parse(&text).ok_or_else(|| KeyError::BadKeyFile {
            path: path.into(),
            reason: "no public key in it".into(),
        })
    }
}

/// A secret signing key, opened with its passphrase.
pub struct SigningKey {
    /// Who it belongs to.
    pub name: String,
    /// The public half.
    pub public: PublicKey,
    pub(crate) secret: minisign::SecretKey,
}

/// `3F2A91C0AB12CD34` → `3F2A 91C0 AB12 CD34`.
pub fn fingerprint(key_id: &str) -> String {
    key_id
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

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

/// Shortest passphrase accepted for a new signing key, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Refuse a passphrase too short to protect the key.
pub fn check_new_passphrase(p: &str) -> Result<(), KeyError> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeyError::WeakPassphrase {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

/// The first valid age recipient (`age1…`) in text the designated person sent (pasted,
/// or a `.txt`/`.pub` file's contents).
pub fn find_recipient(text: &str) -> Result<String, KeyError> {
    // An X25519 recipient is exactly 62 characters; words glued to it (a pasted text
    // that lost its line breaks) are cut off.
    text.match_indices("age1")
        .find_map(|(i, _)| {
            let candidate = text.get(i..i + 62)?;
            parse_recipient(candidate).ok().map(|r| r.to_string())
        })
        .ok_or_else(|| KeyError::BadRecipient {
            value: text.trim().chars().take(60).collect(),
        })
}

/// The first minisign public key in text (a `.pub` file, or the designated person's
/// shared keys pasted with words around them).
pub fn find_public_key(text: &str) -> Option<PublicKey> {
    // A minisign public key is 56 base64 characters starting "RW"; as for recipients,
    // words glued to it are cut off.
    text.match_indices("RW")
        .filter_map(|(i, _)| text.get(i..i + 56))
        .find_map(|t| minisign::PublicKey::from_base64(t).ok())
        .map(|key| PublicKey {
            name: None,
            key_id: key_id_hex(key.keynum()),
            key,
        })
}

/// The key id as minisign prints it: the 8 id bytes as a little-endian u64 in hex.
pub fn key_id_hex(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    let n = keynum.len().min(8);
    b[..n].copy_from_slice(&keynum[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `signing.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningInfo {
    /// Owner's name.
    pub name: String,
    /// minisign key id (16 hex).
    pub key_id: String,
    /// When it was made (RFC 3339 UTC).
    pub created: String,
}

/// A designated person staff can seal to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientInfo {
    /// Their name.
    pub name: String,
    /// Their `age1…` recipient.
    pub recipient: String,
}

impl RecipientInfo {
    /// A short fingerprint of the recipient, for the trusted comment and for people to
    /// compare: the last 16 characters of `age1…`, in groups of four.
    pub fn fingerprint(&self) -> String {
        recipient_fingerprint(&self.recipient)
    }
}

/// Short fingerprint of an `age1…` recipient.
pub fn recipient_fingerprint(recipient: &str) -> String {
    let tail: String = recipient
        .chars()
        .rev()
        .take(16)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    fingerprint(&tail.to_uppercase())
}

/// The keys folder.
#[derive(Debug, Clone)]
pub struct KeyDir {
    root: PathBuf,
}

impl KeyDir {
    /// `$EVIDENCE_KIT_CONFIG`, else the OS config folder (`~/.config/evidence-kit`).
    pub fn default_location() -> Result<KeyDir, KeyError> {
        if let Some(dir) = std::env::var_os("EVIDENCE_KIT_CONFIG").filter(|d| !d.is_empty()) {
            return Ok(KeyDir::at(PathBuf::from(dir)));
        }
        directories::ProjectDirs::from("", "", "evidence-kit")
            .map(|d| KeyDir::at(d.config_dir().to_path_buf()))
            .ok_or(KeyError::NoHome)
    }

    /// A keys folder at `root`.
    pub fn at(root: PathBuf) -> KeyDir {
        KeyDir { root }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn ensure(&self) -> Result<(), KeyError> {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&self.root).map_err(io("create", &self.root))
    }

    /// Make the signing key. `passphrase: None` makes an unencrypted key (warned about
    /// at the edge). Refuses to replace an existing key unless `replace`.
    pub fn new_signing_key(
        &self,
        name: &str,
        passphrase: Option<&str>,
        replace: bool,
    ) -> Result<PublicKey, KeyError> {
        let name = check_name(name)?;
        if !replace && let Ok(existing) = self.public_signing_key() {
            return Err(KeyError::SigningKeyExists {
                fingerprint: existing.fingerprint(),
            });
        }
        self.ensure()?;
        let pair = match passphrase {
            Some(p) => minisign::KeyPair::generate_encrypted_keypair(Some(p.to_string())),
            None => minisign::KeyPair::generate_unencrypted_keypair(),
        }
        .map_err(|e| KeyError::BadKeyFile {
            path: self.path("signing.key"),
            reason: e.to_string(),
        })?;
        let key_id = key_id_hex(pair.pk.keynum());
        let public = PublicKey {
            name: Some(name.clone()),
            key: pair.pk,
            key_id: key_id.clone(),
        };
        let sk_box = pair
            .sk
            .to_box(Some(&format!(
                "Evidence Kit signing key of {} ({})",
                one_line(&name),
                public.fingerprint()
            )))
            .map_err(|e| KeyError::BadKeyFile {
                path: self.path("signing.key"),
                reason: e.to_string(),
            })?;
        write_private(&self.path("signing.key"), sk_box.to_string().as_bytes())?;
        write_file(&self.path("signing.pub"), public.to_pub_file().as_bytes())?;
        let info = SigningInfo {
            name,
            key_id,
            created: crate::clock::now().utc,
        };
        self.write_json("signing.json", &info)?;
        Ok(public)
    }

    /// The public half of the signing key, with its owner's name.
    pub fn public_signing_key(&self) -> Result<PublicKey, KeyError> {
        let p = self.path("signing.pub");
        if !p.exists() {
            return Err(KeyError::NoSigningKey);
        }
        let mut key = PublicKey::read(&p)?;
        if let Ok(info) = self.signing_info() {
            key.name = Some(info.name);
        }
        Ok(key)
    }

    /// `signing.json`.
    pub fn signing_info(&self) -> Result<SigningInfo, KeyError> {
        let p = self.path("signing.json");
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) => KeyError::NoSigningKey,
            e => e,
        })?;
        serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
            path: p,
            reason: e.to_string(),
        })
    }

    /// Whether the secret key needs a passphrase.
    pub fn signing_key_is_encrypted(&self, key_file: Option<&Path>) -> Result<bool, KeyError> {
        let p = key_file.map_or_else(|| self.path("signing.key"), Path::to_path_buf);
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) && key_file.is_none() => KeyError::NoSigningKey,
            e => e,
        })?;
        // minisign's secret key: line 2 is base64 of sig_alg(2) | kdf_alg(2) | …;
        // kdf_alg "Sc" means scrypt-encrypted, two zero bytes mean plain.
        use base64::Engine;
        let raw = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok())
            .filter(|b| b.len() > 4)
            .ok_or_else(|| KeyError::BadKeyFile {
                path: p.clone(),
                reason: "no secret key in it".into(),
            })?;
        match &raw[2..4] {
            b"Sc" => Ok(true),
            [0, 0] => Ok(false),
            _ => Err(KeyError::BadKeyFile {
                path: p,
                reason: "an unknown key protection".into(),
            }),
        }
    }

    /// Open the signing key (`key_file`, or `signing.key` here).
    pub fn signing_key(
        &self,
        key_file: Option<&Path>,
        passphrase: Option<&str>,
    ) -> Result<SigningKey, KeyError> {
        let p = key_file.map_or_else(|| self.path("signing.key"), Path::to_path_buf);
        let encrypted = self.signing_key_is_encrypted(key_file)?;
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES)?;
        let bad = |e: minisign::PError| KeyError::BadKeyFile {
            path: p.clone(),
            reason: e.to_string(),
        };
        let sk_box = minisign::SecretKeyBox::from_string(&text).map_err(bad)?;
        let secret = if encrypted {
            // A wrong passphrase fails minisign's checksum of the decrypted key.
            sk_box
                .into_secret_key(Some(passphrase.unwrap_or("").to_string()))
                .map_err(|_| KeyError::WrongPassphrase)?
        } else {
            match sk_box.into_unencrypted_secret_key() {
                Ok(secret) => secret,
                Err(e) => unprotected_cli_key(&text).ok_or_else(|| bad(e))?,
            }
        };
        let pk =
            minisign::PublicKey::from_secret_key(&secret).map_err(|e| KeyError::BadKeyFile {
                path: p.clone(),
                reason: e.to_string(),
            })?;
        let key_id = key_id_hex(pk.keynum());
        let name = match (key_file, self.signing_info()) {
            (None, Ok(info)) => info.name,
            _ => self
                .public_signing_key()
                .ok()
                .filter(|k| k.key_id == key_id)
                .and_then(|k| k.name)
                .unwrap_or_else(|| "unknown".into()),
        };
        Ok(SigningKey {
            public: PublicKey {
                name: Some(name.clone()),
                key: pk,
                key_id,
            },
            name,
            secret,
        })
    }

    /// Make the designated person's age identity; returns their recipient. With a
    /// passphrase the file is itself age-encrypted to it (scrypt), which the `age` tool
    /// also opens (`age -d -i identity.age` asks for the passphrase).
    pub fn new_identity(
        &self,
        name: &str,
        passphrase: Option<&str>,
        replace: bool,
    ) -> Result<RecipientInfo, KeyError> {
        let name = check_name(name)?;
        if let Some(p) = passphrase {
            check_new_passphrase(p)?;
        }
        if !replace && let Ok(existing) = self.identity_info() {
            return Err(KeyError::SigningKeyExists {
                fingerprint: existing.fingerprint(),
            });
        }
        self.ensure()?;
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        use age::secrecy::ExposeSecret;
        let text = format!(
            "# Evidence Kit designated-person key of {}\n# created: {}\n# public key: {}\n{}\n",
            one_line(&name),
            crate::clock::now().utc,
            recipient,
            identity.to_string().expose_secret()
        );
        let bytes = match passphrase {
            None => text.into_bytes(),
            Some(p) => {
                let enc = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(
                    p.to_string(),
                ));
                let mut out = Vec::new();
                let sealed = enc
                    .wrap_output(&mut out)
                    .and_then(|mut w| w.write_all(text.as_bytes()).and_then(|()| w.finish()));
                sealed.map_err(io("protect", &self.root))?;
                out
            }
        };
        write_private(&self.path("identity.age"), &bytes)?;
        let info = RecipientInfo { name, recipient };
        self.write_json("identity.json", &info)?;
        Ok(info)
    }

    /// The designated person's own name and recipient.
    pub fn identity_info(&self) -> Result<RecipientInfo, KeyError> {
        let p = self.path("identity.json");
        let text = read_regular_text(&p, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            e if not_found(&e) => KeyError::NoIdentity,
            e => e,
        })?;
        serde_json::from_str(&text).map_err(|_| KeyError::BadIdentityFile { path: p })
    }

    /// The identity file: `path`, or `identity.age` here.
    pub fn identity_path(&self, path: Option<&Path>) -> PathBuf {
        path.map_or_else(|| self.path("identity.age"), Path::to_path_buf)
    }

    /// Designated persons this staff member can seal to.
    pub fn recipients(&self) -> Result<Vec<RecipientInfo>, KeyError> {
        let p = self.path("recipients.json");
        match read_regular_text(&p, MAX_KEY_FILE_BYTES) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
                path: p,
                reason: e.to_string(),
            }),
            Err(e) if not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Add (or rename) a designated person.
    pub fn add_recipient(&self, name: &str, recipient: &str) -> Result<RecipientInfo, KeyError> {
        let name = check_name(name)?;
        let recipient = parse_recipient(recipient)?.to_string();
        let mut list = self.recipients()?;
        list.retain(|r| r.name != name && r.recipient != recipient);
        let info = RecipientInfo { name, recipient };
        list.push(info.clone());
        self.write_json("recipients.json", &list)?;
        Ok(info)
    }

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

    /// Write `value` as pretty JSON to `name` in this folder (made if missing).
    fn write_json(&self, name: &str, value: &impl Serialize) -> Result<(), KeyError> {
        self.ensure()?;
        write_file(
            &self.path(name),
            serde_json::to_string_pretty(value)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// `--to NAME|age1…` → the recipient.
    pub fn resolve_recipient(&self, to: &str) -> Result<RecipientInfo, KeyError> {
        let to = to.trim();
        if to.starts_with("age1") {
            let r = parse_recipient(to)?;
            let name = self
                .recipients()?
                .into_iter()
                .find(|i| i.recipient == to)
                .map(|i| i.name)
                .unwrap_or_else(|| "unnamed designated person".into());
            return Ok(RecipientInfo {
                name,
                recipient: r.to_string(),
            });
        }
        self.recipients()?
            .into_iter()
            .find(|i| i.name.eq_ignore_ascii_case(to))
            .ok_or_else(|| KeyError::UnknownRecipient { name: to.into() })
    }

    /// Trust `key` as `name`'s signing key (a staff member's, seen in a bundle and
    /// compared in person). Kept as `trusted/KEYID.pub`.
    pub fn trust(&self, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        self.keep_key("trusted", key, name)
    }

    /// Keep `key` as `name`'s in `folder/KEYID.pub`; refused when a different key with the
    /// same id is kept there already (someone may be pretending to be them).
    fn keep_key(&self, folder: &str, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        let name = check_name(name)?;
        let dir = self.path(folder);
        let file = dir.join(format!("{}.pub", key.key_id));
        if let Ok(existing) = PublicKey::read(&file)
            && existing.key.to_base64() != key.key.to_base64()
        {
            return Err(KeyError::KeyIdTaken {
                name: existing.name.unwrap_or_else(|| "someone".into()),
            });
        }
        self.ensure()?;
        fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let named = PublicKey {
            name: Some(name),
            ..key.clone()
        };
        write_file(&file, named.to_pub_file().as_bytes())
    }

    /// The keys kept in `folder` (unreadable files skipped).
    fn keys_in(&self, folder: &str) -> Vec<PublicKey> {
        fs::read_dir(self.path(folder))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| PublicKey::read(&e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the designated person gives staff: their name, the `age1…` to seal to and the
    /// signing key their receipts are checked with. Staff paste it whole into their app.
    pub fn share_text(&self) -> Result<String, KeyError> {
        let id = self.identity_info()?;
        let mut text = format!(
            "Evidence Kit: designated person {}\nSeal evidence to: {}\nFingerprint: {}\n",
            one_line(&id.name),
            id.recipient,
            id.fingerprint()
        );
        if let Ok(k) = self.public_signing_key() {
            text.push_str(&format!(
                "Receipts signed with: {}\nKey fingerprint: {}\n",
                k.key.to_base64(),
                k.fingerprint()
            ));
        }
        Ok(text)
    }

    /// Trust `key` as the designated person `name`'s receipt key (from the text they
    /// shared). Kept in `receipt-keys/`, apart from the keys trusted to sign bundles.
    pub fn trust_for_receipts(&self, key: &PublicKey, name: &str) -> Result<(), KeyError> {
        self.keep_key("receipt-keys", key, name)
    }

    /// Keys a receipt may be signed with: the designated persons' (`receipt-keys/`),
    /// never a staff key trusted for bundles, never this person's own.
    pub fn receipt_keys(&self) -> Vec<PublicKey> {
        let own = self.public_signing_key().ok().map(|k| k.key_id);
        let mut keys = self.keys_in("receipt-keys");
        keys.retain(|k| Some(&k.key_id) != own.as_ref());
        keys
    }

    /// Staff keys trusted for verifying: `trusted/*.pub` and this person's own key.
    pub fn trusted_keys(&self) -> Vec<PublicKey> {
        let mut keys = Vec::new();
        if let Ok(k) = self.public_signing_key() {
            keys.push(k);
        }
        keys.extend(self.keys_in("trusted"));
        keys
    }
}

/// Parse an `age1…` recipient.
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient, KeyError> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| KeyError::BadRecipient {
        value: s.trim().chars().take(80).collect(),
    })
}

/// Whether the identity file at `path` is protected by a passphrase (false for anything
/// but an ordinary file, which [`read_identities`] then refuses).
pub fn identity_is_protected(path: &Path) -> bool {
    let mut head = [0u8; 21];
    open_regular(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok())
        && head == *b"age-encryption.org/v1"
}

/// Read the X25519 identities in an age identity file, opening it with `passphrase`
/// when it is protected by one.
pub fn read_identities(
    path: &Path,
    passphrase: Option<&str>,
) -> Result<Vec<age::x25519::Identity>, KeyError> {
    let raw = read_regular(path, MAX_KEY_FILE_BYTES).map_err(|e| match e {
        e if not_found(&e) => KeyError::NoIdentity,
        e => e,
    })?;
    let text = if raw.starts_with(b"age-encryption.org/v1") {
        let Some(p) = passphrase.filter(|p| !p.is_empty()) else {
            return Err(KeyError::IdentityLocked);
        };
        let d = age::Decryptor::new(&raw[..])
            .map_err(|_| KeyError::BadIdentityFile { path: path.into() })?;
        let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(p.to_string()));
        let mut r = d
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .map_err(|_| KeyError::WrongIdentityPassphrase)?;
        let mut plain = String::new();
        r.read_to_string(&mut plain)
            .map_err(|_| KeyError::WrongIdentityPassphrase)?;
        plain
    } else {
        String::from_utf8(raw).map_err(|_| KeyError::BadIdentityFile { path: path.into() })?
    };
    let ids: Vec<_> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
        .filter_map(|l| age::x25519::Identity::from_str(l).ok())
        .collect();
    if ids.is_empty() {
        return Err(KeyError::BadIdentityFile { path: path.into() });
    }
    Ok(ids)
}

/// A secret key made by minisign's own CLI without a passphrase (`minisign -G -W`):
/// minisign 0.11 leaves its checksum as zeros, which the minisign crate calls a
/// "Corrupted key". Accepted only in that exact layout (Ed25519, no KDF, BLAKE2b
/// checksum field all zeros), and only when a signature it makes checks with the public
/// half it carries, which is what the checksum would have caught.
fn unprotected_cli_key(text: &str) -> Option<minisign::SecretKey> {
    use base64::Engine;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(line)
        .ok()?;
    // sig_alg 2 | kdf_alg 2 | chk_alg 2 | salt 32 | opslimit 8 | memlimit 8 | keynum 8 |
    // secret key 64 | checksum 32.
    let layout =
        raw.len() == 158 && raw.starts_with(b"Ed\0\0B2") && raw[126..].iter().all(|&b| b == 0);
    if !layout {
        return None;
    }
    let sk = minisign::SecretKey::from_bytes(&raw).ok()?;
    let pk = minisign::PublicKey::from_secret_key(&sk).ok()?;
    // `sign` checks its own signature against `pk` when given one.
    minisign::sign(Some(&pk), &sk, &b"Evidence Kit key check"[..], None, None).ok()?;
    Some(sk)
}

fn check_name(name: &str) -> Result<String, KeyError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(KeyError::BadName);
    }
    Ok(one_line(n))
}

/// The desktop app's modes: the staff member's and the designated person's.
fn known_mode(m: &str) -> bool {
    m == "staff" || m == "dsl"
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io("write", &tmp))?;
    f.write_all(bytes).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("write", &tmp))?;
    fs::rename(&tmp, path).map_err(io("write", path))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(io("write", &tmp))?;
    f.write_all(bytes).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("write", &tmp))?;
    fs::rename(&tmp, path).map_err(io("write", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_wrong_passphrase() {
        let dir = tempfile::tempdir().expect("tmp");
        let keys = KeyDir::at(dir.path().join("cfg"));
        let public = keys
            .new_signing_key("A. Teacher", Some("correct horse"), false)
            .expect("new");
        assert_eq!(public.fingerprint().len(), 19);
        assert!(matches!(
            keys.new_signing_key("A. Teacher", Some("x"), false),
            Err(KeyError::SigningKeyExists { .. })
        ));
        assert!(matches!(
            keys.signing_key(None, Some("wrong")),
            Err(KeyError::WrongPassphrase)
        ));
        let sk = keys.signing_key(None, Some("correct horse")).expect("open");
        assert_eq!(sk.public.key_id, public.key_id);
        assert_eq!(sk.name, "A. Teacher");
        let read = PublicKey::read(&dir.path().join("cfg/signing.pub")).expect("pub");
        assert_eq!(read.key_id, public.key_id);
        assert_eq!(read.name.as_deref(), Some("A. Teacher"));
    }

    #[test]
    fn recipients_resolve_by_name_or_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let dsl = KeyDir::at(dir.path().join("dsl"));
        let me = dsl
            .new_identity("Mrs D. Lead", None, false)
            .expect("identity");
        assert!(me.recipient.starts_with("age1"));
        let staff = KeyDir::at(dir.path().join("staff"));
        staff.add_recipient("DSL", &me.recipient).expect("add");
        assert_eq!(
            staff.resolve_recipient("dsl").expect("by name"),
            RecipientInfo {
                name: "DSL".into(),
                recipient: me.recipient.clone()
            }
        );
        assert_eq!(
            staff.resolve_recipient(&me.recipient).expect("by key").name,
            "DSL"
        );
        assert!(matches!(
            staff.resolve_recipient("nobody"),
            Err(KeyError::UnknownRecipient { .. })
        ));
        assert!(matches!(
            staff.add_recipient("X", "age1notakey"),
            Err(KeyError::BadRecipient { .. })
        ));
        let ids = read_identities(&dsl.identity_path(None), None).expect("ids");
        assert_eq!(ids[0].to_public().to_string(), me.recipient);
    }

    #[test]
    fn shared_keys_paste_whole_and_a_trusted_key_is_kept_by_name() {
        let dir = tempfile::tempdir().expect("tmp");
        let dsl = KeyDir::at(dir.path().join("dsl"));
        let me = dsl
            .new_identity("Mrs D. Lead", None, false)
            .expect("identity");
        dsl.new_signing_key("Mrs D. Lead", None, false)
            .expect("key");
        let text = format!(
            "Hello, here are my keys:\n{}\nThanks",
            dsl.share_text().expect("share")
        );
        assert_eq!(find_recipient(&text).expect("recipient"), me.recipient);
        let k = find_public_key(&text).expect("public key");
        assert_eq!(k.key_id, dsl.public_signing_key().expect("pub").key_id);
        assert!(find_public_key("no key here RWxyz").is_none());
        let staff = KeyDir::at(dir.path().join("staff"));
        staff.trust_for_receipts(&k, "Mrs D. Lead").expect("trust");
        let receipts = staff.receipt_keys();
        assert_eq!(receipts.len(), 1);
        assert_eq!(receipts[0].name.as_deref(), Some("Mrs D. Lead"));
        assert_eq!(receipts[0].key_id, k.key_id);
        // Not a key trusted to sign bundles.
        assert!(staff.trusted_keys().is_empty());
        staff.trust(&k, "Mrs D. Lead").expect("trust");
        assert_eq!(staff.trusted_keys()[0].name.as_deref(), Some("Mrs D. Lead"));
    }
}
