//! The form's header and its sections 1–5: the person reporting, the incident, the
//! steps already taken, the police decision (with any indecent-image record, boxed)
//! and the evidence schedule; with the few words an item is described in.

use super::layout::{self, LEFT, Layout, Style, WIDTH, grey, red};
use super::{FormInput, MAX_FORM_ITEMS, Source, limits, when};
use crate::case::{Case, Item};
use std::collections::BTreeSet;
use std::path::Path;

/// Where the school's name goes when none was given or set (none is built in).
pub(super) const NO_SCHOOL: &str = "School: not recorded";

pub(super) fn or_not_recorded(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "not recorded".into())
}

pub(super) fn short_sha(sha: &str) -> String {
    match (sha.get(..12), sha.get(sha.len().saturating_sub(6)..)) {
        (Some(a), Some(b)) if sha.len() > 20 => format!("{a}…{b}"),
        _ => sha.to_string(),
    }
}

/// What kind of thing an item is, in plain words.
pub(super) fn what_it_is(item: &Item) -> String {
    let kind = match item.source {
        crate::case::Source::Screen => "Screenshot of the screen",
        crate::case::Source::Window => "Screenshot of a window",
        crate::case::Source::Clipboard => "From the clipboard",
        crate::case::Source::Other => "Other",
        crate::case::Source::File => match item.media_type.as_str() {
            "message/rfc822" => "E-mail",
            t if t.starts_with("image/") => "Image",
            t if t.starts_with("video/") => "Video",
            t if t.starts_with("audio/") => "Audio",
            "application/pdf" => "PDF document",
            "text/html" => "Saved web page",
            t if t.starts_with("text/") => "Text",
            _ => "File",
        },
    };
    format!("{kind} ({})", item.media_type)
}

/// Whether an item is a picture (whether or not the form can show it): screenshots
/// and image files.
pub(super) fn is_picture(item: &Item) -> bool {
    item.media_type.starts_with("image/")
}

/// Why a picture is not drawn on a page of its own, if it is not: its bytes were
/// removed (a possible indecent image), it was withdrawn (a line is enough: the walk
/// found a withdrawn duplicate given a whole page), or the form cannot place its kind.
pub(super) fn not_drawn(item: &Item) -> Option<String> {
    if let Some(r) = &item.removed {
        return Some(format!(
            "removed {} as a possible indecent image of a child: it was not kept, as the school's policy requires, so there is no picture to show",
            when(&r.at.local)
        ));
    }
    if let Some(w) = &item.withdrawn {
        return Some(format!(
            "withdrawn {}: {}. The original is kept in the evidence",
            when(&w.at.local),
            w.reason
        ));
    }
    let placeable = matches!(
        item.media_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp"
    );
    (!placeable).then(|| {
        format!(
            "the form cannot show this kind of picture ({}); the original is in the evidence",
            item.media_type
        )
    })
}

/// Whether the form draws an item's picture (prepares its bytes and gives it a page).
pub(super) fn is_drawn(item: &Item) -> bool {
    is_picture(item) && not_drawn(item).is_none()
}

pub(super) fn sender(item: &Item) -> Option<String> {
    let f = &item.from;
    let parts: Vec<&str> = [&f.handle, &f.email, &f.phone, &f.profile]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub(super) fn header(l: &mut Layout<'_>, input: &FormInput) {
    let school = l
        .fonts
        .bold
        .printable(input.school.as_deref().unwrap_or(NO_SCHOOL));
    l.text(LEFT, l.y - 14.0, Style::Bold, 14.0, &school);
    l.gap(22.0);
    l.text(
        LEFT,
        l.y - 20.0,
        Style::Bold,
        20.0,
        "E-safety incident-logging form",
    );
    l.gap(28.0);
    l.rect(LEFT, l.y - 18.0, 190.0, 18.0, Some(red()), None);
    let white = printpdf::Color::Rgb(printpdf::Rgb::new(1.0, 1.0, 1.0, None));
    l.text_colored(
        LEFT + 7.0,
        l.y - 13.0,
        Style::Bold,
        10.0,
        "Confidential — safeguarding",
        &white,
    );
    l.gap(28.0);
    let case = input.case.as_ref();
    l.field(
        "Case reference",
        case.map_or("not readable", |c| c.id.as_str()),
    );
    if let Some(c) = case {
        l.field("Case title", &c.title);
        l.field("Case opened", &when(&c.created.local));
    }
    l.field("Form completed", &when(&input.completed.local));
    l.field(
        "Addressed to",
        &case
            .and_then(|c| c.report.addressed_to.clone())
            .map(|n| format!("{n} (designated safeguarding person)"))
            .unwrap_or_else(|| "the designated safeguarding person (name not recorded)".into()),
    );
    let from = match &input.source {
        Source::Store { checked, problems } if problems.is_empty() => format!(
            "The evidence store on the staff member's computer. All {checked} stored file(s) were re-checked just now against the SHA-256 recorded when each was captured: none has changed."
        ),
        Source::Store { checked, problems } => format!(
            "The evidence store on the staff member's computer. {} of {checked} stored file(s) did not match what was captured.",
            problems.len()
        ),
        Source::Bundle { report } if report.intact() => format!(
            "The sealed bundle {}, verified just now: intact, signature valid, signed by a key you trust.",
            Path::new(&report.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        Source::Bundle { report } => format!(
            "The bundle {}, which FAILED verification ({} finding(s)).",
            Path::new(&report.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            report.findings.len()
        ),
    };
    l.field("Made from", &from);
}

pub(super) fn person(l: &mut Layout<'_>, case: &Case) {
    l.heading("1. The person reporting");
    l.field("Name", &case.staff);
    l.field("Role", &or_not_recorded(&case.report.role));
    l.field(
        "Contact (school e-mail or phone only)",
        &or_not_recorded(&case.report.contact),
    );
}

pub(super) fn incident(l: &mut Layout<'_>, case: &Case, items: &[Item]) {
    l.heading("2. The incident");
    // When: from each item's "seen" time, or its capture time.
    let mut times: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            let t = i.seen.clone().unwrap_or_else(|| i.captured.local.clone());
            let key = chrono::DateTime::parse_from_rfc3339(&t)
                .map(|d| d.to_utc().to_rfc3339())
                .unwrap_or_else(|_| t.clone());
            (key, t)
        })
        .collect();
    times.sort();
    let dates = match (times.first(), times.last()) {
        (Some(a), Some(b)) if a.0 == b.0 => when(&a.1),
        (Some(a), Some(b)) => format!(
            "from {} to {} (when each item was seen, or else captured)",
            when(&a.1),
            when(&b.1)
        ),
        _ => "not recorded".into(),
    };
    l.field("Date(s) and time(s)", &dates);
    let mut places = BTreeSet::new();
    let mut senders = BTreeSet::new();
    for i in items {
        for p in [&i.site, &i.url].into_iter().flatten() {
            places.insert(p.clone());
        }
        for p in [
            &i.from.handle,
            &i.from.email,
            &i.from.phone,
            &i.from.profile,
        ]
        .into_iter()
        .flatten()
        {
            senders.insert(p.clone());
        }
    }
    let list = |s: BTreeSet<String>| {
        if s.is_empty() {
            "not recorded".to_string()
        } else {
            s.into_iter().collect::<Vec<_>>().join("\n")
        }
    };
    l.field("Where (platform, app, site, addresses)", &list(places));
    l.field(
        "Who it came from (usernames, e-mail addresses, phone numbers)",
        &list(senders),
    );
    let r = &case.report;
    l.field(
        "Believed responsible",
        r.responsible.map_or("not recorded", |v| v.words()),
    );
    l.field(
        "Others involved or witnesses",
        &or_not_recorded(&r.witnesses),
    );
    l.field(
        "Is it continuing?",
        r.continuing
            .map_or("not recorded", |v| if v { "yes" } else { "no" }),
    );
    l.need(40.0);
    l.text(
        LEFT,
        l.y - 9.5,
        Style::Bold,
        9.5,
        "What happened, in the staff member's own words:",
    );
    l.gap(16.0);
    l.paragraph(
        LEFT + 8.0,
        WIDTH - 8.0,
        Style::Regular,
        10.0,
        r.description.as_deref().unwrap_or("not recorded"),
    );
    l.gap(4.0);
}

pub(super) fn steps(l: &mut Layout<'_>, case: &Case) {
    let r = &case.report;
    l.heading("3. Steps already taken");
    l.field(
        "Reported to the platform (date, reference)",
        &or_not_recorded(&r.platform_report),
    );
    l.field("Advice sought", &or_not_recorded(&r.advice));
    l.field("Others informed", &or_not_recorded(&r.informed));
}

pub(super) fn police(l: &mut Layout<'_>, case: &Case, notes_left_out: usize) {
    use crate::case::PoliceDecision;
    let r = &case.report;
    l.heading("4. The police — the staff member's own decision");
    let mark = |d: PoliceDecision| if r.police == Some(d) { "☒" } else { "☐" };
    let choice = format!(
        "{} yes     {} no     {} not yet decided",
        mark(PoliceDecision::Yes),
        mark(PoliceDecision::No),
        mark(PoliceDecision::Undecided)
    );
    l.need(30.0);
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Bold,
        10.0,
        &format!("I wish to report this to the police:   {choice}"),
    );
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Regular,
        8.5,
        "This is the staff member's own choice: the school's policy leaves the decision about the police to the person bullied.",
    );
    l.gap(4.0);
    l.field(
        "Decision recorded",
        &match (&r.police, &r.police_decided) {
            (Some(d), Some(at)) => format!("{} — {}", d.words(), when(&at.local)),
            (Some(d), None) => d.words().to_string(),
            _ => "not recorded (the school's policy leaves this choice to the staff member)".into(),
        },
    );
    l.field(
        "Police informed (reference)",
        &or_not_recorded(&r.police_ref),
    );
    if !r.indecent_images.is_empty() || notes_left_out > 0 {
        // Under a heading of their own (the walk found the boxes floating between
        // sections 4 and 5), kept with the first box.
        l.heading_keep(
            "4a. Possible indecent images of children (recorded, never captured)",
            70.0,
        );
    }
    for n in &r.indecent_images {
        let informed = match &n.police_informed {
            Some(t) => format!("Police informed at {}.", when(t)),
            None => "Police to be informed now (999 in an emergency, otherwise 101).".into(),
        };
        l.boxed(
            &format!(
                "Possible indecent image of a child seen{}, recorded {}. Not captured, as the school's policy requires: it was not copied, saved or forwarded. {informed}",
                n.site.as_deref().map(|s| format!(" on {s}")).unwrap_or_default(),
                when(&n.recorded.local)
            ),
            &red(),
        );
    }
    if notes_left_out > 0 {
        l.boxed(
            &format!(
                "The bundle holds {notes_left_out} more record(s) of a possible indecent image, not shown here (a form shows at most {}).",
                limits::MAX_FORM_NOTES
            ),
            &red(),
        );
    }
}

pub(super) fn schedule(l: &mut Layout<'_>, input: &FormInput) {
    let items = &input.items;
    // Kept with its note, the table's head and (about) its first row.
    l.heading_keep("5. Evidence schedule", 140.0);
    if items.is_empty() && input.left_out.items == 0 {
        l.paragraph(LEFT, WIDTH, Style::Regular, 10.0, "No items were captured.");
        return;
    }
    // A failed bundle's records are only what it claims.
    let sha_words = match &input.source {
        Source::Bundle { report } if !report.intact() => {
            "The SHA-256 is each file's fingerprint as the bundle claims it was taken at capture."
        }
        Source::Bundle { .. } => {
            "The SHA-256 is each file's fingerprint as the signer's record says it was taken at capture."
        }
        Source::Store { .. } => {
            "The SHA-256 is each file's fingerprint, taken when it was captured."
        }
    };
    l.paragraph(
        LEFT,
        WIDTH,
        Style::Regular,
        8.5,
        &format!(
            "One row per item, withdrawn items included. Times are local, with their offset from UTC. {sha_words}"
        ),
    );
    left_out_note(l, input);
    l.gap(3.0);
    // Columns: No. | What / where / from | When | Original kept.
    let cols = [
        (0.0, 26.0),
        (26.0, 235.0),
        (261.0, 150.0),
        (411.0, WIDTH - 411.0),
    ];
    let size = 8.5;
    let lead = size * 1.32;
    let head = |l: &mut Layout<'_>| {
        let y = l.y - size;
        for ((x, _), t) in
            cols.iter()
                .zip(["No.", "What it is, where, from whom", "When", "Original"])
        {
            l.text(LEFT + x, y, Style::Bold, size, t);
        }
        l.y -= lead + 2.0;
        l.rule(LEFT, l.y + 1.0, LEFT + WIDTH, 0.6, &grey());
        l.y -= 3.0;
    };
    l.need(60.0);
    head(l);
    for (n, item) in items.iter().enumerate() {
        let what = format!(
            "{}\nName: {}\nSite: {}\nAddress: {}\nFrom: {}\nNote: {}",
            what_it_is(item),
            item.original_name,
            or_not_recorded(&item.site),
            or_not_recorded(&item.url),
            sender(item).unwrap_or_else(|| "not recorded".into()),
            or_not_recorded(&item.note),
        );
        let times = format!(
            "Seen: {}\nCaptured: {}\nby {}",
            item.seen.as_deref().map_or("not recorded".into(), when),
            when(&item.captured.local),
            item.captured_by
        );
        let kept = match (&item.removed, &item.withdrawn) {
            (Some(r), _) => format!(
                "NOT KEPT: possible indecent image of a child, removed {} as the policy requires",
                when(&r.at.local)
            ),
            (None, None) => "Original kept".to_string(),
            (None, Some(w)) => format!(
                "Original kept; WITHDRAWN {}: {}",
                when(&w.at.local),
                w.reason
            ),
        };
        let texts = [(n + 1).to_string(), what, times, kept];
        let wrapped: Vec<Vec<String>> = cols
            .iter()
            .zip(&texts)
            .map(|((_, w), t)| {
                let face = &l.fonts.regular;
                layout::wrap(face, &face.printable(t), size, w - 6.0)
            })
            .collect();
        let rows = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let sha_lead = 11.0;
        let h = rows as f32 * lead + sha_lead + 6.0;
        if l.need(h.min(600.0)) {
            head(l);
        }
        for r in 0..rows {
            if l.need(lead) {
                head(l);
            }
            let style = |c: usize| if c == 0 { Style::Bold } else { Style::Regular };
            for (c, ((x, _), lines)) in cols.iter().zip(&wrapped).enumerate() {
                if let Some(t) = lines.get(r) {
                    l.text(LEFT + x, l.y - size, style(c), size, t);
                }
            }
            l.y -= lead;
        }
        l.need(sha_lead);
        l.text(LEFT + 26.0, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
        l.text(LEFT + 70.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
        l.y -= sha_lead;
        l.rule(LEFT, l.y - 1.0, LEFT + WIDTH, 0.3, &grey());
        l.y -= 5.0;
    }
    left_out_note(l, input);
}

/// Says, boxed, how many items of the bundle the form does not show.
fn left_out_note(l: &mut Layout<'_>, input: &FormInput) {
    let more = input.left_out.items;
    if more == 0 {
        return;
    }
    l.boxed(
        &format!(
            "The bundle lists {} items; this form shows the first {}, as many as a form holds (at most {MAX_FORM_ITEMS} items, or fewer with long details). The other {more} are not on this form: open the bundle (evidence-kit open) to see every one. The incident summary above covers the items shown.",
            input.items.len() + more,
            input.items.len(),
        ),
        &red(),
    );
}
