//! The key files' formats: what each file in the keys folder holds and how it is read
//! and written, with no knowledge of the folder ([`super::KeyDir`] is above it). The
//! signing key and its public half are minisign's own formats, the identity age's own,
//! so the stock tools read them.

mod file;
mod identity;
mod recipients;
mod signing;

pub use file::{
    MAX_KEY_FILE_BYTES, MAX_PASSPHRASE_FILE_BYTES, open_regular, read_regular, read_regular_text,
};
pub(crate) use file::{io, not_found};
pub use identity::{identity_is_protected, read_identities};
pub use recipients::{RecipientInfo, find_recipient, parse_recipient, recipient_fingerprint};
pub(crate) use signing::unprotected_cli_key;
pub use signing::{PublicKey, SigningInfo, SigningKey, find_public_key, fingerprint, key_id_hex};

use std::path::PathBuf;

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
    /// A designated person of that name is kept with a different key (replacing it
    /// would send evidence to whoever holds the new one).
    #[error(
        "You already have a designated person called \"{name}\" with the key {kept}; the key you gave is a different one ({given}). Check with {name} in person which is theirs: from now on, evidence would be sealed to the new key only."
    )]
    RecipientExists {
        /// Their name.
        name: String,
        /// The fingerprint of the key kept for them.
        kept: String,
        /// The fingerprint of the key given.
        given: String,
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
            KeyError::RecipientExists { .. } => "recipient_exists",
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

/// `s` with every control character (a line break too) made a space.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
