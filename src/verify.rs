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
use crate::bundle::format::{
    self as bundle, CustodyLine, SIGNATURE, SealFacts, TAG_FILES, TAGMANIFEST,
};
// The strict signature reader moved to the format; its old path still resolves.
pub use crate::bundle::format::parse_signature;
use crate::bundle::{bag, casejson, zipfmt};
use crate::custody::{self, ChainBreak};
use crate::keys::{self, KeyError, PublicKey};
use crate::replay::{self, Difference, Replay};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod decrypt;

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

/// Where an opened bundle's zip is read from.
enum Source {
    /// A plain zip: the file itself, read at random.
    Plain(PathBuf),
    /// An encrypted one, read in one pass ([`decrypt`]): what it kept, and the rest
    /// decrypted again in memory when read.
    Decrypted(Arc<decrypt::Decrypted>),
    /// An encrypted one whose decryption failed: nothing of it is read.
    Damaged,
}

/// A reader of a zip: a file, or a decrypted one.
trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl Source {
    /// A reader of the zip, at its start.
    fn open(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        match self {
            Source::Plain(p) => Ok(Box::new(File::open(p)?)),
            Source::Decrypted(d) => Ok(Box::new(decrypt::ZipReader::new(d.clone()))),
            Source::Damaged => Err(std::io::Error::other(
                "the encrypted bundle could not be decrypted",
            )),
        }
    }

    /// The zip's length.
    fn len(&self) -> std::io::Result<u64> {
        match self {
            Source::Plain(p) => Ok(std::fs::metadata(p)?.len()),
            Source::Decrypted(d) => Ok(d.len()),
            Source::Damaged => Ok(0),
        }
    }

    /// SHA-256 and CRC-32 of a stored entry's bytes, when they were taken as the
    /// bytes streamed by.
    fn hashed(&self, e: &Entry) -> Option<([u8; 32], u32)> {
        match self {
            Source::Decrypted(d) if e.stored && e.compressed == e.size => {
                d.hashed(e.data_start, e.size)
            }
            _ => None,
        }
    }
}

const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

fn finding(kind: FindingKind, file: Option<&str>, message: impl Into<String>) -> Finding {
    Finding {
        kind,
        file: file.map(str::to_string),
        offset: None,
        message: message.into(),
    }
}

/// Whether the file at `path` is age-encrypted (an `.evidence.age` bundle).
pub fn is_encrypted(path: &Path) -> bool {
    let mut magic = [0u8; 22];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == AGE_MAGIC
}

/// Verify the bundle at `path`.
pub fn verify(path: &Path, opts: &Options) -> Result<Report, VerifyError> {
    let opened = open(path, opts)?;
    Ok(check(&opened, opts))
}

/// Open (and decrypt) a bundle, without checking its content yet.
pub fn open(path: &Path, opts: &Options) -> Result<Opened, VerifyError> {
    let unreadable = |source: std::io::Error| VerifyError::Unreadable {
        path: path.into(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => VerifyError::NotFound { path: path.into() },
        _ => unreadable(e),
    })?;
    if !meta.is_file() {
        return Err(VerifyError::NotABundle {
            path: path.into(),
            reason: "it is not a file".into(),
        });
    }
    let mut f = File::open(path).map_err(unreadable)?;
    let mut magic = vec![0u8; AGE_MAGIC.len()];
    let n = read_up_to(&mut f, &mut magic).map_err(unreadable)?;
    f.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut report = Report {
        file: path.display().to_string(),
        sha256: String::new(),
        size: meta.len(),
        encrypted: n == AGE_MAGIC.len() && magic == AGE_MAGIC,
        facts: None,
        signer: None,
        case: None,
        items: 0,
        payload_bytes: 0,
        findings: Vec::new(),
        notes: Vec::new(),
    };
    if !report.encrypted {
        let p = path.to_path_buf();
        let handle = std::thread::spawn(move || crate::digest::hash_file(&p));
        return Ok(Opened {
            source: Source::Plain(path.to_path_buf()),
            report,
            own_recipients: Vec::new(),
            file_hash: std::sync::Mutex::new(Some(handle)),
        });
    }

    // The caller resolves the default identity (from its own keys folder); falling
    // back to the global one here would ignore the folder it was given.
    let keys = match &opts.identity {
        Some(p) => keys::read_identities(p, opts.identity_passphrase.as_deref())?,
        None => return Err(VerifyError::NeedsIdentity { path: path.into() }),
    };
    let own_recipients = keys.iter().map(|k| k.to_public().to_string()).collect();
    // One pass, nothing written: each chunk is parsed only once its tag verified, and
    // nothing of it is checked (below, in `check`) unless the last one authenticated.
    let pass = match decrypt::one_pass(Arc::new(f), Arc::new(keys)) {
        Ok(p) => p,
        Err(decrypt::HeaderError::NoMatchingKeys) => {
            return Err(VerifyError::WrongIdentity { path: path.into() });
        }
        Err(decrypt::HeaderError::Damaged(why)) => {
            return Err(VerifyError::NotABundle {
                path: path.into(),
                reason: format!("its encryption header is damaged ({why})"),
            });
        }
    };
    report.sha256 = pass.sha256.unwrap_or_default();
    let source = match pass.zip {
        Ok(d) => Source::Decrypted(Arc::new(d)),
        Err(why) => {
            // Nothing decrypted is examined: the ciphertext was changed or cut short.
            report.findings.push(finding(
                FindingKind::Decryption,
                None,
                format!(
                    "The encrypted bundle was changed or cut short after it was sealed: {why}. Nothing in it was read. Ask for the bundle again."
                ),
            ));
            Source::Damaged
        }
    };
    Ok(Opened {
        source,
        report,
        own_recipients,
        file_hash: std::sync::Mutex::new(None),
    })
}

/// What age said, as a few words inside one of our sentences: its first line only,
/// without its advice to upgrade (this is a damaged or foreign file, not an old
/// program), control characters shown.
fn age_detail(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.');
    let first = if first.to_ascii_lowercase().contains("unknown age format") {
        "not a form of age encryption this version reads"
    } else {
        first
    };
    crate::text::visible(first).chars().take(200).collect()
}

fn read_up_to(f: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// An entry as found in the zip's directory.
#[derive(Debug, Clone)]
struct Entry {
    index: usize,
    name: String,
    size: u64,
    compressed: u64,
    crc32: u32,
    stored: bool,
    header_start: u64,
    data_start: u64,
}

/// Bidirectional-text controls that can make a name display as something it is not.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why an entry name is unsafe, if it is.
pub fn unsafe_name(raw: &[u8]) -> Option<&'static str> {
    let Ok(name) = std::str::from_utf8(raw) else {
        return Some("its name is not UTF-8");
    };
    if name.is_empty() || name.len() > 1024 {
        return Some("its name is empty or too long");
    }
    if name.starts_with('/') {
        return Some("its name is an absolute path");
    }
    if name.contains('\\') {
        return Some("its name contains a backslash");
    }
    if name.contains(':') {
        return Some("its name contains a colon (a drive letter or stream)");
    }
    if name.chars().any(char::is_control) {
        return Some("its name contains control characters");
    }
    if name.chars().any(is_bidi_control) {
        return Some("its name contains bidirectional-text controls that disguise it");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        if part == ".." {
            return Some("its name climbs out of the folder (..)");
        }
        if part.is_empty() || part == "." {
            return Some("its name has an empty or '.' part");
        }
        if part.ends_with('.') || part.ends_with(' ') {
            return Some("a part of its name ends with a dot or space");
        }
    }
    None
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

fn check_contents(opened: &Opened, opts: &Options) -> Report {
    let mut r = opened.report.clone();
    if !r.findings.is_empty() {
        return r;
    }
    // One handle for the zip crate, a second for reading headers ourselves.
    let (file, mut raw_file) =
        match (opened.source.open()).and_then(|f| opened.source.open().map(|g| (f, g))) {
            Ok(pair) => pair,
            Err(e) => {
                r.findings.push(finding(
                    FindingKind::Malformed,
                    None,
                    format!("The bundle could not be read: {e}."),
                ));
                return r;
            }
        };
    let mut zip = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                None,
                format!("This is not a readable zip file: it is damaged, cut short, or not a bundle ({e})."),
            ));
            return r;
        }
    };
    let max_entries = bundle::max_entries();
    if zip.len() > max_entries {
        r.findings.push(finding(
            FindingKind::TooLarge,
            None,
            format!(
                "The bundle has {} files, more than the {max_entries} allowed; it was not examined.",
                zip.len()
            ),
        ));
        return r;
    }
    // The `zip` crate keeps only the last of several entries with one name, so
    // duplicates are looked for in the directory itself.
    if zip.has_duplicate_names() {
        let mut seen = BTreeSet::new();
        let mut named = false;
        for raw in central_names(
            &opened.source,
            zip.central_directory_start(),
            MAX_ENTRIES + 1,
        ) {
            if !seen.insert(raw.clone()) {
                let name = String::from_utf8_lossy(&raw).into_owned();
                let shown = name.escape_debug().to_string();
                r.findings.push(finding(
                    FindingKind::UnsafeName,
                    Some(&name),
                    format!("{shown} appears twice in the bundle; neither copy can be trusted."),
                ));
                named = true;
            }
        }
        if !named {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                None,
                "The zip's directory lists a file more than once; neither copy can be trusted.",
            ));
        }
    }

    // ---- the directory: names, kinds, sizes, places ----
    let mut entries = Vec::new();
    let mut seen_exact = BTreeSet::new();
    let mut seen_folded: BTreeMap<String, String> = BTreeMap::new();
    // Entries that are there but were refused before reading (and named for it): not
    // also "missing", and counted in the payload.
    let mut unread: BTreeMap<String, u64> = BTreeMap::new();
    // Folder entries (each already `extra`) take room the rebuilt layout cannot place.
    let mut has_folders = false;
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = match zip.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => {
                r.findings.push(finding(
                    FindingKind::Malformed,
                    None,
                    format!("Entry {} of the zip cannot be read ({e}).", i + 1),
                ));
                continue;
            }
        };
        let raw = f.name_raw().to_vec();
        let shown = String::from_utf8_lossy(&raw).escape_debug().to_string();
        if let Some(why) = unsafe_name(&raw) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&shown),
                format!("The bundle contains a file \"{shown}\" that was refused: {why}. It was not read or extracted."),
            ));
            if let Ok(n) = std::str::from_utf8(&raw) {
                unread.insert(n.to_string(), f.size());
            }
            continue;
        }
        let name = String::from_utf8_lossy(&raw).into_owned();
        if f.is_symlink() || f.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!(
                    "{name} is a symbolic link, which a bundle never contains; it was not followed."
                ),
            ));
            unread.insert(name, f.size());
            continue;
        }
        if f.encrypted() {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some(&name),
                format!("{name} is password-protected inside the zip, which a bundle never is."),
            ));
            unread.insert(name, f.size());
            continue;
        }
        if !seen_exact.insert(name.clone()) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!("{name} appears twice in the bundle; neither copy can be trusted."),
            ));
            continue;
        }
        use unicode_normalization::UnicodeNormalization;
        let folded: String = name.nfc().collect::<String>().to_lowercase();
        if let Some(other) = seen_folded.insert(folded, name.clone()) {
            r.findings.push(finding(
                FindingKind::UnsafeName,
                Some(&name),
                format!("{name} and {other} differ only in letter case or Unicode form, so they would overwrite each other when extracted."),
            ));
            continue;
        }
        if f.is_dir() {
            has_folders = true;
            r.findings.push(finding(
                FindingKind::Extra,
                Some(&name),
                format!(
                    "{name} is a folder entry, which a bundle never has: the zip was re-packed."
                ),
            ));
            continue;
        }
        let stored = f.compression() == zip::CompressionMethod::Stored;
        if !stored && f.compression() != zip::CompressionMethod::Deflated {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some(&name),
                format!("{name} uses a compression method Evidence Kit does not read."),
            ));
            unread.insert(name, f.size());
            continue;
        }
        if f.size() >= 1024 * 1024 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            r.findings.push(finding(
                FindingKind::TooLarge,
                Some(&name),
                format!(
                    "{name} would expand more than {MAX_RATIO} times (a zip bomb); it was not read."
                ),
            ));
            unread.insert(name, f.size());
            continue;
        }
        declared_total = declared_total.saturating_add(f.size());
        entries.push(Entry {
            index: i,
            name,
            size: f.size(),
            compressed: f.compressed_size(),
            crc32: f.crc32(),
            stored,
            header_start: f.header_start(),
            data_start: 0,
        });
    }
    if declared_total > MAX_TOTAL_BYTES {
        r.findings.push(finding(
            FindingKind::TooLarge,
            None,
            format!("The bundle would unpack to {declared_total} bytes, more than the {MAX_TOTAL_BYTES} allowed; it was not examined."),
        ));
        return r;
    }
    let cd_start = zip.central_directory_start();
    let zip_offset = zip.offset();
    if zip_offset != 0 {
        // Bytes before the zip: every offset in it is then off, and each check would
        // repeat it. One finding says what was done.
        r.findings.push(Finding {
            kind: FindingKind::Container,
            file: None,
            offset: Some(0),
            message: format!(
                "{} bytes were added before the zip, so it is not the file that was sealed; it was not examined further.",
                group(zip_offset)
            ),
        });
        return r;
    }
    drop(zip);
    drop((seen_exact, seen_folded));
    entries.shrink_to_fit();

    // Local headers: where each entry's data starts; no overlaps, nothing hidden.
    let file_len = opened.source.len().unwrap_or(0);
    let mut bad_entries = BTreeSet::new();
    for e in &mut entries {
        match local_data_start(&mut raw_file, e.header_start + zip_offset) {
            Some(d) if d.saturating_add(e.compressed) <= file_len => e.data_start = d,
            _ => {
                r.findings.push(finding(
                    FindingKind::Container,
                    Some(&e.name),
                    format!(
                        "The zip header of {} is damaged or points outside the file.",
                        e.name
                    ),
                ));
                bad_entries.insert(e.index);
                // Named once (here), not also as missing.
                unread.insert(e.name.clone(), e.size);
            }
        }
    }
    entries.retain(|e| !bad_entries.contains(&e.index));
    let mut by_place: Vec<&Entry> = entries.iter().collect();
    by_place.sort_by_key(|e| e.header_start);
    for pair in by_place.windows(2) {
        if pair[0].data_start + pair[0].compressed > pair[1].header_start + zip_offset {
            r.findings.push(finding(
                FindingKind::Container,
                Some(&pair[1].name),
                format!(
                    "{} overlaps {} inside the zip (a crafted zip); neither can be trusted.",
                    pair[1].name, pair[0].name
                ),
            ));
        }
    }

    // ---- tag files ----
    let names: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.name.as_str(), e)).collect();
    // Tag files whose bytes do not match the zip's CRC-32 for them (the signature file
    // is covered by nothing else: a changed unsigned comment line must still be seen).
    let mut crc_bad: Vec<String> = Vec::new();
    let mut tag = |name: &str, r: &mut Report| -> Option<Vec<u8>> {
        let Some(e) = names.get(name) else {
            if !unread.contains_key(name) {
                r.findings.push(finding(
                    FindingKind::Missing,
                    Some(name),
                    format!("{name} is missing from the bundle."),
                ));
            }
            return None;
        };
        // Checked before reading, so a (deflated) oversized tag file costs no memory:
        // the manifests at 16 MiB, the small tag files at 1 MiB.
        let cap = bundle::tag_limit(name);
        if e.size > cap {
            r.findings.push(if cap == bag::MAX_MANIFEST_BYTES {
                malformed(bag::Malformed {
                    file: name.into(),
                    line: None,
                    what: "it is larger than 16 MiB".into(),
                })
            } else {
                finding(
                    FindingKind::TooLarge,
                    Some(name),
                    format!("{name} is too large to be a tag file."),
                )
            });
            return None;
        }
        match read_entry(&opened.source, e) {
            Ok((bytes, crc)) => {
                if crc != e.crc32 {
                    crc_bad.push(name.to_string());
                }
                Some(bytes)
            }
            Err(msg) => {
                r.findings.push(finding(
                    FindingKind::Malformed,
                    Some(name),
                    format!("{name} cannot be read: {msg}."),
                ));
                None
            }
        }
    };
    let bagit_txt = tag("bagit.txt", &mut r);
    let bag_info_raw = tag("bag-info.txt", &mut r);
    let manifest_raw = tag("manifest-sha256.txt", &mut r);
    let tagmanifest_raw = tag(TAGMANIFEST, &mut r);
    let sig_raw = tag(SIGNATURE, &mut r);
    // case.json and custody.jsonl are read item by item, line by line, further down,
    // never held whole.
    for name in ["case.json", "custody.jsonl", bundle::BLOCKS] {
        match names.get(name) {
            None if unread.contains_key(name) => {}
            None => r.findings.push(finding(
                FindingKind::Missing,
                Some(name),
                format!("{name} is missing from the bundle."),
            )),
            Some(e) if e.size > MAX_TAG_BYTES => r.findings.push(finding(
                FindingKind::TooLarge,
                Some(name),
                format!("{name} is too large to be a tag file."),
            )),
            Some(_) => {}
        }
    }
    let signer_raw = tag("signer.pub", &mut r);

    if let Some(b) = &bagit_txt
        && let Err(e) = bag::check_bagit_txt(b)
    {
        r.findings.push(malformed(e));
    }
    let bag_info =
        bag_info_raw
            .as_deref()
            .and_then(|b| match bag::parse_bag_info("bag-info.txt", b) {
                Ok(m) => Some(m),
                Err(e) => {
                    r.findings.push(malformed(e));
                    None
                }
            });

    // ---- signature ----
    let tagmanifest_sha = tagmanifest_raw
        .as_deref()
        .map(|t| hex::encode(Sha256::digest(t)));
    let signer_key = signer_raw.as_deref().and_then(|b| {
        let k = std::str::from_utf8(b)
            .ok()
            .filter(|t| key_blob_ok(t))
            .and_then(PublicKey::parse);
        if k.is_none() {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("signer.pub"),
                "signer.pub does not hold a minisign public key.",
            ));
        }
        k
    });
    if let (Some(sig_bytes), Some(tm)) = (&sig_raw, &tagmanifest_raw) {
        match parse_signature(sig_bytes) {
            None => r.findings.push(finding(
                FindingKind::Signature,
                Some(SIGNATURE),
                "The signature file cannot be read: the bundle is not properly signed.",
            )),
            Some((sig, comment)) => {
                check_signature(&mut r, &sig, tm, signer_key.as_ref(), opts, opened);
                if let Some(f) = &r.facts
                    && signer_key.is_some()
                    && !comment_ok(&comment, f, signer_key.as_ref())
                {
                    r.findings.push(finding(
                        FindingKind::Signature,
                        Some(SIGNATURE),
                        format!(
                            "The first line of {SIGNATURE} (its unsigned comment) was changed after sealing; Evidence Kit writes exactly \"untrusted comment: {}\".",
                            bundle::untrusted_comment(
                                &f.case,
                                &signer_key.as_ref().map(PublicKey::fingerprint).unwrap_or_default()
                            )
                        ),
                    ));
                }
            }
        }
    }
    if let (Some(f), Some(sha)) = (&r.facts, &tagmanifest_sha)
        && &f.tagmanifest_sha256 != sha
    {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(TAGMANIFEST),
            "The signature was made for a different bundle (its tag manifest hash does not match this one's): it was lifted from another bundle.",
        ));
    }

    // ---- tag manifest ----
    let tag_names: BTreeSet<&str> = entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| !n.starts_with("data/"))
        .collect();
    if let Some(tm) = &tagmanifest_raw {
        match bag::parse_manifest(TAGMANIFEST, tm, false) {
            Err(e) => r.findings.push(malformed(e)),
            Ok(listed) => {
                for (path, want) in listed.iter() {
                    let want = hex::encode(want);
                    let Some(e) = names.get(path) else {
                        if !unread.contains_key(path) {
                            r.findings.push(finding(
                                FindingKind::Missing,
                                Some(path),
                                format!("{path} is listed in the tag manifest but is missing."),
                            ));
                        }
                        continue;
                    };
                    // Streamed: the tag files read above are not held twice (and an
                    // encrypted bundle's were hashed in its one pass).
                    let got = match opened.source.hashed(e) {
                        Some(done) => Ok(done),
                        None => {
                            let mut hasher = Sha256::new();
                            stream_entry(&opened.source, e, &mut |c| hasher.update(c))
                                .map(|crc| (<[u8; 32]>::from(hasher.finalize()), crc))
                        }
                    };
                    match got {
                        Ok((sha, crc)) => {
                            // The zip's CRC-32 is bytes of the bundle too: a changed one
                            // over unchanged contents is still a change.
                            if crc != e.crc32 && !crc_bad.iter().any(|n| n == path) {
                                crc_bad.push(path.to_string());
                            }
                            let have = hex::encode(sha);
                            if have != want {
                                r.findings.push(finding(FindingKind::Altered, Some(path), format!("{path} was changed after sealing (its SHA-256 is {have}; {want} was sealed).")));
                            }
                        }
                        Err(msg) => r.findings.push(finding(
                            FindingKind::Malformed,
                            Some(path),
                            format!("{path} cannot be read: {msg}."),
                        )),
                    }
                }
                for t in TAG_FILES {
                    if names.contains_key(*t) && !listed.contains_key(t) {
                        r.findings.push(finding(
                            FindingKind::Extra,
                            Some(t),
                            format!("{t} is not covered by the signed tag manifest."),
                        ));
                    }
                }
            }
        }
    }
    // Only Evidence Kit's own tag files, whatever the tag manifest lists: another
    // manifest (manifest-md5.txt…) would be a check nobody runs, fetch.txt a file
    // to be fetched from elsewhere, a root file `data` a clash with the payload folder.
    for n in &tag_names {
        if bundle::ZIP_ORDER.contains(n) {
            continue;
        }
        let why = match *n {
            "fetch.txt" => "fetch.txt asks for files to be fetched from elsewhere, which a bundle never does; it was not followed.".to_string(),
            "data" => "A file named data sits where the evidence folder belongs, which a bundle never has.".to_string(),
            n if n.starts_with("manifest-") || n.starts_with("tagmanifest-") => format!(
                "{n} is a checksum list Evidence Kit never writes (a bundle has only manifest-sha256.txt and tagmanifest-sha256.txt); it was refused, not trusted."
            ),
            n => format!("{n} was added to the bundle after sealing."),
        };
        r.findings.push(finding(FindingKind::Extra, Some(n), why));
    }

    // ---- payload ----
    let payload: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.name.starts_with("data/"))
        .collect();
    r.items = payload.len();
    r.payload_bytes = payload.iter().map(|e| e.size).sum();
    let listed = manifest_raw.as_deref().and_then(|m| {
        bag::parse_manifest("manifest-sha256.txt", m, true)
            .map_err(|e| r.findings.push(malformed(e)))
            .ok()
    });
    drop(manifest_raw);
    if let Some(listed) = &listed {
        // Payload files refused unread (each named for it) still count as there.
        for (n, size) in &unread {
            if n.starts_with("data/") && listed.contains_key(n) {
                r.items += 1;
                r.payload_bytes = r.payload_bytes.saturating_add(*size);
            }
        }
        for p in listed.keys() {
            if !names.contains_key(p) && !unread.contains_key(p) {
                r.findings.push(finding(
                    FindingKind::Missing,
                    Some(p),
                    format!("{p} is missing: it was removed after sealing."),
                ));
            }
        }
        // The block lists, read strictly (a line at a time). They only locate a change
        // in a file whose SHA-256 differs: hashing every block of every file as well
        // would be a third SHA-256 pass over the evidence (measured: verify 0.95× of
        // openssl's speed, against 1.22× without it), for a list only the signer writes.
        let block_lists = names
            .get(bundle::BLOCKS)
            .filter(|b| b.size <= MAX_TAG_BYTES)
            .map(|b| read_block_lists(&mut r, &opened.source, b, &names, &unread))
            .unwrap_or_default();
        let mut to_hash = Vec::new();
        let mut without_blocks = 0usize;
        for e in &payload {
            match listed.get(&e.name) {
                None => r.findings.push(finding(
                    FindingKind::Extra,
                    Some(&e.name),
                    format!(
                        "{} was added after sealing (it is not in the manifest).",
                        e.name
                    ),
                )),
                Some(want) => {
                    if !block_lists.contains(&e.name) {
                        without_blocks += 1;
                    }
                    to_hash.push((*e, want));
                }
            }
        }
        let blocks_refused = r
            .findings
            .iter()
            .any(|f| f.file.as_deref() == Some(bundle::BLOCKS));
        if without_blocks > 0 && !blocks_refused {
            r.notes.push(format!(
                "blocks-sha256.txt has no block hashes for {without_blocks} file(s) (kept before they were recorded): a change in them is detected but cannot be located."
            ));
        }
        let hashed = hash_payload(&opened.source, &to_hash);
        for ((e, want), result) in to_hash.into_iter().zip(hashed) {
            let want = hex::encode(want);
            let result = result.map(|(sha, crc)| (hex::encode(sha), crc));
            match result {
                Ok((have, crc)) if have == want => {
                    if crc != e.crc32 {
                        r.findings.push(finding(FindingKind::Container, Some(&e.name), format!("The zip's checksum for {} was changed (the file itself is intact).", e.name)));
                    }
                }
                Ok((have, _)) => {
                    let mut f = finding(
                        FindingKind::Altered,
                        Some(&e.name),
                        format!(
                            "{} was changed after sealing (its SHA-256 is {have}; {want} was sealed).",
                            e.name
                        ),
                    );
                    // Only on a mismatch, and only from a line read strictly above (a
                    // block size of 1 would cost 32 bytes a byte): say where.
                    let blocks = names
                        .get(bundle::BLOCKS)
                        .filter(|_| block_lists.contains(&e.name))
                        .and_then(|b| blocks_for(&opened.source, b, &e.name))
                        .filter(|b| {
                            b.size.is_power_of_two()
                                && b.size >= crate::digest::MIN_BLOCK_BYTES
                                && b.digests.len() as u64 == e.size.div_ceil(b.size)
                        });
                    if let Some(b) = blocks
                        && let Some(ranges) = locate_changes(&opened.source, e, &b)
                        && let Some(&(start, _)) = ranges.first()
                    {
                        f.offset = Some(start);
                        f.message = format!(
                            "{} was changed after sealing: {} (its SHA-256 is {have}; {want} was sealed).",
                            e.name,
                            changed_ranges_in_words(&ranges, 0)
                        );
                    }
                    r.findings.push(f);
                }
                Err(msg) => r.findings.push(finding(
                    FindingKind::Malformed,
                    Some(&e.name),
                    format!("{} cannot be read: {msg}.", e.name),
                )),
            }
        }
    }
    drop(payload);
    // ---- custody chain, replayed to what case.json should say ----
    // The log first (a line at a time), then case.json (an item at a time), each
    // item compared with the log's replay as it is read: neither is held whole.
    let mut replay = Replay::new(
        replay::Mode::Bundle,
        r.facts.as_ref().map(|f| f.case.as_str()),
    );
    let custody_ok = match names.get("custody.jsonl") {
        Some(e) => match check_custody(&mut r, &opened.source, e, &mut replay) {
            Some(crc) => {
                if crc != e.crc32 {
                    crc_bad.push("custody.jsonl".into());
                }
                true
            }
            None => false,
        },
        None => false,
    } && !r
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Malformed && f.file.as_deref() == Some("custody.jsonl"));
    // case.json after the hashing, so that what each keeps is not held at once.
    let case_file = names
        .get("case.json")
        .filter(|e| e.size <= MAX_TAG_BYTES)
        .and_then(|e| {
            read_case_file(
                &mut r,
                &opened.source,
                e,
                &mut crc_bad,
                custody_ok.then_some(&mut replay),
            )
        });
    if custody_ok && case_file.is_some() {
        finish_replay(&mut r, replay);
    }
    if let (Some(listed), Some(c)) = (&listed, &case_file) {
        check_case_file(&mut r, c, listed, &names);
    }
    drop(listed);
    if let Some(info) = &bag_info {
        check_bag_info(&mut r, info, case_file.as_ref().map(|c| &c.head));
    }
    if let Some(c) = &case_file {
        r.case = Some(c.head.case.clone());
    }

    // ---- tag files changed where no hash or signature saw it ----
    for name in &crc_bad {
        if !r.findings.iter().any(|f| f.file.as_deref() == Some(name)) {
            r.findings.push(finding(
                FindingKind::Altered,
                Some(name),
                format!("{name} does not match the checksum the zip records for it: it (or its zip header) was changed after sealing."),
            ));
        }
    }

    // ---- the container, byte for byte ----
    if !has_folders && r.findings.iter().all(|f| f.kind != FindingKind::UnsafeName) {
        let payload_order: Option<Vec<&str>> = case_file
            .as_ref()
            .map(|c| c.items.iter().map(|i| &*i.path).collect());
        check_container(
            &mut r,
            &mut raw_file,
            &entries,
            payload_order.as_deref(),
            cd_start,
            zip_offset,
            file_len,
        );
    }
    r
}

fn malformed(e: bag::Malformed) -> Finding {
    Finding {
        kind: FindingKind::Malformed,
        file: Some(e.file.clone()),
        offset: None,
        message: format!("{e}; the file was refused."),
    }
}

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

/// Whether a `.pub` text's key line (its first non-empty line that is not a comment)
/// is canonical standard base64 of exactly the 42-byte key blob `Ed` ‖ id ‖ key.
fn key_blob_ok(text: &str) -> bool {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
    else {
        return false;
    };
    b64.decode(line)
        .is_ok_and(|raw| raw.len() == 42 && raw.starts_with(b"Ed") && b64.encode(&raw) == line)
}

/// The untrusted comment a bundle sealed by `facts` with `key` must carry. Bundles
/// sealed before the fingerprint covered the whole key (2026-11-25) name the key id in
/// groups of four instead; that form is accepted for them only.
fn comment_ok(comment: &str, facts: &SealFacts, key: Option<&PublicKey>) -> bool {
    let Some(key) = key else { return false };
    if comment == bundle::untrusted_comment(&facts.case, &key.fingerprint()) {
        return true;
    }
    let before_change = facts.sealed.as_str() < "2026-11-26";
    before_change
        && comment == bundle::untrusted_comment(&facts.case, &keys::fingerprint(&key.key_id))
}

fn check_signature(
    r: &mut Report,
    sig: &minisign::SignatureBox,
    tagmanifest: &[u8],
    signer_key: Option<&PublicKey>,
    opts: &Options,
    opened: &Opened,
) {
    let sig_key_id = keys::key_id_hex(sig.keynum());
    let facts: Option<SealFacts> = sig
        .trusted_comment()
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok());
    let Some(facts) = facts else {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signature does not carry Evidence Kit's sealed facts: it was not made by Evidence Kit's seal.",
        ));
        return;
    };
    let valid = match signer_key {
        Some(k) if k.key_id == sig_key_id => minisign::verify(
            &k.key,
            sig,
            std::io::Cursor::new(tagmanifest),
            true,
            false,
            false,
        )
        .is_ok(),
        _ => false,
    };
    // With no readable signer.pub (its own finding) nothing can match.
    if !valid && signer_key.is_some() {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signature does not match: the tag manifest or the signature was changed after sealing, or it was signed with another key.",
        ));
    }
    if chrono::DateTime::parse_from_rfc3339(&facts.sealed).is_err() {
        r.findings.push(finding(
            FindingKind::Malformed,
            Some(SIGNATURE),
            format!(
                "The signed seal time \"{}\" is not a date and time, which Evidence Kit always writes.",
                facts.sealed.escape_debug()
            ),
        ));
    }
    if facts.format != bundle::BUNDLE_FORMAT {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            format!(
                "The bundle format {} is not one this version reads.",
                facts.format
            ),
        ));
    }
    if facts.key_id != sig_key_id {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signed key id does not match the key that made the signature.",
        ));
    }
    // Every trusted key with this id: saved ones first (they carry the name the key was
    // trusted under), then those given for this run. One whose key is the bundle's
    // wins over another that only shares its id (a forged key cannot shadow it).
    let candidates: Vec<(&PublicKey, Option<&Path>)> = opts
        .trusted
        .iter()
        .map(|k| (k, None))
        .chain(
            opts.trusted_files
                .iter()
                .map(|(p, k)| (k, Some(p.as_path()))),
        )
        .filter(|(t, _)| t.key_id == sig_key_id)
        .collect();
    let exact = signer_key.and_then(|k| {
        candidates
            .iter()
            .find(|(t, _)| t.key.to_base64() == k.key.to_base64())
    });
    let trusted_same = exact.or(candidates.first()).map(|(t, _)| *t);
    let (trusted_as, trusted_file) = match exact {
        Some((t, None)) => (t.name.clone(), None),
        Some((_, Some(p))) => (None, Some(p.display().to_string())),
        None => (None, None),
    };
    // A key file given for this run may say whose it is (its comment; not proof).
    if let Some((t, Some(p))) = exact
        && let Some(owner) = &t.name
        && bag::clean_value(owner) != bag::clean_value(&facts.signer)
    {
        r.notes.push(format!(
            "It calls its signer \"{}\"; the key in {} says it is {owner}'s.",
            facts.signer,
            p.display()
        ));
    }
    let trusted = match (trusted_same, exact) {
        (_, Some(_)) => true,
        // signer.pub unreadable: that is the finding (malformed), not a substitution.
        (Some(_), None) if signer_key.is_none() => false,
        (Some(t), None) => {
            r.findings.push(finding(
                FindingKind::SubstitutedKey,
                Some("signer.pub"),
                format!(
                    "The bundle claims the key id of {}'s key, which you trust, but carries a different key: someone may be pretending to be them. Do not rely on it.",
                    t.name.as_deref().unwrap_or("a trusted signer")
                ),
            ));
            false
        }
        (None, _) => false,
    };
    // The fingerprint of the whole key carried (the key id alone can be copied).
    let fp = signer_key.map_or_else(|| keys::fingerprint(&sig_key_id), PublicKey::fingerprint);
    if valid && !trusted && trusted_same.is_none() {
        r.findings.push(finding(
            FindingKind::UntrustedKey,
            Some("signer.pub"),
            format!(
                "Signed by a key you have not marked as trusted yet: {} (fingerprint {fp}). Trust it only after they confirm this fingerprint to you in person.",
                facts.signer
            ),
        ));
    }
    if r.encrypted {
        match facts.recipients.as_slice() {
            [] => r
                .notes
                .push("The bundle was sealed without encryption and encrypted afterwards.".into()),
            rs if !rs.iter().any(|x| opened.own_recipients.contains(x)) => r.findings.push(finding(
                FindingKind::Signature,
                Some(SIGNATURE),
                "The bundle was sealed for another designated person and re-encrypted to you: it is not the bundle that was sealed.",
            )),
            _ => {}
        }
    } else if !facts.recipients.is_empty() {
        r.notes.push("The bundle was sealed encrypted to the designated person and has been decrypted since; its contents are checked as they are.".into());
    }
    if trusted
        && let Some(saved) = &trusted_as
        && bag::clean_value(saved) != bag::clean_value(&facts.signer)
    {
        r.notes.push(format!(
            "It calls its signer \"{}\"; you trusted this key as \"{saved}\".",
            facts.signer
        ));
    }
    r.signer = Some(Signer {
        name: facts.signer.clone(),
        key_id: sig_key_id,
        fingerprint: fp,
        signature_valid: valid,
        trusted,
        trusted_as,
        trusted_file,
    });
    r.facts = Some(facts);
}

fn check_bag_info(
    r: &mut Report,
    info: &BTreeMap<String, String>,
    case_file: Option<&casejson::CaseHead>,
) {
    // Labels are compared without regard to letter case (RFC 8493); the parser has
    // already refused a non-repeatable label given twice in any case.
    let info: BTreeMap<String, String> = info
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let get = |label: &str| info.get(&label.to_ascii_lowercase());
    let oxum_text = get("Payload-Oxum");
    let oxum = oxum_text.and_then(|o| bag::parse_oxum(o));
    match oxum {
        None => r.findings.push(finding(
            FindingKind::Malformed,
            Some("bag-info.txt"),
            "bag-info.txt has no valid Payload-Oxum.",
        )),
        Some((bytes, count)) => {
            // Compared as written: "0346.3" is not what seal writes for 346 bytes.
            let want = format!("{}.{}", r.payload_bytes, r.items);
            if bytes != r.payload_bytes
                || count != r.items as u64
                || oxum_text.map(String::as_str) != Some(want.as_str())
            {
                r.findings.push(finding(
                    FindingKind::Mismatch,
                    Some("bag-info.txt"),
                    format!(
                        "Payload-Oxum says {bytes} bytes in {count} files, but the bundle has {} bytes in {} files.",
                        r.payload_bytes, r.items
                    ),
                ));
            }
        }
    }
    let Some(f) = r.facts.clone() else { return };
    // Each value as seal writes it: the signed (or case.json) value, cleaned up as
    // bag-info.txt values are (control characters to spaces, trimmed).
    let clean = |v: &str| bag::clean_value(v);
    let bagging_date = chrono::DateTime::parse_from_rfc3339(&f.sealed)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string());
    let mut pairs = vec![
        (
            "External-Identifier",
            Some(clean(&f.case)),
            "case reference",
            "signed one",
        ),
        (
            "EK-Bundle-Id",
            Some(clean(&f.bundle)),
            "bundle id",
            "signed one",
        ),
        (
            "EK-Sealed-At",
            Some(clean(&f.sealed)),
            "seal time",
            "signed one",
        ),
        ("EK-Signer", Some(clean(&f.signer)), "signer", "signed one"),
        (
            "EK-Signer-Key-Id",
            Some(clean(&f.key_id)),
            "signer key id",
            "signed one",
        ),
        (
            "EK-Recipient",
            (!f.recipients.is_empty()).then(|| clean(&f.recipients.join(", "))),
            "recipients",
            "signed ones",
        ),
    ];
    if let Some(d) = bagging_date {
        pairs.push((
            "Bagging-Date",
            Some(d),
            "date",
            "date of the signed seal time",
        ));
    }
    if let Some(c) = case_file {
        pairs.push((
            "External-Description",
            Some(clean(&c.case.title)),
            "title",
            "title in case.json",
        ));
        pairs.push((
            "Contact-Name",
            Some(clean(&c.case.staff)),
            "staff member's name",
            "name in case.json",
        ));
    }
    for (label, want, what, against) in pairs {
        if get(label).cloned() != want {
            r.findings.push(finding(
                FindingKind::Mismatch,
                Some("bag-info.txt"),
                format!("The {what} in bag-info.txt ({label}) differs from the {against}."),
            ));
        }
    }
    if let Some(c) = case_file
        && (c.case.id != f.case || c.bundle != f.bundle || c.sealed.utc != f.sealed)
    {
        r.findings.push(finding(
            FindingKind::Mismatch,
            Some("case.json"),
            "case.json belongs to another case or bundle than the signed one.",
        ));
    }
}

/// What verify keeps of `case.json`: its head whole, and of each item only what the
/// later checks need (about a hundred bytes an item; the item records are never held).
struct CaseSummary {
    head: casejson::CaseHead,
    items: Vec<CaseItemRef>,
}

struct CaseItemRef {
    id: i64,
    size: u64,
    /// `None` when the record's SHA-256 is not 64 hex digits.
    sha256: Option<[u8; 32]>,
    path: Box<str>,
}

fn sha_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).ok()?;
    Some(out)
}

/// Read `case.json` item by item (never whole), keeping a [`CaseSummary`].
fn read_case_file(
    r: &mut Report,
    src: &Source,
    e: &Entry,
    crc_bad: &mut Vec<String>,
    mut replay: Option<&mut Replay>,
) -> Option<CaseSummary> {
    let mut reader = match EntryReader::open(src, e) {
        Ok(x) => x,
        Err(err) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json cannot be read: {err}."),
            ));
            return None;
        }
    };
    let mut items = Vec::new();
    let mut too_many = false;
    // Payload names checked against the rule (bundle::payload_name) once the count is
    // known: the names are kept with their original names' verdicts per width.
    let mut misnamed: Vec<String> = Vec::new();
    let mut widths = BTreeSet::new();
    // What differs from the custody log's replay, by file the finding names.
    let mut differs: Vec<String> = Vec::new();
    let mut unlogged: Vec<String> = Vec::new();
    let parsed = casejson::read_raw(&mut reader, &mut |bi, raw| {
        if items.len() >= MAX_ENTRIES {
            too_many = true;
            return;
        }
        if let Some(replay) = replay.as_deref_mut() {
            for d in replay.compare_item(raw) {
                let to = match d {
                    Difference::ItemNotInLog { .. } => &mut unlogged,
                    _ => &mut differs,
                };
                if to.len() <= MAX_NAMED_FINDINGS {
                    to.push(difference_sentence(&d));
                }
            }
        }
        let i = items.len();
        // The number's width is only known at the end: check the name part now,
        // with the width its own digits give, and the width itself afterwards.
        let digits = bi.path.strip_prefix("data/").map_or(0, |rest| {
            rest.bytes().take_while(u8::is_ascii_digit).count()
        });
        widths.insert(digits);
        if !bundle::is_payload_name(&bi.path, i, digits.max(3), &bi.item.original_name)
            && misnamed.len() <= MAX_NAMED_FINDINGS
        {
            misnamed.push(format!(
                "case.json puts item {} ({}) at {}, which is not the name Evidence Kit gives it.",
                bi.item.id,
                bi.item.original_name.escape_debug(),
                bi.path.escape_debug()
            ));
        }
        items.push(CaseItemRef {
            id: bi.item.id,
            size: bi.item.size,
            sha256: sha_bytes(&bi.item.sha256),
            path: bi.path.into_boxed_str(),
        });
    });
    let head = match parsed {
        Ok(head) => head,
        Err(err) if err.is_io() => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json cannot be read: {err}."),
            ));
            return None;
        }
        Err(err) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("case.json"),
                format!("case.json is not a case record ({err})."),
            ));
            return None;
        }
    };
    if reader.crc32() != e.crc32 {
        crc_bad.push("case.json".into());
    }
    if too_many {
        r.findings.push(finding(
            FindingKind::TooLarge,
            Some("case.json"),
            format!("case.json describes more than {MAX_ENTRIES} items; it was not examined."),
        ));
        return None;
    }
    items.shrink_to_fit();
    let width = bundle::payload_width(items.len());
    if widths.iter().any(|w| *w != width) {
        misnamed.push(format!(
            "The payload names are not numbered with {width} digits, as Evidence Kit numbers the items of a bundle of {} item(s).",
            items.len()
        ));
    }
    push_capped(r, FindingKind::Mismatch, "case.json", misnamed);
    if let Some(replay) = replay {
        differs.extend(
            replay
                .compare_case(&head.case)
                .iter()
                .map(difference_sentence),
        );
    }
    push_capped(r, FindingKind::Mismatch, "case.json", differs);
    push_capped(r, FindingKind::Mismatch, "custody.jsonl", unlogged);
    Some(CaseSummary { head, items })
}

/// Most findings of one kind named one by one; the rest are counted.
const MAX_NAMED_FINDINGS: usize = 1000;

/// `text` with its first letter in upper case (the replay's texts start lower case).
fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A difference between case.json and the custody log, as one sentence.
fn difference_sentence(d: &Difference) -> String {
    let text = capitalised(&d.to_string());
    match d {
        Difference::ItemNotInLog { .. } => format!(
            "{text}: case.json describes an item whose capture the bundle's custody log does not record."
        ),
        _ => format!("{text} (case.json does not say what the bundle's own custody log says)."),
    }
}

/// What the log records and case.json leaves out, and capture times later than the
/// seal (a finding, or a note when the log records the clock set back since).
fn finish_replay(r: &mut Report, replay: Replay) {
    let sealed = r
        .facts
        .as_ref()
        .map(|f| f.sealed.clone())
        .unwrap_or_default();
    let mut late = Vec::new();
    for c in replay.captures_after(&sealed) {
        let text = format!(
            "Item {} was captured at {}, after the bundle was sealed at {sealed}",
            c.item, c.captured_utc
        );
        if c.excused {
            r.notes.push(format!(
                "{text}; the custody log records that the computer's clock was set back since, which explains it."
            ));
        } else if late.len() <= MAX_NAMED_FINDINGS {
            late.push(format!(
                "{text}: a capture cannot come after its seal (the times were changed, or the computer's clock was wrong without the log saying so)."
            ));
        }
    }
    push_capped(r, FindingKind::Mismatch, "case.json", late);
    let missing: Vec<String> = replay
        .finish()
        .iter()
        .take(MAX_NAMED_FINDINGS + 1)
        .map(difference_sentence)
        .collect();
    push_capped(r, FindingKind::Mismatch, "case.json", missing);
}

fn check_case_file(
    r: &mut Report,
    c: &CaseSummary,
    listed: &bag::Manifest,
    names: &BTreeMap<&str, &Entry>,
) {
    if c.head.format != bundle::CASE_FORMAT {
        r.findings.push(finding(
            FindingKind::Malformed,
            Some("case.json"),
            format!(
                "case.json has format {}, which this version does not read.",
                c.head.format
            ),
        ));
    }
    let mut found = Vec::new();
    for it in &c.items {
        match listed.get(&it.path) {
            None => found.push(format!(
                "case.json lists item {} at {}, which the manifest does not.",
                it.id, it.path
            )),
            Some(h) if Some(*h) != it.sha256 => found.push(format!(
                "case.json gives item {} ({}) a different SHA-256 from the manifest.",
                it.id, it.path
            )),
            _ => {}
        }
        if let Some(e) = names.get(&*it.path)
            && e.size != it.size
        {
            found.push(format!(
                "case.json gives {} a size of {} bytes; the file has {}.",
                it.path, it.size, e.size
            ));
        }
        if found.len() > MAX_NAMED_FINDINGS {
            break;
        }
    }
    let mut paths: Vec<&str> = c.items.iter().map(|i| &*i.path).collect();
    paths.sort_unstable();
    for p in listed.keys() {
        if found.len() > MAX_NAMED_FINDINGS {
            break;
        }
        if paths.binary_search(&p).is_err() {
            found.push(format!(
                "{p} is in the manifest but case.json does not describe it."
            ));
        }
    }
    push_capped(r, FindingKind::Mismatch, "case.json", found);
}

/// Push each message as a finding, naming at most [`MAX_NAMED_FINDINGS`].
fn push_capped(r: &mut Report, kind: FindingKind, file: &str, messages: Vec<String>) {
    let more = messages.len().saturating_sub(MAX_NAMED_FINDINGS);
    for m in messages.into_iter().take(MAX_NAMED_FINDINGS) {
        r.findings.push(finding(kind, Some(file), m));
    }
    if more > 0 {
        r.findings.push(finding(
            kind,
            Some(file),
            format!("…and more like these in {file}, not listed one by one."),
        ));
    }
}

/// Most bytes of `details` one custody entry may carry (a captured item's record or a
/// report edit, with its old value: a 200,000-character description escaped is at most
/// a few MiB).
const MAX_DETAILS_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes of item records (`captured` details) the replay keeps for one bundle:
/// more than 100,000 genuine items take, far less than a hostile log could ask for.
const MAX_REPLAYED_BYTES: u64 = 128 * 1024 * 1024;

/// Longest custody line accepted, in bytes.
const MAX_CUSTODY_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Walk `custody.jsonl` line by line (it is never held whole): full entries are
/// re-hashed, redacted ones (other cases) keep their place by their hash. Returns the
/// entry's CRC-32 as read, when it could be read.
fn check_custody(r: &mut Report, src: &Source, entry: &Entry, replay: &mut Replay) -> Option<u32> {
    let mut prev = custody::GENESIS_HASH.to_string();
    let mut expected = 1;
    let mut breaks: Vec<ChainBreak> = Vec::new();
    let mut slips: Vec<String> = Vec::new();
    let mut replayed_bytes: u64 = 0;
    let mut bad: Option<String> = None;
    let mut line_no = 0usize;
    let mut walk = |l: &[u8], bad: &mut Option<String>| {
        line_no += 1;
        if bad.is_some() {
            return;
        }
        if l.is_empty() {
            *bad = Some(format!("custody.jsonl line {line_no} is empty."));
            return;
        }
        let Ok(line) = serde_json::from_slice::<CustodyLine>(l) else {
            *bad = Some(format!(
                "custody.jsonl line {line_no} is not a custody entry."
            ));
            return;
        };
        // Exactly as seal writes it (compact, its keys in order, nothing else): a key
        // the hash does not cover could otherwise ride along unnoticed.
        if serde_json::to_vec(&line).ok().as_deref() != Some(l) {
            *bad = Some(format!(
                "custody.jsonl line {line_no} is not written as Evidence Kit writes a custody entry (extra keys, other spacing or escaping)."
            ));
            return;
        }
        let (seq, prev_hash, hash, ok) = match &line {
            CustodyLine::Full(e) => (e.seq, &e.prev_hash, &e.hash, e.compute_hash() == e.hash),
            CustodyLine::Redacted {
                seq,
                prev_hash,
                hash,
                redacted,
            } => (*seq, prev_hash, hash, *redacted),
        };
        if breaks.len() < 1000 {
            if seq != expected {
                breaks.push(ChainBreak::Gap {
                    expected,
                    found: seq,
                });
            }
            if !ok {
                breaks.push(ChainBreak::Altered { seq });
            }
            if *prev_hash != prev {
                breaks.push(ChainBreak::Unlinked { seq });
            }
        }
        prev = hash.clone();
        expected = seq.saturating_add(1);
        match &line {
            CustodyLine::Full(e) => {
                if replay.items_logged() >= MAX_ENTRIES {
                    *bad = Some(format!(
                        "custody.jsonl records more than {MAX_ENTRIES} captures; it was not examined."
                    ));
                    return;
                }
                // What the replay keeps is bounded: no entry's details (a JSON text that
                // grows when parsed) beyond a few MiB, nor all of them beyond what a
                // case.json may hold.
                if e.action == "captured" {
                    replayed_bytes = replayed_bytes.saturating_add(e.details.len() as u64);
                }
                if e.details.len() > MAX_DETAILS_BYTES || replayed_bytes > MAX_REPLAYED_BYTES {
                    *bad = Some(format!(
                        "custody.jsonl line {line_no} takes the details it records past what a bundle may hold; it was not examined."
                    ));
                    return;
                }
                if let Some(slip) = replay.apply(e)
                    && slips.len() <= MAX_NAMED_FINDINGS
                {
                    slips.push(format!("{}.", capitalised(&slip.to_string())));
                }
            }
            CustodyLine::Redacted { seq, .. } => replay.skip(*seq),
        }
    };
    // A line at a time through a small buffer (custody.jsonl is never held whole).
    let mut read_lines = || -> Result<u32, String> {
        use std::io::BufRead;
        let entry_reader = EntryReader::open(src, entry).map_err(|x| x.to_string())?;
        let mut reader = BufReader::with_capacity(64 * 1024, entry_reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = (&mut reader)
                .take(MAX_CUSTODY_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut line)
                .map_err(|x| x.to_string())?;
            if n == 0 {
                return Ok(reader.get_ref().crc32());
            }
            match line.strip_suffix(b"\n") {
                Some(l) => walk(l, &mut bad),
                None if n > MAX_CUSTODY_LINE_BYTES => {
                    if bad.is_none() {
                        bad = Some("custody.jsonl has a line longer than 16 MiB.".into());
                    }
                }
                None => walk(&line, &mut bad),
            }
        }
    };
    let streamed = read_lines();
    let crc = match streamed {
        Ok(crc) => Some(crc),
        Err(msg) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("custody.jsonl"),
                format!("custody.jsonl cannot be read: {msg}."),
            ));
            return None;
        }
    };
    if let Some(msg) = bad {
        r.findings
            .push(finding(FindingKind::Malformed, Some("custody.jsonl"), msg));
        return crc;
    }
    for b in breaks {
        r.findings.push(finding(
            FindingKind::Chain,
            Some("custody.jsonl"),
            format!("The {b}."),
        ));
    }
    push_capped(r, FindingKind::Mismatch, "custody.jsonl", slips);
    crc
}

/// Every name in the zip's central directory from `start`, duplicates included (at
/// most `limit`).
fn central_names(src: &Source, start: u64, limit: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(f) = src.open() else {
        return out;
    };
    let mut r = BufReader::new(f);
    if r.seek(SeekFrom::Start(start)).is_err() {
        return out;
    }
    let mut h = [0u8; 46];
    while out.len() < limit
        && r.read_exact(&mut h).is_ok()
        && h[..4] == 0x0201_4b50u32.to_le_bytes()
    {
        let n = u16::from_le_bytes([h[28], h[29]]) as usize;
        let skip =
            u16::from_le_bytes([h[30], h[31]]) as i64 + u16::from_le_bytes([h[32], h[33]]) as i64;
        let mut name = vec![0u8; n];
        if r.read_exact(&mut name).is_err() || r.seek_relative(skip).is_err() {
            break;
        }
        out.push(name);
    }
    out
}

/// Read the local header at `at`; returns where the entry's data starts.
fn local_data_start(f: &mut dyn ReadSeek, at: u64) -> Option<u64> {
    let mut h = [0u8; 30];
    f.seek(SeekFrom::Start(at)).ok()?;
    f.read_exact(&mut h).ok()?;
    if h[..4] != 0x0403_4b50u32.to_le_bytes() {
        return None;
    }
    let n = u16::from_le_bytes([h[26], h[27]]) as u64;
    let x = u16::from_le_bytes([h[28], h[29]]) as u64;
    Some(at + 30 + n + x)
}

/// Read a (small) entry whole, checking it does not expand past its declared size.
fn read_entry(src: &Source, e: &Entry) -> Result<(Vec<u8>, u32), String> {
    let mut out = Vec::with_capacity(e.size.min(1 << 20) as usize);
    stream_entry(src, e, &mut |c| out.extend_from_slice(c)).map(|crc| (out, crc))
}

/// An entry's bytes as a reader: stored entries straight from the file, deflated ones
/// through `flate2` (no trust in any zip library's CRC handling). Fails as soon as the
/// bytes run past the declared size (a zip bomb), and at the end if they fall short.
struct EntryReader {
    inner: Box<dyn Read>,
    crc: crc32fast::Hasher,
    total: u64,
    size: u64,
}

impl EntryReader {
    fn open(src: &Source, e: &Entry) -> std::io::Result<Self> {
        let mut f = src.open()?;
        f.seek(SeekFrom::Start(e.data_start))?;
        let raw = BufReader::with_capacity(crate::digest::CHUNK_BYTES.min(1 << 16), f);
        let inner: Box<dyn Read> = if e.stored {
            Box::new(raw.take(e.size))
        } else {
            Box::new(flate2::bufread::DeflateDecoder::new(raw.take(e.compressed)))
        };
        Ok(EntryReader {
            inner,
            crc: crc32fast::Hasher::new(),
            total: 0,
            size: e.size,
        })
    }

    /// The CRC-32 of what was read.
    fn crc32(&self) -> u32 {
        self.crc.clone().finalize()
    }
}

impl Read for EntryReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Never ask for more than one byte past the declared size.
        let room = (self.size - self.total.min(self.size)).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            if self.total != self.size {
                return Err(std::io::Error::other(format!(
                    "it is {} bytes, not the {} its header says",
                    self.total, self.size
                )));
            }
            return Ok(0);
        }
        self.total += n as u64;
        if self.total > self.size {
            return Err(std::io::Error::other(
                "it expands past its declared size (a zip bomb?)",
            ));
        }
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

/// Stream an entry's bytes; returns their CRC-32.
fn stream_entry(src: &Source, e: &Entry, sink: &mut dyn FnMut(&[u8])) -> Result<u32, String> {
    stream_entry_buf(src, e, &mut Vec::new(), sink)
}

/// [`stream_entry`] reading through `buf` (kept by the caller and reused, so that
/// hashing thousands of entries does not allocate a chunk for each).
fn stream_entry_buf(
    src: &Source,
    e: &Entry,
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u32, String> {
    let mut r = EntryReader::open(src, e).map_err(|x| x.to_string())?;
    // Room for the whole entry and a byte more, up to a chunk.
    let cap = usize::try_from(e.size.saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(crate::digest::CHUNK_BYTES);
    if buf.len() < cap {
        buf.resize(cap, 0);
    }
    let buf = &mut buf[..cap];
    loop {
        match r.read(buf) {
            Ok(0) => return Ok(r.crc32()),
            Ok(n) => sink(&buf[..n]),
            Err(x) if x.kind() == std::io::ErrorKind::Interrupted => {}
            Err(x) => return Err(x.to_string()),
        }
    }
}

/// SHA-256 and CRC-32 of an entry's bytes, or why they could not be read.
type Hashed = Result<([u8; 32], u32), String>;

/// One payload entry to hash: the entry and the SHA-256 the manifest lists.
type Work<'a> = (&'a Entry, &'a [u8; 32]);

/// Hash payload entries, on two threads (the machine's cores) where there is work
/// for both; the results are in the order of `work`.
fn hash_payload(src: &Source, work: &[Work<'_>]) -> Vec<Hashed> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
        .min(work.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Hashed>> =
        std::sync::Mutex::new(vec![Err(String::new()); work.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((e, _)) = work.get(i) else {
                        break;
                    };
                    // An encrypted bundle's were hashed as they streamed by.
                    let res = match src.hashed(e) {
                        Some(done) => Ok(done),
                        None => {
                            let mut h = Sha256::new();
                            stream_entry_buf(src, e, &mut buf, &mut |c| h.update(c))
                                .map(|crc| (h.finalize().into(), crc))
                        }
                    };
                    if let Ok(mut v) = results.lock() {
                        v[i] = res;
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// Longest line of `blocks-sha256.txt` read (a path and its block hashes; a file
/// kept from a stream of unknown size may have more than 1,024 blocks).
const MAX_BLOCKS_LINE: u64 = 16 * 1024 * 1024;

/// Read `blocks-sha256.txt` strictly, a line at a time: `PATH⇥BLOCK_SIZE⇥HEX…`, one
/// line per payload file in item (= name) order, the block size a power of two of at
/// least 4,096, one 64-digit lower-case hash per block of the file's size. Returns the
/// paths it gives block hashes for (none once a line is wrong: that is a finding).
fn read_block_lists(
    r: &mut Report,
    src: &Source,
    b: &Entry,
    names: &BTreeMap<&str, &Entry>,
    unread: &BTreeMap<String, u64>,
) -> BTreeSet<String> {
    use std::io::BufRead;
    let mut out = BTreeSet::new();
    let bad = |r: &mut Report, line: usize, what: String| {
        r.findings.push(finding(
            FindingKind::Malformed,
            Some(bundle::BLOCKS),
            format!("blocks-sha256.txt line {line}: {what}; the file was refused."),
        ));
    };
    let reader = match EntryReader::open(src, b) {
        Ok(x) => x,
        Err(e) => {
            bad(r, 0, format!("it cannot be read ({e})"));
            return BTreeSet::new();
        }
    };
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::new();
    let mut previous: Option<String> = None;
    let mut n = 0usize;
    loop {
        line.clear();
        n += 1;
        let got = match (&mut reader)
            .take(MAX_BLOCKS_LINE + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(got) => got,
            Err(e) => {
                bad(r, n, format!("it cannot be read ({e})"));
                return BTreeSet::new();
            }
        };
        if got == 0 {
            return out;
        }
        let Some(l) = line.strip_suffix(b"\n") else {
            bad(
                r,
                n,
                "the line is too long or does not end with a line feed".into(),
            );
            return BTreeSet::new();
        };
        let Ok(l) = std::str::from_utf8(l) else {
            bad(r, n, "it is not UTF-8".into());
            return BTreeSet::new();
        };
        let mut parts = l.split('\t');
        let (Some(path), Some(size), Some(hexes), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            bad(
                r,
                n,
                "it is not PATH, block size and hashes separated by tabs".into(),
            );
            return BTreeSet::new();
        };
        let decoded = match bag::decode_path(bundle::BLOCKS, n, path) {
            Ok(d) => d,
            Err(e) => {
                r.findings.push(malformed(e));
                return BTreeSet::new();
            }
        };
        if unread.contains_key(&decoded) {
            // Refused unread (and named for it): its line cannot be checked.
            previous = Some(decoded);
            continue;
        }
        let Some(e) = names
            .get(decoded.as_str())
            .copied()
            .filter(|e| e.name.starts_with("data/"))
        else {
            bad(
                r,
                n,
                format!("{} is not a file of the bundle", path.escape_debug()),
            );
            return BTreeSet::new();
        };
        if previous.as_deref().is_some_and(|p| p >= e.name.as_str()) {
            bad(r, n, format!("{} is out of order or listed twice", e.name));
            return BTreeSet::new();
        }
        let block_size = size
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| size.parse::<u64>().ok())
            .flatten()
            .filter(|s| s.is_power_of_two() && *s >= crate::digest::MIN_BLOCK_BYTES);
        let Some(block_size) = block_size else {
            bad(
                r,
                n,
                format!(
                    "the block size {} is not a power of two of at least 4096",
                    size.escape_debug()
                ),
            );
            return BTreeSet::new();
        };
        let blocks = e.size.div_ceil(block_size);
        let well_formed = hexes.len() as u64 == blocks.saturating_mul(64)
            && hexes
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        if !well_formed {
            bad(
                r,
                n,
                format!(
                    "{} needs {blocks} block hash(es) of 64 lower-case hexadecimal digits",
                    e.name
                ),
            );
            return BTreeSet::new();
        }
        out.insert(e.name.clone());
        previous = Some(e.name.clone());
    }
}

/// The block hashes of `path` in `blocks-sha256.txt` (stored, as Evidence Kit writes
/// it), read a line at a time with each line capped, never the whole file at once.
fn blocks_for(src: &Source, b: &Entry, path: &str) -> Option<crate::digest::Blocks> {
    use std::io::BufRead;
    if !b.stored {
        return None;
    }
    let mut f = src.open().ok()?;
    f.seek(SeekFrom::Start(b.data_start)).ok()?;
    let mut r = BufReader::new(f.take(b.size));
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut r)
            .take(MAX_BLOCKS_LINE)
            .read_until(b'\n', &mut line)
            .ok()?;
        if n == 0 || (n as u64 == MAX_BLOCKS_LINE && line.last() != Some(&b'\n')) {
            return None;
        }
        if let Some(found) = bundle::find_blocks(&line[..], path) {
            return Some(found);
        }
    }
}

/// Every run of blocks that differs from the block hashes sealed in
/// `blocks-sha256.txt`, as byte ranges.
fn locate_changes(
    src: &Source,
    e: &Entry,
    expected: &crate::digest::Blocks,
) -> Option<Vec<(u64, u64)>> {
    let mut hasher = crate::digest::BlockHasher::new(expected.size);
    stream_entry(src, e, &mut |c| hasher.update(c)).ok()?;
    let actual = hasher.finish();
    crate::digest::changed_ranges(expected, &actual, e.size)
}

/// At most this many changed byte ranges are named in a sentence; the rest are counted.
pub const MAX_CHANGED_RANGES_NAMED: usize = 5;

/// Where a file changed, from its changed byte ranges (end exclusive, in order) and
/// the number of further ranges not in the list: "the change is in bytes
/// 8,192–12,287", "the changes are in bytes 0–4,095 and 8,192–12,287", or the first
/// [`MAX_CHANGED_RANGES_NAMED`] "… and 3 more ranges". Used by `check` for the store
/// too, so both say it alike.
pub fn changed_ranges_in_words(ranges: &[(u64, u64)], more: usize) -> String {
    let shown: Vec<String> = ranges
        .iter()
        .take(MAX_CHANGED_RANGES_NAMED)
        .map(|&(a, b)| match b.saturating_sub(1) {
            last if last > a => format!("{}–{}", group(a), group(last)),
            _ => group(a),
        })
        .collect();
    let more = more + ranges.len().saturating_sub(MAX_CHANGED_RANGES_NAMED);
    let list = match (shown.split_last(), more) {
        (None, _) => return "where it changed is not known".into(),
        (Some((only, [])), 0) if ranges[0].1 <= ranges[0].0 + 1 => {
            return format!("the change is in byte {only}");
        }
        (Some((only, [])), 0) => return format!("the change is in bytes {only}"),
        (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
        (Some(_), 1) => format!("{} and 1 more range", shown.join(", ")),
        (Some(_), n) => format!("{} and {n} more ranges", shown.join(", ")),
    };
    format!("the changes are in bytes {list}")
}

/// Compare every header byte with the canonical layout Evidence Kit writes, and the
/// entries' order with the one it writes them in: the tag files in
/// [`bundle::ZIP_ORDER`], then the payload in `case.json`'s item order (`payload`;
/// `None` when `case.json` could not be read: then in name order, which is item order).
fn check_container(
    r: &mut Report,
    f: &mut dyn ReadSeek,
    entries: &[Entry],
    payload: Option<&[&str]>,
    cd_start: u64,
    zip_offset: u64,
    file_len: u64,
) {
    let sealed = r
        .facts
        .as_ref()
        .and_then(|fa| chrono::DateTime::parse_from_rfc3339(&fa.sealed).ok());
    // Every header carries the seal time. When it cannot be read (a finding of its
    // own), the first header's time stands in, so the rest of the check still runs.
    let dos = match sealed {
        Some(t) => zipfmt::dos_time(&t.with_timezone(&chrono::Utc)),
        None => {
            let mut h = [0u8; 14];
            if f.seek(SeekFrom::Start(0)).is_err() || f.read_exact(&mut h).is_err() {
                (0, 0)
            } else {
                (
                    u16::from_le_bytes([h[10], h[11]]),
                    u16::from_le_bytes([h[12], h[13]]),
                )
            }
        }
    };
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.index);
    let mut pos = 0u64;
    let report = |r: &mut Report, at: u64, what: String, file: Option<&str>| {
        r.findings.push(Finding {
            kind: FindingKind::Container,
            file: file.map(str::to_string),
            offset: Some(at),
            message: format!(
                "The zip container was changed outside the evidence files: byte {} ({what}) is not what Evidence Kit wrote.",
                group(at)
            ),
        });
    };
    if zip_offset != 0 {
        report(r, 0, "bytes were added before the zip".into(), None);
        return;
    }
    // The order: the tag files, then the payload.
    let mut sorted_payload: Vec<&str> = Vec::new();
    let payload = payload.unwrap_or_else(|| {
        sorted_payload = ordered
            .iter()
            .map(|e| e.name.as_str())
            .filter(|n| n.starts_with("data/"))
            .collect();
        sorted_payload.sort_unstable();
        &sorted_payload
    });
    // Entries that do not belong (already `extra`) and missing ones (already
    // `missing`) are left out: the order is that of the rest.
    let present: BTreeSet<&str> = ordered.iter().map(|e| e.name.as_str()).collect();
    let wanted: Vec<&str> = bundle::ZIP_ORDER
        .iter()
        .copied()
        .chain(payload.iter().copied())
        .filter(|n| present.contains(n))
        .collect();
    let wanted_set: BTreeSet<&str> = wanted.iter().copied().collect();
    let in_order: Vec<&Entry> = ordered
        .iter()
        .copied()
        .filter(|e| wanted_set.contains(e.name.as_str()))
        .collect();
    for (i, want) in wanted.iter().copied().enumerate() {
        let have = in_order.get(i).map(|e| e.name.as_str());
        if have != Some(want) {
            let at = in_order.get(i).map_or(cd_start, |e| e.header_start);
            r.findings.push(Finding {
                kind: FindingKind::Container,
                file: have.map(str::to_string),
                offset: Some(at),
                message: match have {
                    Some(h) => format!(
                        "The files in the zip are not in the order Evidence Kit writes them: {h} is where {want} belongs, so the zip was re-packed after sealing."
                    ),
                    None => format!(
                        "The zip ends before {want}, which Evidence Kit writes there."
                    ),
                },
            });
            return;
        }
    }
    for e in &ordered {
        if !e.stored {
            report(
                r,
                e.header_start,
                format!("{} was re-compressed", e.name),
                Some(&e.name),
            );
            return;
        }
        let want = zipfmt::local_header(&e.name, e.size, e.crc32, dos);
        if e.header_start != pos {
            report(
                r,
                pos.min(e.header_start),
                format!("the zip was re-packed around {}", e.name),
                Some(&e.name),
            );
            return;
        }
        if let Some(at) = first_diff_at(f, pos, &want) {
            report(
                r,
                at,
                format!("in the zip header of {}", e.name),
                Some(&e.name),
            );
            return;
        }
        pos += want.len() as u64 + e.size;
    }
    let cd_start_expected = pos;
    if cd_start != pos {
        report(
            r,
            pos,
            "the zip directory is not where it belongs".into(),
            None,
        );
        return;
    }
    // The directory, one header at a time, against what Evidence Kit writes.
    let mut offset = 0u64;
    for e in &ordered {
        let want = zipfmt::central_header(
            &zipfmt::EntryMeta {
                name: e.name.clone(),
                size: e.size,
                crc32: e.crc32,
                offset,
            },
            dos,
        );
        offset += zipfmt::local_header(&e.name, e.size, e.crc32, dos).len() as u64 + e.size;
        if let Some(at) = first_diff_at(f, pos, &want) {
            report(r, at, "in the zip directory".into(), None);
            return;
        }
        pos += want.len() as u64;
    }
    let want = zipfmt::directory_end(
        ordered.len() as u64,
        cd_start_expected,
        pos - cd_start_expected,
    );
    if let Some(at) = first_diff_at(f, pos, &want) {
        report(r, at, "in the zip directory".into(), None);
        return;
    }
    if file_len != pos + want.len() as u64 {
        report(
            r,
            pos + want.len() as u64,
            "bytes were added after the zip directory".into(),
            None,
        );
    }
}

fn first_diff_at(f: &mut dyn ReadSeek, at: u64, want: &[u8]) -> Option<u64> {
    let mut have = vec![0u8; want.len()];
    if f.seek(SeekFrom::Start(at)).is_err() {
        return Some(at);
    }
    let n = read_up_to(f, &mut have).unwrap_or(0);
    (0..want.len())
        .find(|&i| i >= n || have[i] != want[i])
        .map(|i| at + i as u64)
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn unsafe_names_are_named() {
        for (n, ok) in [
            (&b"data/001-a.png"[..], true),
            (b"../evil", false),
            (b"data/../../evil", false),
            (b"/etc/passwd", false),
            (b"data\\evil", false),
            (b"C:evil", false),
            (b"data/a\x01b", false),
            ("data/\u{202e}gnp.exe".as_bytes(), false),
            (b"data/trailing.", false),
            (b"data//x", false),
            (b"\xff\xfe", false),
        ] {
            assert_eq!(
                unsafe_name(n).is_none(),
                ok,
                "{:?}",
                String::from_utf8_lossy(n)
            );
        }
    }
}

/// Something went wrong extracting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The folder exists and is not empty.
    #[error("{path} already exists and is not empty; choose a new folder.")]
    NotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("Could not write {}: {}.", path.display(), crate::error::plain_io(source))]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ExtractError {
    /// A stable name for this kind of error (for the UI and `--json`).
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::NotEmpty { .. } => "not_empty",
            ExtractError::Write { .. } => "write",
        }
    }
}

/// The whole `case.json` of an opened bundle, items included, when it can be read.
/// For a bundle that failed verification this is only what it *claims*.
pub fn read_whole_case_file(opened: &Opened) -> Option<bundle::CaseFile> {
    let e = find_entry(&opened.source, "case.json")?;
    if e.size > MAX_TAG_BYTES {
        return None;
    }
    let r = EntryReader::open(&opened.source, &e).ok()?;
    casejson::read_all(r).ok()
}

/// [`read_whole_case_file`] without collecting the items: each is handed to `on_item`
/// as it is parsed, so a caller keeps only what it needs. Returns the rest of
/// `case.json` when the whole file can be read (items already handed over before a
/// later error are then to be dropped).
pub fn read_case_file_items(
    opened: &Opened,
    on_item: &mut dyn FnMut(bundle::BagItem),
) -> Option<casejson::CaseHead> {
    let e = find_entry(&opened.source, "case.json")?;
    if e.size > MAX_TAG_BYTES {
        return None;
    }
    let r = EntryReader::open(&opened.source, &e).ok()?;
    casejson::read(r, on_item).ok()
}

/// The bytes of the payload file `name` (`data/…`) of an opened bundle, at most
/// `limit` bytes. Names no bundle may contain are refused.
pub fn read_payload(opened: &Opened, name: &str, limit: u64) -> Result<Vec<u8>, String> {
    if !name.starts_with("data/") || unsafe_name(name.as_bytes()).is_some() {
        return Err("its name is not one a bundle may contain".into());
    }
    let e = find_entry(&opened.source, name).ok_or("it is not in the bundle")?;
    if e.size > limit {
        return Err(format!(
            "it is larger than the {limit} bytes read for printing"
        ));
    }
    read_entry(&opened.source, &e).map(|(b, _)| b)
}

/// Where the entry `name` is in the zip.
fn find_entry(src: &Source, name: &str) -> Option<Entry> {
    let f = src.open().ok()?;
    let mut z = zip::ZipArchive::new(BufReader::new(f)).ok()?;
    let index = z.index_for_name(name)?;
    let offset = z.offset();
    let f = z.by_index_raw(index).ok()?;
    let stored = match f.compression() {
        zip::CompressionMethod::Stored => true,
        zip::CompressionMethod::Deflated => false,
        _ => return None,
    };
    let (size, compressed, crc32, header_start) =
        (f.size(), f.compressed_size(), f.crc32(), f.header_start());
    drop(f);
    let mut raw = src.open().ok()?;
    let data_start = local_data_start(&mut raw, header_start + offset)?;
    Some(Entry {
        index,
        name: name.to_string(),
        size,
        compressed,
        crc32,
        stored,
        header_start,
        data_start,
    })
}

/// Extract a checked bundle into a new folder `out`, files read-only. Only entries
/// with safe names are written, always below `out`. A bundle that failed verification
/// gets `VERIFICATION-FAILED.txt` listing every finding.
pub fn extract(opened: &Opened, report: &Report, out: &Path) -> Result<usize, ExtractError> {
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| ExtractError::Write { path: p, source }
    };
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(ExtractError::NotEmpty { path: out.into() });
    }
    std::fs::create_dir_all(out).map_err(werr(out))?;
    let mut written = 0;
    // A bundle too large to examine as a whole (too many entries, too many bytes) is
    // not unpacked either.
    let whole_refused = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::TooLarge && f.file.is_none());
    if !whole_refused
        && let Ok(f) = opened.source.open()
        && let Ok(mut z) = zip::ZipArchive::new(BufReader::new(f))
    {
        let refused: BTreeSet<String> = report
            .findings
            .iter()
            // Refused names, and zip bombs: never written.
            .filter(|f| f.kind == FindingKind::UnsafeName || f.kind == FindingKind::TooLarge)
            .filter_map(|f| f.file.clone())
            .collect();
        for i in 0..z.len() {
            let Ok(mut entry) = z.by_index(i) else {
                continue;
            };
            let raw = entry.name_raw().to_vec();
            if unsafe_name(&raw).is_some() || entry.is_dir() || entry.is_symlink() {
                continue;
            }
            let name = String::from_utf8_lossy(&raw).into_owned();
            // The failure note's name is ours: a bundle's own file of that name is not
            // written (it is an extra file, and verification names it).
            if refused.contains(&name) || name == FAILED_NOTE {
                continue;
            }
            let dest = out.join(&name);
            // Names that collide (a file and a folder of one name, the same name twice)
            // are skipped, not fatal: the rest is still unpacked. A full disk is fatal.
            let collides = |e: &std::io::Error| {
                matches!(
                    e.kind(),
                    std::io::ErrorKind::AlreadyExists
                        | std::io::ErrorKind::NotADirectory
                        | std::io::ErrorKind::IsADirectory
                )
            };
            if let Some(parent) = dest.parent() {
                match std::fs::create_dir_all(parent) {
                    Ok(()) => {}
                    Err(e) if collides(&e) => continue,
                    Err(e) => return Err(werr(parent)(e)),
                }
            }
            let mut w = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
            {
                Ok(w) => w,
                Err(e) if collides(&e) => continue,
                Err(e) => return Err(werr(&dest)(e)),
            };
            let mut limited = (&mut entry).take(MAX_TOTAL_BYTES);
            // A damaged entry (CRC) still extracts what it holds; the report says so.
            let _ = std::io::copy(&mut limited, &mut w);
            drop(w);
            let mut perm = std::fs::metadata(&dest).map_err(werr(&dest))?.permissions();
            perm.set_readonly(true);
            std::fs::set_permissions(&dest, perm).map_err(werr(&dest))?;
            written += 1;
        }
    }
    write_failure_note(out, report)?;
    Ok(written)
}

/// The note an unpacked bundle that failed verification carries.
pub const FAILED_NOTE: &str = "VERIFICATION-FAILED.txt";

/// Bring the failure note of an unpacked bundle in line with `report`: written (listing
/// every finding) when it failed, removed when it is intact (a key trusted since).
pub fn write_failure_note(out: &Path, report: &Report) -> Result<(), ExtractError> {
    let p = out.join(FAILED_NOTE);
    if p.exists() {
        if let Ok(m) = std::fs::metadata(&p) {
            let mut perm = m.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&p, perm);
        }
        std::fs::remove_file(&p).map_err(|source| ExtractError::Write {
            path: p.clone(),
            source,
        })?;
    }
    if !report.intact() {
        let mut text = String::from(
            "VERIFICATION FAILED. These files are NOT confirmed to be what was sealed.\n\n",
        );
        for f in &report.findings {
            text.push_str(&format!("- {}: {}\n", f.kind, f.message));
        }
        std::fs::write(&p, text).map_err(|source| ExtractError::Write {
            path: p.clone(),
            source,
        })?;
    }
    Ok(())
}
