//! The designated person's commands (`ui/src/dsl.ts`): their keys, opening a bundle
//! (chosen, dropped, or opened from the file manager), trusting a staff member's key,
//! pictures, the register, statuses, receipts, the form, the accounts index, the CSV;
//! and, for staff, opening a receipt. Each one forwards to the core's `register`.

use crate::commands::{default_folder, free_name};
use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::form;
use evidence_kit::keys::{KeyDir, KeyError, Mode};
use evidence_kit::register::{self, Account, BundleView, Received, Register};
use evidence_kit::verify;
use std::path::{Path, PathBuf};
use tauri::State;
use tauri::ipc::Response;

/// Longer side of a thumbnail (twice the size shown).
const THUMBNAIL_MAX_PX: u32 = 480;
/// Longer side of the full-size view.
const PREVIEW_MAX_PX: u32 = 2000;

/// The designated person's keys and what to give staff.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DslState {
    name: Option<String>,
    /// Their decryption key exists; its fingerprint.
    identity_fingerprint: Option<String>,
    /// It is protected by a passphrase.
    protected: bool,
    /// The passphrase was given in this session.
    unlocked: bool,
    /// Their signing key (for receipts).
    signing_fingerprint: Option<String>,
    /// The text to give staff (their age1… and receipt key).
    share_text: Option<String>,
    default_folder: String,
    mode: Option<Mode>,
    /// The app was started on a bundle (from the file manager).
    launch_file: bool,
}

fn dsl_state_of(dir: &KeyDir, unlocked: bool, launch_file: bool) -> DslState {
    let identity = dir.identity_info().ok();
    DslState {
        name: dir.profile().name,
        protected: evidence_kit::keys::identity_is_protected(&dir.identity_path(None)),
        identity_fingerprint: identity.as_ref().map(|i| i.fingerprint()),
        unlocked,
        signing_fingerprint: dir.public_signing_key().ok().map(|k| k.fingerprint()),
        share_text: dir.share_text().ok(),
        default_folder: default_folder().display().to_string(),
        mode: dir.profile().mode,
        launch_file,
    }
}

/// The designated person's keys, as far as they exist.
#[tauri::command]
pub async fn dsl_state(state: State<'_, AppState>) -> Result<DslState, IpcError> {
    let unlocked = state.identity_unlocked();
    let launch = state
        .launch_file
        .lock()
        .map(|f| f.is_some())
        .unwrap_or(false);
    state
        .run_keys(move |dir| Ok::<_, KeyError>(dsl_state_of(dir, unlocked, launch)))
        .await
}

/// Switch between the staff member's app and the designated person's.
#[tauri::command]
pub async fn set_mode(state: State<'_, AppState>, mode: Mode) -> Result<(), IpcError> {
    // Leaving the designated person's screens locks their key again.
    if let Ok(mut p) = state.identity_passphrase.lock() {
        *p = None;
    }
    state.run_keys(move |dir| dir.set_mode(mode)).await
}

/// Make the designated person's keys: the decryption key staff seal to and the signing
/// key receipts are signed with, both protected by one passphrase. Keys that exist are
/// kept.
#[tauri::command]
pub async fn dsl_setup(
    state: State<'_, AppState>,
    name: String,
    passphrase: String,
) -> Result<DslState, IpcError> {
    let remember = state.identity_passphrase.clone();
    state
        .run_keys(move |dir| {
            let opens = dir.setup_designated_person(&name, &passphrase)?;
            // Remembered for this session only if it opens their key (a key made before,
            // with another passphrase, is kept and asks for its own).
            if opens && let Ok(mut r) = remember.lock() {
                *r = Some(passphrase);
            }
            Ok::<_, KeyError>(dsl_state_of(dir, true, false))
        })
        .await
}

/// Run `f` with the register (in the store's folder) and the keys folder, off the main
/// thread.
async fn with_register<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Register, &KeyDir) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    let root = state.root()?;
    let keys = state.keys.clone()?;
    tauri::async_runtime::spawn_blocking(move || {
        let reg = Register::open(&root)?;
        f(&reg, &keys)
    })
    .await
    .map_err(|_| IpcError::task_failed())?
}

/// How to verify on this side: their own key (with the passphrase given this session,
/// or `passphrase`) and every staff key they trust (the core's rule).
fn options(dir: &KeyDir, passphrase: Option<String>) -> verify::Options {
    dir.verify_options(None, passphrase)
}

/// Keep a bundle dropped on the window or chosen, once all its `size` bytes have arrived
/// under `upload` (`commands::upload_begin`); returns its SHA-256 to open it by.
#[tauri::command]
pub async fn dsl_take(
    state: State<'_, AppState>,
    upload: String,
    name: String,
    size: u64,
) -> Result<String, IpcError> {
    let mut arriving = state.take_upload(&upload, Some(size))?;
    with_register(&state, move |reg, _| {
        Ok(reg.keep_arrived(&name, &mut arriving)?)
    })
    .await
}

/// The bundle the app was started on (opened from the file manager), kept; `None` when
/// it was started without one.
#[tauri::command]
pub async fn dsl_take_launch_file(state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    let Some(path) = state.launch_file.lock().ok().and_then(|mut f| f.take()) else {
        return Ok(None);
    };
    keep_file(&state, path).await.map(Some)
}

/// Keep a bundle from a path (the one the app was started on, or one dropped on the
/// window) in the register, a copy; returns its SHA-256.
pub async fn keep_file(state: &AppState, path: PathBuf) -> Result<String, IpcError> {
    with_register(state, move |reg, _| {
        let mut f = std::fs::File::open(&path)
            .map_err(|e| IpcError::from(evidence_kit::StoreError::io("read", &path, e)))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(reg.keep(&name, &mut f)?)
    })
    .await
}

/// Verify, register and unpack a kept bundle, and describe it. An encrypted one needs
/// the designated person's passphrase once per session (`passphrase`, else the one
/// given before).
#[tauri::command]
pub async fn dsl_open(
    state: State<'_, AppState>,
    sha256: String,
    passphrase: Option<String>,
) -> Result<BundleView, IpcError> {
    let remember = state.identity_passphrase.clone();
    let given = passphrase.filter(|p| !p.is_empty());
    let pass = given.clone().or_else(|| state.remembered_passphrase());
    with_register(&state, move |reg, dir| {
        let view = reg.open_kept(&sha256, &options(dir, pass)).map_err(|e| {
            if e.code() == "needs_identity" {
                IpcError::needs_keys()
            } else {
                e.into()
            }
        })?;
        if view.report.encrypted
            && given.is_some()
            && let Ok(mut r) = remember.lock()
        {
            *r = given;
        }
        Ok(view)
    })
    .await
}

/// Trust the signer's key of a bundle (after comparing its fingerprint with the staff
/// member in person), and check the bundle again.
#[tauri::command]
pub async fn dsl_trust(state: State<'_, AppState>, sha256: String) -> Result<BundleView, IpcError> {
    let pass = state.remembered_passphrase();
    with_register(&state, move |reg, dir| {
        let before = reg.open_kept(&sha256, &options(dir, pass.clone()))?;
        if !before.can_trust {
            return Err(IpcError::cannot_trust());
        }
        let key = reg.signer_key(&sha256)?;
        let name = before
            .report
            .signer
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "unknown".into());
        dir.trust(&key, &name)?;
        Ok(reg.open_kept(&sha256, &options(dir, pass))?)
    })
    .await
}

/// A picture of a bundle's item as PNG bytes (a thumbnail, or up to 2,000 pixels when
/// `full`); empty when it cannot be shown.
#[tauri::command]
pub async fn dsl_picture(
    state: State<'_, AppState>,
    sha256: String,
    path: String,
    full: bool,
) -> Result<Response, IpcError> {
    let max = if full {
        PREVIEW_MAX_PX
    } else {
        THUMBNAIL_MAX_PX
    };
    let png = with_register(&state, move |reg, _| Ok(reg.picture(&sha256, &path, max)?)).await?;
    Ok(Response::new(png.unwrap_or_default()))
}

/// An e-mail of a bundle's item to read (as [`dsl_picture`] finds its file): headers
/// and body as plain text, never HTML; `null` when it is not an e-mail.
#[tauri::command]
pub async fn dsl_email_view(
    state: State<'_, AppState>,
    sha256: String,
    item: String,
) -> Result<Option<evidence_kit::mail::EmailView>, IpcError> {
    with_register(&state, move |reg, _| Ok(reg.email(&sha256, &item)?)).await
}

/// Every bundle received, newest first.
#[tauri::command]
pub async fn dsl_list(state: State<'_, AppState>) -> Result<Vec<Received>, IpcError> {
    with_register(&state, |reg, _| {
        let mut all = reg.list()?;
        all.reverse();
        Ok(all)
    })
    .await
}

/// One status change with its note, as the register shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatusLine {
    at: String,
    status: String,
    note: Option<String>,
    /// Who the case was referred to (with `referred`).
    referred_to: Vec<register::Referral>,
}

/// Move a case along (received → reviewed → referred → closed) with a dated note and,
/// with `referred`, who it was referred to (`referred_to`: the CLI's spellings,
/// `headteacher`, `chair-of-governors`, `hr`, `lado`, `police`, `other:WHO`); returns
/// its history.
#[tauri::command]
pub async fn dsl_set_status(
    state: State<'_, AppState>,
    case_ref: String,
    status: String,
    note: Option<String>,
    referred_to: Option<Vec<String>>,
) -> Result<Vec<StatusLine>, IpcError> {
    with_register(&state, move |reg, _| {
        let referred = referred_to
            .unwrap_or_default()
            .iter()
            .map(|t| register::Referral::parse(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(register::RegisterError::from)?;
        reg.set_status_referred(&case_ref, &status, note.as_deref(), &referred)?;
        history(reg, &case_ref)
    })
    .await
}

/// A case's statuses, oldest first.
#[tauri::command]
pub async fn dsl_history(
    state: State<'_, AppState>,
    case_ref: String,
) -> Result<Vec<StatusLine>, IpcError> {
    with_register(&state, move |reg, _| history(reg, &case_ref)).await
}

fn history(reg: &Register, case_ref: &str) -> Result<Vec<StatusLine>, IpcError> {
    Ok(reg
        .status_entries(case_ref)?
        .into_iter()
        .map(|e| StatusLine {
            at: e.at,
            status: e.status,
            note: e.note,
            referred_to: e.referred_to,
        })
        .collect())
}

fn output_folder(folder: &str) -> Result<PathBuf, IpcError> {
    let folder = PathBuf::from(folder.trim());
    std::fs::create_dir_all(&folder)
        .map_err(|e| IpcError::from(evidence_kit::StoreError::io("create", &folder, e)))?;
    Ok(folder)
}

/// A file name part from a case reference (never a path).
fn stem(case_ref: &str) -> String {
    case_ref
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(60)
        .collect()
}

/// Make a signed receipt for the bundle `sha256` (the one open) into `folder`; returns
/// its path. The signing key's passphrase is asked for each time.
#[tauri::command]
pub async fn dsl_receipt(
    state: State<'_, AppState>,
    sha256: String,
    case_ref: String,
    passphrase: String,
    folder: String,
) -> Result<String, IpcError> {
    with_register(&state, move |reg, dir| {
        let key = dir.signing_key(None, Some(&passphrase))?;
        let text = reg.receipt_for(&sha256, &key)?;
        let out = free_name(
            &output_folder(&folder)?,
            &format!("{}-receipt", stem(&case_ref)),
            "evidence-receipt",
        );
        form::write_new(&out, text.as_bytes())?;
        Ok(out.display().to_string())
    })
    .await
}

/// The form of a received bundle made in the app's private folder for printing (removed
/// when the app closes) and opened in the system's PDF viewer; returns its path.
#[tauri::command]
pub async fn dsl_print_form(
    state: State<'_, AppState>,
    sha256: String,
    fill: bool,
) -> Result<String, IpcError> {
    let pass = state.remembered_passphrase();
    let folder = state.print_folder()?;
    let out = with_register(&state, move |reg, dir| {
        bundle_form(reg, dir, &sha256, fill, pass, &folder)
    })
    .await?;
    crate::files::open_with_viewer(&out)?;
    Ok(out.display().to_string())
}

/// Make the form of the received bundle `sha256` in `folder` (never over a file there).
fn bundle_form(
    reg: &Register,
    dir: &KeyDir,
    sha256: &str,
    fill: bool,
    pass: Option<String>,
    folder: &std::path::Path,
) -> Result<std::path::PathBuf, IpcError> {
    let path = reg.bundle_file(sha256)?;
    let section = if fill {
        reg.dsl_section(&path, dir)?
    } else {
        None
    };
    let school = dir.school_name(None)?;
    let opts = options(dir, pass);
    let made = form::for_bundle(
        &path,
        &opts,
        school.as_deref(),
        evidence_kit::clock::now(),
        section,
    )?;
    let case_ref = reg
        .list()?
        .into_iter()
        .find(|b| b.sha256 == sha256)
        .and_then(|b| b.case_ref)
        .unwrap_or_else(|| "bundle".into());
    let out = free_name(folder, &format!("{}-form", stem(&case_ref)), "pdf");
    form::write_new(&out, &made.pdf)?;
    Ok(out)
}

/// The accounts named across every case received.
#[tauri::command]
pub async fn dsl_accounts(state: State<'_, AppState>) -> Result<Vec<Account>, IpcError> {
    with_register(&state, |reg, _| Ok(reg.accounts()?)).await
}

/// The register as CSV into `folder`; returns its path.
#[tauri::command]
pub async fn dsl_export_csv(
    state: State<'_, AppState>,
    folder: String,
) -> Result<String, IpcError> {
    with_register(&state, move |reg, _| {
        let out = free_name(&output_folder(&folder)?, "register", "csv");
        reg.export_csv(&out)?;
        Ok(out.display().to_string())
    })
    .await
}

/// What a receipt opened on the staff side says.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReceiptView {
    case_id: String,
    words: String,
}

/// (Staff) open a receipt the designated person gave back (its text as the raw request
/// body): checked against their shared key, and recorded on the record it is for.
#[tauri::command]
pub async fn open_receipt(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<ReceiptView, IpcError> {
    let data = match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => bytes.clone(),
        tauri::ipc::InvokeBody::Json(_) => return Err(IpcError::bad_upload()),
    };
    let dir = state.keys.clone()?;
    state
        .run(move |store| -> Result<ReceiptView, IpcError> {
            let text = String::from_utf8(data)
                .map_err(|_| IpcError::from(register::ReceiptError::Malformed))?;
            let (body, key) = register::verify_receipt(&text, &dir.receipt_keys())?;
            // (receipt_keys: only the designated person's key, kept apart from the keys
            // trusted to sign bundles)
            let words = store.record_receipt(&body, &key.fingerprint())?;
            Ok(ReceiptView {
                case_id: body.case,
                words,
            })
        })
        .await
}

/// The bundle named on the command line (a file association passes its path).
pub fn launch_file(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<PathBuf> {
    args.into_iter()
        .map(PathBuf::from)
        .find(|p| is_bundle_name(p) && p.is_file())
}

fn is_bundle_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.ends_with(".evidence") || name.ends_with(".evidence.age")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bundle_on_the_command_line_is_opened() {
        let dir = std::env::temp_dir().join(format!("ek-launch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let b = dir.join("EK-1.evidence.age");
        std::fs::write(&b, b"x").expect("write");
        let other = dir.join("notes.txt");
        std::fs::write(&other, b"x").expect("write");
        let args = |v: &[&std::ffi::OsStr]| v.iter().map(|s| s.to_os_string()).collect::<Vec<_>>();
        assert_eq!(
            launch_file(args(&["--store".as_ref(), "/tmp".as_ref(), b.as_os_str()])),
            Some(b.clone())
        );
        assert_eq!(launch_file(args(&[other.as_os_str()])), None);
        assert_eq!(launch_file(args(&["/nowhere/x.evidence".as_ref()])), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
