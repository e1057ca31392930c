//! A file handed over a part at a time.
//!
//! The desktop app cannot give a path for a file chosen or dropped in its window, only
//! its bytes; it sends them in parts so that a long video or a large bundle never has to
//! fit in memory. The parts wait in the store's `tmp/` folder, as
//! `ingest-PID-UUID.arriving`, until the file is complete and is taken in whole (and
//! hashed, as every capture is, by [`crate::capture::arrived`] or the register's `keep`).
//! Dropping an [`Arriving`] removes what had come; if the app dies first, the next start
//! removes it and says so in the custody log, like any capture cut short.

use crate::StoreError;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file still arriving (see the module's text).
#[derive(Debug)]
pub struct Arriving {
    id: String,
    path: PathBuf,
    /// `None` only while being dropped.
    file: Option<File>,
    size: u64,
}

impl Arriving {
    /// Start a file in the `tmp/` folder of the store (or register) at `root`.
    pub fn new(root: &Path) -> Result<Arriving, StoreError> {
        let dir = root.join("tmp");
        crate::store::create_private_dir(&dir)?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let path = dir.join(format!("ingest-{}-{id}.arriving", std::process::id()));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| StoreError::io("create", &path, e))?;
        Ok(Arriving {
            id,
            path,
            file: Some(file),
            size: 0,
        })
    }

    /// Add the next part; returns the bytes received so far.
    pub fn append(&mut self, part: &[u8]) -> Result<u64, StoreError> {
        let file = self.file()?;
        file.write_all(part)
            .map_err(|e| StoreError::io("save", &self.path, e))?;
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

    /// Everything received, to be read from the start.
    pub fn reader(&mut self) -> Result<&mut File, StoreError> {
        let path = self.path.clone();
        let file = self.file()?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| StoreError::io("read", &path, e))?;
        Ok(file)
    }

    fn file(&mut self) -> Result<&mut File, StoreError> {
        let path = &self.path;
        self.file.as_mut().ok_or_else(|| {
            StoreError::io(
                "read",
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "closed"),
            )
        })
    }
}

impl Drop for Arriving {
    fn drop(&mut self) {
        // Closed first: an open file cannot be removed on Windows.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.path);
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
        let mut all = Vec::new();
        std::io::Read::read_to_end(a.reader().expect("reader"), &mut all).expect("read");
        assert_eq!(all, b"first second");
        let path = a.path.clone();
        assert!(path.exists());
        drop(a);
        assert!(!path.exists(), "nothing left behind");
    }
}
