//! The open evidence store, shared by the commands.

use crate::args::StoreArg;
use crate::drop::Drops;
use crate::error::IpcError;
use evidence_kit::capture::Arriving;
use evidence_kit::keys::KeyDir;
use evidence_kit::store::{self, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// What the commands share: the store (or why it could not be opened), the keys and
/// settings folder, and the progress of a seal under way.
pub struct AppState {
    store: Result<Arc<Mutex<Store>>, IpcError>,
    /// The keys folder (`--config`, else `$EVIDENCE_KIT_CONFIG`, else the default).
    pub keys: Result<KeyDir, IpcError>,
    /// (bytes sealed, bytes in all) of the seal under way, for the progress bar.
    pub seal_progress: Arc<Mutex<(u64, u64)>>,
    /// The record the person has open, which the capture shortcut captures into.
    pub current_case: Mutex<Option<String>>,
    /// A screen grabbed for choosing a region: in memory only, dropped once a part is
    /// kept or the choice is cancelled.
    pub pending_region: Mutex<Option<image::RgbaImage>>,
    /// The designated person's passphrase, once given in this session (to open the
    /// bundles encrypted to them); never written anywhere.
    pub identity_passphrase: Arc<Mutex<Option<String>>>,
    /// A bundle the app was started on (from the file manager), until it is taken.
    pub launch_file: Mutex<Option<PathBuf>>,
    /// Files chosen or dropped in the window, still arriving part by part, by the id
    /// the UI was given for each (see `commands::upload_begin`).
    pub uploads: Mutex<HashMap<String, Arriving>>,
    /// Paths dropped on the window from a file manager, by token (`drop.rs`).
    pub drops: Mutex<Drops>,
    /// The private folder forms for printing are made in: made when first needed
    /// (readable by this user only), removed with everything in it when the app closes.
    print_dir: Mutex<Option<tempfile::TempDir>>,
    root: Option<PathBuf>,
}

impl AppState {
    /// Open the store the command line (or `$EVIDENCE_KIT_STORE`, or the default) names.
    pub fn open(arg: StoreArg, config: Option<PathBuf>, launch_file: Option<PathBuf>) -> AppState {
        let root = match arg {
            StoreArg::Dir(dir) => Ok(dir),
            StoreArg::Default => store::default_root().map_err(IpcError::from),
            StoreArg::MissingValue => Err(IpcError::store_arg_missing()),
        };
        let store = root
            .clone()
            .and_then(|root| Store::open(&root).map_err(IpcError::from));
        if let Err(e) = &store {
            eprintln!("evidence-kit-desktop: {}", e.message);
        }
        let keys = match config {
            Some(dir) => Ok(KeyDir::at(dir)),
            None => KeyDir::default_location().map_err(IpcError::from),
        };
        let root_ok = if store.is_ok() { root.ok() } else { None };
        AppState {
            store: store.map(|s| Arc::new(Mutex::new(s))),
            keys,
            seal_progress: Arc::new(Mutex::new((0, 0))),
            current_case: Mutex::new(None),
            pending_region: Mutex::new(None),
            identity_passphrase: Arc::new(Mutex::new(None)),
            launch_file: Mutex::new(launch_file),
            uploads: Mutex::new(HashMap::new()),
            drops: Mutex::new(Drops::default()),
            print_dir: Mutex::new(None),
            root: root_ok,
        }
    }

    /// The private folder for forms to print (see `print_dir`).
    pub fn print_folder(&self) -> Result<PathBuf, IpcError> {
        let mut dir = self
            .print_dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if dir.is_none() {
            // tempfile makes the folder 0700 on Unix: no other user can read the form.
            let made = tempfile::Builder::new()
                .prefix("evidence-kit-print-")
                .tempdir()
                .map_err(|e| {
                    IpcError::from(evidence_kit::StoreError::io(
                        "create",
                        std::env::temp_dir(),
                        e,
                    ))
                })?;
            *dir = Some(made);
        }
        dir.as_ref()
            .map(|d| d.path().to_path_buf())
            .ok_or_else(IpcError::task_failed)
    }

    /// Remove the folder of forms made for printing (the app is closing).
    pub fn remove_print_folder(&self) {
        let mut dir = self
            .print_dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = dir.take() {
            let _ = d.close();
        }
    }

    /// The store's folder (the designated person's register lives there too).
    pub fn root(&self) -> Result<PathBuf, IpcError> {
        match (&self.root, &self.store) {
            (Some(r), _) => Ok(r.clone()),
            (None, Err(e)) => Err(e.clone()),
            (None, Ok(_)) => Err(IpcError::task_failed()),
        }
    }

    /// The designated person's passphrase, if given in this session.
    pub fn remembered_passphrase(&self) -> Option<String> {
        self.identity_passphrase.lock().ok().and_then(|p| p.clone())
    }

    /// Take the file that arrived under `id` (it is the caller's from now on); with
    /// `size`, only if that many bytes came (else it is given up, and removed).
    pub fn take_upload(&self, id: &str, size: Option<u64>) -> Result<Arriving, IpcError> {
        let arriving = self
            .uploads
            .lock()
            .ok()
            .and_then(|mut u| u.remove(id))
            .ok_or_else(IpcError::bad_upload)?;
        match size {
            Some(n) if n != arriving.size() => Err(IpcError::changed_while_sent()),
            _ => Ok(arriving),
        }
    }

    /// The designated person gave their passphrase in this session.
    pub fn identity_unlocked(&self) -> bool {
        self.identity_passphrase
            .lock()
            .map(|p| p.is_some())
            .unwrap_or(false)
    }

    /// Run `f` with the keys folder on a blocking thread (key files, scrypt).
    pub async fn run_keys<T, E>(
        &self,
        f: impl FnOnce(&KeyDir) -> Result<T, E> + Send + 'static,
    ) -> Result<T, IpcError>
    where
        T: Send + 'static,
        E: Into<IpcError>,
    {
        let dir = self.keys.clone()?;
        tauri::async_runtime::spawn_blocking(move || f(&dir).map_err(Into::into))
            .await
            .map_err(|_| IpcError::task_failed())?
    }

    /// Run `f` with the store on this thread (for work already off the main thread,
    /// such as the capture shortcut's).
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let store = self.store.clone()?;
        let store = store.lock().unwrap_or_else(PoisonError::into_inner);
        f(&store)
    }

    /// Run `f` with the store on a blocking thread, so neither the window's main thread
    /// nor the async runtime waits on disk, SQLite or a screenshot.
    pub async fn run<T, E>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, IpcError>
    where
        T: Send + 'static,
        E: Into<IpcError>,
    {
        let store = self.store.clone()?;
        tauri::async_runtime::spawn_blocking(move || {
            // A panic in an earlier command poisons the lock but cannot leave the store
            // half-written: every write is one SQLite transaction, committed or not.
            let store = store.lock().unwrap_or_else(PoisonError::into_inner);
            f(&store).map_err(Into::into)
        })
        .await
        .map_err(|_| IpcError::task_failed())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_taken_once_and_only_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let state = AppState::open(
            StoreArg::Dir(dir.path().join("store")),
            Some(dir.path().join("cfg")),
            None,
        );
        let root = state.root().expect("root");
        let put = |bytes: &[u8]| {
            let mut a = Arriving::new(&root).expect("arriving");
            a.append(bytes).expect("append");
            let id = a.id().to_string();
            state.uploads.lock().expect("lock").insert(id.clone(), a);
            id
        };
        let code = |r: Result<Arriving, IpcError>| r.map(|_| ()).unwrap_err().code;
        // The page said 6 bytes and 5 came: refused, and given up.
        let id = put(b"12345");
        assert_eq!(code(state.take_upload(&id, Some(6))), "changed_while_sent");
        assert_eq!(code(state.take_upload(&id, Some(5))), "bad_upload");
        // Whole: taken, once.
        let id = put(b"12345");
        assert_eq!(state.take_upload(&id, Some(5)).expect("whole").size(), 5);
        assert_eq!(code(state.take_upload(&id, None)), "bad_upload");
        let left = std::fs::read_dir(root.join("tmp")).expect("tmp").count();
        assert_eq!(left, 0, "nothing left in tmp/");
    }
}
