//! A small page-layout engine over `printpdf` operations: A4 pages, wrapped text in
//! the embedded fonts, boxes, rules and images, flowing onto new pages as needed.
//! Text is only ever shown as glyphs (never interpreted); anything that could make a
//! line display as something it is not (bidi controls, other control characters) is
//! shown as a visible code instead.

use printpdf::{
    Color, CurTransMat, FontId, Line, LinePoint, Op, ParsedFont, PdfFontHandle, Point, Pt, Rect,
    Rgb, TextItem, XObjectId, XObjectTransform,
};

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.28;
/// A4 portrait, in points.
pub const PAGE_H: f32 = 841.89;
/// Left margin.
pub const LEFT: f32 = 48.0;
/// Width of the text area.
pub const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
/// Where the first line starts on a page.
const TOP: f32 = PAGE_H - 46.0;
/// Nothing but the footer goes below this.
const BOTTOM: f32 = 58.0;
/// The height of a section heading, its rule and the space around them.
const HEADING_H: f32 = 6.0 + 12.5 + 4.0 + 7.0;
/// What a heading keeps under it on its page unless told otherwise (a few lines).
const HEADING_KEEP: f32 = 60.0 - HEADING_H;

/// One embedded font face, with what is needed to measure text in it.
pub struct Face {
    pub(crate) id: FontId,
    font: ParsedFont,
    upem: f32,
}

impl Face {
    pub(crate) fn new(id: FontId, font: ParsedFont) -> Face {
        let upem = f32::from(font.units_per_em.max(1));
        Face { id, font, upem }
    }

    /// Whether the face has a glyph for `c`.
    fn has(&self, c: char) -> bool {
        self.font
            .lookup_glyph_index(c as u32)
            .is_some_and(|g| g != 0)
    }

    /// Width of `text` at `size` points. Summed in `u64`: a glyph advance is at most
    /// 65,535 units, so no text that fits in memory can overflow it (a `u32` did at
    /// about three million wide characters).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u64 = text.chars().map(|c| self.advance(c)).sum();
        units as f32 * size / self.upem
    }

    /// The advance of `c`, in font units (0 when the face has no glyph for it).
    fn advance(&self, c: char) -> u64 {
        self.font
            .lookup_glyph_index(c as u32)
            .and_then(|g| self.font.get_glyph_width(g))
            .map_or(0, u64::from)
    }

    /// `text` made safe to show in this face: tabs become spaces; control and
    /// bidirectional-override characters, and characters the font has no glyph for,
    /// become a visible `[U+XXXX]` so that nothing typed is hidden or reordered.
    pub fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\t' => out.push_str("    "),
                '\n' => out.push('\n'),
                c if is_invisible_control(c) || !self.has(c) => {
                    out.push_str(&format!("[U+{:04X}]", c as u32));
                }
                c => out.push(c),
            }
        }
        out
    }
}

/// Control characters, and the Unicode characters that change the direction or
/// joining of text around them (a right-to-left override can make `gpj.exe` read as
/// `exe.jpg`).
fn is_invisible_control(c: char) -> bool {
    crate::text::is_hidden(c)
}

/// The three faces of the form.
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
    pub mono: Face,
}

/// Which face.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Regular,
    Bold,
    Mono,
}

/// Lines of `text` no wider than `max` at `size`: paragraphs kept (each `\n` starts a
/// new line), words wrapped at spaces, a word wider than a line broken between
/// characters. Spaces the person typed are kept as typed.
pub fn wrap(face: &Face, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        let space_w = face.width(" ", size);
        for (i, word) in para.split(' ').enumerate() {
            let word_w = face.width(word, size);
            let sep_w = if i == 0 { 0.0 } else { space_w };
            if line_w + sep_w + word_w <= max || (line.is_empty() && i == 0 && word.is_empty()) {
                if i > 0 {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += sep_w + word_w;
                continue;
            }
            // The word does not fit after what the line holds.
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // Longer than a whole line: break it between characters.
            for c in word.chars() {
                let mut buf = [0u8; 4];
                let cw = face.width(c.encode_utf8(&mut buf), size);
                if line_w + cw > max && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        out.push(line);
    }
    out
}

/// Pages being laid out, top to bottom.
pub struct Layout<'f> {
    pub fonts: &'f Fonts,
    pub pages: Vec<Vec<Op>>,
    /// The current line's top, from the page's bottom edge.
    pub y: f32,
    /// Drawn at the top of every page (e.g. "VERIFICATION FAILED").
    banner: Option<(String, String)>,
    /// The page being drawn on.
    cur: usize,
    /// The last heading drawn, while nothing has been drawn after it (see
    /// [`Layout::need`]).
    pending: Option<Pending>,
}

/// A heading with nothing drawn after it yet: if the next thing does not fit on its
/// page, the heading moves to the next page with it (never left alone at a page foot).
struct Pending {
    /// Its text.
    text: String,
    /// Its page.
    page: usize,
    /// Where its drawing starts and ends in that page's operations.
    ops: std::ops::Range<usize>,
}

/// Dark red, for warnings.
pub fn red() -> Color {
    Color::Rgb(Rgb::new(0.70, 0.05, 0.05, None))
}

/// Black.
pub fn black() -> Color {
    Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None))
}

/// Mid grey, for rules and hints.
pub fn grey() -> Color {
    Color::Rgb(Rgb::new(0.45, 0.45, 0.45, None))
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts, banner: Option<(String, String)>) -> Self {
        let mut l = Layout {
            fonts,
            pages: Vec::new(),
            y: TOP,
            banner,
            cur: 0,
            pending: None,
        };
        l.new_page();
        l
    }

    fn face(&self, style: Style) -> &'f Face {
        match style {
            Style::Regular => &self.fonts.regular,
            Style::Bold => &self.fonts.bold,
            Style::Mono => &self.fonts.mono,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.cur.min(self.pages.len() - 1);
        &mut self.pages[n]
    }

    /// Start a new page (with the banner, if any).
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.cur = self.pages.len() - 1;
        self.y = TOP;
        if let Some((big, small)) = self.banner.clone() {
            let h = 58.0;
            self.rect(LEFT, self.y - h, WIDTH, h, Some(red()), None);
            let white = Color::Rgb(Rgb::new(1.0, 1.0, 1.0, None));
            self.text_colored(LEFT + 10.0, self.y - 26.0, Style::Bold, 22.0, &big, &white);
            let small = self.fit(Style::Bold, 9.0, &small, WIDTH - 20.0);
            self.text_colored(LEFT + 10.0, self.y - 44.0, Style::Bold, 9.0, &small, &white);
            self.y -= h + 14.0;
        }
    }

    /// `text`, cut with "…" to fit `max`.
    fn fit(&self, style: Style, size: f32, text: &str, max: f32) -> String {
        let face = self.face(style);
        let text = face.printable(text).replace('\n', " ");
        if face.width(&text, size) <= max {
            return text;
        }
        // Measured a character at a time (not the whole prefix again for each one).
        let room = max - face.width("…", size);
        let mut out = String::new();
        let mut w = 0.0;
        for c in text.chars() {
            let mut buf = [0u8; 4];
            w += face.width(c.encode_utf8(&mut buf), size);
            if w > room {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Make sure `h` points fit above the bottom margin, else start a new page.
    /// Returns whether a page was started. A heading with nothing after it yet goes to
    /// the new page too (it is taken off the foot of the old one).
    pub fn need(&mut self, h: f32) -> bool {
        let pending = self.pending.take();
        if self.y - h < BOTTOM {
            let moving = pending.filter(|p| {
                p.page == self.cur && self.pages.get(p.page).map(Vec::len) == Some(p.ops.end)
            });
            if let Some(p) = &moving {
                self.pages[p.page].truncate(p.ops.start);
            }
            self.new_page();
            if let Some(p) = moving {
                self.draw_heading(&p.text);
            }
            return true;
        }
        false
    }

    /// Room left on this page.
    pub fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Move down.
    pub fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    /// One line of already-printable text with its baseline at (x, y).
    pub fn text(&mut self, x: f32, y: f32, style: Style, size: f32, text: &str) {
        self.text_colored(x, y, style, size, text, &black());
    }

    /// [`Layout::text`] in a colour.
    pub fn text_colored(
        &mut self,
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        text: &str,
        col: &Color,
    ) {
        if text.is_empty() {
            return;
        }
        let id = self.face(style).id.clone();
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor { col: col.clone() });
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(id),
            size: Pt(size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_string())],
        });
        ops.push(Op::EndTextSection);
        ops.push(Op::RestoreGraphicsState);
    }

    /// Wrapped text at `x`, `width` wide, flowing onto new pages; returns the lines.
    pub fn paragraph(&mut self, x: f32, width: f32, style: Style, size: f32, text: &str) -> usize {
        let face = self.face(style);
        let lines = wrap(face, &face.printable(text), size, width);
        let lead = size * 1.35;
        for l in &lines {
            self.need(lead);
            self.text(x, self.y - size, style, size, l);
            self.y -= lead;
        }
        lines.len()
    }

    /// A section heading, kept with at least a few lines after it.
    pub fn heading(&mut self, text: &str) {
        self.heading_keep(text, HEADING_KEEP);
    }

    /// A section heading, on a new page unless `keep` points fit under it (its first
    /// lines); and should the first thing drawn after it still not fit, the heading
    /// follows it onto the next page ([`Layout::need`]).
    pub fn heading_keep(&mut self, text: &str, keep: f32) {
        self.need(HEADING_H + keep);
        self.draw_heading(text);
    }

    fn draw_heading(&mut self, text: &str) {
        let start = self.ops().len();
        self.gap(6.0);
        let size = 12.5;
        let t = self.fit(Style::Bold, size, text, WIDTH);
        self.text(LEFT, self.y - size, Style::Bold, size, &t);
        self.y -= size + 4.0;
        self.rule(LEFT, self.y, LEFT + WIDTH, 0.8, &black());
        self.y -= 7.0;
        let end = self.ops().len();
        self.pending = Some(Pending {
            text: text.to_string(),
            page: self.cur,
            ops: start..end,
        });
    }

    /// "Label   value" with the value wrapped in its own column, flowing onto new pages.
    pub fn field(&mut self, label: &str, value: &str) {
        self.field_styled(label, value, Style::Regular);
    }

    /// [`Layout::field`] with the value in `style`.
    pub fn field_styled(&mut self, label: &str, value: &str, style: Style) {
        let size = 9.5;
        let label_w = 150.0;
        let lead = size * 1.35;
        let bold = self.face(Style::Bold);
        let labels = wrap(bold, &bold.printable(label), size, label_w - 8.0);
        let face = self.face(style);
        let values = wrap(face, &face.printable(value), size, WIDTH - label_w);
        let n = labels.len().max(values.len());
        // Keep short fields whole on one page.
        if n <= 6 {
            self.need(lead * n as f32);
        }
        for i in 0..n {
            self.need(lead);
            if let Some(l) = labels.get(i) {
                self.text(LEFT, self.y - size, Style::Bold, size, l);
            }
            if let Some(v) = values.get(i) {
                self.text(LEFT + label_w, self.y - size, style, size, v);
            }
            self.y -= lead;
        }
        self.y -= 3.0;
    }

    /// Lines to write on by hand, after a label (wrapped, never cut short: the walk
    /// found "Signed (designated pers…").
    pub fn blank(&mut self, label: &str, lines: usize) {
        let size = 9.5;
        let label_w = 150.0;
        let h = 20.0;
        let lead = size * 1.35;
        let bold = self.face(Style::Bold);
        let labels = wrap(
            bold,
            &bold.printable(label).replace('\n', " "),
            size,
            label_w - 8.0,
        );
        let tall = (h * lines as f32).max(13.0 + lead * (labels.len() as f32 - 1.0) + 7.0);
        self.need(tall);
        let top = self.y;
        for (i, t) in labels.iter().enumerate() {
            self.text(LEFT, top - 13.0 - lead * i as f32, Style::Bold, size, t);
        }
        for i in 0..lines {
            let y = top - h * i as f32 - 15.0;
            self.rule(LEFT + label_w, y, LEFT + WIDTH, 0.5, &grey());
        }
        self.y = top - tall;
    }

    /// A horizontal rule.
    pub fn rule(&mut self, x1: f32, y: f32, x2: f32, width: f32, col: &Color) {
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetOutlineColor { col: col.clone() });
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: Pt(x1),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: Pt(x2),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
        ops.push(Op::RestoreGraphicsState);
    }

    /// A rectangle, filled and/or outlined.
    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    ) {
        let draw = |mode| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(mode),
                winding_order: None,
            },
        };
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        if let Some(col) = fill {
            ops.push(Op::SetFillColor { col });
            ops.push(draw(printpdf::PaintMode::Fill));
        }
        if let Some((col, t)) = stroke {
            ops.push(Op::SetOutlineColor { col });
            ops.push(Op::SetOutlineThickness { pt: Pt(t) });
            ops.push(draw(printpdf::PaintMode::Stroke));
        }
        ops.push(Op::RestoreGraphicsState);
    }

    /// Text in a box with a coloured border (kept on one page when it fits).
    pub fn boxed(&mut self, text: &str, border: &Color) {
        let size = 9.5;
        let lead = size * 1.35;
        let pad = 7.0;
        let face = self.face(Style::Bold);
        let lines = wrap(face, &face.printable(text), size, WIDTH - 2.0 * pad);
        let h = lines.len() as f32 * lead + 2.0 * pad;
        if h < 400.0 {
            self.need(h + 4.0);
        }
        let top = self.y;
        self.y -= pad;
        for l in &lines {
            self.text(LEFT + pad, self.y - size, Style::Bold, size, l);
            self.y -= lead;
        }
        self.y -= pad;
        let bottom = self.y.max(BOTTOM - 10.0);
        self.rect(
            LEFT,
            bottom,
            WIDTH,
            top - bottom,
            None,
            Some((border.clone(), 1.6)),
        );
        self.y -= 6.0;
    }

    /// Draw an image XObject into the box (x, y, w, h) (y = bottom edge).
    pub fn image(&mut self, id: &XObjectId, x: f32, y: f32, w: f32, h: f32) {
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([w, 0.0, 0.0, h, x, y]),
        });
        ops.push(Op::UseXobject {
            id: id.clone(),
            transform: XObjectTransform {
                no_auto_scale: true,
                ..Default::default()
            },
        });
        ops.push(Op::RestoreGraphicsState);
    }

    /// Filled squares (for a QR code): one op per run of dark modules in a row.
    pub fn squares(&mut self, x: f32, top: f32, module: f32, rows: &[Vec<bool>]) {
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor { col: black() });
        for (r, row) in rows.iter().enumerate() {
            let mut c = 0;
            while c < row.len() {
                if !row[c] {
                    c += 1;
                    continue;
                }
                let start = c;
                while c < row.len() && row[c] {
                    c += 1;
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(x + start as f32 * module),
                        y: Pt(top - (r + 1) as f32 * module),
                        width: Pt((c - start) as f32 * module),
                        height: Pt(module),
                        mode: Some(printpdf::PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
        }
        ops.push(Op::RestoreGraphicsState);
    }

    /// Add the footer to every page: its text, and "page X of Y".
    pub fn footers(&mut self, left: &str) {
        let n = self.pages.len();
        for i in 0..n {
            self.cur = i;
            let text = format!("{left}  ·  page {} of {n}", i + 1);
            let text = self.fit(Style::Regular, 7.5, &text, WIDTH);
            let w = self.fonts.regular.width(&text, 7.5);
            self.rule(LEFT, 44.0, LEFT + WIDTH, 0.4, &grey());
            self.text(LEFT + (WIDTH - w) / 2.0, 32.0, Style::Regular, 7.5, &text);
        }
        self.cur = n.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> Face {
        let font = ParsedFont::from_bytes(super::super::render::FONT_REGULAR, 0, &mut Vec::new())
            .expect("font");
        let mut doc = printpdf::PdfDocument::new("t");
        let id = doc.add_font(&font);
        Face::new(id, font)
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_width() {
        let f = face();
        let text = "The quick brown fox jumps over the lazy dog. ".repeat(40)
            + "\nSecond paragraph with a verylongwordthatcannotfitonasinglelineatallbecauseitgoesonandonandonandon end.";
        let lines = wrap(&f, &text, 10.0, 200.0);
        for l in &lines {
            assert!(f.width(l, 10.0) <= 200.0 + 0.01, "{l}");
        }
        let joined: String = lines.concat();
        let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(strip(&joined), strip(&text));
    }

    #[test]
    fn a_word_of_three_million_wide_characters_is_measured_without_overflow() {
        // Issue 12, F5: the advances were summed in a u32, which overflowed here.
        let f = face();
        let one = f.width("W", 10.0);
        let all = f.width(&"W".repeat(3_000_000), 10.0);
        assert!((all / one - 3_000_000.0).abs() < 3.0, "{all} vs {one}");
    }

    #[test]
    fn controls_and_overrides_are_shown_not_obeyed() {
        let f = face();
        let shown = f.printable("photo\u{202E}gpj.exe\u{0007}\tx ŵ ŷ Ελένη Олена");
        assert_eq!(shown, "photo[U+202E]gpj.exe[U+0007]    x ŵ ŷ Ελένη Олена");
    }
}
