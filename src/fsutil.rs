//! File-system helpers: private folders, read-only and writable modes, folder fsync.
//! Imports nothing from the crate but `error`.

use crate::StoreError;
use std::fs::{self, File};
use std::path::Path;

/// Create a folder (and parents) readable by this user only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| StoreError::io("create", dir, e))
}

pub(crate) fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

pub(crate) fn set_read_only(path: &Path) -> std::io::Result<()> {
    let mut p = fs::metadata(path)?.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.set_mode(0o400);
    }
    #[cfg(not(unix))]
    p.set_readonly(true);
    fs::set_permissions(path, p)
}

pub(crate) fn make_writable(path: &Path) -> std::io::Result<()> {
    let mut p = fs::metadata(path)?.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.set_mode(0o600);
    }
    #[cfg(not(unix))]
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    fs::set_permissions(path, p)
}

/// fsync a folder so a rename in it survives a power cut (a no-op where the OS
/// cannot open folders).
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Let a half-unpacked folder (read-only files) be cleared.
pub(crate) fn make_tree_writable(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            make_tree_writable(&p);
        } else if let Ok(m) = std::fs::metadata(&p) {
            let mut perm = m.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&p, perm);
        }
    }
}
