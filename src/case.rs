//! An incident case and the evidence items in it: the records, not their storage.

use crate::clock::Stamp;
use serde::{Deserialize, Serialize};

/// Longest title, name, note or site text we accept, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// An incident: "the posts about me in the parents' group", with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The case reference, e.g. `EK-20261125-3F2A9C`; also its id.
    pub id: String,
    /// A short title in the staff member's words.
    pub title: String,
    /// The staff member the case is about (who is keeping the record).
    pub staff: String,
    /// When the case was opened.
    pub created: Stamp,
}

/// A case with counts, for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// Items captured (withdrawn ones included).
    pub items: i64,
    /// Of which withdrawn.
    pub withdrawn: i64,
}

/// How an item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A file from disk.
    File,
    /// A screenshot of a whole monitor.
    Screen,
    /// A screenshot of one window.
    Window,
    /// The clipboard.
    Clipboard,
}

impl Source {
    /// The word stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::File => "file",
            Source::Screen => "screen",
            Source::Window => "window",
            Source::Clipboard => "clipboard",
        }
    }

    /// Parse the stored word.
    pub fn parse(s: &str) -> Option<Source> {
        Some(match s {
            "file" => Source::File,
            "screen" => Source::Screen,
            "window" => Source::Window,
            "clipboard" => Source::Clipboard,
            _ => return None,
        })
    }
}

/// Who the abuse came from, as far as the staff member knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// Username or handle (`@someone`).
    pub handle: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Profile address (URL).
    pub profile: Option<String>,
}

/// Headers of a captured e-mail (`.eml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailHeaders {
    /// `From:`
    pub from: Option<String>,
    /// `To:`
    pub to: Option<String>,
    /// `Date:` as RFC 3339.
    pub date: Option<String>,
    /// `Subject:`
    pub subject: Option<String>,
    /// `Message-ID:`
    pub message_id: Option<String>,
}

/// One piece of evidence. Its bytes live in the store under `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Item number in this store.
    pub id: i64,
    /// The case it belongs to.
    pub case_id: String,
    /// SHA-256 of the bytes, taken while they were read in (hex, lower case).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type sniffed from the bytes (`image/png`, `message/rfc822`, …).
    pub media_type: String,
    /// The file's name when it came in (or a made-up one for screenshots).
    pub original_name: String,
    /// How it came in.
    pub source: Source,
    /// When it was captured.
    pub captured: Stamp,
    /// Who captured it.
    pub captured_by: String,
    /// Where it was seen: site or app, as the person wrote it.
    pub site: Option<String>,
    /// The full address, if known.
    pub url: Option<String>,
    /// Who it came from.
    pub from: Sender,
    /// When the abuse was seen, if not at capture (RFC 3339, UTC).
    pub seen: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
    /// E-mail headers, for `.eml` files.
    pub email: Option<EmailHeaders>,
    /// When and why it was withdrawn (never deleted).
    pub withdrawn: Option<Withdrawal>,
}

/// A withdrawal: the item stays, marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// When.
    pub at: Stamp,
    /// Why, in the person's words.
    pub reason: String,
}

/// Check a required text: trimmed, not empty, not too long.
pub(crate) fn required(what: &'static str, s: &str) -> Result<String, crate::StoreError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(crate::StoreError::Empty { what });
    }
    optional(what, Some(t)).map(|o| o.unwrap_or_default())
}

/// Check an optional text: trimmed, empty becomes `None`, not too long.
pub(crate) fn optional(
    what: &'static str,
    s: Option<&str>,
) -> Result<Option<String>, crate::StoreError> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let len = t.chars().count();
    if len > MAX_TEXT_CHARS {
        return Err(crate::StoreError::TooLong {
            what,
            len,
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(Some(t.to_string()))
}
