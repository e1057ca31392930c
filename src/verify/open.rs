//! Opening a bundle: a plain zip read at random, or an `.evidence.age` decrypted in
//! its one pass ([`decrypt`]), into the [`Source`] every later phase reads.

use super::entry::Entry;
use super::{FindingKind, Opened, Options, Report, VerifyError, decrypt, finding};
use crate::keys::format as keys;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an opened bundle's zip is read from.
pub(super) enum Source {
    /// A plain zip: the file itself, read at random.
    Plain(PathBuf),
    /// An encrypted one, read in one pass ([`decrypt`]): what it kept, and the rest
    /// decrypted again in memory when read.
    Decrypted(Arc<decrypt::Decrypted>),
    /// An encrypted one whose decryption failed: nothing of it is read.
    Damaged,
}

/// A reader of a zip: a file, or a decrypted one.
pub(super) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl Source {
    /// A reader of the zip, at its start.
    pub(super) fn open(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        match self {
            Source::Plain(p) => Ok(Box::new(File::open(p)?)),
            Source::Decrypted(d) => Ok(Box::new(decrypt::ZipReader::new(d.clone()))),
            Source::Damaged => Err(std::io::Error::other(
                "the encrypted bundle could not be decrypted",
            )),
        }
    }

    /// The zip's length.
    pub(super) fn len(&self) -> std::io::Result<u64> {
        match self {
            Source::Plain(p) => Ok(std::fs::metadata(p)?.len()),
            Source::Decrypted(d) => Ok(d.len()),
            Source::Damaged => Ok(0),
        }
    }

    /// SHA-256 and CRC-32 of a stored entry's bytes, when they were taken as the
    /// bytes streamed by.
    pub(super) fn hashed(&self, e: &Entry) -> Option<([u8; 32], u32)> {
        match self {
            Source::Decrypted(d) if e.stored && e.compressed == e.size => {
                d.hashed(e.data_start, e.size)
            }
            _ => None,
        }
    }
}

const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Whether the file at `path` is age-encrypted (an `.evidence.age` bundle).
pub fn is_encrypted(path: &Path) -> bool {
    let mut magic = [0u8; 22];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == AGE_MAGIC
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
pub(super) fn age_detail(e: &dyn std::fmt::Display) -> String {
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

pub(super) fn read_up_to(f: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
