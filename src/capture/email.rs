//! Headers of captured e-mails (`.eml`): From, To, Date, Subject, Message-ID.

use crate::case::EmailHeaders;
use crate::store::Store;
use mail_parser::{Address, MessageParser};

/// Header bytes read at most (headers come first; large bodies are not read).
const HEADER_BYTES: u64 = 1024 * 1024;

/// Parse the headers of the stored e-mail `sha256`; `None` if it has none we read.
pub(crate) fn headers(store: &Store, sha256: &str) -> Option<EmailHeaders> {
    let raw = super::read_head(store, sha256, HEADER_BYTES)?;
    parse(&raw)
}

/// Parse e-mail headers from raw bytes.
pub fn parse(raw: &[u8]) -> Option<EmailHeaders> {
    let msg = MessageParser::new().parse_headers(raw)?;
    let h = EmailHeaders {
        from: msg.from().map(addresses),
        to: msg.to().map(addresses),
        date: msg.date().map(|d| d.to_rfc3339()),
        subject: msg.subject().map(str::to_string),
        message_id: msg.message_id().map(str::to_string),
    };
    (h != EmailHeaders::default()).then_some(h)
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
        let h = super::parse(raw).expect("headers");
        assert_eq!(h.from.as_deref(), Some("Sam Jones <sam@example.org>"));
        assert_eq!(h.to.as_deref(), Some("A Teacher <teacher@school.example>"));
        assert_eq!(h.date.as_deref(), Some("2026-11-24T21:04:00Z"));
        assert_eq!(h.subject.as_deref(), Some("You"));
        assert_eq!(h.message_id.as_deref(), Some("abc@example.org"));
    }
}
