//! The appendix: each picture the form can show on its own page with its caption and
//! SHA-256; then, on one page, a line for each picture not shown and why (its bytes
//! removed as a possible indecent image, withdrawn, or a kind or size the form cannot
//! place), and a line for each item that is not a picture.

use super::layout::{LEFT, Layout, Style, WIDTH, grey};
use super::sections::{is_picture, not_drawn, or_not_recorded, what_it_is};
use super::when;
use crate::case::Item;

/// An image item placed in the PDF (its id, width and height), or why it is not shown.
pub(super) type Placed = Option<Result<(printpdf::XObjectId, u32, u32), String>>;

pub(super) fn appendix(l: &mut Layout<'_>, items: &[Item], xobjects: &[Placed]) {
    let mut not_shown: Vec<(usize, &Item, String)> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        if !is_picture(item) {
            continue;
        }
        let placed = xobjects.get(n).and_then(Option::as_ref);
        match (not_drawn(item), placed) {
            (Some(why), _) => not_shown.push((n, item, why)),
            (None, Some(Ok((id, w, h)))) => picture(l, n, item, id, *w, *h),
            (None, Some(Err(e))) => not_shown.push((
                n,
                item,
                format!("it could not be shown: {e}; the original is in the evidence"),
            )),
            (None, None) => not_shown.push((
                n,
                item,
                "it could not be read for the form; the original is in the evidence".into(),
            )),
        }
    }
    let others: Vec<(usize, &Item)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| !is_picture(i))
        .collect();
    if not_shown.is_empty() && others.is_empty() {
        return;
    }
    l.new_page();
    if !not_shown.is_empty() {
        l.heading("Appendix: pictures not shown");
        for (n, item, why) in not_shown {
            line(
                l,
                &format!(
                    "Item {} · {} · Not shown: {why}.",
                    n + 1,
                    item.original_name
                ),
                &item.sha256,
            );
        }
        l.gap(6.0);
    }
    if !others.is_empty() {
        l.heading("Appendix: items that are not images");
        for (n, item) in others {
            let withdrawn = match &item.withdrawn {
                Some(w) => format!(" · WITHDRAWN {} (kept): {}", when(&w.at.local), w.reason),
                None => String::new(),
            };
            line(
                l,
                &format!(
                    "Item {} · {} · {}{withdrawn}",
                    n + 1,
                    what_it_is(item),
                    item.original_name
                ),
                &item.sha256,
            );
        }
    }
}

/// One item's line in a list, with its SHA-256 under it.
fn line(l: &mut Layout<'_>, text: &str, sha256: &str) {
    l.paragraph(LEFT, WIDTH, Style::Regular, 9.0, text);
    l.need(12.0);
    l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
    l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, sha256);
    l.gap(13.0);
}

/// A picture on its own page, as large as the page allows, with its caption.
fn picture(l: &mut Layout<'_>, n: usize, item: &Item, id: &printpdf::XObjectId, w: u32, h: u32) {
    l.new_page();
    l.heading(&format!("Appendix: screen prints — item {}", n + 1));
    let caption = format!(
        "Item {} · {} · Site: {} · Seen: {} · Captured: {}",
        n + 1,
        item.original_name,
        or_not_recorded(&item.site),
        item.seen.as_deref().map_or("not recorded".into(), when),
        when(&item.captured.local),
    );
    let max_h = (l.room() - 70.0).max(100.0);
    let scale = (WIDTH / w as f32).min(max_h / h as f32);
    let (dw, dh) = (w as f32 * scale, h as f32 * scale);
    l.image(id, LEFT + (WIDTH - dw) / 2.0, l.y - dh, dw, dh);
    l.rect(
        LEFT + (WIDTH - dw) / 2.0,
        l.y - dh,
        dw,
        dh,
        None,
        Some((grey(), 0.5)),
    );
    l.gap(dh + 8.0);
    l.paragraph(LEFT, WIDTH, Style::Regular, 8.5, &caption);
    l.need(12.0);
    l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
    l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
    l.gap(12.0);
}
