//! `check`: re-hash every stored file and walk the custody chain; exit 1 if anything is
//! wrong.

use super::failure::Failure;
use super::{progress_bar, to_json};
use evidence_kit::check;
use evidence_kit::store::Store;
use evidence_kit::text::visible;
use std::path::Path;

pub(super) fn check(root: &Path, json: bool) -> Result<u8, Failure> {
    let checked = (|| {
        let store = Store::open_for_reading(root)?;
        let total = store.all_items()?.iter().map(|i| i.size).sum();
        let bar = progress_bar(total, "re-hashing the evidence");
        let report = check::run(&store, &mut |n| bar.set_position(n));
        bar.finish_and_clear();
        report
    })();
    // An index too damaged to read is what `check` is for: a problem (exit 1)
    // with the advice, not an error.
    let report = match checked {
        Ok(r) => r,
        Err(e) => check::damaged_index(&e).ok_or(e)?,
    };
    if json {
        println!("{}", to_json(&report));
    } else {
        print_check(&report);
    }
    Ok(if report.intact() { 0 } else { 1 })
}

fn print_check(report: &check::Report) {
    for p in &report.problems {
        println!("PROBLEM {}", visible(&p.to_string()));
        if let Some(t) = p.technical_details() {
            println!("  Technical details: {}", visible(t));
        }
    }
    for n in &report.notes {
        println!("note: {}", visible(n));
    }
    if report.intact() {
        println!(
            "All intact: {} item(s), {} bytes re-hashed, {} custody entries in an unbroken chain.",
            report.items_checked, report.bytes_checked, report.entries_checked
        );
    } else {
        println!(
            "{} problem(s) found. Keep this store as it is and tell your designated safeguarding person.",
            report.problems.len()
        );
    }
}
