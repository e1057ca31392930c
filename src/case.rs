//! An incident case and the evidence items in it: the records, not their storage.

use crate::clock::Stamp;
use serde::{Deserialize, Serialize};

/// Longest title, name, note or site text we accept, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// An incident: "the posts about me in the parents' group", with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Case {
    /// The case reference, e.g. `EK-20261125-3F2A9C`; also its id.
    pub id: String,
    /// A short title in the staff member's words.
    pub title: String,
    /// The staff member the case is about (who is keeping the record).
    pub staff: String,
    /// When the case was opened.
    pub created: Stamp,
    /// What the E-safety incident-logging form asks, as far as the person has said.
    #[serde(default)]
    pub report: IncidentReport,
}

/// Longest incident description, in characters (a long account, quoted messages).
pub const MAX_DESCRIPTION_CHARS: usize = 200_000;

/// Who is believed responsible: this decides the school's next steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Responsible {
    /// A pupil.
    Pupil,
    /// A parent or carer.
    Parent,
    /// A colleague.
    Colleague,
    /// Not known.
    Unknown,
    /// Someone else.
    Other,
}

impl Responsible {
    /// Every value, as the CLI spells them.
    pub const ALL: &[(&str, Responsible)] = &[
        ("pupil", Responsible::Pupil),
        ("parent", Responsible::Parent),
        ("colleague", Responsible::Colleague),
        ("unknown", Responsible::Unknown),
        ("other", Responsible::Other),
    ];

    /// In plain words, for the form.
    pub fn words(self) -> &'static str {
        match self {
            Responsible::Pupil => "a pupil",
            Responsible::Parent => "a parent or carer",
            Responsible::Colleague => "a colleague",
            Responsible::Unknown => "not known",
            Responsible::Other => "someone else",
        }
    }
}

/// The person's own decision about reporting to the police (the policy leaves it to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PoliceDecision {
    /// I wish to report this to the police.
    Yes,
    /// I do not.
    No,
    /// Not yet decided.
    Undecided,
}

impl PoliceDecision {
    /// Every value, as the CLI spells them.
    pub const ALL: &[(&str, PoliceDecision)] = &[
        ("yes", PoliceDecision::Yes),
        ("no", PoliceDecision::No),
        ("undecided", PoliceDecision::Undecided),
    ];

    /// In plain words, for the form.
    pub fn words(self) -> &'static str {
        match self {
            PoliceDecision::Yes => "yes",
            PoliceDecision::No => "no",
            PoliceDecision::Undecided => "not yet decided",
        }
    }
}

/// A record that a possible indecent image of a child was seen. Nothing of it is ever
/// captured or kept: only when, where (as typed) and what the person was told to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SafeguardNote {
    /// When it was recorded.
    pub recorded: Stamp,
    /// Where it was seen, as typed.
    pub site: Option<String>,
    /// When the police were informed (RFC 3339), if they have been.
    pub police_informed: Option<String>,
}

/// The incident report: every field of the E-safety incident-logging form that is the
/// staff member's to fill. Each change is a custody entry that keeps the old value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct IncidentReport {
    /// The reporting person's role (e.g. "Year 4 teacher").
    pub role: Option<String>,
    /// School e-mail or phone (never personal ones, as the policy says).
    pub contact: Option<String>,
    /// The designated safeguarding person the form is addressed to.
    pub addressed_to: Option<String>,
    /// What happened, in the person's own words.
    pub description: Option<String>,
    /// Who is believed responsible.
    pub responsible: Option<Responsible>,
    /// Others involved, or witnesses.
    pub witnesses: Option<String>,
    /// Whether it is still going on.
    pub continuing: Option<bool>,
    /// Reported to the platform: date and reference, as typed.
    pub platform_report: Option<String>,
    /// Advice sought (e.g. the Professionals Online Safety Helpline).
    pub advice: Option<String>,
    /// Others informed.
    pub informed: Option<String>,
    /// "I wish to report this to the police".
    pub police: Option<PoliceDecision>,
    /// When that decision was recorded.
    pub police_decided: Option<Stamp>,
    /// Police reference, if the police have been told.
    pub police_ref: Option<String>,
    /// Possible indecent images of children seen (never captured).
    pub indecent_images: Vec<SafeguardNote>,
}

/// A field of the incident report that the person fills in: the one table of them,
/// which the store (`ReportUpdate`), the CLI (`case report`) and the app's
/// `update_report` walk. Its [`name`](Self::name) is the field's key in the stored
/// report and in `report_edited` custody entries. Adding a field means adding it here
/// and to [`IncidentReport`]; a test fails if the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportField {
    /// The reporting person's role.
    Role,
    /// School e-mail or phone.
    Contact,
    /// The designated person it is addressed to.
    AddressedTo,
    /// What happened.
    Description,
    /// Who is believed responsible.
    Responsible,
    /// Others involved or witnesses.
    Witnesses,
    /// Still going on.
    Continuing,
    /// Reported to the platform ("DATE REF").
    PlatformReport,
    /// Advice sought.
    Advice,
    /// Others informed.
    Informed,
    /// The police decision (setting it also records `police_decided`).
    Police,
    /// Police reference.
    PoliceRef,
}

/// What a [`ReportField`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Free text, trimmed (empty clears it): `label` names it in errors, at most `max`
    /// characters.
    Text {
        /// E.g. "The role".
        label: &'static str,
        /// Longest accepted, in characters.
        max: usize,
    },
    /// A [`Responsible`].
    Responsible,
    /// Yes or no.
    YesNo,
    /// A [`PoliceDecision`].
    Police,
}

/// A value of a [`ReportField`], of its [`kind`](ReportField::kind); `None` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportValue {
    /// For a [`ReportKind::Text`] field.
    Text(Option<String>),
    /// For [`ReportField::Responsible`].
    Responsible(Option<Responsible>),
    /// For [`ReportField::Continuing`].
    YesNo(Option<bool>),
    /// For [`ReportField::Police`].
    Police(Option<PoliceDecision>),
}

impl ReportValue {
    /// Whether this value is of `kind`.
    pub fn is_of(&self, kind: ReportKind) -> bool {
        matches!(
            (self, kind),
            (ReportValue::Text(_), ReportKind::Text { .. })
                | (ReportValue::Responsible(_), ReportKind::Responsible)
                | (ReportValue::YesNo(_), ReportKind::YesNo)
                | (ReportValue::Police(_), ReportKind::Police)
        )
    }
}

impl ReportField {
    /// Every field, in the order of [`IncidentReport`]'s.
    pub const ALL: [ReportField; 12] = [
        ReportField::Role,
        ReportField::Contact,
        ReportField::AddressedTo,
        ReportField::Description,
        ReportField::Responsible,
        ReportField::Witnesses,
        ReportField::Continuing,
        ReportField::PlatformReport,
        ReportField::Advice,
        ReportField::Informed,
        ReportField::Police,
        ReportField::PoliceRef,
    ];

    /// The field's key, as the stored report and `report_edited` entries spell it.
    pub fn name(self) -> &'static str {
        match self {
            ReportField::Role => "role",
            ReportField::Contact => "contact",
            ReportField::AddressedTo => "addressed_to",
            ReportField::Description => "description",
            ReportField::Responsible => "responsible",
            ReportField::Witnesses => "witnesses",
            ReportField::Continuing => "continuing",
            ReportField::PlatformReport => "platform_report",
            ReportField::Advice => "advice",
            ReportField::Informed => "informed",
            ReportField::Police => "police",
            ReportField::PoliceRef => "police_ref",
        }
    }

    /// The field in words, for the log ("what happened").
    pub fn words(self) -> &'static str {
        match self {
            ReportField::Role => "the reporter's role",
            ReportField::Contact => "the reporter's contact details",
            ReportField::AddressedTo => "who the report is for",
            ReportField::Description => "what happened",
            ReportField::Responsible => "who is believed responsible",
            ReportField::Witnesses => "others involved or witnesses",
            ReportField::Continuing => "whether it is still going on",
            ReportField::PlatformReport => "reported to the site or app",
            ReportField::Advice => "advice sought",
            ReportField::Informed => "who else was told",
            ReportField::Police => "whether to report it to the police",
            ReportField::PoliceRef => "the police reference",
        }
    }

    /// The field whose key is `name`.
    pub fn parse(name: &str) -> Option<ReportField> {
        ReportField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the field holds (and, for a text, how a new one is checked).
    pub fn kind(self) -> ReportKind {
        let text = |label, max| ReportKind::Text { label, max };
        match self {
            ReportField::Role => text("The role", MAX_TEXT_CHARS),
            ReportField::Contact => text("The contact", MAX_TEXT_CHARS),
            ReportField::AddressedTo => text("The designated person's name", MAX_TEXT_CHARS),
            ReportField::Description => text("The description", MAX_DESCRIPTION_CHARS),
            ReportField::Responsible => ReportKind::Responsible,
            ReportField::Witnesses => text("The witnesses", MAX_TEXT_CHARS),
            ReportField::Continuing => ReportKind::YesNo,
            ReportField::PlatformReport => text("The platform report", MAX_TEXT_CHARS),
            ReportField::Advice => text("The advice sought", MAX_TEXT_CHARS),
            ReportField::Informed => text("Who else was informed", MAX_TEXT_CHARS),
            ReportField::Police => ReportKind::Police,
            ReportField::PoliceRef => text("The police reference", MAX_TEXT_CHARS),
        }
    }

    /// The field's value in `report`.
    pub fn value(self, report: &IncidentReport) -> ReportValue {
        let text = |v: &Option<String>| ReportValue::Text(v.clone());
        match self {
            ReportField::Role => text(&report.role),
            ReportField::Contact => text(&report.contact),
            ReportField::AddressedTo => text(&report.addressed_to),
            ReportField::Description => text(&report.description),
            ReportField::Responsible => ReportValue::Responsible(report.responsible),
            ReportField::Witnesses => text(&report.witnesses),
            ReportField::Continuing => ReportValue::YesNo(report.continuing),
            ReportField::PlatformReport => text(&report.platform_report),
            ReportField::Advice => text(&report.advice),
            ReportField::Informed => text(&report.informed),
            ReportField::Police => ReportValue::Police(report.police),
            ReportField::PoliceRef => text(&report.police_ref),
        }
    }
}

/// The key of the report's `police_decided` (when the police decision was set), which
/// `report_edited` entries name beside the [`ReportField`]s.
pub const POLICE_DECIDED: &str = "police_decided";

/// An item's field in words, for the log ("who it came from (username)"), by its
/// stored name (`store::ItemField::name`); `None` for a name that is none of them.
pub fn item_field_words(name: &str) -> Option<&'static str> {
    Some(match name {
        "note" => "the note",
        "site" => "the site or app",
        "url" => "the web address",
        "seen" => "when it was seen",
        "from_handle" => "who it came from (username)",
        "from_email" => "who it came from (e-mail address)",
        "from_phone" => "who it came from (phone number)",
        "from_profile" => "who it came from (profile address)",
        _ => return None,
    })
}

/// What kind of thing an item is, in a word a person uses, from its media type:
/// "picture", "e-mail", "video", "sound recording", "PDF document", "web page",
/// "text file", else "file".
pub fn kind_in_words(media_type: &str) -> &'static str {
    let mt = media_type.trim().to_ascii_lowercase();
    let mt = mt.split(';').next().unwrap_or("").trim();
    match mt {
        "message/rfc822" => "e-mail",
        "application/pdf" => "PDF document",
        "text/html" | "multipart/related" | "application/xhtml+xml" => "web page",
        _ if mt.starts_with("image/") => "picture",
        _ if mt.starts_with("video/") => "video",
        _ if mt.starts_with("audio/") => "sound recording",
        _ if mt.starts_with("text/") => "text file",
        _ => "file",
    }
}

/// A case with counts, for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CaseSummary {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// Items captured (withdrawn ones included).
    pub items: i64,
    /// Of which withdrawn.
    pub withdrawn: i64,
    /// Where the record stands: never sealed, sealed, or given to the designated person.
    pub state: CaseState,
    /// When it was last sealed (local time with offset).
    pub last_sealed: Option<String>,
    /// When it was last given to the designated person, as the staff member recorded.
    pub handed_over: Option<String>,
    /// Something was added or changed after the last seal (seal again before giving it).
    pub changed_since_seal: bool,
    /// The designated person's latest receipt, when one was opened: "Received and
    /// verified by … on …".
    pub receipt: Option<String>,
}

/// Where a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Never sealed.
    Open,
    /// Sealed, not yet recorded as given to the designated person.
    Sealed,
    /// Recorded as given to the designated person after its last seal.
    Sent,
}

/// How an item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A file from disk.
    File,
    /// A screenshot of a whole monitor.
    Screen,
    /// A screenshot of one window.
    Window,
    /// The clipboard.
    Clipboard,
    /// A way this version does not know (a later version's, e.g. a phone): read from
    /// bundles so that they still open, shown as "other", never written by this version.
    #[serde(other)]
    Other,
}

impl Source {
    /// The word stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::File => "file",
            Source::Screen => "screen",
            Source::Window => "window",
            Source::Clipboard => "clipboard",
            Source::Other => "other",
        }
    }

    /// Parse the stored word.
    pub fn parse(s: &str) -> Option<Source> {
        Some(match s {
            "file" => Source::File,
            "screen" => Source::Screen,
            "window" => Source::Window,
            "clipboard" => Source::Clipboard,
            _ => return None,
        })
    }
}

/// Who the abuse came from, as far as the staff member knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Sender {
    /// Username or handle (`@someone`).
    pub handle: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Profile address (URL).
    pub profile: Option<String>,
}

/// Headers of a captured e-mail (`.eml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EmailHeaders {
    /// `From:`
    pub from: Option<String>,
    /// `To:`
    pub to: Option<String>,
    /// `Date:` as RFC 3339.
    pub date: Option<String>,
    /// `Subject:`
    pub subject: Option<String>,
    /// `Message-ID:`
    pub message_id: Option<String>,
}

/// One piece of evidence. Its bytes live in the store under `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Item {
    /// Item number in this store.
    pub id: i64,
    /// The case it belongs to.
    pub case_id: String,
    /// SHA-256 of the bytes, taken while they were read in (hex, lower case).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type sniffed from the bytes (`image/png`, `message/rfc822`, …).
    pub media_type: String,
    /// The file's name when it came in (or a made-up one for screenshots).
    pub original_name: String,
    /// How it came in.
    pub source: Source,
    /// When it was captured.
    pub captured: Stamp,
    /// Who captured it.
    pub captured_by: String,
    /// Where it was seen: site or app, as the person wrote it.
    pub site: Option<String>,
    /// The full address, if known.
    pub url: Option<String>,
    /// Who it came from.
    pub from: Sender,
    /// When the abuse was seen, if not at capture (RFC 3339, UTC).
    pub seen: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
    /// E-mail headers, for `.eml` files.
    pub email: Option<EmailHeaders>,
    /// When and why it was withdrawn (never deleted).
    pub withdrawn: Option<Withdrawal>,
    /// Set when the item was marked as a possible indecent image of a child: its bytes
    /// were then removed from the store (the one exception to never-delete, which the
    /// school's policy itself demands). Only the record and the hash remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub removed: Option<Removal>,
}

/// Why and when an item's bytes were removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Removal {
    /// When.
    pub at: Stamp,
    /// Why, in plain words.
    pub reason: String,
}

/// A withdrawal: the item stays, marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Withdrawal {
    /// When.
    pub at: Stamp,
    /// Why, in the person's words.
    pub reason: String,
}

/// Check a required text: trimmed, not empty, not too long.
pub(crate) fn required(what: &'static str, s: &str) -> Result<String, crate::StoreError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(crate::StoreError::Empty { what });
    }
    optional(what, Some(t)).map(|o| o.unwrap_or_default())
}

/// Check an optional text: trimmed, empty becomes `None`, not too long.
pub(crate) fn optional(
    what: &'static str,
    s: Option<&str>,
) -> Result<Option<String>, crate::StoreError> {
    optional_up_to(what, s, MAX_TEXT_CHARS)
}

/// [`optional`] with a limit of `max` characters.
pub(crate) fn optional_up_to(
    what: &'static str,
    s: Option<&str>,
    max: usize,
) -> Result<Option<String>, crate::StoreError> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let len = t.chars().count();
    if len > max {
        return Err(crate::StoreError::TooLong { what, len, max });
    }
    Ok(Some(t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::Source;

    #[test]
    fn an_unknown_source_reads_as_other() {
        let s: Source = serde_json::from_str("\"phone\"").expect("read");
        assert_eq!(s, Source::Other);
        let s: Source = serde_json::from_str("\"clipboard\"").expect("read");
        assert_eq!(s, Source::Clipboard);
        assert_eq!(Source::parse("phone"), None);
    }
}
