//! The CLI's errors, in one place (as rage's `rage/src/bin/rage/error.rs`): a
//! [`Failure`] keeps the core error's stable `code()` beside its sentence, and the exit
//! status and the hint are chosen here from that code.
//!
//! - Every error exits 2, except `not_extracted` (`open` of a bundle that did not
//!   verify, without `--force`), which exits 1 as a finding, not a refusal.
//! - The core's sentences already say what to do ("`evidence-kit case list` shows the
//!   cases."): they are shared with the desktop app and printed as they are, with no
//!   hint added. The hints here are those of the CLI's own errors ([`CliError`]),
//!   printed after the sentence on the same line, as they always were.

use evidence_kit::bundle::SealError;
use evidence_kit::error::{CaptureError, StoreError};
use evidence_kit::form::FormError;
use evidence_kit::keys::KeyError;
use evidence_kit::register::RegisterError;
use evidence_kit::verify::{ExtractError, VerifyError};

/// An error for the user: one sentence, the code it came with, and its hint.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    code: &'static str,
}

impl Failure {
    /// The exit status for this error's code.
    pub(crate) fn exit(&self) -> u8 {
        exit_for(self.code)
    }

    /// What is printed after `evidence-kit: `: the sentence, then its hint, if any.
    pub(crate) fn text(&self) -> String {
        match hint_for(self.code) {
            Some(hint) => format!("{} {hint}", self.message),
            None => self.message.clone(),
        }
    }
}

/// The exit status of an error, from its code: 2 (the input could not be used) for
/// every one but `not_extracted`.
fn exit_for(code: &str) -> u8 {
    match code {
        "not_extracted" => 1,
        _ => 2,
    }
}

/// The fix-it hint of a code: only the CLI's own errors have one (see the module
/// comment); a core error's sentence carries its own.
fn hint_for(code: &str) -> Option<&'static str> {
    match code {
        "not_extracted" => {
            Some("Use --force to extract it anyway (the folder will be marked as failed).")
        }
        "receipt_out_exists" => Some("Choose another name with --out; nothing was overwritten."),
        "passphrases_differ" => Some("Try again."),
        "recipient_exists" => Some("If they gave you a new key, add it with --replace."),
        _ => None,
    }
}

/// Each core error keeps its `code()`.
macro_rules! from_core {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure {
                    message: e.to_string(),
                    code: e.code(),
                }
            }
        })*
    };
}

from_core!(
    StoreError,
    CaptureError,
    VerifyError,
    ExtractError,
    SealError,
    KeyError,
    RegisterError,
    FormError,
    CliError,
);

/// Errors only the CLI makes. Each `Display` is the sentence before the hint (if its
/// code has one, see [`hint_for`]).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// `open` of a bundle that did not verify, without `--force`.
    #[error("The bundle did not verify, so it was not extracted.")]
    NotExtracted,
    /// `case safeguard --item` naming an item of another case (`case` as printed).
    #[error("Item {id} is not in case {case}; nothing was changed.")]
    ItemNotInCase { id: i64, case: String },
    /// `edit --field` with a name that is not a field (`given` as printed).
    #[error(
        "\"{given}\" is not a field you can change; use one of {}.",
        super::values::fields_listed()
    )]
    NotAField { given: String },
    /// An item number that is not a number (`given` as printed).
    #[error("\"{given}\" is not an item number; `evidence-kit items --case ID` lists them.")]
    NotAnItemNumber { given: String },
    /// `dsl receipt --out` naming a file that exists (`path` as printed).
    #[error("{path} already exists.")]
    ReceiptOutExists { path: String },
    /// The receipt could not be written.
    #[error("Could not write {path}: {reason}.")]
    ReceiptWrite { path: String, reason: String },
    /// `keys export --out` naming a file that exists (`path` as printed).
    #[error("{path} already exists; choose another name.")]
    KeyOutExists { path: String },
    /// The public key could not be written (`reason` with the OS error number, as
    /// it always was).
    #[error("Could not write {path}: {reason}.")]
    KeyWrite { path: String, reason: String },
    /// `form` with neither `--case` nor `--bundle`.
    #[error("Say which case (--case ID) or which bundle (--bundle FILE) the form is for.")]
    FormForWhat,
    /// `--description-file` that is not UTF-8 text.
    #[error("{path} is not UTF-8 text; save it as plain text (UTF-8) and try again.")]
    NotUtf8 { path: String },
    /// No passphrase given and no terminal to ask at.
    #[error(
        "A passphrase is needed: type it at a terminal, or give --passphrase-file FILE or EVIDENCE_KIT_PASSPHRASE."
    )]
    PassphraseNeeded,
    /// The passphrase typed twice, differently.
    #[error("The two passphrases were different; nothing was made.")]
    PassphrasesDiffer,
    /// An empty passphrase typed.
    #[error("The passphrase was empty; use --no-passphrase if you really want no passphrase.")]
    PassphraseEmpty,
    /// The terminal could not be read for the passphrase.
    #[error("{0}")]
    Prompt(std::io::Error),
}

impl CliError {
    /// A stable name for this kind of error.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            CliError::NotExtracted => "not_extracted",
            CliError::ItemNotInCase { .. } => "item_not_in_case",
            CliError::NotAField { .. } => "not_a_field",
            CliError::NotAnItemNumber { .. } => "not_an_item_number",
            CliError::ReceiptOutExists { .. } => "receipt_out_exists",
            CliError::ReceiptWrite { .. } => "receipt_write",
            CliError::KeyOutExists { .. } => "key_out_exists",
            CliError::KeyWrite { .. } => "key_write",
            CliError::FormForWhat => "form_for_what",
            CliError::NotUtf8 { .. } => "not_utf8",
            CliError::PassphraseNeeded => "passphrase_needed",
            CliError::PassphrasesDiffer => "passphrases_differ",
            CliError::PassphraseEmpty => "passphrase_empty",
            CliError::Prompt(_) => "prompt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint follows its sentence on one line, as the CLI printed it before the
    /// hints were chosen from codes.
    #[test]
    fn hints_follow_their_sentence_and_exit_codes_stay() {
        let f = Failure::from(CliError::NotExtracted);
        assert_eq!(
            f.text(),
            "The bundle did not verify, so it was not extracted. Use --force to extract it anyway (the folder will be marked as failed)."
        );
        assert_eq!(f.exit(), 1);
        let f = Failure::from(CliError::PassphrasesDiffer);
        assert_eq!(
            f.text(),
            "The two passphrases were different; nothing was made. Try again."
        );
        assert_eq!(f.exit(), 2);
        let f = Failure::from(StoreError::NoHome);
        assert_eq!(f.code, "no_home");
        assert_eq!(f.text(), StoreError::NoHome.to_string());
        assert_eq!(f.exit(), 2);
    }
}
