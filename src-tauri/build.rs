//! Generates the app's context (config, embedded `ui/dist`, capabilities) and the
//! permissions of its own commands, so `capabilities/main.json` can grant exactly those.
//!
//! The context is generated here rather than by `generate_context!` so that cargo's
//! `rerun-if-changed` on `ui/dist` applies: after `npm run build`, a plain `cargo build`
//! embeds the new UI.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "list_cases",
            "create_case",
            "list_items",
            "capture_screen",
            "item_thumbnail",
            "get_case",
            "update_item",
            "withdraw_item",
            "update_report",
            "recent_sites",
            "custody_log",
            "record_indecent_image",
            "remove_indecent_item",
            "setup_state",
            "save_profile",
            "create_signing_key",
            "add_recipient",
            "replace_signing_key",
            "remove_recipient",
            "seal_case",
            "seal_progress",
            "upload_begin",
            "upload_part",
            "upload_cancel",
            "capture_upload",
            "capture_clipboard",
            "mark_handed_over",
            "item_preview",
            "set_current_case",
            "set_shortcut",
            "ui_ready",
            "capture_window",
            "list_windows",
            "begin_region",
            "region_preview",
            "capture_region",
            "cancel_region",
            "dsl_state",
            "set_mode",
            "dsl_setup",
            "dsl_take",
            "dsl_take_launch_file",
            "dsl_open",
            "dsl_trust",
            "dsl_picture",
            "dsl_list",
            "dsl_set_status",
            "dsl_history",
            "dsl_receipt",
            "dsl_accounts",
            "dsl_export_csv",
            "open_receipt",
            "choose_folder",
            "show_in_folder",
            "save_copy",
            "print_form",
            "removable_folders",
            "email_view",
            "dsl_email_view",
            "dsl_print_form",
            "dsl_save_share",
            "capture_drop",
            "dsl_take_drop",
        ]))
        .codegen(tauri_build::CodegenContext::new());
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; say why first.
        panic!("tauri-build failed: {e:#}");
    }
}
