//! `capture`: keep files, a screenshot or the clipboard in a case.

use super::args::CaptureCommand;
use super::failure::Failure;
use super::progress_bar;
use evidence_kit::capture::{self, Target};
use evidence_kit::case::Item;
use evidence_kit::store::Store;
use evidence_kit::text::visible;
use std::path::Path;

pub(super) fn capture(root: &Path, c: CaptureCommand) -> Result<u8, Failure> {
    let store = Store::open(root)?;
    let (d, item) = match c {
        CaptureCommand::File { d, paths } => {
            // All or nothing: every file is checked (and read and hashed) before any
            // is kept, and all are recorded in one transaction, so a refusal of the
            // third file does not leave the first two kept while exit 2 says nothing
            // changed.
            let mut bar: Option<(usize, indicatif::ProgressBar)> = None;
            let items =
                capture::files(&store, &d.case, &paths, &d.details(), &mut |i, n, total| {
                    if bar.as_ref().is_none_or(|(at, _)| *at != i) {
                        if let Some((_, b)) = bar.take() {
                            b.finish_and_clear();
                        }
                        let shown = paths.get(i).map(|p| p.display().to_string());
                        bar = Some((i, progress_bar(total, &shown.unwrap_or_default())));
                    }
                    if let Some((_, b)) = &bar {
                        b.set_position(n);
                    }
                });
            if let Some((_, b)) = bar {
                b.finish_and_clear();
            }
            for item in &items? {
                report(item, d.json);
            }
            return Ok(0);
        }
        CaptureCommand::Screen { d, monitor, window } => {
            let target = match (monitor, window) {
                (Some(n), _) => Target::Monitor(n),
                (None, Some(t)) => Target::Window(t),
                (None, None) => Target::Screen,
            };
            let item = capture::screen(&store, &d.case, &target, &d.details())?;
            (d, item)
        }
        CaptureCommand::Clipboard { d } => {
            let item = capture::clipboard(&store, &d.case, &d.details())?;
            (d, item)
        }
    };
    report(&item, d.json);
    Ok(0)
}

/// One line per kept item (or one JSON object per line with --json).
fn report(i: &Item, json: bool) {
    if json {
        println!("{}", serde_json::to_string(i).unwrap_or_default());
    } else {
        println!(
            "Kept item {} ({}, {} bytes) recorded {} — SHA-256 {}",
            i.id,
            visible(&i.original_name),
            i.size,
            visible(&i.captured.local),
            i.sha256
        );
    }
}
