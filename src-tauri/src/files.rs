//! The person's own files, through the desktop: the system's folder chooser, "Show in
//! folder", "Save a copy to…" (copied, synced and read back before it is said to be
//! saved), and "Print the form" (made in a private temporary folder that is removed when
//! the app closes, never beside the sealed file). Only glue: the form and the copying
//! checks are the core's.

use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::form;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// The system's folder chooser, starting at `start`; `None` if the person cancels.
#[tauri::command]
pub async fn choose_folder(app: AppHandle, start: String) -> Result<Option<String>, IpcError> {
    let mut dialog = app.dialog().file().set_title("Choose a folder");
    let start = PathBuf::from(start.trim());
    if start.is_dir() {
        dialog = dialog.set_directory(&start);
    }
    // The chooser waits for the person: off the main thread.
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder())
        .await
        .map_err(|_| IpcError::task_failed())?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// `path` if it names a sealed file (`NAME.evidence` or `NAME.evidence.age`, a regular
/// file): the only files the page may ask to show or copy.
fn sealed_file(path: &str) -> Result<PathBuf, IpcError> {
    let file = PathBuf::from(path);
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let sealed = name.ends_with(".evidence") || name.ends_with(".evidence.age");
    match std::fs::symlink_metadata(&file) {
        Ok(m) if sealed && m.is_file() => Ok(file),
        _ => Err(IpcError::not_a_sealed_file(path)),
    }
}

/// Open the folder holding the sealed file `path` in the file manager (on Windows and
/// macOS with the file selected).
#[tauri::command]
pub async fn show_in_folder(path: String) -> Result<(), IpcError> {
    let file = sealed_file(&path)?;
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg("-R").arg(&file);
        c
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("explorer");
        c.arg(format!("/select,{}", file.display()));
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(file.parent().unwrap_or(Path::new(".")));
        c
    };
    cmd.spawn()
        .map(|_| ())
        .map_err(|_| IpcError::cannot_open(&path))
}

/// Copy the sealed file at `path` into a folder the person chooses (never over a file
/// there: a "-2" is added), and read the copy back: its SHA-256 must be the original's.
/// Returns where the copy is, or `None` if the person cancelled.
#[tauri::command]
pub async fn save_copy(app: AppHandle, path: String) -> Result<Option<String>, IpcError> {
    let from = sealed_file(&path)?;
    let start = from.parent().map(Path::to_path_buf);
    let mut dialog = app.dialog().file().set_title("Save a copy in this folder");
    if let Some(s) = &start {
        dialog = dialog.set_directory(s);
    }
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder())
        .await
        .map_err(|_| IpcError::task_failed())?;
    let Some(folder) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    tauri::async_runtime::spawn_blocking(move || {
        evidence_kit::bundle::copy_sealed(&from, &folder)
            .map(|p| Some(p.display().to_string()))
            .map_err(IpcError::from)
    })
    .await
    .map_err(|_| IpcError::task_failed())?
}

/// Make the record's form in the app's private temporary folder and open it in the
/// system's PDF viewer, to print. Returns the PDF's path.
#[tauri::command]
pub async fn print_form(state: State<'_, AppState>, case_id: String) -> Result<String, IpcError> {
    let dir = state.keys.clone()?;
    let folder = state.print_folder()?;
    let path = state
        .run(move |store| -> Result<PathBuf, IpcError> {
            let school = dir.school_name(None)?;
            let made = form::for_case(store, &case_id, school.as_deref())?;
            let out =
                crate::commands::free_name(&folder, &format!("{}-form", case_id.trim()), "pdf");
            form::write_new(&out, &made.pdf)?;
            Ok(out)
        })
        .await?;
    open_with_viewer(&path)?;
    Ok(path.display().to_string())
}

/// Open a PDF in the system's viewer.
pub(crate) fn open_with_viewer(p: &Path) -> Result<(), IpcError> {
    let shown = p.display().to_string();
    if p.extension().and_then(|e| e.to_str()) != Some("pdf") || !p.is_file() {
        return Err(IpcError::cannot_open(&shown));
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(p)
        .spawn()
        .map(|_| ())
        .map_err(|_| IpcError::cannot_open(&shown))
}

/// Save the designated person's "What to give staff" text as a file in a folder they
/// choose (never over a file there); returns where, or `None` if they cancelled.
#[tauri::command]
pub async fn dsl_save_share(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<String>, IpcError> {
    let dir = state.keys.clone()?;
    let text = dir.share_text()?;
    let name = dir
        .profile()
        .name
        .unwrap_or_else(|| "designated person".into());
    let dialog = app
        .dialog()
        .file()
        .set_title("Save the text for staff in this folder");
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder())
        .await
        .map_err(|_| IpcError::task_failed())?;
    let Some(folder) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let stem: String = format!("{name} - Evidence Kit key for staff")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " .-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let out = crate::commands::free_name(&folder, &stem, "txt");
    // A new file, never over one (the same writer as the forms).
    form::write_new(&out, format!("{text}\n").as_bytes())?;
    Ok(Some(out.display().to_string()))
}

/// Removable drives mounted now (a USB stick), to offer as the folder to save in: on Linux
/// the folders under `/media/USER` and `/run/media/USER`, on macOS the volumes under
/// `/Volumes` but the start-up disk. (Windows: none offered; the folder chooser shows them.)
#[tauri::command]
pub async fn removable_folders() -> Result<Vec<String>, IpcError> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "macos") {
        roots.push(PathBuf::from("/Volumes"));
    } else if cfg!(unix)
        && let Some(user) = std::env::var_os("USER")
    {
        roots.push(Path::new("/media").join(&user));
        roots.push(Path::new("/run/media").join(&user));
    }
    let mut found = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            // The start-up disk appears in /Volumes as a link to /.
            let is_root = std::fs::canonicalize(&p).is_ok_and(|c| c == Path::new("/"));
            if p.is_dir() && !is_root {
                found.push(p.display().to_string());
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::sealed_file;

    /// The page may ask to show or copy only a sealed file: not the keys, not the store.
    #[test]
    fn only_a_sealed_file_is_shown_or_copied() {
        let dir = tempfile::tempdir().expect("tmp");
        let ok = |name: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, b"x").expect("write");
            sealed_file(&p.display().to_string()).is_ok()
        };
        assert!(ok("EK-1.evidence"));
        assert!(ok("EK-1-2.evidence.age"));
        assert!(!ok("signing.key"));
        assert!(!ok("evidence.sqlite"));
        assert!(!ok("EK-1.evidence.txt"));
        let missing = dir.path().join("gone.evidence").display().to_string();
        let err = sealed_file(&missing).expect_err("missing");
        assert_eq!(err.code, "not_a_sealed_file");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.evidence");
            std::os::unix::fs::symlink("/etc/passwd", &link).expect("symlink");
            assert!(
                sealed_file(&link.display().to_string()).is_err(),
                "a link is not followed"
            );
        }
    }
}
