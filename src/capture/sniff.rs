//! The media type of evidence, from its first bytes — never from its name, which
//! anyone can change.

/// The media type we give e-mails.
pub const EMAIL: &str = "message/rfc822";

/// Sniff the media type of bytes that begin with `head`.
pub fn media_type(head: &[u8]) -> String {
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // `head` may end in the middle of a character: accept a cut-off tail.
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > head.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return "application/octet-stream".to_string(),
    };
    if text.contains('\0') {
        return "application/octet-stream".to_string();
    }
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = t
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return "text/html".to_string();
    }
    if looks_like_headers(&lower) {
        if lower.contains("multipart/related") && !has_header(&lower, "received") {
            // A saved web page (.mhtml): MIME with the page's parts.
            return "multipart/related".to_string();
        }
        if has_header(&lower, "from") {
            return EMAIL.to_string();
        }
    }
    if looks_like_json(t) {
        return "application/json".to_string();
    }
    if lower.starts_with("<?xml") {
        return "application/xml".to_string();
    }
    "text/plain".to_string()
}

/// Starts like a JSON object or array (the head may be cut off, so no full parse).
fn looks_like_json(t: &str) -> bool {
    let mut chars = t.chars();
    let open = chars.next();
    let next = chars.find(|c| !c.is_whitespace());
    match (open, next) {
        (Some('{'), Some(c)) => c == '"' || c == '}',
        (Some('['), Some(c)) => "{[\"]-tfn0123456789".contains(c),
        _ => false,
    }
}

/// The first line is an RFC 5322 header (`Name: value`).
fn looks_like_headers(lower: &str) -> bool {
    let first = lower.lines().next().unwrap_or("");
    match first.split_once(':') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        None => false,
    }
}

fn has_header(lower: &str, name: &str) -> bool {
    lower
        .lines()
        .take_while(|l| !l.is_empty())
        .any(|l| l.strip_prefix(name).is_some_and(|r| r.starts_with(':')))
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn sniffs_from_bytes() {
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(media_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(media_type(b"<!DOCTYPE html><html>"), "text/html");
        assert_eq!(
            media_type(b"Return-Path: <a@b>\r\nFrom: A <a@b>\r\nSubject: x\r\n\r\nbody"),
            "message/rfc822"
        );
        assert_eq!(
            media_type(b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\r\n"),
            "multipart/related"
        );
        assert_eq!(media_type(b"[{\"from\": \"x\"}]"), "application/json");
        assert_eq!(
            media_type("12/11/2026, 21:04 - Sam: you’re pathetic".as_bytes()),
            "text/plain"
        );
        assert_eq!(media_type(b"\x00\x01\x02\x03"), "application/octet-stream");
    }
}
