//! Reading a key, settings, passphrase or receipt file: only an ordinary file, and only
//! to a cap.

use super::KeyError;
use std::fs;
use std::io::Read;
use std::path::Path;

/// The most a key file, `settings.json`, `recipients.json` or an identity file is read
/// to (they are a few hundred bytes; anything near this is not one of them).
pub const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;
/// The most a `--passphrase-file` is read to.
pub const MAX_PASSPHRASE_FILE_BYTES: u64 = 64 * 1024;

/// Open `path` for reading only if it is an ordinary file. On Unix it is opened with
/// `O_NONBLOCK`, so a FIFO (whose plain open waits for a writer for ever) opens at once
/// and is then refused; the check is made on the opened file, so it cannot be swapped
/// between a check and the open.
pub fn open_regular(path: &Path) -> Result<fs::File, KeyError> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if !fs::metadata(path).map_err(io("read", path))?.is_file() {
        return Err(KeyError::NotAFile { path: path.into() });
    }
    let f = opts.open(path).map_err(io("read", path))?;
    if !f.metadata().map_err(io("read", path))?.is_file() {
        return Err(KeyError::NotAFile { path: path.into() });
    }
    Ok(f)
}

/// The bytes of the ordinary file `path`, refused when it is larger than `max_bytes`
/// (read no further than one byte past it: `/dev/zero` or a huge file never fills memory).
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<Vec<u8>, KeyError> {
    let f = open_regular(path)?;
    let mut buf = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io("read", path))?;
    if buf.len() as u64 > max_bytes {
        return Err(KeyError::TooLarge {
            path: path.into(),
            max_bytes,
        });
    }
    Ok(buf)
}

/// [`read_regular`] of UTF-8 text.
pub fn read_regular_text(path: &Path, max_bytes: u64) -> Result<String, KeyError> {
    String::from_utf8(read_regular(path, max_bytes)?)
        .map_err(|_| KeyError::NotText { path: path.into() })
}

/// Whether `e` says the file does not exist.
pub(crate) fn not_found(e: &KeyError) -> bool {
    matches!(e, KeyError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// The [`KeyError::Io`] of `action` on `path`.
pub(crate) fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> KeyError + 'a {
    move |source| KeyError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
