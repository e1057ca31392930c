//! What a form lays out from a bundle is bounded, so that no bundle (an unsigned one
//! made by anyone, too) can make the form take unbounded time or memory:
//! - every text is cut to the store's own limit for it ([`MAX_TEXT_CHARS`], and
//!   [`MAX_DESCRIPTION_CHARS`] for the description), with a visible
//!   "[…cut: N more characters]" where it was cut;
//! - at most [`MAX_FORM_ITEMS`] items, and items whose texts total at most
//!   [`MAX_FORM_ITEM_CHARS`] characters, are laid out; the form says how many more
//!   the bundle lists (they are read one at a time and counted, never held);
//! - at most [`MAX_FORM_NOTES`] indecent-image records and [`MAX_FORM_FINDINGS`]
//!   findings (each cut to [`MAX_FINDING_CHARS`]) are shown, the rest counted;
//! - pictures totalling at most [`MAX_FORM_IMAGE_BYTES`] are placed.
//!
//! Memory then stays below a fixed bound (page content costs about 30 KiB an item laid
//! out): a bundle listing 20,000 tiny items took 707 MiB before, and 104 MiB now, about
//! what one listing 2,000 takes.

use crate::case::{Case, Item, MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS};
use crate::clock::Stamp;

/// Most items laid out from a bundle (about 470 pages).
pub const MAX_FORM_ITEMS: usize = 2_000;
/// Most characters of item text (names, notes, sites, senders…) laid out from a bundle.
pub const MAX_FORM_ITEM_CHARS: usize = 1_000_000;
/// Most records of possible indecent images shown.
pub const MAX_FORM_NOTES: usize = 100;
/// Most findings listed on page 1.
pub const MAX_FORM_FINDINGS: usize = 200;
/// Longest finding shown, in characters.
pub const MAX_FINDING_CHARS: usize = 1_000;

/// Most bytes of pictures placed on one form (each picture is held until the PDF is
/// written); a picture past this is named, not shown.
pub const MAX_FORM_IMAGE_BYTES: u64 = 512 * 1024 * 1024;

/// What was left out of the form, to say so on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Items the bundle lists beyond those laid out.
    pub items: usize,
    /// Indecent-image records beyond [`MAX_FORM_NOTES`].
    pub notes: usize,
}

/// Cut `s` to at most `max` characters, marking the cut visibly. Returns the
/// characters kept (what the text now costs to lay out, near enough).
pub fn cut(s: &mut String, max: usize) -> usize {
    match s.char_indices().nth(max) {
        None => s.chars().count(),
        Some((at, _)) => {
            let more = s[at..].chars().count();
            s.truncate(at);
            s.push_str(&format!(" […cut: {more} more characters]"));
            max
        }
    }
}

fn cut_opt(s: &mut Option<String>, max: usize) -> usize {
    s.as_mut().map_or(0, |s| cut(s, max))
}

fn cut_stamp(t: &mut Stamp) -> usize {
    cut(&mut t.utc, MAX_TEXT_CHARS)
        + cut(&mut t.local, MAX_TEXT_CHARS)
        + cut(&mut t.zone, MAX_TEXT_CHARS)
}

/// Every text of a case record from a bundle cut to the store's limits, and its
/// indecent-image records to [`MAX_FORM_NOTES`]; returns how many records were left out.
pub fn bound_case(case: &mut Case) -> usize {
    let t = MAX_TEXT_CHARS;
    cut(&mut case.id, t);
    cut(&mut case.title, t);
    cut(&mut case.staff, t);
    cut_stamp(&mut case.created);
    let r = &mut case.report;
    for f in [
        &mut r.role,
        &mut r.contact,
        &mut r.addressed_to,
        &mut r.witnesses,
        &mut r.platform_report,
        &mut r.advice,
        &mut r.informed,
        &mut r.police_ref,
    ] {
        cut_opt(f, t);
    }
    cut_opt(&mut r.description, MAX_DESCRIPTION_CHARS);
    if let Some(s) = &mut r.police_decided {
        cut_stamp(s);
    }
    let notes = r.indecent_images.len().saturating_sub(MAX_FORM_NOTES);
    r.indecent_images.truncate(MAX_FORM_NOTES);
    for n in &mut r.indecent_images {
        cut_stamp(&mut n.recorded);
        cut_opt(&mut n.site, t);
        cut_opt(&mut n.police_informed, t);
    }
    notes
}

/// Every text of an item record from a bundle cut to the store's limits; returns the
/// characters it now holds.
pub fn bound_item(item: &mut Item) -> usize {
    let t = MAX_TEXT_CHARS;
    let mut n = 0;
    for s in [
        &mut item.case_id,
        &mut item.sha256,
        &mut item.media_type,
        &mut item.original_name,
        &mut item.captured_by,
    ] {
        n += cut(s, t);
    }
    n += cut_stamp(&mut item.captured);
    let f = &mut item.from;
    for s in [
        &mut item.site,
        &mut item.url,
        &mut item.seen,
        &mut item.note,
        &mut f.handle,
        &mut f.email,
        &mut f.phone,
        &mut f.profile,
    ] {
        n += cut_opt(s, t);
    }
    if let Some(e) = &mut item.email {
        for s in [
            &mut e.from,
            &mut e.to,
            &mut e.date,
            &mut e.subject,
            &mut e.message_id,
        ] {
            n += cut_opt(s, t);
        }
    }
    if let Some(w) = &mut item.withdrawn {
        n += cut(&mut w.reason, t) + cut_stamp(&mut w.at);
    }
    if let Some(r) = &mut item.removed {
        n += cut(&mut r.reason, t) + cut_stamp(&mut r.at);
    }
    n
}

/// Items taken one at a time from a bundle, keeping what fits the form's limits and
/// counting the rest.
#[derive(Default)]
pub struct ItemBudget {
    /// Kept: (payload path, item), in bundle order.
    pub kept: Vec<(String, Item)>,
    /// Listed beyond what is kept.
    pub left_out: usize,
    chars: usize,
    full: bool,
}

impl ItemBudget {
    /// Take the next item (with its payload path).
    pub fn take(&mut self, path: String, mut item: Item) {
        if self.full || self.kept.len() >= MAX_FORM_ITEMS {
            self.full = true;
            self.left_out += 1;
            return;
        }
        // The path is only used to read the file (never shown), so it is not cut.
        let n = bound_item(&mut item);
        // The first item is always shown; after it, none past the budget.
        if !self.kept.is_empty() && self.chars + n > MAX_FORM_ITEM_CHARS {
            self.full = true;
            self.left_out += 1;
            return;
        }
        self.chars += n;
        self.kept.push((path, item));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_says_how_much_was_cut_and_never_splits_a_character() {
        let mut s = "ŵ".repeat(25);
        assert_eq!(cut(&mut s, 20), 20);
        assert_eq!(s, format!("{} […cut: 5 more characters]", "ŵ".repeat(20)));
        let mut short = "short".to_string();
        assert_eq!(cut(&mut short, 20), 5);
        assert_eq!(short, "short");
        let mut exact = "x".repeat(20);
        cut(&mut exact, 20);
        assert_eq!(exact, "x".repeat(20));
    }
}
