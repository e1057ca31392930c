//! The custody actions, typed: one variant per action with its details as fields.
//! Every writer of the custody log passes an [`Event`]; its `details` text is
//! `serde_json::to_value(payload)` written compactly, so the keys come out sorted and
//! the text is byte for byte what the untyped writers wrote before
//! (`tests/core/golden.rs` pins a chain made by them). [`Event::read`] turns an entry's
//! action and details back into the same value: for every known action, the text it
//! writes again is the text it read.
//!
//! `custody` stays the format (entries, hashes, the chain) and knows nothing of the
//! actions; this module is the one place their details are spelt, and says what an
//! entry records in words ([`Entry::describe`]).
//!
//! Reading is lenient, as the string-key readers it replaced were: a field missing from
//! the details (an older version's entry, or one written by hand) reads as empty (`""`,
//! `0`, `false`, none, a blank time), and a reader that had a fallback for it keeps it
//! (the seal's fingerprint from its key id, its time from the entry's). Details that do
//! not read at all (not JSON, a value of the wrong type) are no event: an unknown
//! action's. `captured` is the item record's own serde, unchanged since the first
//! version. Writing is unchanged: every field is always written.

use crate::case::{
    Item, POLICE_DECIDED, PoliceDecision, ReportField, Responsible, SafeguardNote,
    item_field_words, kind_in_words,
};
use crate::clock::{self, Stamp};
use crate::custody::Entry;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One custody action and its details.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `case_created`: a record started.
    CaseCreated(CaseCreated),
    /// `captured`: an item kept; the details are the whole item record.
    Captured(Box<Item>),
    /// `note_edited`: an item's note changed.
    NoteEdited(ItemEdit),
    /// `details_edited`: another of an item's fields changed.
    DetailsEdited(ItemEdit),
    /// `withdrawn`: an item withdrawn (kept, marked).
    Withdrawn(Withdrawn),
    /// `report_edited`: one field of the incident report changed.
    ReportEdited(ReportEdit),
    /// `indecent_image_recorded`: a possible indecent image noted as seen, nothing kept.
    IndecentImageRecorded(IndecentImageRecorded),
    /// `indecent_image_removed`: an item's bytes removed as a possible indecent image.
    IndecentImageRemoved(IndecentImageRemoved),
    /// `sealed`: the record sealed into a bundle.
    Sealed(Box<Sealed>),
    /// `handed_over`: the staff member says they gave the sealed file.
    HandedOver(HandedOver),
    /// `receipt`: the designated person's signed receipt, checked and recorded.
    Receipt(Receipt),
    /// `clock_set_back`: before sealing, the clock read earlier than the log.
    ClockSetBack(ClockSetBack),
    /// `incomplete_capture_removed`: an unfinished capture's temporary file cleaned up.
    IncompleteCaptureRemoved(IncompleteCapture),
    /// `interrupted_capture_kept`: a capture's bytes saved but never recorded, kept.
    InterruptedCaptureKept(InterruptedCapture),
}

/// `case_created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCreated {
    /// The record's title.
    #[serde(default)]
    pub title: String,
    /// The staff member it is about.
    #[serde(default)]
    pub staff: String,
    /// When it was started.
    #[serde(default = "unstamped")]
    pub created: Stamp,
}

/// `note_edited` and `details_edited`: the field (its column name), its value before
/// and after (`null` for none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemEdit {
    /// The field, by its stored name.
    pub field: String,
    /// Its value before (`null` for none).
    pub old: Option<String>,
    /// Its value after (`null` for none).
    pub new: Option<String>,
}

/// `withdrawn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    /// Why, in the person's words (or the app's).
    #[serde(default)]
    pub reason: String,
    /// When.
    #[serde(default = "unstamped")]
    pub at: Stamp,
}

/// `report_edited`: the report's field, and its value before and after as stored
/// (text, a yes/no, a time: whatever the field holds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportEdit {
    /// The field, by its stored name.
    pub field: String,
    /// Its value before (`null` for none).
    pub old: Value,
    /// Its value after (`null` for none).
    pub new: Value,
}

/// `indecent_image_recorded`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndecentImageRecorded {
    /// What was noted (when, where, when the police were told).
    #[serde(default = "no_note")]
    pub note: SafeguardNote,
    /// The advice shown to the person.
    #[serde(default)]
    pub advice_given: String,
}

/// `indecent_image_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndecentImageRemoved {
    /// SHA-256 of the bytes concerned.
    #[serde(default)]
    pub sha256: String,
    /// When.
    #[serde(default = "unstamped")]
    pub at: Stamp,
    /// Why, in the person's words (or the app's).
    #[serde(default)]
    pub reason: String,
}

/// `sealed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sealed {
    /// The bundle's id.
    pub bundle: String,
    /// The file's name.
    pub file: String,
    /// SHA-256 of the bytes concerned.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Items sealed.
    pub items: u64,
    /// Bytes of evidence sealed.
    pub payload_bytes: u64,
    /// The signing key's id.
    pub signer_key_id: String,
    /// The signing key's fingerprint, in words.
    pub signer_fingerprint: String,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// Whom it was encrypted to.
    pub recipients: Vec<SealedFor>,
    /// When it was sealed.
    pub sealed: Stamp,
}

/// A seal's details with every field missing: what a `sealed` entry whose details do
/// not read shows.
impl Default for Sealed {
    fn default() -> Sealed {
        Sealed {
            bundle: String::new(),
            file: String::new(),
            sha256: String::new(),
            size: 0,
            items: 0,
            payload_bytes: 0,
            signer_key_id: String::new(),
            signer_fingerprint: String::new(),
            encrypted: false,
            recipients: Vec::new(),
            sealed: unstamped(),
        }
    }
}

/// One designated person a bundle was encrypted to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SealedFor {
    /// Their name.
    pub name: String,
    /// Their age recipient.
    pub recipient: String,
    /// Its fingerprint, in words.
    pub fingerprint: String,
}

/// `handed_over`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandedOver {
    /// To whom, when the person said.
    pub to: Option<String>,
}

/// `receipt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Receipt {
    /// Who received it.
    pub received_by: String,
    /// When (local time with offset).
    pub received: String,
    /// `intact` or `failed`.
    pub verdict: String,
    /// SHA-256 of the bundle received.
    pub bundle_sha256: String,
    /// The fingerprint of the key that signed the receipt.
    pub key: String,
}

/// `clock_set_back`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockSetBack {
    /// The latest time already in the log.
    pub latest_utc: String,
    /// What the clock read.
    pub now_utc: String,
}

/// `incomplete_capture_removed`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncompleteCapture {
    /// The file's name.
    pub file: String,
    /// Its size in bytes.
    pub size: u64,
    /// What happened, in words.
    pub why: String,
}

/// `interrupted_capture_kept`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterruptedCapture {
    /// The file's name.
    pub file: String,
    /// SHA-256 of the bytes concerned.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// What happened, in words.
    pub why: String,
}

/// A missing time: blank.
fn unstamped() -> Stamp {
    Stamp {
        utc: String::new(),
        local: String::new(),
        zone: String::new(),
    }
}

/// A missing note: blank.
fn no_note() -> SafeguardNote {
    SafeguardNote {
        recorded: unstamped(),
        site: None,
        police_informed: None,
    }
}

impl Event {
    /// The action's name, as stored in the log.
    pub fn action(&self) -> &'static str {
        match self {
            Event::CaseCreated(_) => "case_created",
            Event::Captured(_) => "captured",
            Event::NoteEdited(_) => "note_edited",
            Event::DetailsEdited(_) => "details_edited",
            Event::Withdrawn(_) => "withdrawn",
            Event::ReportEdited(_) => "report_edited",
            Event::IndecentImageRecorded(_) => "indecent_image_recorded",
            Event::IndecentImageRemoved(_) => "indecent_image_removed",
            Event::Sealed(_) => "sealed",
            Event::HandedOver(_) => "handed_over",
            Event::Receipt(_) => "receipt",
            Event::ClockSetBack(_) => "clock_set_back",
            Event::IncompleteCaptureRemoved(_) => "incomplete_capture_removed",
            Event::InterruptedCaptureKept(_) => "interrupted_capture_kept",
        }
    }

    /// The details as JSON (an object; its text, written compactly, has sorted keys).
    pub fn details(&self) -> Value {
        let v = match self {
            Event::CaseCreated(d) => serde_json::to_value(d),
            Event::Captured(d) => serde_json::to_value(d),
            Event::NoteEdited(d) | Event::DetailsEdited(d) => serde_json::to_value(d),
            Event::Withdrawn(d) => serde_json::to_value(d),
            Event::ReportEdited(d) => serde_json::to_value(d),
            Event::IndecentImageRecorded(d) => serde_json::to_value(d),
            Event::IndecentImageRemoved(d) => serde_json::to_value(d),
            Event::Sealed(d) => serde_json::to_value(d),
            Event::HandedOver(d) => serde_json::to_value(d),
            Event::Receipt(d) => serde_json::to_value(d),
            Event::ClockSetBack(d) => serde_json::to_value(d),
            Event::IncompleteCaptureRemoved(d) => serde_json::to_value(d),
            Event::InterruptedCaptureKept(d) => serde_json::to_value(d),
        };
        // Plain data with string keys: serialising it cannot fail.
        v.expect("custody details are plain data")
    }

    /// The details text, as stored in the log.
    pub fn details_text(&self) -> String {
        self.details().to_string()
    }

    /// The event an entry's `action` and `details` record, when the action is one this
    /// version knows and its details read as that action's; `None` otherwise (a newer
    /// version's action, or details written by hand).
    pub fn read(action: &str, details: &str) -> Option<Event> {
        fn of<T: serde::de::DeserializeOwned>(details: &str) -> Option<T> {
            serde_json::from_str(details).ok()
        }
        Some(match action {
            "case_created" => Event::CaseCreated(of(details)?),
            "captured" => Event::Captured(of(details)?),
            "note_edited" => Event::NoteEdited(of(details)?),
            "details_edited" => Event::DetailsEdited(of(details)?),
            "withdrawn" => Event::Withdrawn(of(details)?),
            "report_edited" => Event::ReportEdited(of(details)?),
            "indecent_image_recorded" => Event::IndecentImageRecorded(of(details)?),
            "indecent_image_removed" => Event::IndecentImageRemoved(of(details)?),
            "sealed" => Event::Sealed(of(details)?),
            "handed_over" => Event::HandedOver(of(details)?),
            "receipt" => Event::Receipt(of(details)?),
            "clock_set_back" => Event::ClockSetBack(of(details)?),
            "incomplete_capture_removed" => Event::IncompleteCaptureRemoved(of(details)?),
            "interrupted_capture_kept" => Event::InterruptedCaptureKept(of(details)?),
            _ => return None,
        })
    }
}

impl Entry {
    /// This entry's action and details, typed (see [`Event::read`]).
    pub fn event(&self) -> Option<Event> {
        Event::read(&self.action, &self.details)
    }

    /// What this entry records, in one plain sentence (for the app's timeline and the
    /// CLI's `log`), in the words the app uses: "record", "sealed file", an item's kind
    /// ([`kind_in_words`]), fields by their labels, times as "12 Dec 2026, 14:02" in
    /// the local time the entry was written in; no SHA-256, media type or JSON (those
    /// are in [`technical`](Self::technical)). Texts are quoted as recorded. An entry
    /// that is no event (see [`Event::read`]) is said by its action and item:
    /// `Something_new item 3.`
    pub fn describe(&self) -> String {
        let text = self.sentence();
        let mut c = text.chars();
        match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect(),
            None => text,
        }
    }

    /// The technical details an entry's sentence leaves out, when it has any: SHA-256s,
    /// the media type, sizes and key fingerprints ("SHA-256 ab…; media type image/png;
    /// 2 bytes").
    pub fn technical(&self) -> Option<String> {
        let parts: Vec<String> = match self.event()? {
            Event::Captured(i) => vec![
                format!("SHA-256 {}", i.sha256),
                format!("media type {}", i.media_type),
                format!("{} bytes", i.size),
            ],
            Event::IndecentImageRemoved(d) => vec![format!("SHA-256 {}", d.sha256)],
            Event::Sealed(d) => vec![
                format!("SHA-256 {}", d.sha256),
                format!("{} bytes", d.size),
                format!("signed with key {}", d.signer_fingerprint),
            ],
            Event::Receipt(d) => vec![format!("SHA-256 of the sealed file {}", d.bundle_sha256)],
            Event::InterruptedCaptureKept(d) => vec![format!("SHA-256 {}", d.sha256)],
            Event::ClockSetBack(d) => vec![
                format!("clock read {}", d.now_utc),
                format!("latest in the log {}", d.latest_utc),
            ],
            _ => return None,
        };
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.ends_with(' ')).collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// A time in words, in the local offset this entry was written in ("12 Dec 2026,
    /// 14:02"); as written if it does not read.
    fn when(&self, rfc3339: &str) -> String {
        clock::short_words(rfc3339, clock::offset_of(&self.at.local))
            .unwrap_or_else(|| rfc3339.to_string())
    }

    /// An item field's value in words: nothing, a time (`seen`), or a text quoted.
    fn item_value(&self, field: &str, v: &Option<String>) -> String {
        match v {
            None => "nothing".into(),
            Some(t) if field == "seen" => self.when(t),
            Some(t) => format!("\"{t}\""),
        }
    }

    /// A report field's value in words: a text quoted, yes or no, who is responsible or
    /// the police decision in the form's words, a time (`police_decided`'s stamp).
    fn report_value(&self, field: &str, v: &Value) -> String {
        let named = |t: &str| match ReportField::parse(field) {
            Some(ReportField::Responsible) => Responsible::ALL
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, r)| r.words().to_string()),
            Some(ReportField::Police) => PoliceDecision::ALL
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, p)| p.words().to_string()),
            _ => None,
        };
        match v {
            Value::Null => "nothing".into(),
            Value::Bool(true) => "yes".into(),
            Value::Bool(false) => "no".into(),
            Value::String(t) => named(t).unwrap_or_else(|| format!("\"{t}\"")),
            Value::Object(_) => match serde_json::from_value::<Stamp>(v.clone()) {
                Ok(s) => clock::short_words(&s.local, None).unwrap_or_else(|| self.when(&s.utc)),
                Err(_) => "a value kept in the log's details".into(),
            },
            other => other.to_string(),
        }
    }

    fn sentence(&self) -> String {
        let item = self
            .item_id
            .map(|i| format!("item {i}"))
            .unwrap_or_default();
        let Some(event) = self.event() else {
            return format!("{} {item}", self.action).trim().to_string() + ".";
        };
        // A receipt's part missing (empty) is said as such.
        let or = |v: &str, missing: &'static str| -> String {
            if v.is_empty() { missing } else { v }.to_string()
        };
        match event {
            Event::CaseCreated(d) => format!("Record \"{}\" started by {}.", d.title, d.staff),
            Event::Captured(i) => {
                let kind = kind_in_words(&i.media_type);
                format!("{item} kept: {} {kind}, \"{}\".", article(kind), i.original_name)
            }
            Event::NoteEdited(d) => self.edited(&item, "note", &d),
            Event::DetailsEdited(d) => self.edited(&item, &d.field.clone(), &d),
            Event::Withdrawn(d) => format!("{item} withdrawn (kept, marked): \"{}\".", d.reason),
            Event::ReportEdited(d) => {
                let field = match ReportField::parse(&d.field) {
                    Some(f) => f.words(),
                    None if d.field == POLICE_DECIDED => "when the police decision was made",
                    None => d.field.as_str(),
                };
                format!(
                    "Report: {field} changed from {} to {}.",
                    self.report_value(&d.field, &d.old),
                    self.report_value(&d.field, &d.new)
                )
            }
            Event::IndecentImageRecorded(_) => {
                "A possible indecent image of a child was recorded as seen (nothing captured); the advice to tell the police and the designated person was given.".into()
            }
            Event::IndecentImageRemoved(_) => format!(
                "{item} was marked as a possible indecent image of a child; the file was removed and only its fingerprint kept."
            ),
            Event::Sealed(d) => sealed(&d),
            Event::HandedOver(d) => match d.to {
                Some(to) => format!("The sealed file was given to {to}."),
                None => "The sealed file was given to the designated safeguarding person.".into(),
            },
            Event::Receipt(d) => format!(
                "{} confirmed receiving the sealed file on {} ({}), in a receipt signed with key {}.",
                or(&d.received_by, "The designated person"),
                if d.received.is_empty() {
                    "an unknown date".to_string()
                } else {
                    clock::short_words(&d.received, None).unwrap_or(d.received.clone())
                },
                if d.verdict == "intact" {
                    "checked: intact"
                } else {
                    "the check found it NOT intact"
                },
                or(&d.key, "unknown")
            ),
            Event::InterruptedCaptureKept(_) => {
                "A capture was interrupted after its file was saved and before it was recorded; the file is kept, and no item names it.".into()
            }
            Event::ClockSetBack(d) => format!(
                "Before sealing, the computer's clock read {}, earlier than a time already in the log ({}): it had been set back. Recorded so that the times can be read.",
                clock::in_words(&d.now_utc),
                clock::in_words(&d.latest_utc)
            ),
            Event::IncompleteCaptureRemoved(d) if d.file.ends_with(".arriving") => {
                "A file being added through the window, cut short before it was saved, was cleaned up.".into()
            }
            Event::IncompleteCaptureRemoved(_) => {
                "An unfinished capture, interrupted before it was saved, was cleaned up.".into()
            }
        }
    }

    /// "Item 1: who it came from (username) changed from nothing to \"@someone\"."
    fn edited(&self, item: &str, field: &str, d: &ItemEdit) -> String {
        let words = item_field_words(field).unwrap_or(field);
        format!(
            "{item}: {words} changed from {} to {}.",
            self.item_value(field, &d.old),
            self.item_value(field, &d.new)
        )
    }
}

/// "a" or "an" before a word.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A seal in words: the sealed file, how many items, and whom it was locked for.
fn sealed(d: &Sealed) -> String {
    let items = match d.items {
        1 => "1 item".to_string(),
        n => format!("{n} items"),
    };
    let names: Vec<&str> = d
        .recipients
        .iter()
        .map(|r| r.name.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    let locked = match (d.encrypted, names.is_empty()) {
        (false, _) => String::new(),
        (true, true) => ", locked so that only the designated person can open it".into(),
        (true, false) => format!(", locked so that only {} can open it", names.join(" or ")),
    };
    format!("Sealed file \"{}\" made, with {items}{locked}.", d.file)
}

#[cfg(test)]
mod tests {
    use crate::clock::Stamp;
    use crate::custody::{Entry, next_entry};
    use serde_json::json;

    fn entry(action: &str, item: Option<i64>, details: &str) -> Entry {
        let at = Stamp {
            utc: "2026-11-25T10:00:00.000Z".into(),
            local: "2026-11-25T10:00:00.000+00:00".into(),
            zone: "Europe/London".into(),
        };
        let mut e = next_entry(None, at, "A", action, Some("C"), item, &json!({}));
        e.details = details.to_string();
        e
    }

    #[test]
    fn every_entry_reads_as_one_plain_sentence() {
        let at = entry("x", None, "").at;
        let cases = [
            (
                "case_created",
                None,
                json!({"title": "Posts", "staff": "A. Teacher"}),
                "Record \"Posts\" started by A. Teacher.",
            ),
            (
                "captured",
                Some(3),
                json!({
                    "captured": at, "captured_by": "A", "case_id": "C", "email": null,
                    "from": {"email": null, "handle": null, "phone": null, "profile": null},
                    "id": 3, "media_type": "image/png", "note": null, "original_name": "s.png",
                    "seen": null, "sha256": "ab", "site": null, "size": 2, "source": "file",
                    "url": null, "withdrawn": null
                }),
                "Item 3 kept: a picture, \"s.png\".",
            ),
            (
                "note_edited",
                Some(3),
                json!({"old": null, "new": "n"}),
                "Item 3: the note changed from nothing to \"n\".",
            ),
            (
                "details_edited",
                Some(3),
                json!({"field": "site", "old": "x", "new": null}),
                "Item 3: the site or app changed from \"x\" to nothing.",
            ),
            (
                "withdrawn",
                Some(3),
                json!({"reason": "twice"}),
                "Item 3 withdrawn (kept, marked): \"twice\".",
            ),
            (
                "report_edited",
                None,
                json!({"field": "continuing", "old": null, "new": true}),
                "Report: whether it is still going on changed from nothing to yes.",
            ),
            (
                "sealed",
                None,
                json!({"file": "c.evidence", "sha256": "cd", "items": 2, "encrypted": true}),
                "Sealed file \"c.evidence\" made, with 2 items, locked so that only the designated person can open it.",
            ),
            ("something_new", Some(3), json!({}), "Something_new item 3."),
        ];
        for (action, item, details, want) in cases {
            let e = entry(action, item, &details.to_string());
            assert_eq!(e.describe(), want, "{action}");
        }
    }

    /// The words a person reads: field labels, times in the entry's local time without
    /// seconds, the police decision's time (a stamp) in words, no SHA-256, media type or
    /// JSON; those are in the technical details.
    #[test]
    fn sentences_use_labels_and_local_times_and_keep_hashes_apart() {
        let sha = "a010b05bd441d6c7d4c3ce317e81256e100141aaeef4b648f47b4986a51594af";
        let mut e = entry(
            "details_edited",
            Some(1),
            r#"{"field":"seen","new":"2026-07-24T21:15:00Z","old":null}"#,
        );
        e.at.local = "2026-07-25T10:00:00.000+01:00".into();
        assert_eq!(
            e.describe(),
            "Item 1: when it was seen changed from nothing to 24 Jul 2026, 22:15."
        );
        let e = entry(
            "details_edited",
            Some(1),
            r#"{"field":"from_handle","new":"@someone","old":null}"#,
        );
        assert_eq!(
            e.describe(),
            "Item 1: who it came from (username) changed from nothing to \"@someone\"."
        );
        let e = entry(
            "report_edited",
            None,
            r#"{"field":"police_decided","new":{"local":"2026-12-01T15:40:42.849+00:00","utc":"2026-12-01T15:40:42.849Z","zone":"Etc/UTC"},"old":null}"#,
        );
        assert_eq!(
            e.describe(),
            "Report: when the police decision was made changed from nothing to 1 Dec 2026, 15:40."
        );
        let e = entry(
            "report_edited",
            None,
            r#"{"field":"responsible","new":"parent","old":"pupil"}"#,
        );
        assert_eq!(
            e.describe(),
            "Report: who is believed responsible changed from a pupil to a parent or carer."
        );
        let captured = json!({
            "captured": e.at, "captured_by": "A", "case_id": "C", "email": null,
            "from": {"email": null, "handle": null, "phone": null, "profile": null},
            "id": 2, "media_type": "message/rfc822", "note": null, "original_name": "m.eml",
            "seen": null, "sha256": sha, "site": null, "size": 9, "source": "file",
            "url": null, "withdrawn": null
        });
        let e = entry("captured", Some(2), &captured.to_string());
        assert_eq!(e.describe(), "Item 2 kept: an e-mail, \"m.eml\".");
        assert_eq!(
            e.technical().as_deref(),
            Some(format!("SHA-256 {sha}; media type message/rfc822; 9 bytes").as_str())
        );
        let e = entry(
            "indecent_image_removed",
            Some(3),
            &json!({"sha256": sha, "reason": "r"}).to_string(),
        );
        assert!(!e.describe().contains(sha), "{}", e.describe());
        assert_eq!(e.technical(), Some(format!("SHA-256 {sha}")));
        assert_eq!(entry("note_edited", Some(1), "{}").technical(), None);
    }

    #[test]
    fn kinds_are_said_in_words() {
        for (mt, want) in [
            ("image/png", "picture"),
            ("IMAGE/JPEG; x=y", "picture"),
            ("message/rfc822", "e-mail"),
            ("video/mp4", "video"),
            ("application/pdf", "PDF document"),
            ("text/plain", "text file"),
            ("application/octet-stream", "file"),
        ] {
            assert_eq!(crate::case::kind_in_words(mt), want, "{mt}");
        }
    }

    /// Entries an older version wrote, or written by hand: each reads as it did before
    /// the readers were typed (lenient: a missing field is empty, or its fallback).
    #[test]
    fn old_and_partial_entries_are_described_as_before() {
        let cases = [
            (
                "sealed",
                None,
                r#"{"bundle":"b","encrypted":false,"file":"c.evidence","items":2,"payload_bytes":5,"sealed":{"local":"2026-11-25T10:00:00.000+00:00","utc":"2026-11-25T10:00:00.000Z","zone":"Europe/London"},"sha256":"cd","signer_key_id":"ABCDEF0123456789","size":10}"#,
                "Sealed file \"c.evidence\" made, with 2 items.",
            ),
            (
                "receipt",
                None,
                r#"{"bundle_sha256":"cd","key":"FF30","received":"2026-11-26T09:00:00+00:00","verdict":"intact"}"#,
                "The designated person confirmed receiving the sealed file on 26 Nov 2026, 09:00 (checked: intact), in a receipt signed with key FF30.",
            ),
            (
                "receipt",
                None,
                r#"{"verdict":"failed"}"#,
                "The designated person confirmed receiving the sealed file on an unknown date (the check found it NOT intact), in a receipt signed with key unknown.",
            ),
            (
                "handed_over",
                None,
                r#"{}"#,
                "The sealed file was given to the designated safeguarding person.",
            ),
            (
                "withdrawn",
                Some(3),
                r#"{"reason":"twice"}"#,
                "Item 3 withdrawn (kept, marked): \"twice\".",
            ),
            (
                "incomplete_capture_removed",
                None,
                r#"{"file":"x.arriving"}"#,
                "A file being added through the window, cut short before it was saved, was cleaned up.",
            ),
            (
                "incomplete_capture_removed",
                None,
                r#"{}"#,
                "An unfinished capture, interrupted before it was saved, was cleaned up.",
            ),
            // Details that do not read as the action's (a value of the wrong type, not
            // JSON, a captured entry that is not a whole item) are said as an unknown
            // action's; the string-key reader said "Site of item 3 changed from nothing
            // to 5.", "Item 3 withdrawn (kept, marked): \"\"." and "Captured item 3: s.png
            // (image/png), SHA-256 ab." (no version wrote such an entry).
            (
                "details_edited",
                Some(3),
                r#"{"field":"site","new":5,"old":null}"#,
                "Details_edited item 3.",
            ),
            ("withdrawn", Some(3), "not json", "Withdrawn item 3."),
            (
                "captured",
                Some(3),
                r#"{"media_type":"image/png","original_name":"s.png","sha256":"ab"}"#,
                "Captured item 3.",
            ),
            (
                "something_new",
                Some(3),
                "not json",
                "Something_new item 3.",
            ),
            ("something_new", None, "{}", "Something_new."),
        ];
        for (action, item, details, want) in cases {
            assert_eq!(
                entry(action, item, details).describe(),
                want,
                "{action} {details}"
            );
        }
    }
}
