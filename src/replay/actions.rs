//! What each custody action does to the records it replays: the per-action rules.

use super::{LoggedItem, Replay};
use crate::custody::Entry;
use serde_json::{Map, Value, json};

impl Replay {
    /// What each action does to the records (see `store.rs` for each one's details).
    pub(super) fn replay(&mut self, e: &Entry) {
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
