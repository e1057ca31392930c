//! The types that cross the desktop app's IPC boundary, defined once (here in Rust) and
//! generated as TypeScript for the UI: `ui/src/generated/`, one file per type, with
//! the [`HEADER`] line. The files are committed (the UI imports them); the unit tests
//! `ts_…` (this crate's for its own types, `src-tauri`'s for its views and all of them)
//! build the text again and fail, naming the file, on any difference. With
//! [`WRITE_VAR`] set they write the files instead.
//!
//! The TypeScript says what `serde_json` sends, which ts-rs reads from the serde
//! attributes: field names as serialised, `Option<T>` as `T | null`, a field skipped
//! when empty (`skip_serializing_if`) as optional (`?:`), unit enums as unions of
//! their words, flattened structs as intersections. Integers are `number`: the UI
//! reads them with `JSON.parse`, which gives numbers whatever their size.

use std::path::Path;
use ts_rs::TS;

/// The first line of every generated file.
pub const HEADER: &str = "// Generated from the Rust types by `cargo test` (ts-rs); do not edit.";

/// Set (to anything) to write the generated files instead of comparing them.
pub const WRITE_VAR: &str = "EVIDENCE_KIT_WRITE_TS";

/// Where the generated files live, from the repository's root.
pub const GENERATED_DIR: &str = "ui/src/generated";

/// One generated file: its name in [`GENERATED_DIR`] and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `Case.ts`.
    pub file: String,
    /// The whole file.
    pub text: String,
}

/// The TypeScript file of `T` (with the imports of the generated types it uses).
pub fn typescript<T: TS + 'static>() -> Result<Generated, ts_rs::ExportError> {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let file = T::output_path().map(|p| p.display().to_string()).ok_or(
        ts_rs::ExportError::CannotBeExported(std::any::type_name::<T>()),
    )?;
    let made = T::export_to_string(&cfg)?;
    // ts-rs opens with its own note; ours says how to make the file again.
    let body = made.split_once('\n').map_or("", |(_, rest)| rest);
    Ok(Generated {
        file,
        text: format!("{HEADER}\n{body}"),
    })
}

/// A file the tests write as it is given (not from one type), e.g. samples.
pub fn file(name: &str, body: &str) -> Generated {
    Generated {
        file: name.to_string(),
        text: format!("{HEADER}\n{body}"),
    }
}

/// The core's transport types: what the desktop app's commands return or take.
pub fn core_types() -> Result<Vec<Generated>, ts_rs::ExportError> {
    use crate::{bundle, case, clock, keys, register, store, verify};
    Ok(vec![
        typescript::<clock::Stamp>()?,
        typescript::<case::Case>()?,
        typescript::<case::IncidentReport>()?,
        typescript::<case::Responsible>()?,
        typescript::<case::PoliceDecision>()?,
        typescript::<case::SafeguardNote>()?,
        typescript::<case::CaseSummary>()?,
        typescript::<case::CaseState>()?,
        typescript::<case::Item>()?,
        typescript::<case::Source>()?,
        typescript::<case::Sender>()?,
        typescript::<case::EmailHeaders>()?,
        typescript::<case::Removal>()?,
        typescript::<case::Withdrawal>()?,
        typescript::<store::ItemField>()?,
        typescript::<keys::Profile>()?,
        typescript::<verify::Report>()?,
        typescript::<verify::Finding>()?,
        typescript::<verify::FindingKind>()?,
        typescript::<verify::Signer>()?,
        typescript::<bundle::SealFacts>()?,
        typescript::<register::Received>()?,
        typescript::<register::BundleView>()?,
        typescript::<register::ViewItem>()?,
        typescript::<register::TimelineLine>()?,
        typescript::<register::Account>()?,
        typescript::<register::Mention>()?,
    ])
}

/// Compare `files` with those in `dir` (the repository's [`GENERATED_DIR`]), or write
/// them when [`WRITE_VAR`] is set. With `complete` (`files` is every generated file),
/// a `.ts` file in `dir` that none of them is counts as out of date too (and is removed
/// when writing). The error names each file and the command (`rerun`) that makes it.
pub fn check(dir: &Path, files: &[Generated], complete: bool, rerun: &str) -> Result<(), String> {
    let write = std::env::var_os(WRITE_VAR).is_some();
    let mut wrong = Vec::new();
    for f in files {
        let path = dir.join(&f.file);
        if write {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str()) {
            wrong.push(format!(
                "{GENERATED_DIR}/{} is out of date: run `{WRITE_VAR}=1 {rerun}`",
                f.file
            ));
        }
    }
    if complete {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") && !files.iter().any(|f| f.file == name) {
                if write {
                    std::fs::remove_file(e.path()).map_err(|err| format!("{name}: {err}"))?;
                } else {
                    wrong.push(format!(
                        "{GENERATED_DIR}/{name} is made from no Rust type: run `{WRITE_VAR}=1 {rerun}`"
                    ));
                }
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_DIR)
    }

    #[test]
    fn ts_core_transport_types_match_the_committed_files() {
        let files = core_types().expect("generate");
        check(
            &generated_dir(),
            &files,
            false,
            "cargo test -p evidence-kit --lib ts_",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
