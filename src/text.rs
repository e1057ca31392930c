//! Text taken from a bundle, a store or a settings file, made safe to show.
//!
//! Anyone who can write a case title, a file name or a note (or edit an unsigned
//! bundle) chooses its characters. Printed raw, an escape sequence can clear a terminal
//! and draw a fake "INTACT", and a right-to-left override can make `gpj.exe` read as
//! `exe.jpg`. Every such character is shown instead as `[U+XXXX]`: the same notation
//! the printed form uses (`form::layout`), so a person comparing the screen with the
//! form sees the same text.
//!
//! ```
//! use evidence_kit::text::visible;
//! assert_eq!(visible("\u{1b}[2JINTACT"), "[U+001B][2JINTACT");
//! assert_eq!(visible("photo\u{202E}gpj.exe"), "photo[U+202E]gpj.exe");
//! assert_eq!(visible("Ελένη"), "Ελένη");
//! ```

use std::borrow::Cow;

/// Whether `c` is shown as `[U+XXXX]`: every Unicode control character (C0, DEL and
/// C1, tab and line breaks included), and the characters that are invisible yet change
/// the direction or joining of the text around them: zero-width space and joiners,
/// LRM/RLM (U+200E/F), the Arabic letter mark (U+061C), the embeddings and overrides
/// (U+202A–U+202E), word joiner and invisible operators (U+2060–U+2064), the isolates
/// (U+2066–U+2069) and the byte-order mark (U+FEFF).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// `s` for a one-line field: each hidden character (see [`is_hidden`]), tab and line
/// breaks too, written as `[U+XXXX]`. Borrowed when there is none.
pub fn visible(s: &str) -> Cow<'_, str> {
    shown(s, |_| false)
}

/// `s` for text of several lines (a description, an error sentence): as [`visible`],
/// but each `\n` is kept as a line break. A `\r` is still shown (it would let the next
/// line overwrite this one).
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    shown(s, |c| c == '\n')
}

fn shown(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hidden(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) && !keep(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown_and_others_kept() {
        assert_eq!(
            visible("a\u{0}b\u{9f}c\u{200B}d\u{2064}e\u{FEFF}"),
            "a[U+0000]b[U+009F]c[U+200B]d[U+2064]e[U+FEFF]"
        );
        // Letters of any script, emoji and ordinary spaces stay as they are.
        assert!(matches!(
            visible("Ysgol Gymraeg ŵ ŷ 😀 日本語 Олена"),
            Cow::Borrowed(_)
        ));
        assert_eq!(visible_lines("a\nb\r\n"), "a\nb[U+000D]\n");
    }
}
