//! A case's incident report: changed field by field, each change a `report_edited`
//! custody entry that keeps the old value.

use super::Store;
use super::custody_log::append_custody_tx;
use crate::StoreError;
use crate::case::{self, Case, IncidentReport, ReportField, ReportKind, ReportValue};
use crate::event::{self, Event};
use rusqlite::params;
use serde_json::json;

impl Store {
    /// Change fields of a case's incident report. Each changed field is one
    /// `report_edited` custody entry with its old and new value; setting the police
    /// decision also records when it was made (`police_decided`). Unchanged fields
    /// write nothing.
    pub fn update_report(
        &self,
        case_id: &str,
        update: &ReportUpdate,
        actor: &str,
    ) -> Result<Case, StoreError> {
        let changes = update.changes()?;
        let case = self.case(case_id)?;
        let at = (self.clock)();
        let tx = self.write_tx()?;
        let text: String = tx
            .query_row("SELECT report FROM cases WHERE id = ?1", [&case.id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))?;
        let mut report = report_value(&text).ok_or_else(|| StoreError::ReportUnreadable {
            case: case.id.clone(),
        })?;
        let mut changed = Vec::new();
        for (field, new) in changes {
            let old = report
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if old == new {
                continue;
            }
            report[field] = new.clone();
            changed.push((field, old, new));
            if field == "police" {
                let old = report["police_decided"].clone();
                let new = serde_json::to_value(&at).unwrap_or_default();
                report["police_decided"] = new.clone();
                changed.push(("police_decided", old, new));
            }
        }
        if changed.is_empty() {
            return Ok(case);
        }
        tx.execute(
            "UPDATE cases SET report = ?1 WHERE id = ?2",
            params![report.to_string(), case.id],
        )
        .map_err(|e| self.db_err(e))?;
        for (field, old, new) in changed {
            append_custody_tx(
                &tx,
                &at,
                actor,
                Some(&case.id),
                None,
                &Event::ReportEdited(event::ReportEdit {
                    field: field.to_string(),
                    old,
                    new,
                }),
            )
            .map_err(|e| self.db_err(e))?;
        }
        self.commit(tx)?;
        self.case(&case.id)
    }
}

/// A stored report as a JSON object with every field present; `None` when the text is
/// not a report (it is never taken for an empty one, which would be written back).
pub(crate) fn report_value(text: &str) -> Option<serde_json::Value> {
    let report: IncidentReport = serde_json::from_str(text).ok()?;
    serde_json::to_value(report).ok()
}

/// A change to a case's incident report: the fields given, each with its new value
/// (an empty one clears the field); fields not given are left as they are. Built by
/// walking [`ReportField`]'s table: [`set`](Self::set) one field, or
/// [`every_field`](Self::every_field) as the app sends them.
#[derive(Debug, Clone, Default)]
pub struct ReportUpdate {
    given: Vec<(ReportField, ReportValue)>,
}

impl ReportUpdate {
    /// Every field of the table set to its value in `report` (the app's report screen
    /// sends them all; unchanged ones write nothing).
    pub fn every_field(report: &IncidentReport) -> ReportUpdate {
        ReportUpdate {
            given: ReportField::ALL
                .iter()
                .map(|&f| (f, f.value(report)))
                .collect(),
        }
    }

    /// Give `field` the new `value` (given again, the later value counts). A value not
    /// of the field's kind is a caller's mistake: debug builds stop at it, and it is
    /// left out (so the stored report always reads as an [`IncidentReport`]).
    pub fn set(&mut self, field: ReportField, value: ReportValue) -> &mut ReportUpdate {
        debug_assert!(value.is_of(field.kind()), "{field:?} given {value:?}");
        if !value.is_of(field.kind()) {
            return self;
        }
        self.given.retain(|(f, _)| *f != field);
        self.given.push((field, value));
        self
    }

    /// (field, new JSON value) for each field given, checked: the texts first, then
    /// the choices, each in the table's order (the order of the `report_edited`
    /// entries, which the golden custody test pins).
    fn changes(&self) -> Result<Vec<(&'static str, serde_json::Value)>, StoreError> {
        let is_text = |f: &&ReportField| matches!(f.kind(), ReportKind::Text { .. });
        let texts = ReportField::ALL.iter().filter(is_text);
        let choices = ReportField::ALL.iter().filter(|f| !is_text(f));
        let mut out = Vec::new();
        for &field in texts.chain(choices) {
            let Some((_, value)) = self.given.iter().find(|(f, _)| *f == field) else {
                continue;
            };
            let new = match (field.kind(), value) {
                (ReportKind::Text { label, max }, ReportValue::Text(v)) => {
                    json!(case::optional_up_to(label, v.as_deref(), max)?)
                }
                (_, ReportValue::Responsible(v)) => serde_json::to_value(v).unwrap_or_default(),
                (_, ReportValue::YesNo(v)) => json!(v),
                (_, ReportValue::Police(v)) => serde_json::to_value(v).unwrap_or_default(),
                // `set` keeps only values of their field's kind.
                (_, ReportValue::Text(_)) => continue,
            };
            out.push((field.name(), new));
        }
        Ok(out)
    }
}
