//! Verify a bundle without trusting the store it came from: the signature and who made
//! it, the BagIt bag (complete, nothing extra, every hash, Payload-Oxum), the custody
//! chain, `case.json` against the manifests, and the zip container itself, byte for
//! byte. Every finding names the file (and, where it can, the byte) at fault.
//!
//! The input is untrusted. Nothing is extracted here, and nothing decrypted is written
//! anywhere: an encrypted bundle is decrypted and read in one streaming pass
//! ([`decrypt`]); each age chunk is examined only after its own tag verifies, and no
//! verdict is given (nothing extracted) until the final chunk authenticates. Entry names that could escape a folder or fool a
//! reader are refused, as are symlinks, duplicates (also after case-folding and
//! Unicode normalisation), overlapping entries and zip bombs.

// Only the format: `verify` never imports sealing (the alias keeps `bundle::X` below).
use crate::bundle::bag;
use crate::bundle::format::{self as bundle, SealFacts};
// The strict signature reader moved to the format; its old path still resolves.
pub use crate::bundle::format::parse_signature;
use crate::keys::format::{KeyError, PublicKey};
use entry::Entry;
use open::Source;
// `decrypt` names it `super::age_detail`.
use open::age_detail;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// The phases of `check`, in the order it runs them.
mod blocks;
mod casefile;
mod container;
mod custody;
mod decrypt;
mod directory;
mod entry;
mod extract;
mod manifest;
mod open;
mod payload;
mod signature;
mod tags;

pub use directory::unsafe_name;
pub use extract::{
    ExtractError, FAILED_NOTE, extract, read_case_file_items, read_payload, read_whole_case_file,
    write_failure_note,
};
pub use open::{is_encrypted, open};
pub use payload::{MAX_CHANGED_RANGES_NAMED, changed_ranges_in_words};

/// Most entries a bundle may have.
pub const MAX_ENTRIES: usize = bundle::MAX_ENTRIES;
/// Most bytes a bundle may unpack to (all entries together).
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024 * 1024;
/// Largest tag file read into memory (`case.json`, `custody.jsonl`).
pub const MAX_TAG_BYTES: u64 = bundle::MAX_TAG_BYTES;
/// Largest of the small tag files (`bagit.txt`, `bag-info.txt`, `signer.pub`, the
/// signature) read into memory.
pub const MAX_SMALL_TAG_BYTES: u64 = bundle::MAX_SMALL_TAG_BYTES;
/// Highest compression ratio accepted for an entry of 1 MiB or more.
pub const MAX_RATIO: u64 = 100;

/// The bundle could not be read at all (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No such file.
    #[error("There is no file at {path}.")]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("Could not read {}: {}.", path.display(), crate::error::plain_io(source))]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a zip or age file, or too damaged to open.
    #[error("{path} is not an Evidence Kit bundle that can be opened: {reason}.")]
    NotABundle {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Encrypted, and no identity to open it with.
    #[error(
        "{path} is encrypted. Open it with the designated person's key: --identity FILE (or make one with keys new-recipient)."
    )]
    NeedsIdentity {
        /// The path.
        path: PathBuf,
    },
    /// Encrypted to someone else.
    #[error(
        "{path} is encrypted to someone else's key, not to the key given; it cannot be opened here."
    )]
    WrongIdentity {
        /// The path.
        path: PathBuf,
    },
    /// A key problem.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl VerifyError {
    /// The same error naming the file as `shown` (a kept copy is named by the name it
    /// arrived with, not the folder it is kept in).
    pub fn naming(self, shown: &Path) -> VerifyError {
        let path = shown.to_path_buf();
        match self {
            VerifyError::NotFound { .. } => VerifyError::NotFound { path },
            VerifyError::Unreadable { source, .. } => VerifyError::Unreadable { path, source },
            VerifyError::NotABundle { reason, .. } => VerifyError::NotABundle { path, reason },
            VerifyError::NeedsIdentity { .. } => VerifyError::NeedsIdentity { path },
            VerifyError::WrongIdentity { .. } => VerifyError::WrongIdentity { path },
            other => other,
        }
    }

    /// A stable name for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotFound { .. } => "not_found",
            VerifyError::Unreadable { .. } => "unreadable",
            VerifyError::NotABundle { .. } => "not_a_bundle",
            VerifyError::NeedsIdentity { .. } => "needs_identity",
            VerifyError::WrongIdentity { .. } => "wrong_identity",
            VerifyError::Key(e) => e.code(),
        }
    }
}

/// What a finding is about. Serialised as the words every version has written
/// (`altered`, `untrusted_key`, …): reports, the register, the form and the UI read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// `altered`
    Altered,
    /// `missing`
    Missing,
    /// `extra`
    Extra,
    /// `unsafe_name`
    UnsafeName,
    /// `signature`
    Signature,
    /// `untrusted_key`
    UntrustedKey,
    /// `substituted_key`
    SubstitutedKey,
    /// `chain`
    Chain,
    /// `mismatch`
    Mismatch,
    /// `malformed`
    Malformed,
    /// `container`
    Container,
    /// `too_large`
    TooLarge,
    /// `decryption`
    Decryption,
}

impl FindingKind {
    /// Every kind, in the order of the spec's table.
    pub const ALL: [FindingKind; 13] = [
        FindingKind::Altered,
        FindingKind::Missing,
        FindingKind::Extra,
        FindingKind::UnsafeName,
        FindingKind::Signature,
        FindingKind::UntrustedKey,
        FindingKind::SubstitutedKey,
        FindingKind::Chain,
        FindingKind::Mismatch,
        FindingKind::Malformed,
        FindingKind::Container,
        FindingKind::TooLarge,
        FindingKind::Decryption,
    ];

    /// The kind's word (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Altered => "altered",
            FindingKind::Missing => "missing",
            FindingKind::Extra => "extra",
            FindingKind::UnsafeName => "unsafe_name",
            FindingKind::Signature => "signature",
            FindingKind::UntrustedKey => "untrusted_key",
            FindingKind::SubstitutedKey => "substituted_key",
            FindingKind::Chain => "chain",
            FindingKind::Mismatch => "mismatch",
            FindingKind::Malformed => "malformed",
            FindingKind::Container => "container",
            FindingKind::TooLarge => "too_large",
            FindingKind::Decryption => "decryption",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Finding {
    /// What kind of thing.
    pub kind: FindingKind,
    /// The file concerned, if one.
    pub file: Option<String>,
    /// The first byte known to differ, where known.
    pub offset: Option<u64>,
    /// One plain sentence.
    pub message: String,
}

/// Who sealed it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Signer {
    /// The name in the signed facts.
    pub name: String,
    /// minisign key id.
    pub key_id: String,
    /// Key fingerprint in groups of four.
    pub fingerprint: String,
    /// The signature checks out against the key in the bundle.
    pub signature_valid: bool,
    /// The key is one you trust.
    pub trusted: bool,
    /// The name the key was trusted under, when it is a saved trusted key.
    pub trusted_as: Option<String>,
    /// The file the trusted key was given in (`--trust FILE`), when it was.
    pub trusted_file: Option<String>,
}

impl Signer {
    /// Who signed, as the person checking knows them: by the name they trusted the key
    /// under, never by the name the bundle claims ("the key you trusted as A. Teacher",
    /// "the key in staff.pub"); for a key not trusted, the name it claims, marked so.
    pub fn described(&self) -> String {
        match (&self.trusted_as, &self.trusted_file) {
            (Some(n), _) if self.trusted => format!("the key you trusted as {n}"),
            (None, Some(f)) if self.trusted => format!("the key in {f}"),
            _ if self.trusted => "a key you trust".to_string(),
            _ => format!("a key that calls itself {}", self.name),
        }
    }
}

/// The result of verifying a bundle.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Report {
    /// The file checked.
    pub file: String,
    /// SHA-256 of the file as given.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// The signed facts, when the signature could be read.
    pub facts: Option<SealFacts>,
    /// Who sealed it.
    pub signer: Option<Signer>,
    /// The case, from `case.json`.
    pub case: Option<crate::case::Case>,
    /// Payload files.
    pub items: usize,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// Everything wrong. Empty means intact, signed by a trusted key.
    pub findings: Vec<Finding>,
    /// Worth knowing, not wrong.
    pub notes: Vec<String>,
}

impl Report {
    /// Intact, signed, by a key you trust, every check passed.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

/// What to verify with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The designated person's age identity file, for `.age` bundles (none: an
    /// encrypted bundle is refused with [`VerifyError::NeedsIdentity`]).
    pub identity: Option<PathBuf>,
    /// The passphrase of that identity file, when it is protected by one.
    pub identity_passphrase: Option<String>,
    /// Keys trusted as signers, each with the name it was trusted under
    /// (`trusted/KEYID.pub`).
    pub trusted: Vec<PublicKey>,
    /// Keys trusted for this run only (`--trust FILE`): their comments name nobody
    /// anyone confirmed, so the verdict names the file.
    pub trusted_files: Vec<(PathBuf, PublicKey)>,
}

/// An opened bundle: where its zip is read from, and what opening it found.
pub struct Opened {
    source: Source,
    /// The report so far (file hash, decryption).
    report: Report,
    /// Recipients of the identities used (to compare with the signed facts).
    own_recipients: Vec<String>,
    /// The whole-file SHA-256 of a plain zip, computed on its own thread while the
    /// contents are checked (so the file's bytes are hashed on both cores at once).
    file_hash: std::sync::Mutex<Option<std::thread::JoinHandle<std::io::Result<String>>>>,
}

fn finding(kind: FindingKind, file: Option<&str>, message: impl Into<String>) -> Finding {
    Finding {
        kind,
        file: file.map(str::to_string),
        offset: None,
        message: message.into(),
    }
}

/// Verify the bundle at `path`.
pub fn verify(path: &Path, opts: &Options) -> Result<Report, VerifyError> {
    let opened = open(path, opts)?;
    Ok(check(&opened, opts))
}

/// Check an opened bundle.
pub fn check(opened: &Opened, opts: &Options) -> Report {
    let mut r = check_contents(opened, opts);
    let handle = opened.file_hash.lock().ok().and_then(|mut h| h.take());
    if let Some(h) = handle {
        match h.join() {
            Ok(Ok(sha)) => r.sha256 = sha,
            _ => r.findings.push(finding(
                FindingKind::Malformed,
                None,
                "The bundle could not be read to the end.",
            )),
        }
    }
    r
}

/// What the phases after the directory share: the zip, its entries (by name too), those
/// refused unread, and the tag files whose bytes do not match the zip's CRC-32 for them.
struct Zip<'a> {
    src: &'a Source,
    entries: &'a [Entry],
    names: BTreeMap<&'a str, &'a Entry>,
    unread: &'a BTreeMap<String, u64>,
    /// Tag files whose bytes do not match the zip's CRC-32 for them (the signature file
    /// is covered by nothing else: a changed unsigned comment line must still be seen).
    crc_bad: Vec<String>,
}

/// The phases, in order: each adds its findings to the report, so their order is the
/// report's.
fn check_contents(opened: &Opened, opts: &Options) -> Report {
    let mut r = opened.report.clone();
    if !r.findings.is_empty() {
        return r;
    }
    // ---- the directory: names, kinds, sizes, places ----
    let Some(mut dir) = directory::read(&mut r, &opened.source) else {
        return r;
    };
    let mut z = Zip {
        src: &opened.source,
        entries: &dir.entries,
        names: dir.entries.iter().map(|e| (e.name.as_str(), e)).collect(),
        unread: &dir.unread,
        crc_bad: Vec::new(),
    };
    // ---- tag files ----
    let mut tags = tags::read(&mut r, &mut z);
    // ---- signature ----
    signature::check(&mut r, &tags, opts, opened);
    // ---- tag manifest ----
    manifest::check(&mut r, &mut z, tags.tagmanifest.as_deref());
    // ---- payload ----
    let listed = payload::check(&mut r, &z, tags.manifest.take());
    // ---- custody chain, replayed to what case.json should say; case.json ----
    let case_file = casefile::check(&mut r, &mut z, listed.as_ref());
    drop(listed);
    if let Some(info) = &tags.bag_info {
        tags::check_bag_info(&mut r, info, case_file.as_ref().map(|c| &c.head));
    }
    if let Some(c) = &case_file {
        r.case = Some(c.head.case.clone());
    }
    // ---- tag files changed where no hash or signature saw it ----
    tags::unseen_changes(&mut r, &z.crc_bad);
    // ---- the container, byte for byte ----
    if !dir.has_folders && r.findings.iter().all(|f| f.kind != FindingKind::UnsafeName) {
        let payload_order: Option<Vec<&str>> = case_file
            .as_ref()
            .map(|c| c.items.iter().map(|i| &*i.path).collect());
        container::check_container(
            &mut r,
            &mut *dir.raw,
            &dir.entries,
            payload_order.as_deref(),
            dir.cd_start,
            dir.zip_offset,
            dir.file_len,
        );
    }
    r
}

/// A strict parser's refusal as a finding.
fn malformed(e: bag::Malformed) -> Finding {
    Finding {
        kind: FindingKind::Malformed,
        file: Some(e.file.clone()),
        offset: None,
        message: format!("{e}; the file was refused."),
    }
}

/// `n` with its thousands separated by commas.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
