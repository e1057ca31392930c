//! Items: their rows (each inserted with its `captured` entry), reads, block hashes,
//! withdrawal, and the descriptive fields that may be edited after capture.

use super::Store;
use super::custody_log::append_custody_tx;
use super::ingest::NewItem;
use crate::StoreError;
use crate::case::{self, Item, Removal, Sender, Source, Withdrawal};
use crate::clock::{self, Stamp};
use crate::digest::Blocks;
use crate::event::{self, Event};
use rusqlite::{OptionalExtension, Row, params};

impl Store {
    /// Whether these bytes were removed as a possible indecent image of a child (they
    /// are never taken in again).
    pub(crate) fn is_removed_hash(&self, sha256: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM items WHERE sha256 = ?1 AND removed_utc IS NOT NULL LIMIT 1",
                [sha256],
                |_| Ok(true),
            )
            .optional()
            .map(|o| o.unwrap_or(false))
            .map_err(|e| self.db_err(e))
    }

    pub(super) fn insert_item_tx(
        &self,
        tx: &rusqlite::Transaction<'_>,
        new: NewItem,
    ) -> Result<Item, StoreError> {
        let exists: Option<i64> = tx
            .query_row("SELECT 1 FROM cases WHERE id = ?1", [&new.case_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.db_err(e))?;
        if exists.is_none() {
            return Err(StoreError::UnknownCase { id: new.case_id });
        }
        let email_json = new
            .email
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        tx.execute(
            "INSERT INTO items (case_id, sha256, size, media_type, original_name, source,
                captured_utc, captured_local, captured_zone, captured_by, site, url,
                from_handle, from_email, from_phone, from_profile, seen, note, email_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19)",
            params![
                new.case_id,
                new.sha256,
                new.size as i64,
                new.media_type,
                new.original_name,
                new.source.as_str(),
                new.captured.utc,
                new.captured.local,
                new.captured.zone,
                new.captured_by,
                new.site,
                new.url,
                new.from.handle,
                new.from.email,
                new.from.phone,
                new.from.profile,
                new.seen,
                new.note,
                email_json,
            ],
        )
        .map_err(|e| self.db_err(e))?;
        let id = tx.last_insert_rowid();
        let digests: Vec<u8> = new.blocks.digests.iter().flatten().copied().collect();
        tx.execute(
            "INSERT OR IGNORE INTO object_blocks (sha256, block_size, digests, crc32)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                new.sha256,
                new.blocks.size as i64,
                digests,
                new.blocks.crc32
            ],
        )
        .map_err(|e| self.db_err(e))?;
        let item = Item {
            id,
            case_id: new.case_id,
            sha256: new.sha256,
            size: new.size,
            media_type: new.media_type,
            original_name: new.original_name,
            source: new.source,
            captured: new.captured,
            captured_by: new.captured_by,
            site: new.site,
            url: new.url,
            from: new.from,
            seen: new.seen,
            note: new.note,
            email: new.email,
            withdrawn: None,
            removed: None,
        };
        append_custody_tx(
            tx,
            &item.captured,
            &item.captured_by,
            Some(&item.case_id),
            Some(id),
            &Event::Captured(Box::new(item.clone())),
        )
        .map_err(|e| self.db_err(e))?;
        Ok(item)
    }

    /// The items of a case, in capture order.
    pub fn items(&self, case_id: &str) -> Result<Vec<Item>, StoreError> {
        self.case(case_id)?;
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE case_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([case_id.trim()], item_from_row)
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Call `f` with each item of a case, in capture order, one row at a time (seal
    /// walks thousands of items without holding them all).
    pub fn each_item(
        &self,
        case_id: &str,
        f: &mut dyn FnMut(Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE case_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.db_err(e))?;
        let mut rows = st.query([case_id.trim()]).map_err(|e| self.db_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.db_err(e))? {
            f(item_from_row(row).map_err(|e| self.db_err(e))?)?;
        }
        Ok(())
    }

    /// Whether any item (withdrawn or removed ones too) names the object `sha256`.
    pub(super) fn item_names(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM items WHERE sha256 = ?1 LIMIT 1",
                [sha256],
                |_| Ok(true),
            )
            .optional()
            .map_err(|e| self.db_err(e))?
            .unwrap_or(false))
    }

    /// Whether the store says why the object `sha256` is kept, read afresh (for
    /// `check`, about an object no item named in its snapshot): an item names it now,
    /// or a custody entry says a capture of it was interrupted after its bytes were saved.
    pub(crate) fn object_accounted_for(&self, sha256: &str) -> Result<bool, StoreError> {
        let named = self.item_names(sha256)?;
        if named {
            return Ok(true);
        }
        let mut st = self
            .conn
            .prepare("SELECT details FROM custody WHERE action = 'interrupted_capture_kept'")
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.db_err(e))?;
        for details in rows {
            let details = details.map_err(|e| self.db_err(e))?;
            if let Some(Event::InterruptedCaptureKept(d)) =
                Event::read("interrupted_capture_kept", &details)
                && !d.sha256.is_empty()
                && d.sha256 == sha256
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The block hashes taken when these bytes were captured.
    pub fn blocks(&self, sha256: &str) -> Result<Option<Blocks>, StoreError> {
        // Cached statement: seal asks once per item, thousands of times.
        let row: Option<(i64, Vec<u8>, u32)> = self
            .conn
            .prepare_cached(
                "SELECT block_size, digests, crc32 FROM object_blocks WHERE sha256 = ?1",
            )
            .and_then(|mut st| {
                st.query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.db_err(e))?;
        Ok(row.map(|(size, d, crc32)| Blocks {
            crc32,
            size: size.max(1) as u64,
            digests: d
                .chunks_exact(32)
                .map(|c| {
                    let mut a = [0u8; 32];
                    a.copy_from_slice(c);
                    a
                })
                .collect(),
        }))
    }

    /// Every item in the store, in id order (for `check`).
    pub fn all_items(&self) -> Result<Vec<Item>, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY id");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([], item_from_row)
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// One item.
    pub fn item(&self, id: i64) -> Result<Item, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], item_from_row)
            .optional()
            .map_err(|e| self.db_err(e))?
            .ok_or_else(|| StoreError::UnknownItem { id: id.to_string() })
    }

    /// Mark an item withdrawn, with a reason. Its bytes and record stay.
    pub fn withdraw(&self, item_id: i64, reason: &str, actor: &str) -> Result<Item, StoreError> {
        let reason = case::required("The reason for withdrawing", reason)?;
        let item = self.item(item_id)?;
        if item.withdrawn.is_some() {
            return Err(StoreError::AlreadyWithdrawn { id: item_id });
        }
        let at = (self.clock)();
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE items SET withdrawn_utc = ?1, withdrawn_local = ?2, withdrawn_zone = ?3,
                withdrawn_reason = ?4 WHERE id = ?5 AND withdrawn_utc IS NULL",
            params![at.utc, at.local, at.zone, reason, item_id],
        )
        .map_err(|e| self.db_err(e))?;
        append_custody_tx(
            &tx,
            &at,
            actor,
            Some(&item.case_id),
            Some(item_id),
            &Event::Withdrawn(event::Withdrawn {
                reason: reason.to_string(),
                at: at.clone(),
            }),
        )
        .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        self.item(item_id)
    }

    /// The sites and apps typed for earlier items, most recently used first (for
    /// suggestions while describing a new item).
    pub fn recent_sites(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT site FROM items WHERE site IS NOT NULL AND site <> ''
                 GROUP BY site ORDER BY max(id) DESC LIMIT ?1",
            )
            .map_err(|e| self.db_err(e))?;
        let rows = st
            .query_map([limit as i64], |r| r.get(0))
            .map_err(|e| self.db_err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db_err(e))
    }

    /// Change several descriptive fields of an item at once (each change its own
    /// custody entry, old value kept); all are checked before any is written.
    pub fn edit_item_fields(
        &self,
        item_id: i64,
        changes: &[(ItemField, Option<String>)],
        actor: &str,
    ) -> Result<Item, StoreError> {
        for (field, value) in changes {
            let v = case::optional(field.label(), value.as_deref())?;
            if *field == ItemField::Seen
                && let Some(v) = &v
                && clock::normalise(v).is_none()
            {
                return Err(StoreError::BadTime { value: v.clone() });
            }
        }
        let mut item = self.item(item_id)?;
        for (field, value) in changes {
            item = self.edit_item(item_id, *field, value.as_deref(), actor)?;
        }
        Ok(item)
    }

    /// Change one of an item's descriptive fields; the old value stays in the log.
    pub fn edit_item(
        &self,
        item_id: i64,
        field: ItemField,
        value: Option<&str>,
        actor: &str,
    ) -> Result<Item, StoreError> {
        let mut value = case::optional(field.label(), value)?;
        if field == ItemField::Seen
            && let Some(v) = &value
        {
            value =
                Some(clock::normalise(v).ok_or_else(|| StoreError::BadTime { value: v.clone() })?);
        }
        let item = self.item(item_id)?;
        let old = field.get(&item);
        if old == value {
            return Ok(item);
        }
        let at = (self.clock)();
        let tx = self.write_tx()?;
        tx.execute(
            &format!("UPDATE items SET {} = ?1 WHERE id = ?2", field.column()),
            params![value, item_id],
        )
        .map_err(|e| self.db_err(e))?;
        let edit = event::ItemEdit {
            field: field.column().to_string(),
            old,
            new: value,
        };
        let event = if field == ItemField::Note {
            Event::NoteEdited(edit)
        } else {
            Event::DetailsEdited(edit)
        };
        append_custody_tx(&tx, &at, actor, Some(&item.case_id), Some(item_id), &event)
            .map_err(|e| self.db_err(e))?;
        self.commit(tx)?;
        self.item(item_id)
    }
}

/// An item field that may be changed after capture (the bytes never can).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ts_rs::TS)]
#[ts(rename_all = "snake_case")]
pub enum ItemField {
    /// The note.
    Note,
    /// Site or app.
    Site,
    /// Full address.
    Url,
    /// When it was seen.
    Seen,
    /// Sender handle.
    FromHandle,
    /// Sender e-mail.
    FromEmail,
    /// Sender phone.
    FromPhone,
    /// Sender profile address.
    FromProfile,
}

impl ItemField {
    /// Every field, in the order the CLI and the app list them.
    pub const ALL: [ItemField; 8] = [
        ItemField::Note,
        ItemField::Site,
        ItemField::Url,
        ItemField::Seen,
        ItemField::FromHandle,
        ItemField::FromEmail,
        ItemField::FromPhone,
        ItemField::FromProfile,
    ];

    /// The field's name, as its column, `edit --field` and the custody log spell it.
    pub fn name(self) -> &'static str {
        self.column()
    }

    /// The field in words, for the log ("who it came from (username)").
    pub fn words(self) -> &'static str {
        crate::case::item_field_words(self.column()).unwrap_or(self.column())
    }

    fn column(self) -> &'static str {
        match self {
            ItemField::Note => "note",
            ItemField::Site => "site",
            ItemField::Url => "url",
            ItemField::Seen => "seen",
            ItemField::FromHandle => "from_handle",
            ItemField::FromEmail => "from_email",
            ItemField::FromPhone => "from_phone",
            ItemField::FromProfile => "from_profile",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ItemField::Note => "The note",
            ItemField::Site => "The site",
            ItemField::Url => "The address",
            ItemField::Seen => "The time it was seen",
            ItemField::FromHandle => "The username",
            ItemField::FromEmail => "The e-mail address",
            ItemField::FromPhone => "The phone number",
            ItemField::FromProfile => "The profile address",
        }
    }

    fn get(self, item: &Item) -> Option<String> {
        match self {
            ItemField::Note => item.note.clone(),
            ItemField::Site => item.site.clone(),
            ItemField::Url => item.url.clone(),
            ItemField::Seen => item.seen.clone(),
            ItemField::FromHandle => item.from.handle.clone(),
            ItemField::FromEmail => item.from.email.clone(),
            ItemField::FromPhone => item.from.phone.clone(),
            ItemField::FromProfile => item.from.profile.clone(),
        }
    }

    /// Parse a column name (`note`, `site`, …), spelt exactly.
    pub fn parse(s: &str) -> Option<ItemField> {
        ItemField::ALL.into_iter().find(|f| f.column() == s)
    }
}

const ITEM_COLUMNS: &str = "id, case_id, sha256, size, media_type, original_name, source, \
     captured_utc, captured_local, captured_zone, captured_by, site, url, from_handle, \
     from_email, from_phone, from_profile, seen, note, email_json, withdrawn_utc, \
     withdrawn_local, withdrawn_zone, withdrawn_reason, removed_utc, removed_local, \
     removed_zone, removed_reason";

fn item_from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let source: String = r.get(6)?;
    let email_json: Option<String> = r.get(19)?;
    let withdrawn_utc: Option<String> = r.get(20)?;
    let size: i64 = r.get(3)?;
    Ok(Item {
        id: r.get(0)?,
        case_id: r.get(1)?,
        sha256: r.get(2)?,
        size: size.max(0) as u64,
        media_type: r.get(4)?,
        original_name: r.get(5)?,
        // An unknown word (a hand-edited row) reads as "file"; `check` names the edit.
        source: Source::parse(&source).unwrap_or(Source::File),
        captured: Stamp {
            utc: r.get(7)?,
            local: r.get(8)?,
            zone: r.get(9)?,
        },
        captured_by: r.get(10)?,
        site: r.get(11)?,
        url: r.get(12)?,
        from: Sender {
            handle: r.get(13)?,
            email: r.get(14)?,
            phone: r.get(15)?,
            profile: r.get(16)?,
        },
        seen: r.get(17)?,
        note: r.get(18)?,
        email: email_json.and_then(|j| serde_json::from_str(&j).ok()),
        withdrawn: match withdrawn_utc {
            None => None,
            Some(utc) => Some(Withdrawal {
                at: Stamp {
                    utc,
                    local: r.get::<_, Option<String>>(21)?.unwrap_or_default(),
                    zone: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
                },
                reason: r.get::<_, Option<String>>(23)?.unwrap_or_default(),
            }),
        },
        removed: match r.get::<_, Option<String>>(24)? {
            None => None,
            Some(utc) => Some(Removal {
                at: Stamp {
                    utc,
                    local: r.get::<_, Option<String>>(25)?.unwrap_or_default(),
                    zone: r.get::<_, Option<String>>(26)?.unwrap_or_default(),
                },
                reason: r.get::<_, Option<String>>(27)?.unwrap_or_default(),
            }),
        },
    })
}
