//! What each custody action does to the records it replays: the per-action rules.

use super::{LoggedItem, Replay};
use crate::case::{Removal, Withdrawal};
use crate::custody::Entry;
use crate::event::Event;
use serde_json::{Map, Value};

impl Replay {
    /// What each action does to the records (see `event.rs` for each one's details).
    pub(super) fn replay(&mut self, e: &Entry) {
        match (e.action.as_str(), e.item_id) {
            // These two keep their details as written, the raw JSON: each is compared
            // whole with a record (the item row; the case's title, staff and time),
            // and a typed round trip would hide a field the entry has that the type
            // has not, or fill one it lacks.
            ("case_created", _) => {
                if let Some(case) = &e.case_id {
                    self.cases.entry(case.clone()).or_default().created = Some(e.details_json());
                }
            }
            ("captured", Some(id)) => {
                self.items.insert(
                    id,
                    LoggedItem {
                        record: e.details_json(),
                        seq: e.seq,
                        utc: e.at.utc.clone(),
                        removed: false,
                        seen: false,
                    },
                );
            }
            _ => self.replay_event(e),
        }
    }

    /// The other actions' rules, on typed details. Anything else (sealed, handed_over,
    /// a newer version's action, details that do not read as their action's) changes
    /// no record: carried in the chain, ignored here.
    fn replay_event(&mut self, e: &Entry) {
        let Some(event) = e.event() else { return };
        match (event, e.item_id) {
            (Event::NoteEdited(d) | Event::DetailsEdited(d), Some(id)) => {
                if let Some(l) = self.items.get_mut(&id)
                    && !d.field.is_empty()
                {
                    set_column(
                        &mut l.record,
                        &d.field,
                        d.new.map_or(Value::Null, Value::from),
                    );
                }
            }
            (Event::Withdrawn(d), Some(id)) => {
                if let Some(l) = self.items.get_mut(&id) {
                    let w = Withdrawal {
                        at: d.at,
                        reason: d.reason,
                    };
                    set(&mut l.record, "withdrawn", to_value(&w));
                }
            }
            (Event::IndecentImageRemoved(d), Some(id)) => {
                if let Some(l) = self.items.get_mut(&id) {
                    let r = Removal {
                        at: d.at,
                        reason: d.reason,
                    };
                    set(&mut l.record, "removed", to_value(&r));
                    l.removed = true;
                }
            }
            (Event::ReportEdited(d), _) => {
                if let Some(case) = &e.case_id
                    && !d.field.is_empty()
                {
                    let report = self.report_mut(case);
                    set(report, &d.field, d.new);
                }
            }
            (Event::IndecentImageRecorded(d), _) => {
                if let Some(case) = &e.case_id {
                    let report = self.report_mut(case);
                    if let Some(list) = report
                        .get_mut("indecent_images")
                        .and_then(Value::as_array_mut)
                    {
                        list.push(to_value(&d.note));
                    }
                }
            }
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
}

/// A record's part as JSON (plain data: it cannot fail to serialise).
fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_default()
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
