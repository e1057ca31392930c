//! The desktop app's views as TypeScript (`ui/src/generated/`), beside the core's
//! transport types (`evidence_kit::transport`): this test holds every generated file,
//! so it also fails on a file no Rust type makes any more.

use evidence_kit::transport::{GENERATED_DIR, check, core_types, typescript};
use std::path::Path;

#[test]
fn ts_desktop_views_match_the_committed_files() {
    let mut files = core_types().expect("core types");
    files.extend(
        [
            typescript::<crate::commands::LogLine>(),
            typescript::<crate::commands::SetupState>(),
            typescript::<crate::commands::RecipientView>(),
            typescript::<crate::commands::SealedView>(),
            typescript::<crate::dsl::DslState>(),
            typescript::<crate::dsl::StatusLine>(),
            typescript::<crate::dsl::ReceiptView>(),
            typescript::<crate::drop::Dropped>(),
            typescript::<crate::error::IpcError>(),
        ]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .expect("desktop views"),
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(GENERATED_DIR);
    check(&dir, &files, true, "cargo test -p evidence-kit-desktop ts_")
        .unwrap_or_else(|e| panic!("{e}"));
}
