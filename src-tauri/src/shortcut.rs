//! The global capture shortcut (default Ctrl+Shift+E, changeable in the settings): it
//! captures the whole screen into the record the person last chose (else the newest,
//! else a new one), without the window having to be open in front. The window steps
//! aside first if it is showing, and comes back afterwards; the page is told to redraw.

use crate::state::AppState;
use evidence_kit::capture::{self, Details};
use evidence_kit::keys::Mode;
use evidence_kit::store::Store;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

/// The shortcut unless the person chose another.
pub const DEFAULT: &str = "CommandOrControl+Shift+E";

/// How long the window stays hidden before the screenshot (see `commands::HIDE_SETTLE`).
const HIDE_SETTLE: Duration = Duration::from_millis(400);

/// The plugin, with our handler.
pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                let app = app.clone();
                std::thread::spawn(move || capture_now(&app));
            }
        })
        .build()
}

/// Register `accelerator` (replacing any earlier one). A shortcut another program holds
/// is reported in words.
pub fn register(app: &AppHandle, accelerator: &str) -> Result<(), String> {
    let shortcut: Shortcut = accelerator.parse().map_err(|_| {
        format!("\"{accelerator}\" is not a keyboard shortcut Evidence Kit understands; try Ctrl+Shift+E.")
    })?;
    let gs = app.global_shortcut();
    let _ = gs.unregister_all();
    gs.register(shortcut).map_err(|_| {
        format!("The shortcut {accelerator} could not be set: another program may be using it. Choose another.")
    })
}

/// The record the shortcut captures into.
fn target_case(store: &Store, state: &AppState) -> Result<String, evidence_kit::StoreError> {
    if let Some(id) = state.current_case.lock().ok().and_then(|c| c.clone())
        && store.case(&id).is_ok()
    {
        return Ok(id);
    }
    if let Some(newest) = store.cases()?.into_iter().next() {
        return Ok(newest.case.id);
    }
    let staff = state
        .keys
        .as_ref()
        .ok()
        .and_then(|k| k.profile().name)
        .unwrap_or_else(|| "Staff member".into());
    Ok(store.create_case("Captured with the shortcut", &staff)?.id)
}

/// Capture the whole screen into the current record now (the shortcut, the tray menu).
pub fn capture_now(app: &AppHandle) {
    // The designated person's screens show evidence from staff (pictures of pupils,
    // perhaps worse): the shortcut never copies what they are looking at.
    let mode = app
        .state::<AppState>()
        .keys
        .as_ref()
        .ok()
        .and_then(|k| k.profile().mode);
    if mode == Some(Mode::Dsl) {
        if let Some(w) = app.get_webview_window("main") {
            // Said on the page on screen, as the staff member's captures are.
            let _ = w.eval(
                "window.evidenceKitShortcut && window.evidenceKitShortcut(\"The capture shortcut is off in the designated person's screens: nothing was captured.\")",
            );
        }
        return;
    }
    let pressed = Instant::now();
    let window = app.get_webview_window("main");
    // Only a window showing on screen has to step aside (a minimised or hidden one is
    // not in the picture).
    let was_visible = window
        .as_ref()
        .is_some_and(|w| w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false));
    if was_visible && let Some(w) = &window {
        let _ = w.hide();
        std::thread::sleep(HIDE_SETTLE);
    }
    let state = app.state::<AppState>();
    // Grab first, without waiting for the store (a seal may be holding it): what is
    // kept is what was on screen when the key was pressed.
    let grabbed = capture::grab_screen();
    let result = grabbed
        .map_err(crate::error::IpcError::from)
        .and_then(|screen| {
            state.with_store(|store| -> Result<_, crate::error::IpcError> {
                let case_id = target_case(store, &state)?;
                Ok(capture::grabbed_screen(
                    store,
                    &case_id,
                    &screen,
                    &Details::default(),
                )?)
            })
        });
    if std::env::var_os("EVIDENCE_KIT_TIMING").is_some() {
        eprintln!(
            "timing: shortcut-to-saved-ms={} ({})",
            pressed.elapsed().as_millis(),
            if result.is_ok() { "saved" } else { "failed" }
        );
    }
    if let Some(w) = &window {
        if was_visible {
            let _ = w.show();
        }
        // The page shows the new item (or the reason it could not be taken).
        let message = match &result {
            Ok(item) => format!("Screenshot saved as {} (shortcut).", item.original_name),
            Err(e) => e.message.clone(),
        };
        let js = format!(
            "window.evidenceKitShortcut && window.evidenceKitShortcut({})",
            serde_json::to_string(&message).unwrap_or_else(|_| "\"\"".into())
        );
        let _ = w.eval(&js);
    }
}
