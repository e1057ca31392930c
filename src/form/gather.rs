//! Where the form's content comes from: the store (staff side, every stored file
//! re-hashed, the last seal from the custody log) or a bundle, verified first.

use super::{
    DslSection, FormError, FormInput, Rendered, SealBlock, Source, images, limits, render,
};
use crate::case::Item;
use crate::clock::Stamp;
use crate::custody::Entry;
use crate::event::{Event, Sealed};
use crate::store::Store;
use crate::verify;
use std::path::Path;

/// The form's content from the store (staff side): the case, its items re-hashed,
/// and the last seal recorded in its custody log.
pub fn from_store(
    store: &Store,
    case_id: &str,
    school: Option<&str>,
) -> Result<FormInput, FormError> {
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
        seal = Some(seal_block(e, log.len() - k - 1));
    }
    Ok(FormInput {
        school: school.map(str::to_string),
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

/// The form's seal block from a `sealed` custody entry, `changed_since` entries about
/// the case coming after it. Read leniently (see `event`): details that do not read as
/// a seal's show as an empty block, as they did when they were read by key.
fn seal_block(e: &Entry, changed_since: usize) -> SealBlock {
    let d = match e.event() {
        Some(Event::Sealed(d)) => *d,
        _ => Sealed::default(),
    };
    SealBlock {
        file: d.file,
        sha256: d.sha256,
        signer: e.actor.clone(),
        // Seals before the fingerprint was recorded show the key id in its place.
        fingerprint: match d.signer_fingerprint {
            f if f.is_empty() => crate::keys::fingerprint(&d.signer_key_id),
            f => f,
        },
        // And before the time was recorded in the details, the entry's.
        sealed: match d.sealed.local {
            t if t.is_empty() => e.at.local.clone(),
            t => t,
        },
        recipients: d
            .recipients
            .into_iter()
            .filter(|r| !r.name.is_empty())
            .map(|r| format!("{} ({})", r.name, r.fingerprint))
            .collect(),
        changed_since,
    }
}

/// The form for a bundle: verified first; a bundle that fails gets a failed form.
/// The designated person's section is filled from `dsl` when given.
pub fn for_bundle(
    path: &Path,
    opts: &verify::Options,
    school: Option<&str>,
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
        school: school.map(str::to_string),
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

#[cfg(test)]
mod tests {
    use super::seal_block;
    use crate::clock::Stamp;
    use crate::custody::Entry;

    fn sealed(details: &str) -> Entry {
        Entry {
            seq: 7,
            at: Stamp {
                utc: "2026-11-25T10:05:00.000Z".into(),
                local: "2026-11-25T10:05:00.000+00:00".into(),
                zone: "Europe/London".into(),
            },
            actor: "A. Teacher".into(),
            action: "sealed".into(),
            case_id: Some("C".into()),
            item_id: None,
            details: details.into(),
            clock_anomaly: false,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// A seal an older version recorded (no `signer_fingerprint`, no `recipients`, no
    /// `sealed` time) shows its key id's fingerprint and the entry's own time.
    #[test]
    fn an_old_seal_shows_the_fingerprint_of_its_key_id() {
        let e = sealed(
            r#"{"bundle":"b","encrypted":false,"file":"c.evidence","items":2,"sha256":"cd","signer_key_id":"ABCDEF0123456789","size":10}"#,
        );
        let b = seal_block(&e, 3);
        assert_eq!(b.file, "c.evidence");
        assert_eq!(b.sha256, "cd");
        assert_eq!(b.signer, "A. Teacher");
        assert_eq!(b.fingerprint, crate::keys::fingerprint("ABCDEF0123456789"));
        assert!(!b.fingerprint.is_empty());
        assert_eq!(b.sealed, "2026-11-25T10:05:00.000+00:00");
        assert!(b.recipients.is_empty());
        assert_eq!(b.changed_since, 3);
    }

    /// Today's seal: its own fingerprint, time and recipients.
    #[test]
    fn a_seal_shows_its_recorded_fingerprint_time_and_recipients() {
        let e = sealed(
            r#"{"bundle":"b","encrypted":true,"file":"c.evidence","items":2,"payload_bytes":5,"recipients":[{"fingerprint":"AB12","name":"Mrs D. Lead","recipient":"age1x"}],"sealed":{"local":"2026-11-25T10:04:00.000+00:00","utc":"2026-11-25T10:04:00.000Z","zone":"Europe/London"},"sha256":"cd","signer_fingerprint":"FF30 111F","signer_key_id":"ABCDEF0123456789","size":10}"#,
        );
        let b = seal_block(&e, 0);
        assert_eq!(b.fingerprint, "FF30 111F");
        assert_eq!(b.sealed, "2026-11-25T10:04:00.000+00:00");
        assert_eq!(b.recipients, ["Mrs D. Lead (AB12)"]);
    }
}
