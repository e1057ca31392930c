//! Where the form's content comes from: the store (staff side, every stored file
//! re-hashed, the last seal from the custody log) or a bundle, verified first.

use super::{
    DslSection, FormError, FormInput, Rendered, SealBlock, Source, images, limits, render,
};
use crate::case::Item;
use crate::clock::Stamp;
use crate::store::Store;
use crate::verify;
use std::path::Path;

/// The form's content from the store (staff side): the case, its items re-hashed,
/// and the last seal recorded in its custody log.
pub fn from_store(store: &Store, case_id: &str, school: &str) -> Result<FormInput, FormError> {
    let case = store.case(case_id)?;
    let items = store.items(&case.id)?;
    let mut problems = Vec::new();
    for (n, i) in items.iter().enumerate() {
        if i.removed.is_some() {
            continue;
        }
        let path = store.object_path(&i.sha256);
        match crate::digest::hash_file(&path) {
            Ok(h) if h == i.sha256 => {}
            Ok(_) => problems.push(format!(
                "Item {} ({}) no longer matches the SHA-256 recorded when it was captured.",
                n + 1,
                i.original_name
            )),
            Err(_) => problems.push(format!(
                "Item {} ({}) is missing from the evidence store.",
                n + 1,
                i.original_name
            )),
        }
    }
    let log = store.custody(Some(&case.id))?;
    let mut seal = None;
    for (k, e) in log.iter().enumerate() {
        if e.action != "sealed" {
            continue;
        }
        let d = e.details_json();
        let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
        seal = Some(SealBlock {
            file: s("file"),
            sha256: s("sha256"),
            signer: e.actor.clone(),
            // Seals before the fingerprint was recorded show the key id in its place.
            fingerprint: d["signer_fingerprint"].as_str().map_or_else(
                || crate::keys::fingerprint(d["signer_key_id"].as_str().unwrap_or("")),
                str::to_string,
            ),
            sealed: d["sealed"]["local"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| e.at.local.clone()),
            recipients: d["recipients"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|r| {
                            let name = r["name"].as_str()?;
                            Some(format!(
                                "{name} ({})",
                                r["fingerprint"].as_str().unwrap_or("")
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            changed_since: log.len() - k - 1,
        });
    }
    Ok(FormInput {
        school: school.to_string(),
        case: Some(case),
        source: Source::Store {
            checked: items.len(),
            problems,
        },
        items,
        seal,
        completed: store.now(),
        dsl: None,
        // The staff member's own store: its texts are within the store's limits already,
        // and every item is laid out.
        left_out: limits::LeftOut::default(),
    })
}

/// The form for a bundle: verified first; a bundle that fails gets a failed form.
/// The designated person's section is filled from `dsl` when given.
pub fn for_bundle(
    path: &Path,
    opts: &verify::Options,
    school: &str,
    now: Stamp,
    dsl: Option<DslSection>,
) -> Result<Rendered, FormError> {
    let opened = verify::open(path, opts)?;
    let report = verify::check(&opened, opts);
    // `case.json` item by item: what fits the form's limits is kept, every text cut to
    // the store's limits; the rest is only counted (see `limits`).
    let mut budget = limits::ItemBudget::default();
    let head = verify::read_case_file_items(&opened, &mut |b| budget.take(b.path, b.item));
    let mut left_out = limits::LeftOut::default();
    let (case, items, bundle_items) = match head {
        Some(h) => {
            let mut case = h.case;
            left_out.notes = limits::bound_case(&mut case);
            left_out.items = budget.left_out;
            let (paths, items): (Vec<String>, Vec<Item>) = budget.kept.into_iter().unzip();
            (Some(case), items, paths)
        }
        // Unreadable (perhaps part-way through): nothing of it is shown.
        None => (None, Vec::new(), Vec::new()),
    };
    let seal = report.facts.as_ref().map(|f| SealBlock {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: report.sha256.clone(),
        signer: {
            let mut name = report
                .signer
                .as_ref()
                .map_or(f.signer.clone(), |s| s.name.clone());
            limits::cut(&mut name, crate::case::MAX_TEXT_CHARS);
            name
        },
        fingerprint: report.signer.as_ref().map_or_else(
            || crate::keys::fingerprint(&f.key_id),
            |s| s.fingerprint.clone(),
        ),
        sealed: {
            let mut t = f.sealed.clone();
            limits::cut(&mut t, crate::case::MAX_TEXT_CHARS);
            t
        },
        recipients: f
            .recipients
            .iter()
            .take(limits::MAX_FORM_NOTES)
            .map(|r| {
                let mut r = r.clone();
                limits::cut(&mut r, crate::case::MAX_TEXT_CHARS);
                r
            })
            .collect(),
        changed_since: 0,
    });
    let input = FormInput {
        school: school.to_string(),
        case,
        items,
        seal,
        source: Source::Bundle {
            report: Box::new(report),
        },
        completed: now,
        dsl,
        left_out,
    };
    let fetch = |n: usize, _: &Item| -> Result<Vec<u8>, String> {
        let name = bundle_items.get(n).ok_or("not in the bundle")?;
        verify::read_payload(&opened, name, images::MAX_PIXELS * 4)
    };
    render(&input, &fetch)
}
