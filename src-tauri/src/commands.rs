//! The commands the UI calls (`ui/src/backend.ts`). Each takes the state, calls the core
//! on a blocking thread and maps the error; nothing else.

use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::capture::{self, Details, Target};
use evidence_kit::case::{Case, CaseSummary, Item, PoliceDecision, Responsible};
use evidence_kit::store::{self, ItemField, ReportUpdate};
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

/// One case, with its incident report.
#[tauri::command]
pub async fn get_case(state: State<'_, AppState>, case_id: String) -> Result<Case, IpcError> {
    state.run(move |store| store.case(&case_id)).await
}

/// Describe an item after capture: (field, value) pairs, `None` clearing a field. Each
/// change is a custody entry keeping the old value; nothing is written if any is bad.
#[tauri::command]
pub async fn update_item(
    state: State<'_, AppState>,
    item_id: i64,
    changes: Vec<(String, Option<String>)>,
) -> Result<Item, IpcError> {
    let mut parsed = Vec::with_capacity(changes.len());
    for (field, value) in changes {
        let f = ItemField::parse(&field).ok_or_else(|| IpcError::bad_field(&field))?;
        parsed.push((f, value));
    }
    state
        .run(move |store| {
            let actor = store.case(&store.item(item_id)?.case_id)?.staff;
            store.edit_item_fields(item_id, &parsed, &actor)
        })
        .await
}

/// Withdraw an item: it is kept, marked, with the reason.
#[tauri::command]
pub async fn withdraw_item(
    state: State<'_, AppState>,
    item_id: i64,
    reason: String,
) -> Result<Item, IpcError> {
    state
        .run(move |store| {
            let actor = store.case(&store.item(item_id)?.case_id)?.staff;
            store.withdraw(item_id, &reason, &actor)
        })
        .await
}

/// The incident report as the UI sends it: every field, `null` when empty.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReportFields {
    role: Option<String>,
    contact: Option<String>,
    addressed_to: Option<String>,
    description: Option<String>,
    responsible: Option<Responsible>,
    witnesses: Option<String>,
    continuing: Option<bool>,
    platform_report: Option<String>,
    advice: Option<String>,
    informed: Option<String>,
    police: Option<PoliceDecision>,
    police_ref: Option<String>,
}

/// Save the incident report; only fields that changed are written (each a custody entry).
#[tauri::command]
pub async fn update_report(
    state: State<'_, AppState>,
    case_id: String,
    report: ReportFields,
) -> Result<Case, IpcError> {
    let r = report;
    let update = ReportUpdate {
        role: Some(r.role),
        contact: Some(r.contact),
        addressed_to: Some(r.addressed_to),
        description: Some(r.description),
        responsible: Some(r.responsible),
        witnesses: Some(r.witnesses),
        continuing: Some(r.continuing),
        platform_report: Some(r.platform_report),
        advice: Some(r.advice),
        informed: Some(r.informed),
        police: Some(r.police),
        police_ref: Some(r.police_ref),
    };
    state
        .run(move |store| {
            let actor = store.case(&case_id)?.staff;
            store.update_report(&case_id, &update, &actor)
        })
        .await
}

/// Sites and apps typed before, most recent first (suggestions).
#[tauri::command]
pub async fn recent_sites(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    state.run(|store| store.recent_sites(12)).await
}

/// One line of the custody log, in plain words.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogLine {
    seq: i64,
    /// Local time with offset.
    at: String,
    actor: String,
    text: String,
    /// The computer's clock had gone back.
    clock_anomaly: bool,
}

/// The custody log of a case, oldest first, each entry described in plain words.
#[tauri::command]
pub async fn custody_log(
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Vec<LogLine>, IpcError> {
    state
        .run(move |store| {
            Ok::<_, evidence_kit::StoreError>(
                store
                    .custody(Some(&case_id))?
                    .into_iter()
                    .map(|e| LogLine {
                        seq: e.seq,
                        at: e.at.local.clone(),
                        actor: e.actor.clone(),
                        text: e.describe(),
                        clock_anomaly: e.clock_anomaly,
                    })
                    .collect(),
            )
        })
        .await
}

/// "This may be an indecent image of a child": records only a note (nothing is
/// captured) and returns the advice to show.
#[tauri::command]
pub async fn record_indecent_image(
    state: State<'_, AppState>,
    case_id: String,
    site: Option<String>,
) -> Result<String, IpcError> {
    state
        .run(move |store| {
            let actor = store.case(&case_id)?.staff;
            store
                .record_indecent_image(&case_id, site.as_deref(), None, &actor)
                .map(|_| store::INDECENT_IMAGE_ADVICE.to_string())
        })
        .await
}

/// Mark an item just captured as a possible indecent image of a child: its bytes are
/// removed from the store (the policy's one exception to never-delete).
#[tauri::command]
pub async fn remove_indecent_item(
    state: State<'_, AppState>,
    item_id: i64,
) -> Result<Item, IpcError> {
    state
        .run(move |store| {
            let actor = store.case(&store.item(item_id)?.case_id)?.staff;
            store.remove_indecent_item(item_id, None, &actor)
        })
        .await
}
