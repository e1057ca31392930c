//! A case's incident report: changed field by field, each change a `report_edited`
//! custody entry that keeps the old value.

use super::Store;
use super::custody_log::append_custody_tx;
use crate::StoreError;
use crate::case::{self, Case, IncidentReport, PoliceDecision, Responsible};
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

/// A change to a case's incident report: for each field, `None` leaves it as it is,
/// `Some(None)` clears it, `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default)]
pub struct ReportUpdate {
    /// The reporting person's role.
    pub role: Option<Option<String>>,
    /// School e-mail or phone.
    pub contact: Option<Option<String>>,
    /// The designated person it is addressed to.
    pub addressed_to: Option<Option<String>>,
    /// What happened.
    pub description: Option<Option<String>>,
    /// Who is believed responsible.
    pub responsible: Option<Option<Responsible>>,
    /// Others involved or witnesses.
    pub witnesses: Option<Option<String>>,
    /// Still going on.
    pub continuing: Option<Option<bool>>,
    /// Reported to the platform ("DATE REF").
    pub platform_report: Option<Option<String>>,
    /// Advice sought.
    pub advice: Option<Option<String>>,
    /// Others informed.
    pub informed: Option<Option<String>>,
    /// The police decision.
    pub police: Option<Option<PoliceDecision>>,
    /// Police reference.
    pub police_ref: Option<Option<String>>,
}

impl ReportUpdate {
    /// (field, new JSON value) for each field given, checked.
    fn changes(&self) -> Result<Vec<(&'static str, serde_json::Value)>, StoreError> {
        let mut out = Vec::new();
        let texts: [(&'static str, &'static str, &Option<Option<String>>, usize); 9] = [
            ("role", "The role", &self.role, case::MAX_TEXT_CHARS),
            (
                "contact",
                "The contact",
                &self.contact,
                case::MAX_TEXT_CHARS,
            ),
            (
                "addressed_to",
                "The designated person's name",
                &self.addressed_to,
                case::MAX_TEXT_CHARS,
            ),
            (
                "description",
                "The description",
                &self.description,
                case::MAX_DESCRIPTION_CHARS,
            ),
            (
                "witnesses",
                "The witnesses",
                &self.witnesses,
                case::MAX_TEXT_CHARS,
            ),
            (
                "platform_report",
                "The platform report",
                &self.platform_report,
                case::MAX_TEXT_CHARS,
            ),
            (
                "advice",
                "The advice sought",
                &self.advice,
                case::MAX_TEXT_CHARS,
            ),
            (
                "informed",
                "Who else was informed",
                &self.informed,
                case::MAX_TEXT_CHARS,
            ),
            (
                "police_ref",
                "The police reference",
                &self.police_ref,
                case::MAX_TEXT_CHARS,
            ),
        ];
        for (field, what, value, max) in texts {
            if let Some(v) = value {
                let v = case::optional_up_to(what, v.as_deref(), max)?;
                out.push((field, json!(v)));
            }
        }
        if let Some(v) = self.responsible {
            out.push(("responsible", serde_json::to_value(v).unwrap_or_default()));
        }
        if let Some(v) = self.continuing {
            out.push(("continuing", json!(v)));
        }
        if let Some(v) = self.police {
            out.push(("police", serde_json::to_value(v).unwrap_or_default()));
        }
        Ok(out)
    }
}
