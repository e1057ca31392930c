//! The appendix: each image item on its own page with its caption and SHA-256, then a
//! list of the items that are not images.

use super::layout::{LEFT, Layout, Style, WIDTH, grey};
use super::sections::{is_image, or_not_recorded, what_it_is};
use super::when;
use crate::case::Item;

/// An image item placed in the PDF (its id, width and height), or why it is not shown.
pub(super) type Placed = Option<Result<(printpdf::XObjectId, u32, u32), String>>;

pub(super) fn appendix(l: &mut Layout<'_>, items: &[Item], xobjects: &[Placed]) {
    let any_image = items.iter().any(is_image);
    if items.is_empty() {
        return;
    }
    if any_image {
        for (n, item) in items.iter().enumerate() {
            let Some(placed) = xobjects.get(n).and_then(Option::as_ref) else {
                continue;
            };
            l.new_page();
            l.heading(&format!("Appendix: screen prints — item {}", n + 1));
            let caption = format!(
                "Item {} · {} · Site: {} · Seen: {} · Captured: {}{}",
                n + 1,
                item.original_name,
                or_not_recorded(&item.site),
                item.seen.as_deref().map_or("not recorded".into(), when),
                when(&item.captured.local),
                if item.withdrawn.is_some() {
                    " · WITHDRAWN (kept)"
                } else {
                    ""
                }
            );
            match placed {
                Ok((id, w, h)) => {
                    let max_h = (l.room() - 70.0).max(100.0);
                    let scale = (WIDTH / *w as f32).min(max_h / *h as f32);
                    let (dw, dh) = (*w as f32 * scale, *h as f32 * scale);
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
                }
                Err(e) => {
                    l.paragraph(
                        LEFT,
                        WIDTH,
                        Style::Bold,
                        10.0,
                        &format!("This image is not shown here: {e}. The original is in the evidence itself."),
                    );
                }
            }
            l.paragraph(LEFT, WIDTH, Style::Regular, 8.5, &caption);
            l.need(12.0);
            l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
            l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
            l.gap(12.0);
        }
    }
    let others: Vec<(usize, &Item)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| !is_image(i))
        .collect();
    if !others.is_empty() {
        l.new_page();
        l.heading("Appendix: items that are not images");
        for (n, item) in others {
            l.paragraph(
                LEFT,
                WIDTH,
                Style::Regular,
                9.0,
                &format!(
                    "Item {} · {} · {}{}",
                    n + 1,
                    what_it_is(item),
                    item.original_name,
                    if item.withdrawn.is_some() {
                        " · WITHDRAWN (kept)"
                    } else {
                        ""
                    }
                ),
            );
            l.need(12.0);
            l.text(LEFT, l.y - 8.0, Style::Bold, 7.5, "SHA-256");
            l.text(LEFT + 44.0, l.y - 8.0, Style::Mono, 8.0, &item.sha256);
            l.gap(13.0);
        }
    }
}
