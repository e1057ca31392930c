//! The records compared with the replay, field by field: an item, a case and its
//! report, and what the log has that no record described.

use super::{Difference, Mode, Replay};
use crate::case::{Case, EmailHeaders, Item, Removal, Sender, Source, Withdrawal};
use crate::clock::Stamp;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

impl Replay {
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
pub(super) fn item_schema() -> Value {
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
