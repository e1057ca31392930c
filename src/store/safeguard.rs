//! A possible indecent image of a child: recorded without capturing anything of it,
//! or a captured item's bytes removed (the one exception to never-delete).

use super::Store;
use super::custody_log::append_custody_tx;
use crate::StoreError;
use crate::case::{self, IncidentReport, Item, SafeguardNote};
use crate::clock;
use crate::event::{self, Event};
use crate::fsutil::sync_dir;
use rusqlite::params;
use std::fs;

impl Store {
    /// Record that a possible indecent image of a child was seen. Nothing of it is
    /// captured: only when, where (as typed) and, if given, when the police were told.
    pub fn record_indecent_image(
        &self,
        case_id: &str,
        site: Option<&str>,
        police_informed: Option<&str>,
        actor: &str,
    ) -> Result<SafeguardNote, StoreError> {
        let site = case::optional("The site", site)?;
        let police_informed =
            match case::optional("The time the police were told", police_informed)? {
                Some(v) => Some(clock::normalise(&v).ok_or(StoreError::BadTime { value: v })?),
                None => None,
            };
        let case = self.case(case_id)?;
        let note = SafeguardNote {
            recorded: (self.clock)(),
            site,
            police_informed,
        };
        let tx = self.write_tx()?;
        let text: String = tx
            .query_row("SELECT report FROM cases WHERE id = ?1", [&case.id], |r| {
                r.get(0)
            })
            .map_err(|e| self.db_err(e))?;
        let mut report: IncidentReport =
            serde_json::from_str(&text).map_err(|_| StoreError::ReportUnreadable {
                case: case.id.clone(),
            })?;
        report.indecent_images.push(note.clone());
        tx.execute(
            "UPDATE cases SET report = ?1 WHERE id = ?2",
            params![serde_json::to_string(&report).unwrap_or_default(), case.id],
        )
        .map_err(|e| self.db_err(e))?;
        append_custody_tx(
            &tx,
            &note.recorded,
            actor,
            Some(&case.id),
            None,
            &Event::IndecentImageRecorded(event::IndecentImageRecorded {
                note: note.clone(),
                advice_given: INDECENT_IMAGE_ADVICE.to_string(),
            }),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        Ok(note)
    }

    /// Mark a captured item as a possible indecent image of a child and remove its bytes
    /// from the store: the one exception to never-delete, which the school's policy
    /// itself demands (never copied, never kept). Every item with the same bytes is
    /// marked (they are the same picture); the records, their hashes and the reason
    /// stay, and the case's report gets a safeguard note. The custody entries are
    /// committed before the file is removed, so a crash in between leaves bytes that
    /// `check` names and that calling this again removes.
    pub fn remove_indecent_item(
        &self,
        item_id: i64,
        police_informed: Option<&str>,
        actor: &str,
    ) -> Result<Item, StoreError> {
        let item = self.item(item_id)?;
        let path = self.object_path(&item.sha256);
        if item.removed.is_none() {
            let at = (self.clock)();
            let tx = self.write_tx()?;
            let mut same: Vec<(i64, String)> = Vec::new();
            {
                let mut st = tx
                    .prepare(
                        "SELECT id, case_id FROM items WHERE sha256 = ?1 AND removed_utc IS NULL",
                    )
                    .map_err(|e| self.db_err(e))?;
                let rows = st
                    .query_map([&item.sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(|e| self.db_err(e))?;
                for r in rows {
                    same.push(r.map_err(|e| self.db_err(e))?);
                }
            }
            tx.execute(
                "UPDATE items SET removed_utc = ?1, removed_local = ?2, removed_zone = ?3,
                    removed_reason = ?4 WHERE sha256 = ?5 AND removed_utc IS NULL",
                params![
                    at.utc,
                    at.local,
                    at.zone,
                    INDECENT_IMAGE_REASON,
                    item.sha256
                ],
            )
            .map_err(|e| self.db_err(e))?;
            tx.execute(
                "DELETE FROM object_blocks WHERE sha256 = ?1",
                [&item.sha256],
            )
            .map_err(|e| self.db_err(e))?;
            for (id, case_id) in &same {
                append_custody_tx(
                    &tx,
                    &at,
                    actor,
                    Some(case_id),
                    Some(*id),
                    &Event::IndecentImageRemoved(event::IndecentImageRemoved {
                        sha256: item.sha256.clone(),
                        at: at.clone(),
                        reason: INDECENT_IMAGE_REASON.to_string(),
                    }),
                )
                .map_err(|e| self.db_err(e))?;
            }
            self.commit(tx)?;
            self.record_indecent_image(
                &item.case_id,
                item.site.as_deref(),
                police_informed,
                actor,
            )?;
        }
        let unfinished = |source| StoreError::RemovalUnfinished {
            item: item_id,
            path: path.clone(),
            source,
        };
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(path.parent().unwrap_or(&self.root)).map_err(unfinished)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(unfinished(e)),
        }
        self.item(item_id)
    }
}

/// The reason recorded when an item's bytes are removed as a possible indecent image.
pub const INDECENT_IMAGE_REASON: &str = "Marked as a possible indecent image of a child: its bytes were removed and are never kept, as the school's policy requires. The police are to be told.";

/// What Evidence Kit tells the person when they record a possible indecent image of a
/// child, as the school's policy requires (kept in the custody entry).
pub const INDECENT_IMAGE_ADVICE: &str = "Do not copy, screenshot, forward or save it, and do not investigate it. Tell the police now (999 in an emergency, otherwise 101) and tell your designated safeguarding person straight away.";
