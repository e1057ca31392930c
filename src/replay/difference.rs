//! What a replay finds: a record that differs from the log ([`Difference`]), times that
//! disagree with their `clock_anomaly` flag ([`TimeSlip`]), and captures later than
//! the seal ([`LateCapture`]), each with the sentence it is shown as.

use serde::Serialize;

/// A record that differs from what the custody log says it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Difference {
    /// A field of an item's record differs from the log's replay.
    ItemChanged {
        /// The item.
        item: i64,
        /// The field, dotted for nested ones (`from.handle`).
        field: String,
        /// In the record (`(nothing)` when absent or null).
        recorded: String,
        /// According to the log.
        logged: String,
    },
    /// An item's record with no `captured` entry in the log.
    ItemNotInLog {
        /// The item.
        item: i64,
    },
    /// The log records the capture of an item that no record described.
    ItemMissing {
        /// The item.
        item: i64,
    },
    /// (Bundle) an item is described although the log says its bytes were removed as a
    /// possible indecent image of a child: such an item is never in a bundle.
    ItemRemoved {
        /// The item.
        item: i64,
    },
    /// The same item number was described more than once.
    ItemTwice {
        /// The item.
        item: i64,
    },
    /// An item record without an item number (`id`).
    ItemWithoutId,
    /// A field of a case's record (title, staff, created, `report.…`) differs.
    CaseChanged {
        /// The case.
        case: String,
        /// The field (`title`, `report.description`, …).
        field: String,
        /// In the record.
        recorded: String,
        /// According to the log.
        logged: String,
    },
    /// A case's record with no `case_created` entry in the log.
    CaseNotInLog {
        /// The case.
        case: String,
    },
    /// The log records the creation of a case that no record described.
    CaseMissing {
        /// The case.
        case: String,
    },
}

impl Difference {
    /// True for the kinds about items (the rest are about cases).
    pub fn is_about_an_item(&self) -> bool {
        !matches!(
            self,
            Difference::CaseChanged { .. }
                | Difference::CaseNotInLog { .. }
                | Difference::CaseMissing { .. }
        )
    }
}

/// Longest value quoted in a [`Difference`]'s sentence, in characters (a report's
/// description can be 200,000); the structured fields keep the whole value.
const SHOWN_CHARS: usize = 200;

fn quoted(s: &str) -> String {
    if s.chars().count() <= SHOWN_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(SHOWN_CHARS).collect();
        format!("{head:?}…")
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::ItemChanged {
                item,
                field,
                recorded,
                logged,
            } => write!(
                f,
                "item {item} field {field}: recorded {}, the custody log says {}",
                quoted(recorded),
                quoted(logged)
            ),
            Difference::ItemNotInLog { item } => write!(
                f,
                "item {item} is recorded, but the custody log does not record its capture"
            ),
            Difference::ItemMissing { item } => write!(
                f,
                "the custody log records the capture of item {item}, but no record describes it"
            ),
            Difference::ItemRemoved { item } => write!(
                f,
                "item {item} is described, but the custody log says it was removed as a possible indecent image of a child"
            ),
            Difference::ItemTwice { item } => write!(f, "item {item} is described more than once"),
            Difference::ItemWithoutId => write!(f, "an item is described without an item number"),
            Difference::CaseChanged {
                case,
                field,
                recorded,
                logged,
            } => write!(
                f,
                "case {case} field {field}: recorded {}, the custody log says {}",
                quoted(recorded),
                quoted(logged)
            ),
            Difference::CaseNotInLog { case } => write!(
                f,
                "case {case} is recorded, but the custody log does not record its creation"
            ),
            Difference::CaseMissing { case } => write!(
                f,
                "the custody log records the creation of case {case}, but no record describes it"
            ),
        }
    }
}

/// Two consecutive complete entries whose times disagree with their `clock_anomaly`
/// flag (which the app sets exactly when an entry's time is earlier than the one
/// before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeSlip {
    /// The later entry.
    pub seq: i64,
    /// Its time (UTC).
    pub utc: String,
    /// The entry before's time (UTC).
    pub previous_utc: String,
    /// How they disagree.
    pub kind: SlipKind,
}

/// How an entry's time and its `clock_anomaly` flag disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlipKind {
    /// Earlier than the entry before, but not flagged.
    WentBack,
    /// Flagged, but not earlier than the entry before.
    FlaggedWithoutGoingBack,
}

impl std::fmt::Display for TimeSlip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (seq, utc, before) = (self.seq, &self.utc, &self.previous_utc);
        match self.kind {
            SlipKind::WentBack => write!(
                f,
                "custody entry {seq} was written at {utc}, earlier than the entry before it ({before}), but is not marked as written after the clock was set back"
            ),
            SlipKind::FlaggedWithoutGoingBack => write!(
                f,
                "custody entry {seq} is marked as written after the clock was set back, but its time {utc} is not earlier than the entry before it ({before})"
            ),
        }
    }
}

/// An item whose capture the log records later than the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateCapture {
    /// The item.
    pub item: i64,
    /// The later of its capture entry's time and its recorded capture time (UTC).
    pub captured_utc: String,
    /// A complete entry after the capture is flagged `clock_anomaly` (the clock was
    /// set back since), or is seal's `clock_set_back` record, which explains it: a
    /// note, not a finding.
    pub excused: bool,
}
