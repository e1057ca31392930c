//! Errors of the core, one enum per kind of operation.
//!
//! Every `Display` is one plain-English sentence that the CLI and the desktop app
//! show as they are: it says what happened and, where it can, what to do. The
//! `code()` of each is a stable machine-readable name the UI branches on.

use std::path::PathBuf;

/// Something went wrong opening, reading or writing the evidence store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store folder (or a file in it) could not be written because the disk or
    /// folder is read-only or we lack permission.
    #[error(
        "The evidence store at {path} cannot be written to (it is read-only or you do not have permission). Nothing was changed; choose a folder you can write to with --store."
    )]
    ReadOnly {
        /// The folder or file that refused the write.
        path: PathBuf,
    },
    /// The disk holding the store is full.
    #[error(
        "The disk holding the evidence store ({path}) is full. Nothing was saved; free some space and try again."
    )]
    DiskFull {
        /// The store folder.
        path: PathBuf,
    },
    /// Any other file-system error, with the file it happened on.
    #[error("Could not {action} {}: {}.", path.display(), plain_io(source))]
    Io {
        /// What we were doing, e.g. "write".
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite reported an error we do not map to anything more specific.
    #[error("The evidence store's index could not be used: {0}.")]
    Db(#[source] rusqlite::Error),
    /// The index file is damaged: SQLite finds it malformed or not a database, or a
    /// value in it is not of the kind that was written there.
    #[error(
        "The evidence store's index (evidence.sqlite) is damaged and cannot be read. Keep this store as it is, run `evidence-kit check` and tell your designated safeguarding person. Technical details: {detail}."
    )]
    Damaged {
        /// What SQLite said (for the technical details).
        detail: String,
    },
    /// The store's index was written by a newer version of Evidence Kit.
    #[error(
        "This evidence store was made by a newer version of Evidence Kit (schema {found}, this version reads up to {supported}). Update Evidence Kit to open it."
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// No case with that id.
    #[error("There is no case {id} in this store. `evidence-kit case list` shows the cases.")]
    UnknownCase {
        /// The id that was asked for.
        id: String,
    },
    /// No item with that id.
    #[error(
        "There is no evidence item {id} in this store. `evidence-kit items --case ID` shows the items."
    )]
    UnknownItem {
        /// The id that was asked for.
        id: String,
    },
    /// The item is already withdrawn.
    #[error("Item {id} is already withdrawn; nothing was changed.")]
    AlreadyWithdrawn {
        /// The item.
        id: i64,
    },
    /// A required text was empty.
    #[error("{what} must not be empty.")]
    Empty {
        /// Which field, e.g. "The case title".
        what: &'static str,
    },
    /// A text was longer than we accept.
    #[error("{what} is too long ({len} characters; at most {max}).")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An object already in the store does not hash to its name.
    #[error(
        "The stored copy {path} is damaged (its contents no longer match its SHA-256). Run `evidence-kit check` and tell your designated safeguarding person."
    )]
    ObjectDamaged {
        /// The object file.
        path: PathBuf,
    },
    /// A time that is not RFC 3339.
    #[error(
        "\"{value}\" is not a date and time. Write it like 2026-11-25T14:30:00+00:00 (RFC 3339)."
    )]
    BadTime {
        /// What was given.
        value: String,
    },
    /// The store path exists but is a file, not a folder.
    #[error("{path} is a file, not a folder: give the folder to keep the evidence store in.")]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// The index changed under a reader that needed it to stay still (a safeguard: seal
    /// reads inside one snapshot, so this means the store is not behaving).
    #[error(
        "The evidence store changed while reading {what}, so nothing was done. Try again; if it happens again, run `evidence-kit check`."
    )]
    Changed {
        /// What was being read.
        what: String,
    },
    /// An action that needs a sealed record, on one never sealed.
    #[error(
        "Record {id} has not been sealed yet. Seal it first, then give the sealed file to your designated safeguarding person."
    )]
    NotSealed {
        /// The case.
        id: String,
    },
    /// No default store location could be found.
    #[error("Could not find your home folder to keep the evidence store in; pass --store DIR.")]
    NoHome,
    /// A receipt for a bundle this store never sealed for that record.
    #[error(
        "This receipt is for a bundle (SHA-256 {sha256}) that was not sealed from record {case} on this computer; it was not recorded."
    )]
    NotOurBundle {
        /// The case.
        case: String,
        /// The bundle named in the receipt.
        sha256: String,
    },
    /// The stored incident report is not one we can read (damaged or changed outside
    /// the app): a change to it is refused rather than written over defaults.
    #[error(
        "The incident report of record {case} cannot be read (it was damaged or changed outside Evidence Kit), so it was not changed and nothing was written over it. Run `evidence-kit check` to see what happened."
    )]
    ReportUnreadable {
        /// The case.
        case: String,
    },
    /// An item was marked as a possible indecent image (its record and custody entry
    /// are saved) but its bytes could not then be removed from the store.
    #[error(
        "Item {item} is marked as a possible indecent image and its record is kept, but its picture could not be removed from the evidence store ({}: {}). Mark it again (evidence-kit case safeguard --item {item}) to finish removing it; until then `evidence-kit check` names it.",
        path.display(), plain_io(source)
    )]
    RemovalUnfinished {
        /// The item that was marked.
        item: i64,
        /// The file still holding the bytes.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// A stable name for this kind of error (for the UI and `--json`).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::ReadOnly { .. } => "read_only",
            StoreError::DiskFull { .. } => "disk_full",
            StoreError::Io { .. } => "io",
            StoreError::Db(_) => "database",
            StoreError::Damaged { .. } => "index_damaged",
            StoreError::SchemaTooNew { .. } => "schema_too_new",
            StoreError::UnknownCase { .. } => "unknown_case",
            StoreError::UnknownItem { .. } => "unknown_item",
            StoreError::AlreadyWithdrawn { .. } => "already_withdrawn",
            StoreError::Empty { .. } => "empty",
            StoreError::TooLong { .. } => "too_long",
            StoreError::ObjectDamaged { .. } => "object_damaged",
            StoreError::BadTime { .. } => "bad_time",
            StoreError::NotAFolder { .. } => "not_a_folder",
            StoreError::Changed { .. } => "changed",
            StoreError::NotSealed { .. } => "not_sealed",
            StoreError::NoHome => "no_home",
            StoreError::NotOurBundle { .. } => "not_our_bundle",
            StoreError::RemovalUnfinished { .. } => "removal_unfinished",
            StoreError::ReportUnreadable { .. } => "report_unreadable",
        }
    }

    /// Wrap an I/O error with what we were doing and where, turning "disk full" and
    /// "read-only" into their own variants.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        match source.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                StoreError::DiskFull { path }
            }
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                StoreError::ReadOnly { path }
            }
            _ => StoreError::Io {
                action,
                path,
                source,
            },
        }
    }

    /// Map a SQLite error, naming the store folder for "full" and "read-only".
    pub(crate) fn db(root: &std::path::Path, e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: root.into() },
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) => {
                StoreError::ReadOnly { path: root.into() }
            }
            Some(ErrorCode::CannotOpen) if !is_writable(root) => {
                StoreError::ReadOnly { path: root.into() }
            }
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                StoreError::Damaged {
                    detail: e.to_string(),
                }
            }
            // A value of the wrong kind where the schema (STRICT tables) allows only one:
            // the file was changed or damaged under SQLite.
            None if matches!(
                e,
                rusqlite::Error::InvalidColumnType(..)
                    | rusqlite::Error::FromSqlConversionFailure(..)
                    | rusqlite::Error::Utf8Error(..)
                    | rusqlite::Error::IntegralValueOutOfRange(..)
            ) =>
            {
                StoreError::Damaged {
                    detail: e.to_string(),
                }
            }
            _ => StoreError::Db(e),
        }
    }
}

fn is_writable(dir: &std::path::Path) -> bool {
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// Something went wrong taking in a piece of evidence.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The store refused (full, read-only, unknown case…).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file to capture does not exist.
    #[error("There is no file at {path}. Check the name and try again.")]
    SourceMissing {
        /// The path given.
        path: PathBuf,
    },
    /// The path is a folder.
    #[error("{path} is a folder, not a file. Give the files inside it instead.")]
    SourceIsDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The path is neither a regular file nor a folder (a device, a socket…).
    #[error("{path} is not an ordinary file, so it cannot be kept as evidence.")]
    SourceNotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("Could not read {}: {}. Nothing was saved.", path.display(), plain_io(source))]
    SourceUnreadable {
        /// The path given.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A "seen at" time that is not a date.
    #[error(
        "\"{value}\" is not a date and time. Write it like 2026-11-25T14:30:00+00:00 (RFC 3339)."
    )]
    BadSeenTime {
        /// What was given.
        value: String,
    },
    /// No screen could be captured (no display).
    #[error(
        "No screen could be captured: {reason}. Is a desktop session running (DISPLAY or WAYLAND_DISPLAY set)?"
    )]
    NoScreen {
        /// The capture library's reason.
        reason: String,
    },
    /// A monitor number out of range.
    #[error("There is no monitor {number}; this computer has {count} (numbered from 1).")]
    NoSuchMonitor {
        /// The number asked for (1-based).
        number: usize,
        /// How many there are.
        count: usize,
    },
    /// No window with that title.
    #[error(
        "No open window has a title containing \"{title}\". Check the title bar of the window you want."
    )]
    NoSuchWindow {
        /// The title asked for.
        title: String,
    },
    /// The screen or window capture itself failed.
    #[error("The screenshot could not be taken: {reason}.")]
    ScreenCapture {
        /// The capture library's reason.
        reason: String,
    },
    /// Nothing usable on the clipboard.
    #[error("There is no image or text on the clipboard. Copy something first, then try again.")]
    ClipboardEmpty,
    /// The clipboard could not be read.
    #[error("The clipboard could not be read: {reason}.")]
    Clipboard {
        /// The clipboard library's reason.
        reason: String,
    },
    /// The stored copy did not read back with the hash taken while capturing.
    #[error(
        "The copy written to the store did not read back correctly (hash {expected} while reading, {found} on disk). Nothing was saved; the disk may be failing."
    )]
    WriteVerifyFailed {
        /// Hash taken while reading the source.
        expected: String,
        /// Hash of the bytes read back.
        found: String,
    },
    /// A region outside the screen, or of no size.
    #[error(
        "That part of the screen is empty or outside it. Drag across the part you want to keep."
    )]
    BadRegion,
    /// These exact bytes were marked as a possible indecent image of a child.
    #[error(
        "This was marked before as a possible indecent image of a child, so Evidence Kit does not keep it. Do not copy, save or forward it; tell the police (999 in an emergency, otherwise 101) and your designated safeguarding person."
    )]
    NeverKept,
}

impl CaptureError {
    /// A stable name for this kind of error (for the UI and `--json`).
    pub fn code(&self) -> &'static str {
        match self {
            CaptureError::Store(e) => e.code(),
            CaptureError::SourceMissing { .. } => "source_missing",
            CaptureError::NeverKept => "never_kept",
            CaptureError::BadRegion => "bad_region",
            CaptureError::SourceIsDirectory { .. } => "source_is_directory",
            CaptureError::SourceNotAFile { .. } => "source_not_a_file",
            CaptureError::SourceUnreadable { .. } => "source_unreadable",
            CaptureError::BadSeenTime { .. } => "bad_seen_time",
            CaptureError::NoScreen { .. } => "no_screen",
            CaptureError::NoSuchMonitor { .. } => "no_such_monitor",
            CaptureError::NoSuchWindow { .. } => "no_such_window",
            CaptureError::ScreenCapture { .. } => "screen_capture",
            CaptureError::ClipboardEmpty => "clipboard_empty",
            CaptureError::Clipboard { .. } => "clipboard",
            CaptureError::WriteVerifyFailed { .. } => "write_verify_failed",
        }
    }
}

/// The operating system's words for an I/O error, without the " (os error 20)" code
/// that means nothing to the person reading it.
pub fn plain_io(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}
