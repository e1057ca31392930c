//! The custody log: an append-only list of everything done to the evidence, each
//! entry carrying the SHA-256 of the one before, so that removing, reordering or
//! changing any entry breaks the chain at a named place.
//!
//! Order is the sequence number `seq`, never the wall clock. An entry whose time is
//! earlier than the one before (a clock set back) is kept and flagged
//! (`clock_anomaly`), not refused.
//!
//! The hash of an entry is SHA-256 over its canonical JSON: the fields of
//! [`Canonical`] in that order, compact, `details` as the exact text stored. This
//! module is pure (no store), so the bundle verifier can walk a chain too.

use crate::clock::Stamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the custody log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// When it was written.
    pub at: Stamp,
    /// Who did it (the staff member's name, or `evidence-kit` for the app itself).
    pub actor: String,
    /// What was done: `case_created`, `captured`, `note_edited`, `withdrawn`, …
    pub action: String,
    /// The case concerned.
    pub case_id: Option<String>,
    /// The item concerned.
    pub item_id: Option<i64>,
    /// What changed, as compact JSON text (old values kept).
    pub details: String,
    /// The clock read earlier than the entry before.
    pub clock_anomaly: bool,
    /// Hash of the entry before ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// The hashed form of an entry. Field order is part of the format: do not reorder.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    utc: &'a str,
    local: &'a str,
    zone: &'a str,
    actor: &'a str,
    action: &'a str,
    case_id: Option<&'a str>,
    item_id: Option<i64>,
    details: &'a str,
    clock_anomaly: bool,
    prev_hash: &'a str,
}

impl Entry {
    /// The hash this entry should carry, computed from its other fields.
    pub fn compute_hash(&self) -> String {
        let c = Canonical {
            seq: self.seq,
            utc: &self.at.utc,
            local: &self.at.local,
            zone: &self.at.zone,
            actor: &self.actor,
            action: &self.action,
            case_id: self.case_id.as_deref(),
            item_id: self.item_id,
            details: &self.details,
            clock_anomaly: self.clock_anomaly,
            prev_hash: &self.prev_hash,
        };
        // Serialising a struct of strings and integers cannot fail.
        let bytes = serde_json::to_vec(&c).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    /// `details` parsed (an empty object when it is not JSON).
    pub fn details_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null)
    }
}

/// A break in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry's content no longer matches its own hash: it was changed.
    Altered {
        /// The entry.
        seq: i64,
    },
    /// The entry does not point at the one before: something was removed,
    /// inserted or reordered before it.
    Unlinked {
        /// The entry.
        seq: i64,
    },
    /// A sequence number is missing or repeated.
    Gap {
        /// The number expected.
        expected: i64,
        /// The number found.
        found: i64,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { seq } => write!(
                f,
                "custody chain broken at entry {seq}: the entry was changed after it was written"
            ),
            ChainBreak::Unlinked { seq } => write!(
                f,
                "custody chain broken at entry {seq}: it does not follow the entry before it (an entry was removed or reordered)"
            ),
            ChainBreak::Gap { expected, found } => write!(
                f,
                "custody chain broken at entry {expected}: entry {expected} is missing (next is {found})"
            ),
        }
    }
}

/// Walk a chain in `seq` order and name every break.
pub fn verify_chain(entries: &[Entry]) -> Vec<ChainBreak> {
    let mut breaks = Vec::new();
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    for e in entries {
        if e.seq != expected_seq {
            breaks.push(ChainBreak::Gap {
                expected: expected_seq,
                found: e.seq,
            });
        }
        if e.compute_hash() != e.hash {
            breaks.push(ChainBreak::Altered { seq: e.seq });
        }
        if e.prev_hash != prev_hash {
            breaks.push(ChainBreak::Unlinked { seq: e.seq });
        }
        prev_hash = e.hash.clone();
        expected_seq = e.seq.saturating_add(1);
    }
    breaks
}

/// Build the next entry after `last` (which is `None` for the first).
pub fn next_entry(
    last: Option<&Entry>,
    at: Stamp,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    item_id: Option<i64>,
    details: &serde_json::Value,
) -> Entry {
    let clock_anomaly = match (last.and_then(|l| l.at.instant()), at.instant()) {
        (Some(before), Some(now)) => now < before,
        _ => false,
    };
    let mut e = Entry {
        // Saturating: after a log edited to end at i64::MAX (found by `make fuzz`) the
        // store refuses to write that seq twice, instead of overflowing.
        seq: last.map_or(1, |l| l.seq.saturating_add(1)),
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        case_id: case_id.map(str::to_string),
        item_id,
        // serde_json's default map is sorted, so this text is canonical.
        details: details.to_string(),
        clock_anomaly,
        prev_hash: last.map_or_else(|| GENESIS_HASH.to_string(), |l| l.hash.clone()),
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stamp(utc: &str) -> Stamp {
        Stamp {
            utc: utc.into(),
            local: utc.replace('Z', "+00:00"),
            zone: "Europe/London".into(),
        }
    }

    fn chain() -> Vec<Entry> {
        let a = next_entry(
            None,
            stamp("2026-11-25T10:00:00.000Z"),
            "A",
            "case_created",
            Some("C"),
            None,
            &json!({"title": "t"}),
        );
        let b = next_entry(
            Some(&a),
            stamp("2026-11-25T10:01:00.000Z"),
            "A",
            "captured",
            Some("C"),
            Some(1),
            &json!({"sha256": "ab"}),
        );
        let c = next_entry(
            Some(&b),
            stamp("2026-11-25T09:00:00.000Z"),
            "A",
            "note_edited",
            Some("C"),
            Some(1),
            &json!({"old": null, "new": "n"}),
        );
        vec![a, b, c]
    }

    #[test]
    fn intact_chain_verifies_and_backward_clock_is_flagged() {
        let c = chain();
        assert!(verify_chain(&c).is_empty());
        assert!(!c[1].clock_anomaly);
        assert!(c[2].clock_anomaly, "clock went back an hour");
    }

    #[test]
    fn each_kind_of_break_is_named() {
        let mut c = chain();
        c[1].actor = "B".into();
        assert_eq!(verify_chain(&c), vec![ChainBreak::Altered { seq: 2 }]);

        let mut c = chain();
        c.remove(1);
        let breaks = verify_chain(&c);
        assert!(breaks.contains(&ChainBreak::Gap {
            expected: 2,
            found: 3
        }));
        assert!(breaks.contains(&ChainBreak::Unlinked { seq: 3 }));

        let mut c = chain();
        c[1].hash = c[1].compute_hash().replace('a', "b");
        let breaks = verify_chain(&c);
        assert!(breaks.contains(&ChainBreak::Unlinked { seq: 3 }));
    }
}
