//! Reading a captured e-mail (`.eml`, RFC 5322) as a person would: its From, To, Date
//! and Subject, and its body as plain text. Pure: it reads the bytes it is given, and
//! both sides use it (the staff member's store through `capture::email_view`, an
//! opened bundle's unpacked item through the register).
//!
//! The body is never HTML: the message's `text/plain` part when it has one; when it
//! has only HTML, the text of that HTML with every tag, comment, `<script>` and
//! `<style>` left out (what a browser would show, roughly, and nothing it would run).
//! It is cut at [`MAX_BODY_BYTES`] (`cut` says so: the app adds "…the rest is not
//! shown"). The headers are `mail_parser`'s, as [`EmailHeaders`] records them at
//! capture.

use crate::case::EmailHeaders;
use mail_parser::{Address, Message, MessageParser, MimeHeaders, PartType};
use serde::Serialize;

/// Bytes of a message read at most (a larger one is read that far: its text comes
/// before its attachments).
pub const MAX_EMAIL_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of body text shown at most (cut at a character's edge).
pub const MAX_BODY_BYTES: usize = 200 * 1024;

/// An e-mail to read: its headers and its body as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct EmailView {
    /// `From:` ("Sam Jones <sam@example.org>").
    pub from: Option<String>,
    /// `To:`.
    pub to: Option<String>,
    /// `Date:` as RFC 3339 (as [`EmailHeaders`]'s).
    pub date: Option<String>,
    /// `Subject:`.
    pub subject: Option<String>,
    /// The body as plain text, never HTML; at most [`MAX_BODY_BYTES`].
    pub body: String,
    /// The body was longer and is cut ("…the rest is not shown").
    pub cut: bool,
}

/// The headers of the raw message `raw`; `None` if it has none we read.
pub fn headers(raw: &[u8]) -> Option<EmailHeaders> {
    let msg = MessageParser::new().parse_headers(raw)?;
    let h = headers_of(&msg);
    (h != EmailHeaders::default()).then_some(h)
}

fn headers_of(msg: &Message<'_>) -> EmailHeaders {
    EmailHeaders {
        from: msg.from().map(addresses),
        to: msg.to().map(addresses),
        date: msg.date().map(|d| d.to_rfc3339()),
        subject: msg.subject().map(str::to_string),
        message_id: msg.message_id().map(str::to_string),
    }
}

/// The raw message `raw` to read; `None` when it is no e-mail (no From, To, Date or
/// Subject header).
pub fn view(raw: &[u8]) -> Option<EmailView> {
    let msg = MessageParser::new().parse(raw)?;
    let h = headers_of(&msg);
    if h.from.is_none() && h.to.is_none() && h.date.is_none() && h.subject.is_none() {
        return None;
    }
    let (body, cut) = cut_text(body_text(&msg));
    Some(EmailView {
        from: h.from,
        to: h.to,
        date: h.date,
        subject: h.subject,
        body,
        cut,
    })
}

/// The text of the message's body parts: each `text/plain` one as it is; an HTML one
/// (when the message has no text alternative to it) as [`text_of_html`].
fn body_text(msg: &Message<'_>) -> String {
    let parts: Vec<String> = msg
        .text_bodies()
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            PartType::Html(h) => Some(text_of_html(h)),
            _ => None,
        })
        .collect();
    if !parts.is_empty() {
        return parts.join("\n\n");
    }
    // Only HTML and no text part named as the body (mail_parser lists HTML-only
    // messages' parts there too; this is for the odd one it does not).
    msg.html_bodies()
        .filter(|p| p.is_content_type("text", "html"))
        .filter_map(|p| match &p.body {
            PartType::Html(h) | PartType::Text(h) => Some(text_of_html(h)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `text` cut to [`MAX_BODY_BYTES`] at a character's edge, and whether it was.
fn cut_text(mut text: String) -> (String, bool) {
    if text.len() <= MAX_BODY_BYTES {
        return (text, false);
    }
    let mut end = MAX_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

/// The text of an HTML document: tags, comments and declarations left out; the
/// contents of `script`, `style`, `head`, `template` and `noscript` left out; line
/// breaks for `br` and the ends of blocks; the common character references decoded
/// (what they decode to is text, never markup: the result is shown as text). Lenient
/// with broken HTML: an unclosed tag ends the text.
pub fn text_of_html(html: &str) -> String {
    const HIDDEN: [&str; 5] = ["script", "style", "head", "template", "noscript"];
    const BLOCKS: [&str; 16] = [
        "p",
        "div",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "section",
    ];
    let mut out = String::with_capacity(html.len() / 2);
    // For finding end tags in any case (ASCII lower-casing keeps every byte's place).
    let lower = html.to_ascii_lowercase();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode(&rest[..lt]));
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let next = rest[1..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c)) {
            // "a < b": not a tag.
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let Some(end) = tag_end(rest) else {
            // An unclosed tag: nothing after it is text.
            rest = "";
            break;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            // Skip to its end tag.
            let close = format!("</{name}");
            rest = match lower[html.len() - rest.len()..].find(&close) {
                Some(at) => {
                    let after = &rest[at..];
                    after.find('>').map_or("", |e| &after[e + 1..])
                }
                None => "",
            };
        } else if name == "br"
            || (closing && BLOCKS.contains(&name.as_str()))
            || (!closing && ["p", "div", "tr"].contains(&name.as_str()))
        {
            // A line break, the end of a block, or the start of a paragraph.
            out.push('\n');
        } else if name == "td" || name == "th" {
            out.push(' ');
        }
    }
    out.push_str(&decode(rest));
    tidy(&out)
}

/// Where the tag opening `s` (at its `<`) ends: its `>`, outside quoted attribute
/// values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// The common character references decoded: `&amp;` `&lt;` `&gt;` `&quot;` `&#39;`
/// `&apos;` `&nbsp;` and numeric ones; any other left as written.
fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&s| s <= 10);
        let decoded = semi.and_then(|s| {
            let name = &rest[1..s];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, s + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Spaces and tabs in a run made one, each line trimmed, at most one empty line in a
/// row, none at either end.
fn tidy(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn addresses(a: &Address<'_>) -> String {
    a.iter()
        .map(|addr| match (addr.name(), addr.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_five_headers() {
        let raw = b"From: Sam Jones <sam@example.org>\r\nTo: A Teacher <teacher@school.example>\r\nDate: Tue, 24 Nov 2026 21:04:00 +0000\r\nSubject: You\r\nMessage-ID: <abc@example.org>\r\n\r\nBody\r\n";
        let h = super::headers(raw).expect("headers");
        assert_eq!(h.from.as_deref(), Some("Sam Jones <sam@example.org>"));
        assert_eq!(h.to.as_deref(), Some("A Teacher <teacher@school.example>"));
        assert_eq!(h.date.as_deref(), Some("2026-11-24T21:04:00Z"));
        assert_eq!(h.subject.as_deref(), Some("You"));
        assert_eq!(h.message_id.as_deref(), Some("abc@example.org"));
    }

    #[test]
    fn html_becomes_its_text_and_nothing_that_runs() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head>\
            <body onload=\"steal()\"><p>Hello&nbsp;<b>you</b> &amp; yours,</p><!-- <script>x</script> -->\
            <script type=\"text/javascript\">alert('<p>no</p>')</script>\
            <img src=x onerror=\"alert(1)\" alt='a > b'>a &lt; b<br>line two &#x263A;</body></html>";
        assert_eq!(
            super::text_of_html(html),
            "Hello you & yours,\na < b\nline two \u{263A}"
        );
    }

    #[test]
    fn a_long_body_is_cut_at_a_character() {
        let long = "é".repeat(super::MAX_BODY_BYTES);
        let (cut, was) = super::cut_text(long);
        assert!(was);
        assert!(cut.len() <= super::MAX_BODY_BYTES && cut.len() > super::MAX_BODY_BYTES - 2);
        assert_eq!(super::cut_text("short".into()), ("short".into(), false));
    }
}
