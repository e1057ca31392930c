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
//! use evidence_kit::{custody, replay::Replay, clock::Stamp};
//! let at = Stamp { utc: "2026-11-25T10:00:00.000Z".into(), local: "2026-11-25T10:00:00.000+00:00".into(), zone: "Europe/London".into() };
//! let made = custody::next_entry(None, at.clone(), "A. Teacher", "case_created", Some("EK-1"), None,
//!     &serde_json::json!({"title": "Posts", "staff": "A. Teacher", "created": at}));
//! let mut replay = Replay::bundle("EK-1");
//! replay.apply(&made);
//! assert!(replay.finish().len() == 1, "the case is in the log but no record was compared");
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
    /// set back since), which explains it: a note, not a finding.
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
        if e.clock_anomaly {
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

    /// Compare one item record (as JSON: `serde_json::to_value(&item)`, or a bundle's
    /// item object as read) with what the log says, field by field; marks it seen.
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
            .filter(|(_, l)| !l.seen && !(self.mode == Mode::Bundle && l.removed))
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
