//! The commands the UI calls (`ui/src/backend.ts`). Each takes the state, calls the core
//! on a blocking thread and maps the error; nothing else.

use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::capture::{self, Details, Target};
use evidence_kit::case::{Case, CaseSummary, Item};
use evidence_kit::thumbnail;
use std::time::Duration;
use tauri::ipc::Response;
use tauri::{State, WebviewWindow};

/// Longer side of a thumbnail, in pixels: twice the size the UI shows, for sharp
/// previews on high-density screens.
const THUMBNAIL_MAX_PX: u32 = 480;

/// How long the window stays hidden before the screenshot is taken: long enough for a
/// window manager to unmap it and repaint what was behind (compositors animate ~250 ms).
const HIDE_SETTLE: Duration = Duration::from_millis(400);

/// The cases, newest first, with item counts.
#[tauri::command]
pub async fn list_cases(state: State<'_, AppState>) -> Result<Vec<CaseSummary>, IpcError> {
    state.run(|store| store.cases()).await
}

/// Start a new case.
#[tauri::command]
pub async fn create_case(
    state: State<'_, AppState>,
    title: String,
    staff: String,
) -> Result<Case, IpcError> {
    state
        .run(move |store| store.create_case(&title, &staff))
        .await
}

/// The items of one case.
#[tauri::command]
pub async fn list_items(
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Vec<Item>, IpcError> {
    state.run(move |store| store.items(&case_id)).await
}

/// Screenshot the whole screen into a case.
///
/// The window steps out of the way first: the person wants what is behind Evidence Kit,
/// not Evidence Kit. It comes back whether or not the capture worked.
#[tauri::command]
pub async fn capture_screen(
    window: WebviewWindow,
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Item, IpcError> {
    let hidden = window.hide().is_ok();
    if hidden {
        // Give the window manager time to unmap us and redraw what was underneath.
        let _ = tauri::async_runtime::spawn_blocking(|| std::thread::sleep(HIDE_SETTLE)).await;
    }
    let result = state
        .run(move |store| capture::screen(store, &case_id, &Target::Screen, &Details::default()))
        .await;
    if hidden {
        // Failing to come back is not worth failing the capture for; the person can
        // reopen the window, and the item is saved either way.
        let _ = window.show();
        let _ = window.set_focus();
    }
    result
}

/// A PNG preview of an item as raw bytes (no JSON, no base64); empty when the item is
/// not an image.
#[tauri::command]
pub async fn item_thumbnail(
    state: State<'_, AppState>,
    item_id: i64,
) -> Result<Response, IpcError> {
    let png = state
        .run(move |store| thumbnail::png(store, item_id, THUMBNAIL_MAX_PX))
        .await?;
    Ok(Response::new(png.unwrap_or_default()))
}
