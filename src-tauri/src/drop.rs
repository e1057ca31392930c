//! Files dropped on the window from a file manager. Tauri's own drop handler takes them
//! (`dragDropEnabled: true`): since WebKitGTK's fix for CVE-2025-13947 a page is given no
//! files for a real drop, only their `file://` addresses, and the page could not read
//! them anyway. The paths stay here: each is kept under a fresh random token, and the page
//! is told only names and sizes, through one known function (as `shortcut.rs` tells it of
//! a capture; no event permission is granted). The page then asks for each token to be
//! kept (`capture_drop`, one file at a time, as the CLI's `capture file` reads it) or, on
//! the designated person's side, opened (`dsl_take_drop`). A token is used once.

use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::capture::{self, Details};
use evidence_kit::case::Item;
use evidence_kit::keys::Mode;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use tauri::{DragDropEvent, Manager, State, WebviewWindow, WindowEvent};

/// Drops whose tokens are kept until used: a page that never asks for some (a second
/// bundle of a drop, a drop with no record open) cannot make the list grow.
const KEPT_DROPS: usize = 8;

/// The paths of the last drops, by token.
#[derive(Default)]
pub struct Drops {
    batches: VecDeque<HashMap<String, PathBuf>>,
}

impl Drops {
    /// Keep `paths` under a fresh token each; returns (token, path) in the order given.
    pub fn add(&mut self, paths: &[PathBuf]) -> Vec<(String, PathBuf)> {
        let tokens: Vec<(String, PathBuf)> = paths
            .iter()
            .map(|p| (uuid::Uuid::new_v4().simple().to_string(), p.clone()))
            .collect();
        self.batches.push_back(tokens.iter().cloned().collect());
        while self.batches.len() > KEPT_DROPS {
            self.batches.pop_front();
        }
        tokens
    }

    /// The path dropped under `token`, once.
    pub fn take(&mut self, token: &str) -> Option<PathBuf> {
        let path = self.batches.iter_mut().find_map(|b| b.remove(token));
        self.batches.retain(|b| !b.is_empty());
        path
    }

    /// Forget every drop (the page reloaded: it knows none of these tokens).
    pub fn clear(&mut self) {
        self.batches.clear();
    }
}

/// One dropped file as the page is told of it.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct Dropped {
    token: String,
    name: String,
    /// `None` for a folder or anything that is not an ordinary file.
    size: Option<u64>,
}

/// Call the page's `window.evidenceKitDrop(message)`, if it has one.
fn tell(window: &WebviewWindow, message: &serde_json::Value) {
    let js = format!(
        "window.evidenceKitDrop && window.evidenceKitDrop({})",
        serde_json::to_string(message).unwrap_or_else(|_| "null".into())
    );
    let _ = window.eval(&js);
}

/// The window's drag-and-drop events: the page is told when files are over it, when
/// they leave, and what was dropped (names and sizes, each under its token).
pub fn on_window_event(window: &tauri::Window, event: &WindowEvent) {
    let WindowEvent::DragDrop(event) = event else {
        return;
    };
    let Some(webview) = window.app_handle().get_webview_window(window.label()) else {
        return;
    };
    let message = match event {
        DragDropEvent::Enter { .. } => serde_json::json!({ "kind": "enter" }),
        DragDropEvent::Leave => serde_json::json!({ "kind": "leave" }),
        DragDropEvent::Drop { paths, .. } => {
            let state = window.state::<AppState>();
            let Ok(mut drops) = state.drops.lock() else {
                return;
            };
            let files: Vec<Dropped> = drops
                .add(paths)
                .into_iter()
                .map(|(token, path)| Dropped {
                    token,
                    name: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string()),
                    size: std::fs::metadata(&path)
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len()),
                })
                .collect();
            serde_json::json!({ "kind": "drop", "files": files })
        }
        _ => return,
    };
    tell(&webview, &message);
}

/// The path dropped under `token`, which is then forgotten (a token is used once).
fn take(state: &AppState, token: &str) -> Result<std::path::PathBuf, IpcError> {
    state
        .drops
        .lock()
        .ok()
        .and_then(|mut d| d.take(token))
        .ok_or_else(IpcError::unknown_drop)
}

/// Keep the file dropped under `token` in a record, read from its path and hashed as it
/// is read (the core's `capture::file`, as `capture file` on the command line). A
/// folder, or a file that cannot be read, is refused in a sentence. The page is told
/// how far a large one has got (`{kind: "progress", token, done, total}`, in tenths).
/// Nothing is captured in the designated person's screens.
#[tauri::command]
pub async fn capture_drop(
    window: WebviewWindow,
    state: State<'_, AppState>,
    token: String,
    case_id: String,
) -> Result<Item, IpcError> {
    let path = take(&state, &token)?;
    let keys = state.keys.clone().ok();
    state
        .run(move |store| {
            if keys.and_then(|k| k.profile().mode) == Some(Mode::Dsl) {
                return Err(IpcError::drop_in_dsl());
            }
            let mut shown = None;
            let mut on_progress = |done: u64, total: u64| {
                let tenth = done.saturating_mul(10).checked_div(total).unwrap_or(10);
                if shown != Some(tenth) {
                    shown = Some(tenth);
                    let message = serde_json::json!({
                        "kind": "progress", "token": token, "done": done, "total": total,
                    });
                    tell(&window, &message);
                }
            };
            Ok(capture::file_with_progress(
                store,
                &case_id,
                &path,
                &Details::default(),
                &mut on_progress,
            )?)
        })
        .await
}

/// The designated person's side: keep the bundle dropped under `token` in the register
/// (a copy, as one the app was started on); returns its SHA-256 to open it by.
#[tauri::command]
pub async fn dsl_take_drop(state: State<'_, AppState>, token: String) -> Result<String, IpcError> {
    let path = take(&state, &token)?;
    crate::dsl::keep_file(&state, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_once_and_old_drops_are_forgotten() {
        let mut drops = Drops::default();
        let first = drops.add(&[PathBuf::from("/a"), PathBuf::from("/b")]);
        assert_eq!(first.len(), 2);
        assert_ne!(first[0].0, first[1].0, "each file has its own token");
        assert_eq!(drops.take(&first[1].0), Some(PathBuf::from("/b")));
        assert_eq!(drops.take(&first[1].0), None, "used once");
        assert_eq!(drops.take("not-a-token"), None);
        for _ in 0..KEPT_DROPS {
            drops.add(&[PathBuf::from("/c")]);
        }
        assert_eq!(
            drops.take(&first[0].0),
            None,
            "the oldest drop was forgotten"
        );
        assert_eq!(drops.batches.len(), KEPT_DROPS);
        drops.clear();
        assert!(drops.batches.is_empty());
    }
}
