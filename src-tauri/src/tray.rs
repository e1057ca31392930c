//! A tray icon, where the desktop has one: "Capture the screen now" (as the shortcut
//! does), "Open Evidence Kit", "Quit". Closing the window leaves nothing running that
//! the person did not ask for: the tray is only offered on a desktop session.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

/// Whether to offer a tray icon: on Linux only in a desktop session (a bare X server,
/// as in the tests, has no tray to show it in).
pub fn wanted() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("XDG_CURRENT_DESKTOP").is_some_and(|d| !d.is_empty())
}

/// Put the icon in the tray.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let capture = MenuItem::with_id(app, "capture", "Capture the screen now", true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Evidence Kit", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&capture, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Evidence Kit")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "capture" => {
                let app = app.clone();
                std::thread::spawn(move || crate::shortcut::capture_now(&app));
            }
            "open" => {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.show();
                    let _ = w.unminimize();
                    let _ = w.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}
