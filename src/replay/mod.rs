//! Replaying the custody log: what each case and item record should be according to
//! the entries that made and changed it, compared field by field with the records.
//!
//! `check` replays the store's log against the store's records; `verify` replays a
//! bundle's `custody.jsonl` against its `case.json`. Both stream: feed the complete
//! entries in `seq` order ([`Replay::apply`], [`Replay::skip`] for a redacted one),
//! then hand over each record ([`Replay::compare_item`], [`Replay::compare_case`]),
//! then [`Replay::finish`] names what the log has and no record described. Memory is
//! one JSON value per item (and one report per case) that the log creates; nothing is
//! kept per entry.
//!
//! ```
//! use evidence_kit::{clock::Stamp, custody, replay::{Difference, Replay}};
//! use serde_json::json;
//! let at = Stamp {
//!     utc: "2026-11-25T10:00:00.000Z".into(),
//!     local: "2026-11-25T10:00:00.000+00:00".into(),
//!     zone: "Europe/London".into(),
//! };
//! let details = json!({"title": "Posts", "staff": "A. Teacher", "created": at});
//! let made = custody::next_entry(None, at, "A. Teacher", "case_created", Some("EK-1"), None, &details);
//! let mut replay = Replay::bundle("EK-1");
//! replay.apply(&made);
//! // No case record was compared: the log's case is named as missing.
//! assert_eq!(replay.finish(), [Difference::CaseMissing { case: "EK-1".into() }]);
//! ```
//!
//! Forward compatibility (a rule of the format): an action this version does not know
//! is carried and ignored, and in [`Mode::Bundle`] an item or report field this
//! version does not know is ignored on either side (a newer version's extra field
//! cannot be checked by an older reader, and must not make a genuine bundle fail).

mod actions;
mod compare;
mod difference;
#[cfg(test)]
mod tests;

pub use difference::{Difference, LateCapture, SlipKind, TimeSlip};

use crate::case::IncidentReport;
use crate::custody::Entry;
use chrono::{DateTime, Utc};
use compare::item_schema;
use serde_json::Value;
use std::collections::BTreeMap;

/// Whose records are compared, which decides two rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The store's records: an item removed as a possible indecent image of a child is
    /// still a record (with `removed` set), and every field is compared (the store's
    /// records have a fixed schema).
    Store,
    /// A bundle's `case.json`: an item removed as a possible indecent image of a child
    /// must be absent, and fields this version does not know are ignored.
    Bundle,
}

/// What the log says of one item.
struct LoggedItem {
    /// The record as replayed.
    record: Value,
    /// The `captured` entry's seq and time.
    seq: i64,
    utc: String,
    /// The log says its bytes were removed.
    removed: bool,
    /// A record naming it was compared.
    seen: bool,
}

/// What the log says of one case.
#[derive(Default)]
struct LoggedCase {
    /// The `case_created` details.
    created: Option<Value>,
    /// The report as replayed (`None`: no report entry, i.e. the empty report).
    report: Option<Value>,
    seen: bool,
}

/// The previous complete entry (for time order).
struct Previous {
    seq: i64,
    utc: String,
    /// `None` after a redacted entry, or when the time does not parse.
    at: Option<DateTime<Utc>>,
}

/// A custody log being replayed. See the module documentation.
pub struct Replay {
    mode: Mode,
    case_id: Option<String>,
    items: BTreeMap<i64, LoggedItem>,
    cases: BTreeMap<String, LoggedCase>,
    previous: Option<Previous>,
    last_anomaly: Option<i64>,
    /// The fields this version knows (a sample record with every field present);
    /// used in [`Mode::Bundle`] only.
    item_schema: Value,
    empty_report: Value,
}

impl Replay {
    /// Replay for the store: every case, [`Mode::Store`].
    pub fn store() -> Replay {
        Replay::new(Mode::Store, None)
    }

    /// Replay for a bundle of `case_id`: [`Mode::Bundle`]; complete entries of other
    /// cases (there should be none) are not replayed.
    pub fn bundle(case_id: &str) -> Replay {
        Replay::new(Mode::Bundle, Some(case_id))
    }

    /// Replay in `mode`, for one case or (`None`) every case.
    pub fn new(mode: Mode, case_id: Option<&str>) -> Replay {
        Replay {
            mode,
            case_id: case_id.map(str::to_string),
            items: BTreeMap::new(),
            cases: BTreeMap::new(),
            previous: None,
            last_anomaly: None,
            item_schema: item_schema(),
            empty_report: serde_json::to_value(IncidentReport::default()).unwrap_or_default(),
        }
    }

    /// Feed one complete entry, in `seq` order. Returns how its time disagrees with its
    /// `clock_anomaly` flag, when the entry before was complete too (see [`TimeSlip`]).
    pub fn apply(&mut self, e: &Entry) -> Option<TimeSlip> {
        let slip = self.time_order(e);
        // Seal's own record that the clock reads earlier than times already in the log
        // (a store-level `clock_set_back`, complete in every bundle) explains a capture
        // later than the seal as the flag does, whether or not it went back from the
        // entry just before it.
        let set_back = e.action == "clock_set_back" && e.case_id.is_none();
        if e.clock_anomaly || set_back {
            self.last_anomaly = Some(self.last_anomaly.map_or(e.seq, |s| s.max(e.seq)));
        }
        if self.concerns(e) {
            self.replay(e);
        }
        slip
    }

    /// Note a redacted entry (another case's, in a bundle): its time and flag are not
    /// known, so the entry after it is not compared with the one before.
    pub fn skip(&mut self, seq: i64) {
        self.previous = Some(Previous {
            seq,
            utc: String::new(),
            at: None,
        });
    }

    fn concerns(&self, e: &Entry) -> bool {
        match (&self.case_id, &e.case_id) {
            (None, _) => true,
            (Some(want), Some(c)) => want == c,
            (Some(_), None) => false,
        }
    }

    fn time_order(&mut self, e: &Entry) -> Option<TimeSlip> {
        let now = e.at.instant();
        let slip = match (&self.previous, now) {
            (Some(p), Some(now)) if p.seq.checked_add(1) == Some(e.seq) => {
                p.at.and_then(|before| {
                    let back = now < before;
                    let kind = match (back, e.clock_anomaly) {
                        (true, false) => SlipKind::WentBack,
                        (false, true) => SlipKind::FlaggedWithoutGoingBack,
                        _ => return None,
                    };
                    Some(TimeSlip {
                        seq: e.seq,
                        utc: e.at.utc.clone(),
                        previous_utc: p.utc.clone(),
                        kind,
                    })
                })
            }
            _ => None,
        };
        self.previous = Some(Previous {
            seq: e.seq,
            utc: e.at.utc.clone(),
            at: now,
        });
        slip
    }

    /// How many items the log has created so far (removed ones included): what the
    /// replay holds, one JSON value each. A verifier with an item limit checks it
    /// while feeding a hostile log.
    pub fn items_logged(&self) -> usize {
        self.items.len()
    }

    /// The items (removed ones included) whose capture is later than `sealed_utc`
    /// (RFC 3339): by the `captured` entry's time or the recorded capture time,
    /// whichever is later. Empty when `sealed_utc` does not parse (the caller names
    /// that); a capture time that does not parse is not compared.
    pub fn captures_after(&self, sealed_utc: &str) -> Vec<LateCapture> {
        let Some(sealed) = instant(sealed_utc) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (&item, l) in &self.items {
            let recorded = l.record["captured"]["utc"].as_str();
            let latest = [Some(l.utc.as_str()), recorded]
                .into_iter()
                .flatten()
                .filter_map(|s| instant(s).map(|t| (t, s)))
                .max_by_key(|(t, _)| *t);
            if let Some((t, s)) = latest
                && t > sealed
            {
                out.push(LateCapture {
                    item,
                    captured_utc: s.to_string(),
                    excused: self.last_anomaly.is_some_and(|a| a > l.seq),
                });
            }
        }
        out
    }
}

fn instant(utc: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(utc)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
