//! A designated person staff can seal to: their `age1…` recipient, found in what they
//! shared, and its short fingerprint (`recipients.json` and `identity.json` hold these).

use super::{KeyError, fingerprint};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The first valid age recipient (`age1…`) in text the designated person sent (pasted,
/// or a `.txt`/`.pub` file's contents).
pub fn find_recipient(text: &str) -> Result<String, KeyError> {
    // An X25519 recipient is exactly 62 characters; words glued to it (a pasted text
    // that lost its line breaks) are cut off.
    text.match_indices("age1")
        .find_map(|(i, _)| {
            let candidate = text.get(i..i + 62)?;
            parse_recipient(candidate).ok().map(|r| r.to_string())
        })
        .ok_or_else(|| KeyError::BadRecipient {
            value: text.trim().chars().take(60).collect(),
        })
}

/// A designated person staff can seal to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientInfo {
    /// Their name.
    pub name: String,
    /// Their `age1…` recipient.
    pub recipient: String,
}

impl RecipientInfo {
    /// A short fingerprint of the recipient, for the trusted comment and for people to
    /// compare: the last 16 characters of `age1…`, in groups of four.
    pub fn fingerprint(&self) -> String {
        recipient_fingerprint(&self.recipient)
    }
}

/// Short fingerprint of an `age1…` recipient.
pub fn recipient_fingerprint(recipient: &str) -> String {
    let tail: String = recipient
        .chars()
        .rev()
        .take(16)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    fingerprint(&tail.to_uppercase())
}

/// Parse an `age1…` recipient.
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient, KeyError> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| KeyError::BadRecipient {
        value: s.trim().chars().take(80).collect(),
    })
}
