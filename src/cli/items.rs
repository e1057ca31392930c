//! The items of a case and their custody log: `items`, `withdraw`, `edit`, `log`.

use super::failure::{CliError, Failure};
use super::values::parse_field;
use super::{parse_item, to_json};
use evidence_kit::case::Item;
use evidence_kit::store::Store;
use evidence_kit::text::visible;
use std::path::Path;

/// `items --case ID`: one line (or one JSON object) per item.
pub(super) fn items(root: &Path, case: &str, json: bool) -> Result<u8, Failure> {
    let store = Store::open_for_reading(root)?;
    let items = store.items(case)?;
    if json {
        println!("{}", to_json(&items));
    } else {
        for i in &items {
            print_item(i);
        }
    }
    Ok(0)
}

/// `withdraw --item N --reason WHY`: kept, marked withdrawn.
pub(super) fn withdraw(root: &Path, item: &str, reason: &str) -> Result<u8, Failure> {
    let store = Store::open(root)?;
    let id = parse_item(item)?;
    let actor = store.actor_for_item(id)?;
    let i = store.withdraw(id, reason, &actor)?;
    println!(
        "Item {} is withdrawn. It is kept, marked withdrawn, with your reason.",
        i.id
    );
    Ok(0)
}

/// `edit --item N --field F --value V` (an empty value clears the field).
pub(super) fn edit(root: &Path, item: &str, field: &str, value: &str) -> Result<u8, Failure> {
    let store = Store::open(root)?;
    let id = parse_item(item)?;
    let f = parse_field(field).ok_or_else(|| CliError::NotAField {
        given: visible(field).into_owned(),
    })?;
    let actor = store.actor_for_item(id)?;
    store.edit_item(id, f, Some(value), &actor)?;
    println!("Item {id} updated; the old value is kept in the custody log.");
    Ok(0)
}

/// `log --case ID`: the custody log, one entry a line (or JSON).
pub(super) fn log(root: &Path, case: &str, json: bool) -> Result<u8, Failure> {
    let store = Store::open_for_reading(root)?;
    let log = store.custody(Some(case))?;
    if json {
        println!("{}", to_json(&log));
    } else {
        for e in log {
            let flag = if e.clock_anomaly {
                "  [clock went back]"
            } else {
                ""
            };
            println!(
                "{:>5}  {}  {}  {}{}",
                e.seq,
                visible(&e.at.local),
                visible(&e.actor),
                visible(&e.describe()),
                flag
            );
        }
    }
    Ok(0)
}

fn print_item(i: &Item) {
    let opt = |o: &Option<String>| {
        o.as_deref()
            .map_or_else(|| "-".into(), |s| visible(s).into_owned())
    };
    let withdrawn = i
        .withdrawn
        .as_ref()
        .map(|w| format!("withdrawn ({})", visible(&w.reason)))
        .unwrap_or_else(|| "-".into());
    println!(
        "{}\t{}\t{}\t{}\tsite: {}\tseen: {}\tcaptured: {}\tnote: {}\t{}\t{}",
        i.id,
        visible(&i.sha256),
        i.size,
        visible(&i.media_type),
        opt(&i.site),
        opt(&i.seen),
        visible(&i.captured.local),
        opt(&i.note),
        withdrawn,
        visible(&i.original_name)
    );
}
