//! The E-safety incident-logging form: an A4 PDF made from a case (staff side, from the
//! store) or from a sealed bundle that verified (designated person's side), so that
//! the paper file and the sealed digital bundle cannot drift apart.
//!
//! Sections, in order: header; the person reporting; the incident; steps already
//! taken; the police decision (and any indecent-image record, boxed); the evidence
//! schedule (one row per item, withdrawn ones marked); the seal, with a QR code of the
//! bundle's SHA-256; what this proves; for the designated person; signatures; and an
//! appendix with each image on its own page. Every page has a footer with the case
//! reference, "page X of Y" and the bundle's SHA-256 in short. A bundle that failed
//! verification gets "VERIFICATION FAILED" in large type on every page.
//!
//! The PDF holds text (as glyphs of the embedded DejaVu fonts), lines, boxes and
//! images, nothing else: no JavaScript, actions, links, forms or embedded files.
//!
//! The files: [`from_store`] and [`for_bundle`] gather what the form shows (`gather`);
//! [`render`] lays it out and writes the PDF (`render`, with the fonts), section by
//! section: the header and sections 1–5 (`sections`), 6–9 (`closing`: the seal with
//! its QR code, what it proves, the designated person's part, signatures) and the
//! appendix (`appendix`), on our own `layout`, with `images` and `limits`.

mod appendix;
mod closing;
mod gather;
mod images;
mod layout;
mod limits;
mod render;
mod sections;

pub use gather::{for_bundle, from_store};
pub use limits::{MAX_FORM_ITEM_CHARS, MAX_FORM_ITEMS};
pub use render::render;
// How times are written is the clock's; the form's many call sites keep the short name.
pub use crate::clock::in_words as when;

use crate::StoreError;
use crate::case::{Case, Item};
use crate::clock::Stamp;
use crate::store::Store;
use crate::verify::{self, VerifyError};
use std::path::{Path, PathBuf};

/// Something stopped the form being made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bundle could not be read at all.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The output exists.
    #[error("{path} already exists. Choose another name with --out; nothing was overwritten.")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("Could not write the form to {}: {}.", path.display(), crate::error::plain_io(source))]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The built-in fonts could not be read (a damaged program).
    #[error(
        "The form's built-in font could not be read; Evidence Kit's files are damaged. Reinstall it."
    )]
    Font,
}

impl FormError {
    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::Store(e) => e.code(),
            FormError::Verify(e) => e.code(),
            FormError::OutputExists { .. } => "output_exists",
            FormError::Write { .. } => "write",
            FormError::Font => "font",
        }
    }
}

/// The seal the form points at.
#[derive(Debug, Clone)]
pub struct SealBlock {
    /// The bundle's file name.
    pub file: String,
    /// SHA-256 of the bundle file.
    pub sha256: String,
    /// Who sealed it.
    pub signer: String,
    /// The signer's key fingerprint.
    pub fingerprint: String,
    /// When (RFC 3339).
    pub sealed: String,
    /// The designated persons it was encrypted to (age recipients).
    pub recipients: Vec<String>,
    /// Custody entries about the case after the seal (the case changed since).
    pub changed_since: usize,
}

/// Where the form's content comes from, and what was checked.
#[derive(Debug, Clone)]
pub enum Source {
    /// The evidence store on this computer; every stored file of the case re-hashed.
    Store {
        /// Files checked.
        checked: usize,
        /// What did not match.
        problems: Vec<String>,
    },
    /// A bundle, verified.
    Bundle {
        /// The verification report.
        report: Box<verify::Report>,
    },
}

impl Source {
    /// Problems that make every page say so.
    fn failures(&self) -> Vec<String> {
        match self {
            Source::Store { problems, .. } => problems.clone(),
            Source::Bundle { report } => {
                report.findings.iter().map(|f| f.message.clone()).collect()
            }
        }
    }
}

/// The designated person's section, filled from their register.
#[derive(Debug, Clone, Default)]
pub struct DslSection {
    /// When the bundle was received (local time with offset).
    pub received: String,
    /// By whom.
    pub received_by: String,
    /// What was done: (when, status, note), oldest first.
    pub actions: Vec<(String, String, Option<String>)>,
    /// Who the case was referred to, as the register spells it (`headteacher`,
    /// `chair-of-governors`, `hr`, `lado`, `police`, `other:WHO`): ticks the boxes.
    pub referred: Vec<String>,
}

/// Everything the form shows.
pub struct FormInput {
    /// The school's name; none prints "School: not recorded" (no school is built in).
    pub school: Option<String>,
    /// The case (with its incident report); `None` when a failed bundle's case record
    /// could not be read.
    pub case: Option<Case>,
    /// Its items, in bundle order.
    pub items: Vec<Item>,
    /// The seal, if sealed.
    pub seal: Option<SealBlock>,
    /// What was checked.
    pub source: Source,
    /// When the form was made.
    pub completed: Stamp,
    /// The designated person's section as their register has it (else left blank to
    /// fill in by hand).
    pub dsl: Option<DslSection>,
    /// What the bundle holds beyond the form's limits (see [`limits`]).
    left_out: limits::LeftOut,
}

/// A finished form.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Its pages.
    pub pages: usize,
    /// False when it is marked as failed (verification or store check).
    pub intact: bool,
}

/// Reads an item's bytes (for the image appendix); safe to call from two threads.
pub type Fetch<'a> = dyn Fn(usize, &Item) -> Result<Vec<u8>, String> + Sync + 'a;

/// Write `bytes` to a new file `out` (never over an existing one), via a temporary
/// name and a rename, so a half-written form never appears.
pub fn write_new(out: &Path, bytes: &[u8]) -> Result<(), FormError> {
    use std::io::Write;
    if out.exists() {
        return Err(FormError::OutputExists { path: out.into() });
    }
    let werr = |source| FormError::Write {
        path: out.into(),
        source,
    };
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            FormError::OutputExists { path: out.into() }
        } else {
            werr(e.error)
        }
    })?;
    Ok(())
}

/// The form for a case in the store.
pub fn for_case(store: &Store, case_id: &str, school: Option<&str>) -> Result<Rendered, FormError> {
    let input = from_store(store, case_id, school)?;
    let root = store.root().to_path_buf();
    let fetch = move |_: usize, item: &Item| -> Result<Vec<u8>, String> {
        std::fs::read(crate::objects::object_path_in(&root, &item.sha256))
            .map_err(|e| e.to_string())
    };
    render(&input, &fetch)
}
