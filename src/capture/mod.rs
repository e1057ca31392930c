//! Every way evidence arrives — a file, a screenshot, the clipboard — becomes an
//! [`Item`]: its bytes hashed while read, stored, and recorded with when, where and
//! from whom.

mod email;
mod screen;
pub mod sniff;

pub use crate::objects::Arriving;
pub use email::email_view;
pub use screen::{MonitorInfo, Target, WindowInfo, grab_screen, list_monitors, list_windows};

use crate::CaptureError;
use crate::case::{self, Item, Sender, Source};
use crate::clock;
use crate::store::{NewItem, Store};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// What the person says about an item when capturing it. All optional.
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// Site or app, as they call it ("Facebook", "WhatsApp").
    pub site: Option<String>,
    /// The full address.
    pub url: Option<String>,
    /// Who it came from.
    pub from: Sender,
    /// When it was seen, if not now (RFC 3339).
    pub seen: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Who is capturing (default: the case's staff member).
    pub captured_by: Option<String>,
}

/// Details checked: trimmed, limited, `seen` parsed.
#[derive(Clone)]
struct Checked {
    site: Option<String>,
    url: Option<String>,
    from: Sender,
    seen: Option<String>,
    note: Option<String>,
    captured_by: String,
}

fn check(store: &Store, case_id: &str, d: &Details) -> Result<Checked, CaptureError> {
    let case = store.case(case_id)?;
    let seen = match d.seen.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            clock::normalise(s).ok_or_else(|| CaptureError::BadSeenTime {
                value: s.to_string(),
            })?,
        ),
    };
    let opt = |what, v: &Option<String>| case::optional(what, v.as_deref());
    Ok(Checked {
        site: opt("The site", &d.site)?,
        url: opt("The address", &d.url)?,
        from: Sender {
            handle: opt("The username", &d.from.handle)?,
            email: opt("The e-mail address", &d.from.email)?,
            phone: opt("The phone number", &d.from.phone)?,
            profile: opt("The profile address", &d.from.profile)?,
        },
        seen,
        note: opt("The note", &d.note)?,
        captured_by: opt("The name of who captured it", &d.captured_by)?.unwrap_or(case.staff),
    })
}

/// Check that `path` is a readable ordinary file; returns its size.
pub fn check_source(path: &Path) -> Result<u64, CaptureError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CaptureError::SourceMissing { path: path.into() },
        _ => CaptureError::SourceUnreadable {
            path: path.into(),
            source: e,
        },
    })?;
    if meta.is_dir() {
        return Err(CaptureError::SourceIsDirectory { path: path.into() });
    }
    if !meta.is_file() {
        return Err(CaptureError::SourceNotAFile { path: path.into() });
    }
    File::open(path).map_err(|e| CaptureError::SourceUnreadable {
        path: path.into(),
        source: e,
    })?;
    Ok(meta.len())
}

/// Keep a file from disk, byte for byte.
pub fn file(store: &Store, case_id: &str, path: &Path, d: &Details) -> Result<Item, CaptureError> {
    file_with_progress(store, case_id, path, d, &mut |_, _| {})
}

/// [`file`], calling `on_progress(bytes_so_far, total)` as it goes.
pub fn file_with_progress(
    store: &Store,
    case_id: &str,
    path: &Path,
    d: &Details,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<Item, CaptureError> {
    // Check everything the person typed before reading a byte.
    let checked = check(store, case_id, d)?;
    let total = check_source(path)?;
    let mut f = File::open(path).map_err(|e| CaptureError::SourceUnreadable {
        path: path.into(),
        source: e,
    })?;
    let name = file_name(path);
    let captured = store.now();
    let ingested = store.ingest(&mut f, path, total, &mut |n| on_progress(n, total))?;
    record(
        store,
        case_id,
        ingested,
        name,
        Source::File,
        captured,
        checked,
    )
}

/// Keep several files from disk as one capture: all of them, or none. Everything is
/// checked first: what the person typed, that each path is a readable ordinary file,
/// and, once each file has been read into `tmp/` and hashed, that none has the bytes of
/// an item removed as a possible indecent image. Only then are the bytes moved into
/// `objects/` and every item recorded in one transaction. A refusal, or a failure
/// while moving a file into place or recording them, leaves nothing new in the store:
/// no item, no custody entry, nothing in `objects/` or `tmp/` ([`Store::unplace`]).
/// `on_progress(file_index, bytes_so_far, total)` follows each file as it is read.
pub fn files(
    store: &Store,
    case_id: &str,
    paths: &[std::path::PathBuf],
    d: &Details,
    on_progress: &mut dyn FnMut(usize, u64, u64),
) -> Result<Vec<Item>, CaptureError> {
    let checked = check(store, case_id, d)?;
    let mut sizes = Vec::with_capacity(paths.len());
    for p in paths {
        sizes.push(check_source(p)?);
    }
    // Read, hash and check every file before any is kept (dropped on a refusal, the
    // staged files leave tmp/).
    let mut staged = Vec::with_capacity(paths.len());
    for (i, (p, &total)) in paths.iter().zip(&sizes).enumerate() {
        let mut f = File::open(p).map_err(|e| CaptureError::SourceUnreadable {
            path: p.clone(),
            source: e,
        })?;
        let captured = store.now();
        let mut s = store.stage(&mut f, p, total, &mut |n| on_progress(i, n, total))?;
        // Told now, so that thousands of files do not hold 64 KiB each until the end.
        let media_type = sniff::media_type(&s.take_head());
        staged.push((p, captured, s, media_type));
    }
    let mut news: Vec<NewItem> = Vec::with_capacity(staged.len());
    for (p, captured, s, media_type) in staged {
        let ingested = match store.place(s) {
            Ok(i) => i,
            Err(e) => {
                // Those already moved into objects/ go again (the rest, still staged,
                // leave tmp/ as they are dropped): nothing of the command is kept.
                let placed: Vec<_> = news
                    .iter()
                    .filter_map(|n| Some((n.sha256.clone(), n.placed.clone()?)))
                    .collect();
                store.unplace(&placed);
                return Err(e);
            }
        };
        news.push(new_item(
            store,
            case_id,
            (ingested, media_type),
            file_name(p),
            Source::File,
            captured,
            checked.clone(),
        ));
    }
    store.insert_items(news)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unnamed".to_string())
}

/// Keep a file the person handed over without a path (the desktop app's "Add files"
/// and drag-and-drop give the file's name and its bytes, which arrive in parts), under
/// the name it had. Hashed as it is taken in, like every capture; the time of capture
/// is when it is taken in whole.
pub fn arrived(
    store: &Store,
    case_id: &str,
    mut arriving: Arriving,
    name: &str,
    d: &Details,
) -> Result<Item, CaptureError> {
    let checked = check(store, case_id, d)?;
    let name = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unnamed".to_string());
    let captured = store.now();
    let ingested = store.ingest_arrived(&mut arriving)?;
    record(
        store,
        case_id,
        ingested,
        name,
        Source::File,
        captured,
        checked,
    )
}

/// Keep bytes that did not come from a file (screenshots, clipboard), under a name made
/// from the time of capture: `named(local time in words)`, made unique in the record.
fn bytes(
    store: &Store,
    case_id: &str,
    data: &[u8],
    named: impl FnOnce(&str) -> String,
    source: Source,
    checked: Checked,
) -> Result<Item, CaptureError> {
    let captured = store.now();
    let name = unique_name(store, case_id, named(&clock::name_words(&captured)))?;
    let mut r: &[u8] = data;
    let ingested = store.ingest(&mut r, Path::new(&name), data.len() as u64, &mut |_| {})?;
    record(store, case_id, ingested, name, source, captured, checked)
}

/// `wanted`, or, when an item of the record already has that name, the first of
/// "NAME (2).png", "NAME (3).png", … that none has. (Two captures racing in the same
/// minute could still both pick one name: the app takes one capture at a time.)
fn unique_name(store: &Store, case_id: &str, wanted: String) -> Result<String, CaptureError> {
    let taken: std::collections::HashSet<String> = store
        .items(case_id.trim())?
        .into_iter()
        .map(|i| i.original_name)
        .collect();
    if !taken.contains(&wanted) {
        return Ok(wanted);
    }
    let (stem, ext) = match wanted.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (wanted.as_str(), String::new()),
    };
    // One of taken.len() + 1 candidates is always free.
    Ok((2..=taken.len() + 2)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| wanted.clone()))
}

fn record(
    store: &Store,
    case_id: &str,
    ingested: crate::store::Ingested,
    original_name: String,
    source: Source,
    captured: clock::Stamp,
    c: Checked,
) -> Result<Item, CaptureError> {
    let media_type = sniff::media_type(&ingested.head);
    let new = new_item(
        store,
        case_id,
        (ingested, media_type),
        original_name,
        source,
        captured,
        c,
    );
    let mut items = store.insert_items(vec![new])?;
    items
        .pop()
        .ok_or(CaptureError::Store(crate::StoreError::Changed {
            what: "the new item".into(),
        }))
}

fn new_item(
    store: &Store,
    case_id: &str,
    (ingested, media_type): (crate::store::Ingested, String),
    original_name: String,
    source: Source,
    captured: clock::Stamp,
    c: Checked,
) -> NewItem {
    let email = if media_type == sniff::EMAIL {
        email::headers(store, &ingested.sha256)
    } else {
        None
    };
    NewItem {
        case_id: case_id.trim().to_string(),
        sha256: ingested.sha256,
        size: ingested.size,
        media_type,
        original_name,
        source,
        captured,
        captured_by: c.captured_by,
        site: c.site,
        url: c.url,
        from: c.from,
        seen: c.seen,
        note: c.note,
        email,
        blocks: ingested.blocks,
        placed: ingested.placed,
    }
}

/// Keep the chosen part of a screen grabbed with [`grab_screen`], as a PNG
/// ("Screenshot 1 Dec 2026 14.02 (part).png"). Only that part is ever stored.
pub fn screen_region(
    store: &Store,
    case_id: &str,
    screen: &image::RgbaImage,
    (x, y, w, h): (u32, u32, u32, u32),
    d: &Details,
) -> Result<Item, CaptureError> {
    let checked = check(store, case_id, d)?;
    let png = screen::region_png(screen, x, y, w, h)?;
    bytes(
        store,
        case_id,
        &png,
        |at| format!("Screenshot {at} (part).png"),
        Source::Screen,
        checked,
    )
}

/// Keep a whole screen grabbed with [`grab_screen`] ("Screenshot 1 Dec 2026
/// 14.02.png", in the local time of capture). The capture
/// shortcut grabs first and stores after, so that what is kept is what was on screen
/// when the key was pressed, even if the store is busy for a moment.
pub fn grabbed_screen(
    store: &Store,
    case_id: &str,
    screen: &image::RgbaImage,
    d: &Details,
) -> Result<Item, CaptureError> {
    let checked = check(store, case_id, d)?;
    let (w, h) = screen.dimensions();
    let png = screen::encode_png(w, h, screen.as_raw().clone())?;
    bytes(
        store,
        case_id,
        &png,
        |at| format!("Screenshot {at}.png"),
        Source::Screen,
        checked,
    )
}

/// Take a screenshot (a whole monitor, or one window) and keep it as a PNG, named
/// [`shot_name`].
pub fn screen(
    store: &Store,
    case_id: &str,
    target: &Target,
    d: &Details,
) -> Result<Item, CaptureError> {
    let checked = check(store, case_id, d)?;
    let shot = screen::capture(target)?;
    let shows = shot.shows;
    let named = |at: &str| shot_name(&shows, at);
    bytes(store, case_id, &shot.png, named, shot.source, checked)
}

/// A screenshot's name: "Screenshot 1 Dec 2026 14.02.png" for the first monitor,
/// "Screenshot 1 Dec 2026 14.02 (screen 2).png" for another, and a window's title
/// before the time ("Messages 1 Dec 2026 14.02.png") when it has one.
fn shot_name(shows: &screen::Shows, at: &str) -> String {
    match shows {
        screen::Shows::Monitor(1) | screen::Shows::Window(None) => format!("Screenshot {at}.png"),
        screen::Shows::Monitor(n) => format!("Screenshot {at} (screen {n}).png"),
        screen::Shows::Window(Some(title)) => format!("{title} {at}.png"),
    }
}

/// Keep what is on the clipboard: an image (as PNG), or else text.
pub fn clipboard(store: &Store, case_id: &str, d: &Details) -> Result<Item, CaptureError> {
    let checked = check(store, case_id, d)?;
    let mut cb = arboard::Clipboard::new().map_err(|e| CaptureError::Clipboard {
        reason: e.to_string(),
    })?;
    let image_error = match cb.get_image() {
        Ok(img) => {
            let png =
                screen::encode_png(img.width as u32, img.height as u32, img.bytes.into_owned())?;
            let named = |at: &str| format!("Clipboard {at}.png");
            return bytes(store, case_id, &png, named, Source::Clipboard, checked);
        }
        Err(e) => e,
    };
    // No image (some X11 owners answer "incorrect type" rather than "not
    // available" when they only hold text): keep text instead.
    match cb.get_text() {
        Ok(t) if !t.is_empty() => {
            let named = |at: &str| format!("Clipboard {at}.txt");
            bytes(
                store,
                case_id,
                t.as_bytes(),
                named,
                Source::Clipboard,
                checked,
            )
        }
        Ok(_) | Err(arboard::Error::ContentNotAvailable) => match image_error {
            arboard::Error::ContentNotAvailable | arboard::Error::Unknown { .. } => {
                Err(CaptureError::ClipboardEmpty)
            }
            e => Err(CaptureError::Clipboard {
                reason: e.to_string(),
            }),
        },
        Err(e) => Err(CaptureError::Clipboard {
            reason: e.to_string(),
        }),
    }
}

/// Read up to `limit` bytes of a stored object (for header parsing).
pub(crate) fn read_head(store: &Store, sha256: &str, limit: u64) -> Option<Vec<u8>> {
    let f = store.open_object(sha256).ok()?;
    let mut v = Vec::new();
    f.take(limit).read_to_end(&mut v).ok()?;
    Some(v)
}
