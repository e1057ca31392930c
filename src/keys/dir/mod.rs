//! The keys folder ([`KeyDir`]): where it is, and how a file is written in it. What
//! each file holds is [`super::format`]'s; the methods for each are in this folder's
//! files, one per thing kept (`signing`, `identity`, `recipients`, `trust`), and
//! `settings.json`'s in [`crate::settings`].

mod identity;
mod recipients;
mod signing;
mod trust;

pub use recipients::RetiredRecipient;
pub use signing::RETIRED;

use super::format::{KeyError, io, one_line};
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The keys folder.
#[derive(Debug, Clone)]
pub struct KeyDir {
    root: PathBuf,
}

impl KeyDir {
    /// `$EVIDENCE_KIT_CONFIG`, else the OS config folder (`~/.config/evidence-kit`).
    pub fn default_location() -> Result<KeyDir, KeyError> {
        if let Some(dir) = std::env::var_os("EVIDENCE_KIT_CONFIG").filter(|d| !d.is_empty()) {
            return Ok(KeyDir::at(PathBuf::from(dir)));
        }
        directories::ProjectDirs::from("", "", "evidence-kit")
            .map(|d| KeyDir::at(d.config_dir().to_path_buf()))
            .ok_or(KeyError::NoHome)
    }

    /// A keys folder at `root`.
    pub fn at(root: PathBuf) -> KeyDir {
        KeyDir { root }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `name` in this folder.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn ensure(&self) -> Result<(), KeyError> {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&self.root).map_err(io("create", &self.root))
    }

    /// Write `value` as pretty JSON to `name` in this folder (made if missing).
    pub(crate) fn write_json(&self, name: &str, value: &impl Serialize) -> Result<(), KeyError> {
        self.ensure()?;
        write_file(
            &self.path(name),
            serde_json::to_string_pretty(value)
                .unwrap_or_default()
                .as_bytes(),
        )
    }
}

fn check_name(name: &str) -> Result<String, KeyError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(KeyError::BadName);
    }
    Ok(one_line(n))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io("write", &tmp))?;
    f.write_all(bytes).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("write", &tmp))?;
    fs::rename(&tmp, path).map_err(io("write", path))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(io("write", &tmp))?;
    f.write_all(bytes).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("write", &tmp))?;
    fs::rename(&tmp, path).map_err(io("write", path))
}
