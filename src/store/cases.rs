//! Cases: opened (with their `case_created` entry), listed with their state, read.

use super::Store;
use super::custody_log::append_custody_tx;
use crate::StoreError;
use crate::case::{self, Case, CaseState, CaseSummary, IncidentReport};
use crate::clock::Stamp;
use crate::event::{self, Event};
use rusqlite::{OptionalExtension, Row, params};

impl Store {
    /// Open a new case.
    pub fn create_case(&self, title: &str, staff: &str) -> Result<Case, StoreError> {
        let title = case::required("The case title", title)?;
        let staff = case::required("The staff member's name", staff)?;
        let created = (self.clock)();
        let day = created
            .utc
            .get(..10)
            .unwrap_or("0000-00-00")
            .replace('-', "");
        let tx = self.write_tx()?;
        let mut id;
        loop {
            let rand = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
            id = format!("EK-{day}-{}", &rand[..6]);
            let taken: bool = tx
                .query_row("SELECT 1 FROM cases WHERE id = ?1", [&id], |_| Ok(true))
                .optional()
                .map_err(|e| self.db_err(e))?
                .unwrap_or(false);
            if !taken {
                break;
            }
        }
        tx.execute(
            "INSERT INTO cases (id, title, staff, created_utc, created_local, created_zone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, title, staff, created.utc, created.local, created.zone],
        )
        .map_err(|e| self.db_err(e))?;
        let case = Case {
            id,
            title,
            staff,
            created,
            report: IncidentReport::default(),
        };
        append_custody_tx(
            &tx,
            &case.created,
            &case.staff,
            Some(&case.id),
            None,
            &Event::CaseCreated(event::CaseCreated {
                title: case.title.clone(),
                staff: case.staff.clone(),
                created: case.created.clone(),
            }),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(case)
    }

    /// All cases, newest first, with item counts.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT c.id, c.title, c.staff, c.created_utc, c.created_local, c.created_zone,
                        c.report, count(i.id), count(i.withdrawn_utc),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id AND action = 'sealed'),
                        (SELECT local FROM custody WHERE case_id = c.id AND action = 'sealed'
                            ORDER BY seq DESC LIMIT 1),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id AND action = 'handed_over'),
                        (SELECT local FROM custody WHERE case_id = c.id AND action = 'handed_over'
                            ORDER BY seq DESC LIMIT 1),
                        (SELECT max(seq) FROM custody WHERE case_id = c.id
                            AND action NOT IN ('sealed', 'handed_over', 'receipt')),
                        (SELECT r.details FROM custody r WHERE r.case_id = c.id AND r.action = 'receipt'
                            AND json_extract(r.details, '$.bundle_sha256') =
                                (SELECT json_extract(s.details, '$.sha256') FROM custody s
                                 WHERE s.case_id = c.id AND s.action = 'sealed'
                                 ORDER BY s.seq DESC LIMIT 1)
                            ORDER BY r.seq DESC LIMIT 1)
                 FROM cases c LEFT JOIN items i ON i.case_id = c.id
                 GROUP BY c.id ORDER BY c.created_utc DESC, c.id",
            )
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], |r| {
                let sealed_seq: Option<i64> = r.get(9)?;
                let handed_seq: Option<i64> = r.get(11)?;
                let changed_seq: Option<i64> = r.get(13)?;
                let state = match (sealed_seq, handed_seq) {
                    (None, _) => CaseState::Open,
                    (Some(s), Some(h)) if h > s => CaseState::Sent,
                    _ => CaseState::Sealed,
                };
                Ok(CaseSummary {
                    case: case_from_row(r)?,
                    items: r.get(7)?,
                    withdrawn: r.get(8)?,
                    state,
                    last_sealed: r.get(10)?,
                    handed_over: r.get(12)?,
                    changed_since_seal: matches!((sealed_seq, changed_seq), (Some(s), Some(c)) if c > s),
                    receipt: r
                        .get::<_, Option<String>>(14)?
                        .and_then(|d| serde_json::from_str::<event::Receipt>(&d).ok())
                        .map(|d| crate::receipt::words(&d)),
                })
            })
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Who a change to record `case_id` is recorded as made by: the staff member the
    /// record is about (the app has one user, and the record is theirs). Both shells
    /// ask this, so the rule is written once.
    pub fn actor_for_case(&self, case_id: &str) -> Result<String, StoreError> {
        Ok(self.case(case_id)?.staff)
    }

    /// [`Store::actor_for_case`] of the record item `item_id` is in.
    pub fn actor_for_item(&self, item_id: i64) -> Result<String, StoreError> {
        self.actor_for_case(&self.item(item_id)?.case_id)
    }

    /// One case.
    pub fn case(&self, id: &str) -> Result<Case, StoreError> {
        self.conn
            .query_row(
                "SELECT id, title, staff, created_utc, created_local, created_zone, report
                 FROM cases WHERE id = ?1",
                [id.trim()],
                case_from_row,
            )
            .optional()
            .map_err(|e| self.db_err(e))?
            .ok_or_else(|| StoreError::UnknownCase { id: id.to_string() })
    }

    /// The report column as stored (for `check`, which must see an unreadable one).
    pub(crate) fn raw_report(&self, case_id: &str) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT report FROM cases WHERE id = ?1", [case_id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))
    }
}

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    let report: String = r.get(6)?;
    Ok(Case {
        id: r.get(0)?,
        title: r.get(1)?,
        staff: r.get(2)?,
        created: Stamp {
            utc: r.get(3)?,
            local: r.get(4)?,
            zone: r.get(5)?,
        },
        // A report the index cannot read shows as empty here; `check` names it.
        report: serde_json::from_str(&report).unwrap_or_default(),
    })
}
