//! The one error shape the UI receives: `{code, message}`. `code` is the core's stable
//! name (`unknown_case`, `no_screen`, …) for the UI to branch on; `message` is the core's
//! plain-English sentence, shown as it is.

use evidence_kit::bundle::SealError;
use evidence_kit::form::FormError;
use evidence_kit::keys::KeyError;
use evidence_kit::register::{ReceiptError, RegisterError};
use evidence_kit::{CaptureError, StoreError};
use serde::Serialize;

/// An error sent across IPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    /// Stable machine-readable name.
    pub code: String,
    /// One sentence for the person using the app.
    pub message: String,
}

impl IpcError {
    /// `--store` was given without a folder.
    pub fn store_arg_missing() -> IpcError {
        IpcError {
            code: "bad_arguments".into(),
            message: "--store needs a folder after it, like --store /path/to/evidence. Start Evidence Kit again with a folder.".into(),
        }
    }

    /// The UI named an item field that does not exist (a bug in the UI).
    pub fn bad_field(field: &str) -> IpcError {
        IpcError {
            code: "bad_field".into(),
            message: format!(
                "\"{field}\" is not a detail Evidence Kit keeps; nothing was changed."
            ),
        }
    }

    /// A file the app was asked to open is not a form it made.
    pub fn cannot_open(path: &str) -> IpcError {
        IpcError {
            code: "cannot_open".into(),
            message: format!(
                "The form could not be opened here. Open it yourself to print it: {path}"
            ),
        }
    }

    /// "Show in folder" or "Save a copy to…" asked of a file that is no sealed file.
    pub fn not_a_sealed_file(path: &str) -> IpcError {
        IpcError {
            code: "not_a_sealed_file".into(),
            message: format!(
                "That is not a sealed file Evidence Kit made, so nothing was done: {path}"
            ),
        }
    }

    /// A file upload without its case, name or bytes (a bug in the UI).
    pub fn bad_upload() -> IpcError {
        IpcError {
            code: "bad_upload".into(),
            message: "That file did not arrive whole, so nothing was saved. Please add it again."
                .into(),
        }
    }

    /// More files passing to the app at once than it takes (a page stuck mid-way).
    pub fn too_many_uploads() -> IpcError {
        IpcError {
            code: "too_many_uploads".into(),
            message: "Too many files are being added at once. Wait for them to finish, or close and reopen Evidence Kit, then add this one again.".into(),
        }
    }

    /// A file's size differed from what arrived: it changed (or was cut short) while
    /// it was being read.
    pub fn changed_while_sent() -> IpcError {
        IpcError {
            code: "changed_while_sent".into(),
            message: "That file changed while it was being added (or could not be read to the end), so nothing was saved. If it is still being written or copied, wait until it is finished, then add it again.".into(),
        }
    }

    /// A dropped file asked for under a token that is not (or no longer) waiting: used
    /// already, from an earlier page, or made up.
    pub fn unknown_drop() -> IpcError {
        IpcError {
            code: "unknown_drop".into(),
            message: "That dropped file is no longer waiting to be kept (it was kept already, or the window was reloaded), so nothing was saved. Drop it on the window again.".into(),
        }
    }

    /// A file dropped while the designated person's screens are open.
    pub fn drop_in_dsl() -> IpcError {
        IpcError {
            code: "drop_in_dsl".into(),
            message: "Files dropped in the designated person's screens are not kept as evidence: nothing was captured.".into(),
        }
    }

    /// The capture shortcut could not be set.
    pub fn shortcut(message: String) -> IpcError {
        IpcError {
            code: "shortcut".into(),
            message,
        }
    }

    /// "Keep this part" with no screen grabbed (it was kept or cancelled already).
    pub fn no_region() -> IpcError {
        IpcError {
            code: "no_region".into(),
            message: "There is no screen picture to choose from any more. Press \"Capture a region\" again.".into(),
        }
    }

    /// An encrypted bundle opened before the designated person made their keys.
    pub fn needs_keys() -> IpcError {
        IpcError {
            code: "needs_identity".into(),
            message: "This bundle is encrypted, and you have no keys to open it yet. Make your keys under \"Your keys\" first; the member of staff must then seal it again to the key you give them.".into(),
        }
    }

    /// "Trust this key" for a bundle whose signature is not valid, or that has other
    /// findings, or whose key is trusted already.
    pub fn cannot_trust() -> IpcError {
        IpcError {
            code: "cannot_trust".into(),
            message: "This key cannot be trusted from this bundle: only a bundle whose signature is valid and that is otherwise intact can introduce a staff member's key.".into(),
        }
    }

    /// A background task ended without an answer (it panicked or was cancelled).
    pub fn task_failed() -> IpcError {
        IpcError {
            code: "internal".into(),
            message: "Evidence Kit stopped part-way through that. Nothing half-done was saved; please try again.".into(),
        }
    }
}

/// Each core error already carries a stable `code()` and a plain sentence (`Display`).
macro_rules! from_core_error {
    ($($t:ty),+) => {$(
        impl From<$t> for IpcError {
            fn from(e: $t) -> IpcError {
                IpcError {
                    code: e.code().into(),
                    message: e.to_string(),
                }
            }
        }
    )+};
}

from_core_error!(
    StoreError,
    CaptureError,
    KeyError,
    SealError,
    FormError,
    RegisterError
);

impl From<ReceiptError> for IpcError {
    fn from(e: ReceiptError) -> IpcError {
        IpcError {
            code: "bad_receipt".into(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = IpcError::from(StoreError::UnknownCase { id: "EK-1".into() });
        let json = serde_json::to_value(&e).expect("serializes");
        assert_eq!(json["code"], "unknown_case");
        assert!(json["message"].as_str().is_some_and(|m| m.contains("EK-1")));
        assert_eq!(json.as_object().map(|o| o.len()), Some(2));
    }

    #[test]
    fn capture_errors_keep_the_store_code() {
        let e = IpcError::from(CaptureError::Store(StoreError::NoHome));
        assert_eq!(e.code, "no_home");
    }
}
