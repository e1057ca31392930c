//! The receipt the designated person signs for a bundle they received: its file format
//! (a body and a minisign signature of the body's compact JSON), signing it, checking it
//! against the keys trusted, and the words the staff member's record shows for it.
//! A format: imports only `keys`, `clock`, the signature reader of `bundle::format` and
//! the receipt's custody details (`event::Receipt`).

use crate::keys::SigningKey;
use serde::Serialize;

/// The `format` of a receipt.
pub const RECEIPT_FORMAT: &str = "evidence-kit-receipt/1";

/// What a receipt says: signed by the designated person, it tells the staff member that
/// their bundle arrived and what verifying it showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// The case reference.
    pub case: String,
    /// SHA-256 of the bundle received.
    pub bundle_sha256: String,
    /// When it was received (local time with offset).
    pub received: String,
    /// Who received it.
    pub received_by: String,
    /// `intact` or `failed`.
    pub verdict: String,
}

/// A receipt file: the body, and a minisign signature of the body's compact JSON.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptFile {
    receipt: ReceiptBody,
    signature: String,
}

/// A receipt that did not check out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// Not a receipt at all.
    #[error("This is not an Evidence Kit receipt (it cannot be read as one).")]
    Malformed,
    /// The signature does not match (changed, or made by another key).
    #[error(
        "The receipt's signature does not check out with the key you trust: it was changed, or signed by someone else."
    )]
    BadSignature,
}

/// Sign `body` with `key`: the receipt file's text.
pub(crate) fn sign(body: ReceiptBody, key: &SigningKey) -> Result<String, minisign::PError> {
    let message = serde_json::to_string(&body).unwrap_or_default();
    let signature = minisign::sign(
        Some(&key.public.key),
        &key.secret,
        std::io::Cursor::new(message.as_bytes()),
        Some(&format!("evidence-kit receipt for {}", body.case)),
        None,
    )?
    .to_string();
    Ok(serde_json::to_string_pretty(&ReceiptFile {
        receipt: body,
        signature,
    })
    .unwrap_or_default()
        + "\n")
}

/// Check a receipt against the keys trusted; returns what it says.
pub fn verify_receipt(
    text: &str,
    trusted: &[crate::keys::PublicKey],
) -> Result<(ReceiptBody, crate::keys::PublicKey), ReceiptError> {
    let file: ReceiptFile = serde_json::from_str(text).map_err(|_| ReceiptError::Malformed)?;
    if file.receipt.format != RECEIPT_FORMAT {
        return Err(ReceiptError::Malformed);
    }
    // Read strictly, lengths checked before minisign sees it (a short signature line
    // made minisign 0.10 panic).
    let mut sig_text = file.signature.clone();
    if !sig_text.ends_with('\n') {
        sig_text.push('\n');
    }
    let (sig, _) = crate::bundle::format::parse_signature(sig_text.as_bytes())
        .ok_or(ReceiptError::Malformed)?;
    let key_id = crate::keys::key_id_hex(sig.keynum());
    let message = serde_json::to_string(&file.receipt).unwrap_or_default();
    for k in trusted.iter().filter(|k| k.key_id == key_id) {
        if minisign::verify(
            &k.key,
            &sig,
            std::io::Cursor::new(message.as_bytes()),
            true,
            false,
            false,
        )
        .is_ok()
        {
            return Ok((file.receipt, k.clone()));
        }
    }
    Err(ReceiptError::BadSignature)
}

/// "Received and verified by … on …" from a receipt's custody details (a part missing,
/// i.e. empty, is said as such).
pub(crate) fn words(d: &crate::event::Receipt) -> String {
    let by = match d.received_by.as_str() {
        "" => "the designated person",
        by => by,
    };
    let on = match d.received.as_str() {
        "" => "an unknown date".into(),
        on => crate::clock::in_words(on),
    };
    if d.verdict == "intact" {
        format!("Received and verified by {by} on {on}.")
    } else {
        format!(
            "Received by {by} on {on}, but it did NOT verify: seal it again and give them the new file."
        )
    }
}

#[cfg(test)]
mod tests {
    /// The words for a receipt entry, and for a partial one (each missing part said).
    #[test]
    fn a_receipt_entry_is_said_in_words_even_when_partial() {
        let read = |d: &str| super::words(&serde_json::from_str(d).expect("json"));
        assert_eq!(
            read(
                r#"{"bundle_sha256":"cd","key":"FF30","received":"2026-11-26T09:00:00+00:00","received_by":"Mrs D. Lead","verdict":"intact"}"#
            ),
            "Received and verified by Mrs D. Lead on 26 Nov 2026, 09:00:00 (UTC+00:00)."
        );
        assert_eq!(
            read(r#"{"verdict":"intact"}"#),
            "Received and verified by the designated person on an unknown date."
        );
        assert_eq!(
            read(r#"{"received_by":"Mrs D. Lead","received":"2026-11-26T09:00:00+00:00"}"#),
            "Received by Mrs D. Lead on 26 Nov 2026, 09:00:00 (UTC+00:00), but it did NOT verify: seal it again and give them the new file."
        );
    }
}
