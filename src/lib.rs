//! Evidence Kit's core: keep evidence of online abuse so that nothing is lost and any
//! change is detected.
//!
//! The chain is capture → hash at acquisition → store → seal → verify → form.
//! This crate owns all of it; the CLI (`src/main.rs`) and the desktop shell
//! (`src-tauri/`) only parse input, call in here and render the result.
//!
//! ```no_run
//! use evidence_kit::{store::Store, capture::{self, Details}};
//! let store = Store::open("/tmp/evidence-store".as_ref())?;
//! let case = store.create_case("Posts about me on a parents' group", "A. Teacher")?;
//! let item = capture::file(&store, &case.id, "/tmp/screenshot.png".as_ref(), &Details::default())?;
//! println!("{} {}", item.id, item.sha256);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Invariants (see ARCHITECTURE.md): evidence bytes are hashed while they are read and
//! written once, read-only, under their SHA-256; a record is committed only after its
//! bytes are durable; every change is an entry in the hash-chained custody log; nothing
//! is ever deleted.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
pub mod capture;
pub mod case;
pub mod check;
pub mod clock;
pub mod custody;

pub mod digest;
pub mod error;
pub mod event;
pub mod form;
mod fsutil;
pub mod keys;
pub mod mail;
pub mod objects;
pub mod receipt;
pub mod register;
pub mod replay;
pub mod settings;
pub mod store;
pub mod text;
pub mod thumbnail;
pub mod transport;
pub mod verify;

pub use error::{CaptureError, StoreError};
