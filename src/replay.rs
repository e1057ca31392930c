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

use crate::case::{Case, EmailHeaders, IncidentReport, Item, Removal, Sender, Source, Withdrawal};
use crate::clock::Stamp;
use crate::custody::Entry;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

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

/// A record that differs from what the custody log says it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Difference {
    /// A field of an item's record differs from the log's replay.
    ItemChanged {
        /// The item.
        item: i64,
        /// The field, dotted for nested ones (`from.handle`).
        field: String,
        /// In the record (`(nothing)` when absent or null).
        recorded: String,
        /// According to the log.
        logged: String,
    },
    /// An item's record with no `captured` entry in the log.
    ItemNotInLog {
        /// The item.
        item: i64,
    },
    /// The log records the capture of an item that no record described.
    ItemMissing {
        /// The item.
        item: i64,
    },
    /// (Bundle) an item is described although the log says its bytes were removed as a
    /// possible indecent image of a child: such an item is never in a bundle.
    ItemRemoved {
        /// The item.
        item: i64,
    },
    /// The same item number was described more than once.
    ItemTwice {
        /// The item.
        item: i64,
    },
    /// An item record without an item number (`id`).
    ItemWithoutId,
    /// A field of a case's record (title, staff, created, `report.…`) differs.
    CaseChanged {
        /// The case.
        case: String,
        /// The field (`title`, `report.description`, …).
        field: String,
        /// In the record.
        recorded: String,
        /// According to the log.
        logged: String,
    },
    /// A case's record with no `case_created` entry in the log.
    CaseNotInLog {
        /// The case.
        case: String,
    },
    /// The log records the creation of a case that no record described.
    CaseMissing {
        /// The case.
        case: String,
    },
}

impl Difference {
    /// True for the kinds about items (the rest are about cases).
    pub fn is_about_an_item(&self) -> bool {
        !matches!(
            self,
            Difference::CaseChanged { .. }
                | Difference::CaseNotInLog { .. }
                | Difference::CaseMissing { .. }
        )
    }
}

/// Longest value quoted in a [`Difference`]'s sentence, in characters (a report's
/// description can be 200,000); the structured fields keep the whole value.
const SHOWN_CHARS: usize = 200;

fn quoted(s: &str) -> String {
    if s.chars().count() <= SHOWN_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(SHOWN_CHARS).collect();
        format!("{head:?}…")
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::ItemChanged {
                item,
                field,
                recorded,
                logged,
            } => write!(
                f,
                "item {item} field {field}: recorded {}, the custody log says {}",
                quoted(recorded),
                quoted(logged)
            ),
            Difference::ItemNotInLog { item } => write!(
                f,
                "item {item} is recorded, but the custody log does not record its capture"
            ),
            Difference::ItemMissing { item } => write!(
                f,
                "the custody log records the capture of item {item}, but no record describes it"
            ),
            Difference::ItemRemoved { item } => write!(
                f,
                "item {item} is described, but the custody log says it was removed as a possible indecent image of a child"
            ),
            Difference::ItemTwice { item } => write!(f, "item {item} is described more than once"),
            Difference::ItemWithoutId => write!(f, "an item is described without an item number"),
            Difference::CaseChanged {
                case,
                field,
                recorded,
                logged,
            } => write!(
                f,
                "case {case} field {field}: recorded {}, the custody log says {}",
                quoted(recorded),
                quoted(logged)
            ),
            Difference::CaseNotInLog { case } => write!(
                f,
                "case {case} is recorded, but the custody log does not record its creation"
            ),
            Difference::CaseMissing { case } => write!(
                f,
                "the custody log records the creation of case {case}, but no record describes it"
            ),
        }
    }
}

/// Two consecutive complete entries whose times disagree with their `clock_anomaly`
/// flag (which the app sets exactly when an entry's time is earlier than the one
/// before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeSlip {
    /// The later entry.
    pub seq: i64,
    /// Its time (UTC).
    pub utc: String,
    /// The entry before's time (UTC).
    pub previous_utc: String,
    /// How they disagree.
    pub kind: SlipKind,
}

/// How an entry's time and its `clock_anomaly` flag disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlipKind {
    /// Earlier than the entry before, but not flagged.
    WentBack,
    /// Flagged, but not earlier than the entry before.
    FlaggedWithoutGoingBack,
}

impl std::fmt::Display for TimeSlip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (seq, utc, before) = (self.seq, &self.utc, &self.previous_utc);
        match self.kind {
            SlipKind::WentBack => write!(
                f,
                "custody entry {seq} was written at {utc}, earlier than the entry before it ({before}), but is not marked as written after the clock was set back"
            ),
            SlipKind::FlaggedWithoutGoingBack => write!(
                f,
                "custody entry {seq} is marked as written after the clock was set back, but its time {utc} is not earlier than the entry before it ({before})"
            ),
        }
    }
}

/// An item whose capture the log records later than the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateCapture {
    /// The item.
    pub item: i64,
    /// The later of its capture entry's time and its recorded capture time (UTC).
    pub captured_utc: String,
    /// A complete entry after the capture is flagged `clock_anomaly` (the clock was
    /// set back since), or is seal's `clock_set_back` record, which explains it: a
    /// note, not a finding.
    pub excused: bool,
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

    /// What each action does to the records (see `store.rs` for each one's details).
    fn replay(&mut self, e: &Entry) {
        let d = e.details_json();
        match (e.action.as_str(), e.item_id) {
            ("case_created", _) => {
                if let Some(case) = &e.case_id {
                    self.cases.entry(case.clone()).or_default().created = Some(d);
                }
            }
            ("captured", Some(id)) => {
                self.items.insert(
                    id,
                    LoggedItem {
                        record: d,
                        seq: e.seq,
                        utc: e.at.utc.clone(),
                        removed: false,
                        seen: false,
                    },
                );
            }
            ("note_edited" | "details_edited", Some(id)) => {
                if let (Some(l), Some(field)) = (self.items.get_mut(&id), d["field"].as_str()) {
                    set_column(&mut l.record, field, d["new"].clone());
                }
            }
            ("withdrawn", Some(id)) => {
                if let Some(l) = self.items.get_mut(&id) {
                    set(
                        &mut l.record,
                        "withdrawn",
                        json!({"at": d["at"], "reason": d["reason"]}),
                    );
                }
            }
            ("indecent_image_removed", Some(id)) => {
                if let Some(l) = self.items.get_mut(&id) {
                    set(
                        &mut l.record,
                        "removed",
                        json!({"at": d["at"], "reason": d["reason"]}),
                    );
                    l.removed = true;
                }
            }
            ("report_edited", _) => {
                if let (Some(case), Some(field)) = (&e.case_id, d["field"].as_str()) {
                    let report = self.report_mut(case);
                    set(report, field, d["new"].clone());
                }
            }
            ("indecent_image_recorded", _) => {
                if let Some(case) = &e.case_id {
                    let report = self.report_mut(case);
                    if let Some(list) = report
                        .get_mut("indecent_images")
                        .and_then(Value::as_array_mut)
                    {
                        list.push(d["note"].clone());
                    }
                }
            }
            // Anything else (sealed, handed_over, a newer version's action) changes no
            // record: carried in the chain, ignored here.
            _ => {}
        }
    }

    fn report_mut(&mut self, case: &str) -> &mut Value {
        let empty = &self.empty_report;
        self.cases
            .entry(case.to_string())
            .or_default()
            .report
            .get_or_insert_with(|| empty.clone())
    }

    /// How many items the log has created so far (removed ones included): what the
    /// replay holds, one JSON value each. A verifier with an item limit checks it
    /// while feeding a hostile log.
    pub fn items_logged(&self) -> usize {
        self.items.len()
    }

    /// Compare one item record (as JSON: `serde_json::to_value(&item)`, or a bundle's
    /// item object as read, which keeps a newer version's values that `Item` cannot
    /// hold) with what the log says, field by field; marks it seen.
    pub fn compare_item(&mut self, record: &Value) -> Vec<Difference> {
        let Some(id) = record.get("id").and_then(Value::as_i64) else {
            return vec![Difference::ItemWithoutId];
        };
        let Some(logged) = self.items.get_mut(&id) else {
            return vec![Difference::ItemNotInLog { item: id }];
        };
        if logged.seen {
            return vec![Difference::ItemTwice { item: id }];
        }
        logged.seen = true;
        if self.mode == Mode::Bundle && logged.removed {
            return vec![Difference::ItemRemoved { item: id }];
        }
        let schema = match self.mode {
            Mode::Store => None,
            Mode::Bundle => Some(&self.item_schema),
        };
        let mut out = Vec::new();
        diff(
            "",
            record,
            &logged.record,
            schema,
            &mut |field, have, want| {
                out.push(Difference::ItemChanged {
                    item: id,
                    field,
                    recorded: show(have),
                    logged: show(want),
                })
            },
        );
        out
    }

    /// Compare a case's record (title, staff, created, and each report field) with its
    /// `case_created` entry and its report's entries; marks it seen.
    pub fn compare_case(&mut self, case: &Case) -> Vec<Difference> {
        let logged = self.cases.entry(case.id.clone()).or_default();
        logged.seen = true;
        let mut out = Vec::new();
        let changed = |field: &str, have: &Value, want: &Value| Difference::CaseChanged {
            case: case.id.clone(),
            field: field.to_string(),
            recorded: show(have),
            logged: show(want),
        };
        match &logged.created {
            None => out.push(Difference::CaseNotInLog {
                case: case.id.clone(),
            }),
            Some(d) => {
                let created = serde_json::to_value(&case.created).unwrap_or_default();
                for (field, have) in [
                    ("title", Value::from(case.title.as_str())),
                    ("staff", Value::from(case.staff.as_str())),
                    ("created", created),
                ] {
                    let want = d.get(field).unwrap_or(&Value::Null);
                    if &have != want {
                        out.push(changed(field, &have, want));
                    }
                }
            }
        }
        let have = serde_json::to_value(&case.report).unwrap_or_default();
        let want = logged.report.as_ref().unwrap_or(&self.empty_report);
        let empty = Map::new();
        let (h, w) = (
            have.as_object().unwrap_or(&empty),
            want.as_object().unwrap_or(&empty),
        );
        let known = self.empty_report.as_object();
        let keys: BTreeSet<&String> = h.keys().chain(w.keys()).collect();
        for k in keys {
            if self.mode == Mode::Bundle && !known.is_some_and(|s| s.contains_key(k)) {
                continue;
            }
            let (a, b) = (
                h.get(k).unwrap_or(&Value::Null),
                w.get(k).unwrap_or(&Value::Null),
            );
            if a != b {
                out.push(changed(&format!("report.{k}"), a, b));
            }
        }
        out
    }

    /// What the log records that no record described: items captured (and, for a
    /// bundle, not removed) and cases created. Items first, by number; then cases.
    pub fn finish(self) -> Vec<Difference> {
        let mut out: Vec<Difference> = self
            .items
            .iter()
            // A bundle never has a removed item's record.
            .filter(|(_, l)| !l.seen)
            .filter(|(_, l)| !l.removed || self.mode == Mode::Store)
            .map(|(&item, _)| Difference::ItemMissing { item })
            .collect();
        out.extend(
            self.cases
                .into_iter()
                .filter(|(_, c)| c.created.is_some() && !c.seen)
                .map(|(case, _)| Difference::CaseMissing { case }),
        );
        out
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

/// Set `key` of an object (anything else is left as it is: a record that is not an
/// object is named as different anyway, and indexing it would panic).
fn set(v: &mut Value, key: &str, new: Value) {
    if let Some(m) = v.as_object_mut() {
        m.insert(key.to_string(), new);
    }
}

/// Set a store column: `from_handle` is `from.handle`.
fn set_column(v: &mut Value, column: &str, new: Value) {
    let Some(sub) = column.strip_prefix("from_") else {
        return set(v, column, new);
    };
    let Some(m) = v.as_object_mut() else { return };
    let from = m.entry("from").or_insert_with(|| Value::Object(Map::new()));
    if from.is_null() {
        *from = Value::Object(Map::new());
    }
    set(from, sub, new);
}

/// Field by field, nested objects by their fields (`from.handle`). With a `schema`
/// (a sample with every known field), a field it does not have is not compared.
fn diff(
    prefix: &str,
    have: &Value,
    want: &Value,
    schema: Option<&Value>,
    out: &mut dyn FnMut(String, &Value, &Value),
) {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => {
            let keys: BTreeSet<&String> = h.keys().chain(w.keys()).collect();
            for k in keys {
                let sub = match schema {
                    Some(Value::Object(s)) => match s.get(k) {
                        Some(sub) => Some(sub),
                        None => continue,
                    },
                    // Objects where the schema has a plain value: compared whole.
                    _ => None,
                };
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                diff(
                    &path,
                    h.get(k).unwrap_or(&Value::Null),
                    w.get(k).unwrap_or(&Value::Null),
                    sub,
                    out,
                );
            }
        }
        _ if have != want => out(prefix.to_string(), have, want),
        _ => {}
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(nothing)".into(),
        other => other.to_string(),
    }
}

/// An item with every field present: its JSON lists every field this version knows.
/// (A new field of `Item`, `Sender`, … must be set here too, or this does not build.)
fn item_schema() -> Value {
    let stamp = || Stamp {
        utc: String::new(),
        local: String::new(),
        zone: String::new(),
    };
    let text = || Some(String::new());
    let item = Item {
        id: 0,
        case_id: String::new(),
        sha256: String::new(),
        size: 0,
        media_type: String::new(),
        original_name: String::new(),
        source: Source::File,
        captured: stamp(),
        captured_by: String::new(),
        site: text(),
        url: text(),
        from: Sender {
            handle: text(),
            email: text(),
            phone: text(),
            profile: text(),
        },
        seen: text(),
        note: text(),
        email: Some(EmailHeaders {
            from: text(),
            to: text(),
            date: text(),
            subject: text(),
            message_id: text(),
        }),
        withdrawn: Some(Withdrawal {
            at: stamp(),
            reason: String::new(),
        }),
        removed: Some(Removal {
            at: stamp(),
            reason: String::new(),
        }),
    };
    serde_json::to_value(item).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custody::next_entry;

    fn stamp(utc: &str) -> Stamp {
        Stamp {
            utc: utc.into(),
            local: utc.replace('Z', "+00:00"),
            zone: "Europe/London".into(),
        }
    }

    /// A log built as the store builds it (`next_entry` sets `clock_anomaly`).
    #[derive(Default)]
    struct Log(Vec<Entry>);

    impl Log {
        fn add(
            &mut self,
            utc: &str,
            action: &str,
            case: Option<&str>,
            item: Option<i64>,
            d: Value,
        ) -> &mut Entry {
            let e = next_entry(self.0.last(), stamp(utc), "A", action, case, item, &d);
            self.0.push(e);
            self.0.last_mut().unwrap()
        }

        fn replay(&self, mode: Mode, case: Option<&str>) -> Replay {
            let mut r = Replay::new(mode, case);
            for e in &self.0 {
                r.apply(e);
            }
            r
        }
    }

    fn item(id: i64, case: &str, utc: &str) -> Item {
        Item {
            id,
            case_id: case.into(),
            sha256: format!("{id:064}"),
            size: 10,
            media_type: "image/png".into(),
            original_name: format!("{id}.png"),
            source: Source::Screen,
            captured: stamp(utc),
            captured_by: "A. Teacher".into(),
            site: Some("Facebook".into()),
            url: None,
            from: Sender::default(),
            seen: None,
            note: Some("first note".into()),
            email: None,
            withdrawn: None,
            removed: None,
        }
    }

    fn case(id: &str, utc: &str) -> Case {
        Case {
            id: id.into(),
            title: "Posts about me".into(),
            staff: "A. Teacher".into(),
            created: stamp(utc),
            report: IncidentReport::default(),
        }
    }

    const T0: &str = "2026-11-25T10:00:00.000Z";
    const T1: &str = "2026-11-25T10:01:00.000Z";
    const T2: &str = "2026-11-25T10:02:00.000Z";
    const T3: &str = "2026-11-25T10:03:00.000Z";

    /// A case with one captured item.
    fn one_item() -> (Log, Item) {
        let mut log = Log::default();
        let c = case("C", T0);
        log.add(
            T0,
            "case_created",
            Some("C"),
            None,
            json!({"title": c.title, "staff": c.staff, "created": c.created}),
        );
        let it = item(1, "C", T1);
        log.add(
            T1,
            "captured",
            Some("C"),
            Some(1),
            serde_json::to_value(&it).unwrap(),
        );
        (log, it)
    }

    fn value(it: &Item) -> Value {
        serde_json::to_value(it).unwrap()
    }

    fn changed(d: &[Difference]) -> Vec<(&str, &str, &str)> {
        d.iter()
            .filter_map(|d| match d {
                Difference::ItemChanged {
                    field,
                    recorded,
                    logged,
                    ..
                } => Some((field.as_str(), recorded.as_str(), logged.as_str())),
                _ => None,
            })
            .collect()
    }

    fn item_kinds(d: Vec<Difference>) -> Vec<Difference> {
        d.into_iter().filter(Difference::is_about_an_item).collect()
    }

    #[test]
    fn an_unchanged_record_and_case_replay_clean_and_finish_is_empty() {
        let (log, it) = one_item();
        for mode in [Mode::Store, Mode::Bundle] {
            let mut r = log.replay(mode, Some("C"));
            assert_eq!(r.compare_item(&value(&it)), []);
            assert_eq!(r.compare_case(&case("C", T0)), []);
            assert_eq!(r.finish(), []);
        }
    }

    #[test]
    fn note_and_detail_edits_are_replayed_field_by_field() {
        let (mut log, mut it) = one_item();
        let e = |f: &str, old: Value, new: Value| json!({"field": f, "old": old, "new": new});
        log.add(
            T2,
            "note_edited",
            Some("C"),
            Some(1),
            e("note", json!("first note"), json!("second note")),
        );
        log.add(
            T2,
            "details_edited",
            Some("C"),
            Some(1),
            e("site", json!("Facebook"), Value::Null),
        );
        log.add(
            T2,
            "details_edited",
            Some("C"),
            Some(1),
            e("from_handle", Value::Null, json!("@someone")),
        );
        // The record as it stood before the edits: each edit is named.
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            changed(&r.compare_item(&value(&it))),
            [
                ("from.handle", "(nothing)", "@someone"),
                ("note", "first note", "second note"),
                ("site", "Facebook", "(nothing)"),
            ]
        );
        // The record with the edits made: nothing to say.
        it.note = Some("second note".into());
        it.site = None;
        it.from.handle = Some("@someone".into());
        let mut r = log.replay(Mode::Store, None);
        assert_eq!(r.compare_item(&value(&it)), []);
        let shown = Replay::bundle("C").compare_item(&value(&it));
        assert_eq!(shown, [Difference::ItemNotInLog { item: 1 }]);
    }

    #[test]
    fn a_withdrawal_must_be_in_the_record_exactly() {
        let (mut log, mut it) = one_item();
        log.add(
            T2,
            "withdrawn",
            Some("C"),
            Some(1),
            json!({"reason": "a duplicate", "at": stamp(T2)}),
        );
        let mut r = log.replay(Mode::Bundle, Some("C"));
        let d = r.compare_item(&value(&it));
        assert_eq!(changed(&d).len(), 1, "{d:?}");
        assert_eq!(changed(&d)[0].0, "withdrawn");
        assert_eq!(changed(&d)[0].1, "(nothing)");

        it.withdrawn = Some(Withdrawal {
            at: stamp(T2),
            reason: "another reason".into(),
        });
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            changed(&r.compare_item(&value(&it))),
            [("withdrawn.reason", "another reason", "a duplicate")]
        );
        it.withdrawn = Some(Withdrawal {
            at: stamp(T2),
            reason: "a duplicate".into(),
        });
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(r.compare_item(&value(&it)), []);
    }

    #[test]
    fn a_removed_item_is_a_marked_record_in_the_store_and_absent_from_a_bundle() {
        let (mut log, mut it) = one_item();
        log.add(
            T2,
            "indecent_image_removed",
            Some("C"),
            Some(1),
            json!({"sha256": it.sha256, "at": stamp(T2), "reason": "removed"}),
        );
        // Bundle: absent is right; present is named.
        let r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(item_kinds(r.finish()), []);
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            r.compare_item(&value(&it)),
            [Difference::ItemRemoved { item: 1 }]
        );
        assert_eq!(item_kinds(r.finish()), []);
        // Store: the record stays, with `removed` set.
        let r = log.replay(Mode::Store, None);
        assert_eq!(
            item_kinds(r.finish()),
            [Difference::ItemMissing { item: 1 }]
        );
        let mut r = log.replay(Mode::Store, None);
        assert_eq!(changed(&r.compare_item(&value(&it)))[0].0, "removed");
        it.removed = Some(Removal {
            at: stamp(T2),
            reason: "removed".into(),
        });
        let mut r = log.replay(Mode::Store, None);
        assert_eq!(r.compare_item(&value(&it)), []);
        assert_eq!(item_kinds(r.finish()), []);
    }

    #[test]
    fn the_case_and_its_report_are_replayed() {
        let (mut log, _) = one_item();
        log.add(
            T2,
            "report_edited",
            Some("C"),
            None,
            json!({"field": "description", "old": null, "new": "They posted it twice."}),
        );
        log.add(
            T2,
            "report_edited",
            Some("C"),
            None,
            json!({"field": "police", "old": null, "new": "yes"}),
        );
        let note = crate::case::SafeguardNote {
            recorded: stamp(T3),
            site: Some("a group chat".into()),
            police_informed: None,
        };
        log.add(
            T3,
            "indecent_image_recorded",
            Some("C"),
            None,
            json!({"note": note, "advice_given": "Tell the police."}),
        );
        let mut c = case("C", T0);
        let fields = |d: Vec<Difference>| -> Vec<String> {
            d.into_iter()
                .map(|d| match d {
                    Difference::CaseChanged { field, .. } => field,
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            fields(r.compare_case(&c)),
            [
                "report.description",
                "report.indecent_images",
                "report.police"
            ]
        );
        c.report.description = Some("They posted it twice.".into());
        c.report.police = Some(crate::case::PoliceDecision::Yes);
        c.report.indecent_images.push(note);
        let mut r = log.replay(Mode::Store, None);
        assert_eq!(r.compare_case(&c), []);
        c.title = "Nothing happened".into();
        c.created = stamp(T1);
        let mut r = log.replay(Mode::Bundle, Some("C"));
        let d = r.compare_case(&c);
        assert_eq!(fields(d.clone()), ["title", "created"]);
        assert_eq!(
            d[0].to_string(),
            "case C field title: recorded \"Nothing happened\", the custody log says \"Posts about me\""
        );
    }

    #[test]
    fn cases_and_items_the_log_and_the_records_disagree_on_are_named() {
        let (log, it) = one_item();
        // Nothing compared: the log's case and item have no record.
        let r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            r.finish(),
            [
                Difference::ItemMissing { item: 1 },
                Difference::CaseMissing { case: "C".into() }
            ]
        );
        let mut r = log.replay(Mode::Bundle, Some("C"));
        let mut other = value(&it);
        other["id"] = json!(2);
        assert_eq!(
            r.compare_item(&other),
            [Difference::ItemNotInLog { item: 2 }]
        );
        assert_eq!(r.compare_item(&value(&it)), []);
        assert_eq!(
            r.compare_item(&value(&it)),
            [Difference::ItemTwice { item: 1 }]
        );
        other.as_object_mut().unwrap().remove("id");
        assert_eq!(r.compare_item(&other), [Difference::ItemWithoutId]);
        assert_eq!(
            r.compare_case(&case("D", T0)),
            [Difference::CaseNotInLog { case: "D".into() }]
        );
    }

    #[test]
    fn a_bundle_replays_only_its_own_case() {
        let (mut log, _) = one_item();
        let theirs = item(2, "D", T2);
        log.add(T2, "captured", Some("D"), Some(2), value(&theirs));
        log.add(
            T2,
            "case_created",
            Some("D"),
            None,
            json!({"title": "x", "staff": "y", "created": stamp(T2)}),
        );
        let r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(r.items_logged(), 1);
        assert_eq!(r.finish().len(), 2, "only case C and its item 1");
        let r = log.replay(Mode::Store, None);
        assert_eq!(r.finish().len(), 4, "the store replays every case");
    }

    #[test]
    fn unknown_actions_are_carried_and_ignored() {
        let (mut log, it) = one_item();
        log.add(
            T2,
            "timestamped",
            Some("C"),
            Some(1),
            json!({"field": "note", "new": "changed?", "tsa": "x"}),
        );
        log.add(
            T2,
            "phone_paired",
            Some("C"),
            None,
            json!({"field": "title", "new": "x"}),
        );
        log.add(T3, "sealed", Some("C"), None, json!({"file": "c.evidence"}));
        for mode in [Mode::Store, Mode::Bundle] {
            let mut r = log.replay(mode, Some("C"));
            assert_eq!(r.compare_item(&value(&it)), []);
            assert_eq!(r.compare_case(&case("C", T0)), []);
            assert_eq!(r.finish(), []);
        }
    }

    #[test]
    fn a_bundle_ignores_item_fields_this_version_does_not_know_and_the_store_does_not() {
        let (mut log, it) = one_item();
        // A newer version's capture carries a field of its own…
        let mut newer = value(&it);
        newer["id"] = json!(2);
        newer["phone_model"] = json!("Pixel");
        newer["from"]["whatsapp"] = json!("+44 7700 900000");
        log.add(T2, "captured", Some("C"), Some(2), newer.clone());
        // …and its case.json records another (and the payload path, a bundle's own).
        let mut record = newer.clone();
        record["path"] = json!("data/002-2.png");
        record["colour"] = json!("blue");
        record["from"]["whatsapp"] = json!("+44 7700 900001");
        record.as_object_mut().unwrap().remove("phone_model");
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(r.compare_item(&record), []);
        // A field this version knows is still compared.
        record["note"] = json!("rewritten");
        let mut r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            changed(&r.compare_item(&record)),
            [("note", "rewritten", "first note")]
        );
        // The store's records have a fixed schema: any extra field is named.
        let mut r = log.replay(Mode::Store, None);
        let d = r.compare_item(&record);
        let named: Vec<&str> = changed(&d).into_iter().map(|c| c.0).collect();
        assert_eq!(
            named,
            ["colour", "from.whatsapp", "note", "path", "phone_model"]
        );
    }

    #[test]
    fn a_record_that_is_not_an_object_is_named_not_a_panic() {
        let mut log = Log::default();
        log.add(T1, "captured", Some("C"), Some(1), json!([1, 2]));
        log.add(
            T2,
            "withdrawn",
            Some("C"),
            Some(1),
            json!({"reason": "x", "at": stamp(T2)}),
        );
        log.add(
            T2,
            "details_edited",
            Some("C"),
            Some(1),
            json!({"field": "from_email", "new": "a@b"}),
        );
        log.add(T2, "report_edited", Some("C"), None, json!("not an object"));
        log.add(T2, "indecent_image_recorded", Some("C"), None, json!(7));
        let mut r = log.replay(Mode::Bundle, Some("C"));
        let d = r.compare_item(&value(&item(1, "C", T1)));
        assert_eq!(changed(&d).len(), 1);
        assert_eq!(changed(&d)[0].0, "");
        assert_eq!(
            r.captures_after(T0).len(),
            1,
            "the entry's time still counts"
        );
    }

    #[test]
    fn a_capture_later_than_the_seal_is_named_and_excused_only_by_a_later_clock_anomaly() {
        let (mut log, _) = one_item();
        // Item 2 captured in 2031 by a clock set ahead…
        let late = item(2, "C", "2031-01-01T00:00:00.000Z");
        log.add(
            "2031-01-01T00:00:00.000Z",
            "captured",
            Some("C"),
            Some(2),
            value(&late),
        );
        let sealed = "2026-12-01T09:00:00.000Z";
        let r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            r.captures_after(sealed),
            [LateCapture {
                item: 2,
                captured_utc: "2031-01-01T00:00:00.000Z".into(),
                excused: false
            }]
        );
        assert_eq!(r.captures_after(T0).len(), 2);
        assert_eq!(r.captures_after("2031-01-02T00:00:00Z"), []);
        assert_eq!(r.captures_after("not a time"), []);
        // …then set right: the next entry is flagged, which explains it.
        let e = log.add(
            T3,
            "note_edited",
            Some("C"),
            Some(1),
            json!({"field": "note", "old": "first note", "new": "first note"}),
        );
        assert!(e.clock_anomaly);
        let r = log.replay(Mode::Bundle, Some("C"));
        assert!(r.captures_after(sealed)[0].excused);
    }

    #[test]
    fn a_late_capture_is_explained_by_seal_s_clock_record_not_by_a_redacted_line() {
        let (mut log, _) = one_item();
        let late = item(2, "C", "2031-01-01T00:00:00.000Z");
        let seq = log
            .add(
                "2031-01-01T00:00:00.000Z",
                "captured",
                Some("C"),
                Some(2),
                value(&late),
            )
            .seq;
        let sealed = "2026-12-01T09:00:00.000Z";
        // Another record's entry (redacted in this bundle) explains nothing.
        let mut r = log.replay(Mode::Bundle, Some("C"));
        r.skip(seq + 1);
        assert!(!r.captures_after(sealed)[0].excused);
        // Seal's store-level record that the clock reads earlier than the log does.
        log.add(
            "2031-01-01T00:00:01.000Z",
            "clock_set_back",
            None,
            None,
            json!({"latest_utc": "2031-01-01T00:00:00.000Z", "now_utc": sealed}),
        );
        let r = log.replay(Mode::Bundle, Some("C"));
        assert!(r.captures_after(sealed)[0].excused);
        // A case's own entry of that name is not seal's record.
        let (mut log, _) = one_item();
        log.add(
            "2031-01-01T00:00:00.000Z",
            "captured",
            Some("C"),
            Some(2),
            value(&late),
        );
        log.add(
            "2031-01-01T00:00:01.000Z",
            "clock_set_back",
            Some("C"),
            None,
            json!({}),
        );
        let r = log.replay(Mode::Bundle, Some("C"));
        assert!(!r.captures_after(sealed)[0].excused);
    }

    #[test]
    fn a_clock_anomaly_before_the_capture_excuses_nothing() {
        let mut log = Log::default();
        log.add(T2, "phone_paired", Some("C"), None, json!({}));
        assert!(
            log.add(T1, "sealed", Some("C"), None, json!({}))
                .clock_anomaly
        );
        let late = item(1, "C", T1);
        // The entry's time is before the seal; the recorded capture time is after.
        let mut record = value(&late);
        record["captured"] = json!(stamp("2030-01-01T00:00:00.000Z"));
        log.add(T1, "captured", Some("C"), Some(1), record);
        let r = log.replay(Mode::Bundle, Some("C"));
        assert_eq!(
            r.captures_after(T3),
            [LateCapture {
                item: 1,
                captured_utc: "2030-01-01T00:00:00.000Z".into(),
                excused: false
            }]
        );
    }

    #[test]
    fn time_going_back_must_agree_with_the_clock_anomaly_flag() {
        let mut log = Log::default();
        log.add(T2, "case_created", Some("C"), None, json!({}));
        // Flagged by the app: agrees.
        assert!(log.add(T1, "x", Some("C"), None, json!({})).clock_anomaly);
        // Going back without the flag (a forged or edited entry).
        log.add(T0, "x", Some("C"), None, json!({})).clock_anomaly = false;
        // The flag without going back.
        log.add(T3, "x", Some("C"), None, json!({})).clock_anomaly = true;
        let mut r = Replay::bundle("C");
        let slips: Vec<TimeSlip> = log.0.iter().filter_map(|e| r.apply(e)).collect();
        assert_eq!(
            slips,
            [
                TimeSlip {
                    seq: 3,
                    utc: T0.into(),
                    previous_utc: T1.into(),
                    kind: SlipKind::WentBack
                },
                TimeSlip {
                    seq: 4,
                    utc: T3.into(),
                    previous_utc: T0.into(),
                    kind: SlipKind::FlaggedWithoutGoingBack
                }
            ]
        );
        assert!(slips[0].to_string().contains("not marked"), "{}", slips[0]);
        // A redacted entry between, or a gap in seq: nothing can be said.
        let mut r = Replay::bundle("C");
        assert_eq!(r.apply(&log.0[1]), None);
        r.skip(3);
        assert_eq!(r.apply(&log.0[3]), None);
        let mut r = Replay::bundle("C");
        r.apply(&log.0[0]);
        assert_eq!(r.apply(&log.0[2]), None, "entry 2 is not there");
        // Store mode, every case: the same rule.
        let mut r = Replay::store();
        assert_eq!(log.0.iter().filter_map(|e| r.apply(e)).count(), 2);
    }

    #[test]
    fn a_long_value_is_shortened_in_the_sentence_only() {
        let long = "x".repeat(5000);
        let d = Difference::ItemChanged {
            item: 1,
            field: "note".into(),
            recorded: long.clone(),
            logged: "short".into(),
        };
        let text = d.to_string();
        assert!(text.len() < 300, "{}", text.len());
        assert!(text.contains("…, the custody log says \"short\""), "{text}");
    }

    #[test]
    fn the_schema_knows_every_field_a_full_item_has() {
        let schema = item_schema();
        let mut full = item(1, "C", T1);
        full.removed = Some(Removal {
            at: stamp(T2),
            reason: "r".into(),
        });
        full.withdrawn = Some(Withdrawal {
            at: stamp(T2),
            reason: "r".into(),
        });
        full.email = Some(EmailHeaders::default());
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&schema), keys(&value(&full)));
        assert_eq!(
            keys(&schema["from"]),
            ["email", "handle", "phone", "profile"]
        );
    }
}
