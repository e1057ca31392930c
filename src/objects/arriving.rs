//! A file handed over a part at a time.
//!
//! The desktop app cannot give a path for a file chosen or dropped in its window, only
//! its bytes; it sends them in parts so that a long video or a large bundle never has to
//! fit in memory. The parts are hashed as they come and wait in the store's `tmp/`
//! folder, as `ingest-PID-UUID.arriving`, until the file is complete; then it is read back
//! and moved into place ([`crate::capture::arrived`], or the register's `keep_arrived`),
//! never copied, so a file needs its own size free on the disk, not twice.
//! Dropping an [`Arriving`] removes what had come; if the app dies first, the next start
//! removes it and says so in the custody log, like any capture cut short.

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file still arriving (see the module's text).
#[derive(Debug)]
pub struct Arriving {
    id: String,
    path: PathBuf,
    /// `None` once complete ([`Arriving::complete`]).
    file: Option<File>,
    size: u64,
    /// The SHA-256 of the parts so far, taken as they came.
    hasher: Sha256,
    /// The first bytes, for telling the media type.
    head: Vec<u8>,
}

/// A file that has arrived whole, written to disk and hashed as it came.
pub(crate) struct Complete {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub head: Vec<u8>,
}

impl Arriving {
    /// Start a file in the `tmp/` folder of the store (or register) at `root`.
    pub fn new(root: &Path) -> Result<Arriving, StoreError> {
        let dir = root.join("tmp");
        crate::fsutil::create_private_dir(&dir)?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let path = dir.join(format!("ingest-{}-{id}.arriving", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| StoreError::io("create", &path, e))?;
        Ok(Arriving {
            id,
            path,
            file: Some(file),
            size: 0,
            hasher: Sha256::new(),
            head: Vec::new(),
        })
    }

    /// Add the next part; returns the bytes received so far.
    pub fn append(&mut self, part: &[u8]) -> Result<u64, StoreError> {
        let file = self.file()?;
        file.write_all(part)
            .map_err(|e| StoreError::io("save", &self.path, e))?;
        self.hasher.update(part);
        let room = super::HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&part[..room.min(part.len())]);
        self.size += part.len() as u64;
        Ok(self.size)
    }

    /// A name for it, unique to it (random), to send its parts under.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// All has come: make it durable (fsync) and close it. Whoever takes the file in
    /// moves it from [`Complete::path`]; what is left there when this is dropped is
    /// removed.
    pub(crate) fn complete(&mut self) -> Result<Complete, StoreError> {
        let file = self.file()?;
        file.sync_all()
            .map_err(|e| StoreError::io("save", &self.path, e))?;
        // Closed before it is moved (a file open on Windows cannot be renamed).
        self.file = None;
        Ok(Complete {
            path: self.path.clone(),
            sha256: hex::encode(self.hasher.clone().finalize()),
            size: self.size,
            head: self.head.clone(),
        })
    }

    fn file(&mut self) -> Result<&mut File, StoreError> {
        let path = &self.path;
        self.file.as_mut().ok_or_else(|| {
            StoreError::io(
                "read",
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "already complete"),
            )
        })
    }
}

impl Drop for Arriving {
    fn drop(&mut self) {
        // Closed first, and made writable: on Windows neither an open nor a read-only
        // file can be removed. Once taken in, nothing is left here to remove.
        drop(self.file.take());
        if crate::fsutil::make_writable(&self.path).is_ok() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_joined_in_order_and_removed_when_dropped() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut a = Arriving::new(dir.path()).expect("new");
        assert_eq!(a.append(b"first ").expect("append"), 6);
        assert_eq!(a.append(b"second").expect("append"), 12);
        let done = a.complete().expect("complete");
        assert_eq!(std::fs::read(&done.path).expect("read"), b"first second");
        assert_eq!(done.sha256, hex::encode(Sha256::digest(b"first second")));
        assert_eq!(
            (done.size, done.head.as_slice()),
            (12, &b"first second"[..])
        );
        let path = done.path;
        drop(a);
        assert!(!path.exists(), "nothing left behind");
    }
}
