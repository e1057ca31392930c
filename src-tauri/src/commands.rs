//! The commands the UI calls (`ui/src/backend.ts`). Each takes the state, calls the core
//! on a blocking thread and maps the error; nothing else.

use crate::error::IpcError;
use crate::state::AppState;
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::capture::{self, Arriving, Details, Target};
use evidence_kit::case::{Case, CaseSummary, IncidentReport, Item};
use evidence_kit::keys::{KeyDir, KeyError, Profile};
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

/// Longer side of a full-size view, in pixels.
const PREVIEW_MAX_PX: u32 = 2000;

/// An item's picture at up to 2,000 pixels, as raw PNG bytes (empty when not an image).
#[tauri::command]
pub async fn item_preview(state: State<'_, AppState>, item_id: i64) -> Result<Response, IpcError> {
    let png = state
        .run(move |store| thumbnail::png(store, item_id, PREVIEW_MAX_PX))
        .await?;
    Ok(Response::new(png.unwrap_or_default()))
}

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
    capture_target(window, state, case_id, Target::Screen).await
}

/// Screenshot one window (by its title) into a case, stepping aside as for the screen.
#[tauri::command]
pub async fn capture_window(
    window: WebviewWindow,
    state: State<'_, AppState>,
    case_id: String,
    title: String,
) -> Result<Item, IpcError> {
    capture_target(window, state, case_id, Target::Window(title)).await
}

/// The titles of the other open windows, to choose one to capture.
#[tauri::command]
pub async fn list_windows(window: WebviewWindow) -> Result<Vec<String>, IpcError> {
    let own = window.title().unwrap_or_default();
    tauri::async_runtime::spawn_blocking(move || {
        Ok(capture::list_windows()?
            .into_iter()
            .map(|w| w.title)
            .filter(|t| *t != own)
            .collect())
    })
    .await
    .map_err(|_| IpcError::task_failed())?
}

/// Run `f` with the window out of the way: hidden, given time for what was behind it to
/// be redrawn, and brought back afterwards whatever `f` returned.
async fn stepped_aside<T>(window: &WebviewWindow, f: impl std::future::Future<Output = T>) -> T {
    let hidden = window.hide().is_ok();
    if hidden {
        // Give the window manager time to unmap us and redraw what was underneath.
        let _ = tauri::async_runtime::spawn_blocking(|| std::thread::sleep(HIDE_SETTLE)).await;
    }
    let result = f.await;
    if hidden {
        // Failing to come back is not worth failing the capture for; the person can
        // reopen the window, and the item is saved either way.
        let _ = window.show();
        let _ = window.set_focus();
    }
    result
}

async fn capture_target(
    window: WebviewWindow,
    state: State<'_, AppState>,
    case_id: String,
    target: Target,
) -> Result<Item, IpcError> {
    stepped_aside(
        &window,
        state.run(move |store| capture::screen(store, &case_id, &target, &Details::default())),
    )
    .await
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

/// An e-mail item to read: From, To, Date, Subject and its body as plain text (never
/// HTML); `null` when the item is not an e-mail or its bytes were removed. The UI
/// offers its From address and Date as "who" and "when seen" for the person to save:
/// nothing is written here.
#[tauri::command]
pub async fn email_view(
    state: State<'_, AppState>,
    item_id: i64,
) -> Result<Option<evidence_kit::mail::EmailView>, IpcError> {
    state
        .run(move |store| capture::email_view(store, item_id))
        .await
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
            let actor = store.actor_for_item(item_id)?;
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
            let actor = store.actor_for_item(item_id)?;
            store.withdraw(item_id, &reason, &actor)
        })
        .await
}

/// Save the incident report; only fields that changed are written (each a custody entry).
/// The UI sends every field of the report's table (`ReportFields.ts`, made from
/// `ReportField::ALL`), `null` when empty; the others of `IncidentReport` are not read.
#[tauri::command]
pub async fn update_report(
    state: State<'_, AppState>,
    case_id: String,
    report: IncidentReport,
) -> Result<Case, IpcError> {
    let update = ReportUpdate::every_field(&report);
    state
        .run(move |store| {
            let actor = store.actor_for_case(&case_id)?;
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
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LogLine {
    seq: i64,
    /// Local time with offset.
    at: String,
    actor: String,
    /// What happened, in plain words (no hashes or media types).
    text: String,
    /// What the sentence leaves out, for "Technical details" (SHA-256, media type,
    /// sizes); `null` when there is nothing more.
    technical: Option<String>,
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
                        technical: e.technical(),
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
            let actor = store.actor_for_case(&case_id)?;
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
            let actor = store.actor_for_item(item_id)?;
            store.remove_indecent_item(item_id, None, &actor)
        })
        .await
}

/// What the first-run screen needs to know.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SetupState {
    profile: Profile,
    /// The signing key's fingerprint, once made.
    signing_fingerprint: Option<String>,
    /// The designated persons the staff member can seal to.
    recipients: Vec<RecipientView>,
    /// Where bundles and forms are saved unless the person chooses elsewhere.
    default_folder: String,
    /// The folder holding the evidence (to copy to a new computer).
    store_folder: Option<String>,
    /// The folder holding the keys and settings (to copy to a new computer).
    keys_folder: String,
}

/// A designated person, for lists.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RecipientView {
    name: String,
    fingerprint: String,
}

fn keys(state: &AppState) -> Result<KeyDir, IpcError> {
    state.keys.clone()
}

/// The folder offered for bundles and forms: Documents/Evidence Kit, else home.
pub(crate) fn default_folder() -> std::path::PathBuf {
    directories::UserDirs::new()
        .map(|u| {
            u.document_dir()
                .unwrap_or_else(|| u.home_dir())
                .join("Evidence Kit")
        })
        .unwrap_or_else(|| std::path::PathBuf::from("Evidence Kit"))
}

/// The profile, the signing key and the designated persons, as far as they exist.
#[tauri::command]
pub async fn setup_state(state: State<'_, AppState>) -> Result<SetupState, IpcError> {
    let store_folder = state.root().ok().map(|p| p.display().to_string());
    state
        .run_keys(move |dir| {
            Ok::<_, KeyError>(SetupState {
                profile: dir.profile(),
                signing_fingerprint: dir.public_signing_key().ok().map(|k| k.fingerprint()),
                recipients: dir
                    .recipients()?
                    .into_iter()
                    .map(|r| RecipientView {
                        fingerprint: r.fingerprint(),
                        name: r.name,
                    })
                    .collect(),
                default_folder: default_folder().display().to_string(),
                store_folder,
                keys_folder: dir.root().display().to_string(),
            })
        })
        .await
}

/// Save the staff member's name, role and school contact.
#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    profile: Profile,
) -> Result<Profile, IpcError> {
    state.run_keys(move |dir| dir.save_profile(&profile)).await
}

/// Make the signing key, protected by a passphrase; returns its fingerprint.
#[tauri::command]
pub async fn create_signing_key(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<String, IpcError> {
    state
        .run_keys(move |dir| {
            evidence_kit::keys::check_new_passphrase(&passphrase)?;
            let name = dir.profile().name.ok_or(KeyError::BadName)?;
            Ok::<_, KeyError>(
                dir.new_signing_key(&name, Some(&passphrase), false)?
                    .fingerprint(),
            )
        })
        .await
}

/// "I have forgotten my passphrase": a new signing key under a new passphrase, the old
/// one kept aside (bundles sealed with it stay valid); returns the new fingerprint, for
/// the person to give their designated person.
#[tauri::command]
pub async fn replace_signing_key(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<String, IpcError> {
    state
        .run_keys(move |dir| Ok::<_, KeyError>(dir.replace_signing_key(&passphrase)?.fingerprint()))
        .await
}

/// Add the designated person's key from pasted text or a file's contents. A name kept
/// with a different key is refused (`recipient_exists`, naming both fingerprints) unless
/// `replace`, which the page sends only after asking.
#[tauri::command]
pub async fn add_recipient(
    state: State<'_, AppState>,
    name: String,
    text: String,
    replace: bool,
) -> Result<RecipientView, IpcError> {
    state
        .run_keys(move |dir| {
            let recipient = evidence_kit::keys::find_recipient(&text)?;
            let r = dir.add_recipient(&name, &recipient, replace)?;
            // Their shared keys also hold the key their receipts are signed with.
            if let Some(k) = evidence_kit::keys::find_public_key(&text) {
                dir.trust_for_receipts(&k, &r.name)?;
            }
            Ok::<_, KeyError>(RecipientView {
                fingerprint: r.fingerprint(),
                name: r.name,
            })
        })
        .await
}

/// Remove a designated person (their key kept aside); returns who was removed.
#[tauri::command]
pub async fn remove_recipient(
    state: State<'_, AppState>,
    name: String,
) -> Result<RecipientView, IpcError> {
    state
        .run_keys(move |dir| {
            let r = dir.remove_recipient(&name)?;
            Ok::<_, KeyError>(RecipientView {
                fingerprint: r.fingerprint(),
                name: r.name,
            })
        })
        .await
}

/// A sealed bundle, as the "sealed" screen shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SealedView {
    path: String,
    file_name: String,
    sha256: String,
    items: usize,
    encrypted: bool,
}

/// Seal a case to a designated person into `folder` (made if missing). Progress is
/// read with `seal_progress` while this runs.
#[tauri::command]
pub async fn seal_case(
    state: State<'_, AppState>,
    case_id: String,
    to: String,
    folder: String,
    passphrase: String,
) -> Result<SealedView, IpcError> {
    let dir = keys(&state)?;
    let progress = state.seal_progress.clone();
    if let Ok(mut p) = progress.lock() {
        *p = (0, 0);
    }
    state
        .run(move |store| -> Result<SealedView, IpcError> {
            let recipient = dir.resolve_recipient(&to)?;
            let key = dir.signing_key(None, Some(&passphrase))?;
            let folder = std::path::PathBuf::from(folder.trim());
            std::fs::create_dir_all(&folder)
                .map_err(|e| IpcError::from(evidence_kit::StoreError::io("create", &folder, e)))?;
            let case = store.case(&case_id)?;
            // Encrypted: the core uses the name as given, so it is named .age here.
            let out = free_name(&folder, &case.id, "evidence").with_extension("evidence.age");
            let sealed = bundle::seal(
                store,
                &key,
                &SealRequest {
                    case_id: case.id.clone(),
                    out: Some(out),
                    to: vec![recipient],
                    organization: dir.school_name(None)?,
                },
                &mut |done, total| {
                    if let Ok(mut p) = progress.lock() {
                        *p = (done, total);
                    }
                },
            )?;
            Ok(SealedView {
                file_name: sealed
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path: sealed.path.display().to_string(),
                sha256: sealed.sha256,
                items: sealed.items,
                encrypted: sealed.encrypted,
            })
        })
        .await
}

/// (bytes sealed, bytes in all) of the seal under way.
#[tauri::command]
pub fn seal_progress(state: State<'_, AppState>) -> (u64, u64) {
    state.seal_progress.lock().map(|p| *p).unwrap_or((0, 0))
}

/// `folder/STEM.ext`, or `STEM-2.ext`, … when taken: nothing is ever overwritten.
pub(crate) fn free_name(folder: &std::path::Path, stem: &str, ext: &str) -> std::path::PathBuf {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let p = folder.join(name);
        let age = p.with_extension(format!("{ext}.age"));
        if !p.exists() && !age.exists() {
            return p;
        }
        n += 1;
    }
}

/// Record that the sealed record was given to the designated person.
#[tauri::command]
pub async fn mark_handed_over(
    state: State<'_, AppState>,
    case_id: String,
    to: Option<String>,
) -> Result<(), IpcError> {
    state
        .run(move |store| {
            let actor = store.actor_for_case(&case_id)?;
            store.record_handed_over(&case_id, to.as_deref(), &actor)
        })
        .await
}

/// The record the person has open (the capture shortcut captures into it).
#[tauri::command]
pub fn set_current_case(state: State<'_, AppState>, case_id: Option<String>) {
    if let Ok(mut c) = state.current_case.lock() {
        *c = case_id;
    }
}

/// Change the capture shortcut (saved in the settings, active at once).
#[tauri::command]
pub async fn set_shortcut(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    accelerator: String,
) -> Result<String, IpcError> {
    let dir = keys(&state)?;
    let accelerator = accelerator.trim().to_string();
    crate::shortcut::register(&app, &accelerator).map_err(IpcError::shortcut)?;
    let mut profile = dir.profile();
    profile.shortcut = Some(accelerator.clone());
    if profile.name.is_some() {
        dir.save_profile(&profile)?;
    }
    Ok(accelerator)
}

/// The page has drawn itself and can be used. With `EVIDENCE_KIT_TIMING` set this is
/// written to stderr (the start-up benchmark waits for it).
///
/// A page that (re)loads has no file still passing to the app: whatever an earlier
/// page left arriving (it was reloaded mid-way) is given up, and removed from `tmp/`;
/// the tokens of files dropped before are forgotten.
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    if let Ok(mut uploads) = state.uploads.lock() {
        uploads.clear();
    }
    if let Ok(mut drops) = state.drops.lock() {
        drops.clear();
    }
    if std::env::var_os("EVIDENCE_KIT_TIMING").is_some() {
        eprintln!("timing: ui-ready");
    }
}

/// Longer side of the picture shown for choosing a region, in pixels.
const REGION_PREVIEW_PX: u32 = 1600;

/// "Capture a region": step aside, grab the screen into memory (nothing is stored yet),
/// come back; returns the screen's size in pixels. `region_preview` shows it.
#[tauri::command]
pub async fn begin_region(
    window: WebviewWindow,
    state: State<'_, AppState>,
) -> Result<(u32, u32), IpcError> {
    let grabbed = stepped_aside(&window, async {
        tauri::async_runtime::spawn_blocking(capture::grab_screen)
            .await
            .map_err(|_| IpcError::task_failed())
    })
    .await;
    let img = grabbed??;
    let size = img.dimensions();
    if let Ok(mut p) = state.pending_region.lock() {
        *p = Some(img);
    }
    Ok(size)
}

/// The grabbed screen, reduced, as raw PNG bytes (to drag across).
#[tauri::command]
pub async fn region_preview(state: State<'_, AppState>) -> Result<Response, IpcError> {
    let png = state.pending_region.lock().ok().and_then(|p| {
        p.as_ref()
            .and_then(|img| thumbnail::of_image(img, REGION_PREVIEW_PX))
    });
    Ok(Response::new(png.unwrap_or_default()))
}

/// Keep the chosen part (in the grabbed screen's pixels) in a record.
#[tauri::command]
pub async fn capture_region(
    state: State<'_, AppState>,
    case_id: String,
    rect: (u32, u32, u32, u32),
) -> Result<Item, IpcError> {
    let img = state
        .pending_region
        .lock()
        .ok()
        .and_then(|mut p| p.take())
        .ok_or_else(IpcError::no_region)?;
    state
        .run(move |store| capture::screen_region(store, &case_id, &img, rect, &Details::default()))
        .await
}

/// Drop the grabbed screen without keeping anything.
#[tauri::command]
pub fn cancel_region(state: State<'_, AppState>) {
    if let Ok(mut p) = state.pending_region.lock() {
        *p = None;
    }
}

/// Longest file name taken from the UI, in bytes.
const MAX_NAME_BYTES: usize = 1024;

/// At most this many files may be arriving at once (the UI sends one at a time).
const MAX_UPLOADS: usize = 16;

/// Start receiving a file chosen or dropped in the window; returns the id its parts
/// are sent under ([`upload_part`]) and it is then kept by ([`capture_upload`], or
/// `dsl_take` for a bundle). The parts wait in the store's `tmp/` folder, so a file of
/// any size passes through the window without being held in memory.
#[tauri::command]
pub async fn upload_begin(state: State<'_, AppState>) -> Result<String, IpcError> {
    let root = state.root()?;
    let arriving = tauri::async_runtime::spawn_blocking(move || Arriving::new(&root))
        .await
        .map_err(|_| IpcError::task_failed())??;
    let id = arriving.id().to_string();
    let mut uploads = state.uploads.lock().map_err(|_| IpcError::task_failed())?;
    if uploads.len() >= MAX_UPLOADS {
        return Err(IpcError::too_many_uploads());
    }
    uploads.insert(id.clone(), arriving);
    Ok(id)
}

/// The next part of a file: its bytes as the raw request body, the id from
/// [`upload_begin`] in the `x-ek-upload` header. Returns the bytes received so far.
#[tauri::command]
pub async fn upload_part(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<u64, IpcError> {
    let id = request
        .headers()
        .get("x-ek-upload")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(IpcError::bad_upload)?
        .to_string();
    let tauri::ipc::InvokeBody::Raw(part) = request.body() else {
        return Err(IpcError::bad_upload());
    };
    let part = part.clone();
    let mut arriving = state.take_upload(&id, None)?;
    let (arriving, written) = tauri::async_runtime::spawn_blocking(move || {
        let written = arriving.append(&part);
        (arriving, written)
    })
    .await
    .map_err(|_| IpcError::task_failed())?;
    // A part that could not be written ends the file (dropping it removes what came).
    let written = written?;
    state
        .uploads
        .lock()
        .map_err(|_| IpcError::task_failed())?
        .insert(id, arriving);
    Ok(written)
}

/// Give up a file still arriving (a part failed or could not be read): what had come
/// is removed.
#[tauri::command]
pub fn upload_cancel(state: State<'_, AppState>, upload: String) {
    if let Ok(mut uploads) = state.uploads.lock() {
        uploads.remove(&upload);
    }
}

/// "Add files" and drag-and-drop: keep the file that arrived under `upload` in a record,
/// under the name it had, if all its `size` bytes came. Hashed as it is taken in.
#[tauri::command]
pub async fn capture_upload(
    state: State<'_, AppState>,
    case_id: String,
    upload: String,
    name: String,
    size: u64,
) -> Result<Item, IpcError> {
    let arriving = state.take_upload(&upload, Some(size))?;
    if name.len() > MAX_NAME_BYTES {
        return Err(IpcError::bad_upload());
    }
    state
        .run(move |store| capture::arrived(store, &case_id, arriving, &name, &Details::default()))
        .await
}

/// "Paste": keep the image (or text) on the clipboard.
#[tauri::command]
pub async fn capture_clipboard(
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Item, IpcError> {
    state
        .run(move |store| capture::clipboard(store, &case_id, &Details::default()))
        .await
}
