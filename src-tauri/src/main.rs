//! `evidence-kit-desktop`: the Evidence Kit window. It opens the evidence store, then
//! forwards each request from the UI (`ui/`) to the core crate and sends back its result
//! or a `{code, message}` error. No evidence logic lives here.
//!
//! ```text
//! evidence-kit-desktop [--store DIR] [--config DIR]
//! ```
//! The store is `--store DIR`, else `$EVIDENCE_KIT_STORE`, else the per-user data folder
//! (`~/.local/share/evidence-kit` on Linux).
#![forbid(unsafe_code)]
// A release build on Windows should not open a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod args;
mod commands;
mod drop;
mod dsl;
mod error;
mod files;
#[cfg(test)]
mod listed;
mod navigation;
mod shortcut;
mod state;
#[cfg(test)]
mod transport;
mod tray;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Opening the store can fail (read-only folder, newer schema…). The window still opens
    // and shows the error sentence; every command then answers with that error.
    let state = state::AppState::open(
        args::store_dir(std::env::args_os().skip(1)),
        args::config_dir(std::env::args_os().skip(1)),
        dsl::launch_file(std::env::args_os().skip(1)),
    );
    let accelerator = state
        .keys
        .as_ref()
        .ok()
        .and_then(|k| k.profile().shortcut)
        .unwrap_or_else(|| shortcut::DEFAULT.to_string());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(shortcut::plugin())
        .plugin(navigation::plugin())
        .setup(move |app| {
            // Not fatal: the window works without it, and says so when asked to set one.
            if let Err(e) = shortcut::register(app.handle(), &accelerator) {
                eprintln!("evidence-kit-desktop: {e}");
            }
            if tray::wanted()
                && let Err(e) = tray::install(app.handle())
            {
                eprintln!("evidence-kit-desktop: no tray icon: {e}");
            }
            Ok(())
        })
        .manage(state)
        .on_window_event(drop::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::list_cases,
            commands::create_case,
            commands::list_items,
            commands::capture_screen,
            commands::item_thumbnail,
            commands::email_view,
            commands::get_case,
            commands::update_item,
            commands::withdraw_item,
            commands::update_report,
            commands::recent_sites,
            commands::custody_log,
            commands::record_indecent_image,
            commands::remove_indecent_item,
            commands::setup_state,
            commands::save_profile,
            commands::create_signing_key,
            commands::add_recipient,
            commands::replace_signing_key,
            commands::remove_recipient,
            commands::seal_case,
            commands::seal_progress,
            commands::upload_begin,
            commands::upload_part,
            commands::upload_cancel,
            commands::capture_upload,
            commands::capture_clipboard,
            commands::mark_handed_over,
            commands::item_preview,
            commands::set_current_case,
            commands::set_shortcut,
            commands::ui_ready,
            commands::capture_window,
            commands::list_windows,
            commands::begin_region,
            commands::region_preview,
            commands::capture_region,
            commands::cancel_region,
            dsl::dsl_state,
            dsl::set_mode,
            dsl::dsl_setup,
            dsl::dsl_take,
            dsl::dsl_take_launch_file,
            dsl::dsl_open,
            dsl::dsl_trust,
            dsl::dsl_picture,
            dsl::dsl_email_view,
            dsl::dsl_list,
            dsl::dsl_set_status,
            dsl::dsl_history,
            dsl::dsl_receipt,
            dsl::dsl_accounts,
            dsl::dsl_export_csv,
            dsl::open_receipt,
            files::choose_folder,
            files::show_in_folder,
            files::save_copy,
            files::print_form,
            files::removable_folders,
            files::dsl_save_share,
            dsl::dsl_print_form,
            drop::capture_drop,
            drop::dsl_take_drop,
        ])
        .build(tauri::tauri_build_context!());
    match result {
        Ok(app) => {
            app.run(|handle, event| {
                // Forms made for printing go with the app.
                if let tauri::RunEvent::Exit = event {
                    use tauri::Manager;
                    handle.state::<state::AppState>().remove_print_folder();
                }
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("evidence-kit-desktop: the window could not be opened: {e}");
            ExitCode::FAILURE
        }
    }
}
