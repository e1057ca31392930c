//! `check`: re-hash every stored object, compare every record with the custody log
//! that created it, and walk the chain. Every problem is named by item, file and
//! entry; nothing is repaired or removed.

use crate::StoreError;
use crate::case::{IncidentReport, Item};
use crate::custody::{self, ChainBreak, Entry};
use crate::digest::hash_file_blocks;
use crate::event::Event;
use crate::replay::{Difference, Replay};
use crate::store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Something wrong with the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A stored object's bytes no longer match the hash taken at capture.
    Altered {
        /// The item.
        item: i64,
        /// Its original file name.
        name: String,
        /// The object file.
        path: String,
        /// Hash at capture.
        expected: String,
        /// Hash now.
        actual: String,
        /// Where it changed: every run of changed blocks, as byte ranges (end
        /// exclusive), from the block hashes taken at capture, the first
        /// [`crate::verify::MAX_CHANGED_RANGES_NAMED`] of them; empty when the store
        /// has no block hashes for it.
        changed_ranges: Vec<(u64, u64)>,
        /// How many more runs of changed blocks there are than are listed.
        more_changed_ranges: usize,
    },
    /// A stored object is gone.
    Missing {
        /// The item.
        item: i64,
        /// Its original file name.
        name: String,
        /// Where its bytes should be.
        path: String,
    },
    /// The custody chain is broken.
    Chain {
        /// How.
        #[serde(flatten)]
        brk: ChainBreak,
    },
    /// An item's record differs from what the custody log says it should be.
    RecordChanged {
        /// The item.
        item: i64,
        /// The field.
        field: String,
        /// In the record now.
        recorded: String,
        /// According to the log.
        logged: String,
    },
    /// The bytes of an item removed as a possible indecent image of a child are still in
    /// the store (the removal was interrupted): mark it again to remove them.
    RemovedStillPresent {
        /// The item.
        item: i64,
        /// Where the bytes still are.
        path: String,
    },
    /// A case's record differs from its custody entry.
    CaseChanged {
        /// The case.
        case: String,
        /// The field.
        field: String,
    },
    /// An item (or case) exists with no custody entry creating it.
    NotInLog {
        /// `item 3` or `case EK-…`.
        what: String,
    },
    /// The log created an item (or case) whose record is gone.
    RecordMissing {
        /// `item 3` or `case EK-…`.
        what: String,
    },
    /// SQLite's own integrity check failed.
    DatabaseDamaged {
        /// What SQLite said.
        detail: String,
    },
    /// The index could not be opened or read at all (malformed, not a database, values
    /// of the wrong kind), so nothing else could be checked.
    IndexDamaged {
        /// What SQLite said (shown as technical details).
        detail: String,
    },
    /// `custody.head` names a later entry than the log's last: entries that were
    /// committed are gone (an older copy of the index, a lost or damaged `-wal`).
    LogCutShort {
        /// The log's last entry (0 when it is empty).
        last: i64,
        /// The entry `custody.head` says was recorded.
        recorded: i64,
    },
    /// The log has the entry `custody.head` names, with another hash.
    HeadDiffers {
        /// The entry.
        seq: i64,
    },
    /// `custody.head` is there but cannot be read.
    HeadUnreadable {
        /// Why.
        detail: String,
    },
    /// An object no item names, with nothing in the log saying why: the bytes of a
    /// capture whose record may have been lost.
    UnreferencedObject {
        /// Its SHA-256 (its name).
        sha256: String,
        /// The object file.
        path: String,
    },
}

impl Problem {
    /// What the software underneath said, for a "Technical details:" line.
    pub fn technical_details(&self) -> Option<&str> {
        match self {
            Problem::IndexDamaged { detail } => Some(detail),
            _ => None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Altered {
                item,
                name,
                path,
                expected,
                actual,
                changed_ranges,
                more_changed_ranges,
            } => {
                write!(
                    f,
                    "altered: item {item} ({name}) — {path} has SHA-256 {actual}, but {expected} was recorded at capture"
                )?;
                if !changed_ranges.is_empty() {
                    let words = crate::verify::changed_ranges_in_words(
                        changed_ranges,
                        *more_changed_ranges,
                    );
                    write!(f, "; {words}")?;
                }
                Ok(())
            }
            Problem::Missing { item, name, path } => {
                write!(f, "missing: item {item} ({name}) — {path} is gone")
            }
            Problem::Chain { brk } => write!(f, "{brk}"),
            Problem::RecordChanged {
                item,
                field,
                recorded,
                logged,
            } => write!(
                f,
                "record changed: item {item} field {field} is {recorded:?} but the custody log says {logged:?}"
            ),
            Problem::RemovedStillPresent { item, path } => write!(
                f,
                "not removed: item {item} was marked as a possible indecent image of a child but its bytes are still at {path}; mark it again (evidence-kit case safeguard --item {item}) to remove them"
            ),
            Problem::CaseChanged { case, field } => write!(
                f,
                "record changed: case {case} field {field} differs from its custody entry"
            ),
            Problem::NotInLog { what } => {
                write!(f, "not in custody log: {what} has no entry recording it")
            }
            Problem::RecordMissing { what } => write!(
                f,
                "record missing: {what} is in the custody log but its record is gone"
            ),
            Problem::DatabaseDamaged { detail } => {
                write!(f, "database damaged: SQLite integrity check says {detail}")
            }
            Problem::IndexDamaged { .. } => write!(
                f,
                "index damaged: the store's index (evidence.sqlite) is damaged and cannot be read, so the evidence in it could not be checked"
            ),
            Problem::LogCutShort { last: 0, recorded } => write!(
                f,
                "records lost: the custody log is empty but entry {recorded} was recorded: recent records were lost (the index was restored from an older copy or damaged)"
            ),
            Problem::LogCutShort { last, recorded } => write!(
                f,
                "records lost: the custody log ends at entry {last} but entry {recorded} was recorded: recent records were lost (the index was restored from an older copy or damaged)"
            ),
            Problem::HeadDiffers { seq } => write!(
                f,
                "records lost: entry {seq} of the custody log is not the entry {seq} that was recorded (custody.head names another): the log was rewritten from there, or an older copy of the index was put back and written to again"
            ),
            Problem::HeadUnreadable { detail } => write!(
                f,
                "custody.head damaged: the record of the custody log's last entry (custody.head) cannot be read ({detail}), so a log cut short cannot be told"
            ),
            Problem::UnreferencedObject { path, .. } => write!(
                f,
                "possible lost capture: {path} is kept but no item names it, and the custody log does not say why: the record of a capture may have been lost (the index restored from an older copy or damaged); it was not removed"
            ),
        }
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Items whose bytes were re-hashed.
    pub items_checked: usize,
    /// Bytes re-hashed.
    pub bytes_checked: u64,
    /// Custody entries walked.
    pub entries_checked: usize,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// Things worth knowing that are not damage (clock went back; objects kept that
    /// no item names after a capture the custody log says was interrupted).
    pub notes: Vec<String>,
}

impl Report {
    /// True when nothing is wrong.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `check` reads from the index, all at one moment (one read snapshot).
struct Records {
    integrity: String,
    log: Vec<Entry>,
    items: Vec<Item>,
    /// Each case with its report column as stored.
    cases: Vec<(crate::case::Case, String)>,
}

/// Check the whole store.
///
/// Other processes may write while it runs (a capture, a note typed in the app), so
/// what it compares is read in an order that never mistakes a write for damage: the
/// anchor first (every entry it names is committed by then), then the list of objects
/// (every object a record read later names is in place by then: bytes are placed
/// before their record is committed), then every record in one read snapshot, so that
/// the log, the items and the cases are of one moment. An object no item in that
/// snapshot names is looked at again before it is called a possible lost capture: a
/// live capture's marker for it, an item or custody entry naming it now, or its being
/// gone since, each mean it is not one. The block hashes are read per item after the
/// snapshot (they never change once written, and are deleted only with the bytes of a
/// removed item), so the snapshot is not held while the bytes are re-hashed.
pub fn run(store: &Store, on_progress: &mut dyn FnMut(u64)) -> Result<Report, StoreError> {
    let mut r = Report::default();

    let head = crate::store::read_head(store.root());
    let on_disk = list_objects(store.root());
    let records = read_records(store)?;
    let Records {
        integrity,
        log,
        items,
        cases,
    } = records;
    if integrity != "ok" {
        r.problems
            .push(Problem::DatabaseDamaged { detail: integrity });
    }

    r.entries_checked = log.len();
    for brk in custody::verify_chain(&log) {
        r.problems.push(Problem::Chain { brk });
    }
    for e in log.iter().filter(|e| e.clock_anomaly) {
        r.notes.push(format!(
            "custody entry {} was written at {}, earlier than the entry before it: the computer's clock was set back",
            e.seq, e.at.utc
        ));
    }

    compare_with_head(head, &log, &mut r.problems);

    // Every object an item names, removed ones too (their bytes left behind are named
    // above as not removed, not as unreferenced).
    let referenced: BTreeSet<String> = items.iter().map(|i| i.sha256.clone()).collect();
    let mut bytes_done = 0;
    for item in &items {
        let path = store.object_path(&item.sha256);
        let shown = path.display().to_string();
        // Removed as a possible indecent image of a child: the bytes must be gone.
        if item.removed.is_some() {
            if path.exists() {
                r.problems.push(Problem::RemovedStillPresent {
                    item: item.id,
                    path: shown,
                });
            }
            r.items_checked += 1;
            continue;
        }
        let recorded = store.blocks(&item.sha256)?;
        let block_size = recorded.as_ref().map_or(1 << 20, |b| b.size);
        match hash_file_blocks(&path, block_size) {
            Ok((actual, blocks)) if actual == item.sha256 => {
                if recorded.as_ref().is_some_and(|r| *r != blocks) {
                    r.problems.push(Problem::RecordChanged {
                        item: item.id,
                        field: "block hashes".into(),
                        recorded: "block hashes that do not match the bytes".into(),
                        logged: "the block hashes of the bytes".into(),
                    });
                }
            }
            Ok((actual, blocks)) => {
                let mut changed_ranges = recorded
                    .as_ref()
                    .and_then(|rec| {
                        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                        crate::digest::changed_ranges(rec, &blocks, len)
                    })
                    .unwrap_or_default();
                let more_changed_ranges = changed_ranges
                    .len()
                    .saturating_sub(crate::verify::MAX_CHANGED_RANGES_NAMED);
                changed_ranges.truncate(crate::verify::MAX_CHANGED_RANGES_NAMED);
                r.problems.push(Problem::Altered {
                    item: item.id,
                    name: item.original_name.clone(),
                    path: shown,
                    expected: item.sha256.clone(),
                    actual,
                    changed_ranges,
                    more_changed_ranges,
                })
            }
            // Gone because it was marked as a possible indecent image of a child since
            // the snapshot (its bytes are then removed): as it should be.
            Err(_) if store.item(item.id).is_ok_and(|now| now.removed.is_some()) => {}
            Err(_) => r.problems.push(Problem::Missing {
                item: item.id,
                name: item.original_name.clone(),
                path: shown,
            }),
        }
        r.items_checked += 1;
        bytes_done += item.size;
        on_progress(bytes_done);
    }
    r.bytes_checked = bytes_done;

    compare_items_with_log(&items, &log, &mut r.problems);
    compare_cases_with_log(&cases, &log, &mut r.problems);
    note_unreferenced_objects(store, on_disk, &referenced, &log, &mut r);
    Ok(r)
}

/// The index as one snapshot: its own integrity check, the log, the items and each
/// case with its report as stored.
fn read_records(store: &Store) -> Result<Records, StoreError> {
    store.snapshot(|s| {
        let integrity: String = s
            .conn()
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|e| StoreError::db(s.root(), e))?;
        let log = s.custody(None)?;
        let items = s.all_items()?;
        let mut cases = Vec::new();
        for c in s.cases()? {
            let raw = s.raw_report(&c.case.id)?;
            cases.push((c.case, raw));
        }
        Ok::<_, StoreError>(Records {
            integrity,
            log,
            items,
            cases,
        })
    })
}

/// Every object file in the store, `(sha256, path)`, sorted.
fn list_objects(root: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let Ok(dirs) = std::fs::read_dir(root.join("objects/sha256")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for d in dirs.flatten() {
        let prefix = d.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(d.path()) else {
            continue;
        };
        for f in files.flatten() {
            let sha = format!("{prefix}{}", f.file_name().to_string_lossy());
            found.push((sha, f.path()));
        }
    }
    found.sort();
    found
}

/// The report of a check that could not read the index at all: one problem, when
/// `e` says the index is damaged (`None` for any other error).
pub fn damaged_index(e: &StoreError) -> Option<Report> {
    match e {
        StoreError::Damaged { detail } => Some(Report {
            problems: vec![Problem::IndexDamaged {
                detail: detail.clone(),
            }],
            ..Report::default()
        }),
        _ => None,
    }
}

/// Compare the log's end with `custody.head`, the anchor of the last entry written
/// outside SQLite after each commit, read before the log: the log may have grown past
/// it since, but must hold the entry it names, with its hash. None (a store made before
/// it): nothing to say.
fn compare_with_head(
    head: std::io::Result<Option<crate::store::Head>>,
    log: &[Entry],
    problems: &mut Vec<Problem>,
) {
    let head = match head {
        Ok(Some(h)) => h,
        Ok(None) => return,
        Err(e) => {
            problems.push(Problem::HeadUnreadable {
                detail: crate::error::plain_io(&e),
            });
            return;
        }
    };
    let last = log.last().map_or(0, |e| e.seq);
    if head.seq > last {
        problems.push(Problem::LogCutShort {
            last,
            recorded: head.seq,
        });
        return;
    }
    let logged = log
        .binary_search_by_key(&head.seq, |e| e.seq)
        .ok()
        .and_then(|i| log.get(i));
    if logged.is_none_or(|e| e.hash != head.hash) {
        problems.push(Problem::HeadDiffers { seq: head.seq });
    }
}

/// Replay the log to what each item should be, and compare field by field.
fn compare_items_with_log(items: &[Item], log: &[Entry], problems: &mut Vec<Problem>) {
    let mut replay = Replay::store();
    for e in log {
        replay.apply(e);
    }
    for item in items {
        let have = serde_json::to_value(item).unwrap_or_default();
        problems.extend(replay.compare_item(&have).into_iter().filter_map(problem));
    }
    let missing = replay.finish().into_iter();
    problems.extend(
        missing
            .filter(Difference::is_about_an_item)
            .filter_map(problem),
    );
}

/// Each case's record (with its report column as stored) and incident report against
/// its custody entries.
fn compare_cases_with_log(
    cases: &[(crate::case::Case, String)],
    log: &[Entry],
    problems: &mut Vec<Problem>,
) {
    let mut replay = Replay::store();
    for e in log {
        replay.apply(e);
    }
    for (case, raw) in cases {
        let readable = serde_json::from_str::<IncidentReport>(raw).is_ok();
        let diffs = replay.compare_case(case);
        if !readable {
            // The index's report cannot be read (`cases()` shows it as empty): named
            // once, not field by field.
            problems.push(Problem::CaseChanged {
                case: case.id.clone(),
                field: "report".into(),
            });
        }
        problems.extend(
            diffs
                .into_iter()
                .filter(|d| {
                    readable
                        || !matches!(d, Difference::CaseChanged { field, .. } if field.starts_with("report."))
                })
                .filter_map(problem),
        );
    }
    let missing = replay.finish().into_iter();
    problems.extend(
        missing
            .filter(|d| !d.is_about_an_item())
            .filter_map(problem),
    );
}

/// A replay difference as a store problem.
fn problem(d: Difference) -> Option<Problem> {
    Some(match d {
        Difference::ItemChanged {
            item,
            field,
            recorded,
            logged,
        } => Problem::RecordChanged {
            item,
            field,
            recorded,
            logged,
        },
        Difference::ItemNotInLog { item } => Problem::NotInLog {
            what: format!("item {item}"),
        },
        Difference::ItemMissing { item } => Problem::RecordMissing {
            what: format!("item {item}"),
        },
        Difference::CaseChanged { case, field, .. } => Problem::CaseChanged { case, field },
        Difference::CaseNotInLog { case } => Problem::NotInLog {
            what: format!("case {case}"),
        },
        Difference::CaseMissing { case } => Problem::RecordMissing {
            what: format!("case {case}"),
        },
        // Bundle-only kinds (an item present although removed; a number described
        // twice or not at all): the store's records are one row per item id.
        _ => return None,
    })
}

/// Objects no item names. The custody log says why for the bytes of a capture that
/// was interrupted after they were saved (`interrupted_capture_kept`): a note; so does
/// the marker of a capture whose process is gone and which the next open will log. An
/// object a live capture is placing is that capture's (its record is being committed),
/// and one that an item or entry names when asked again, or that is gone since, was
/// recorded (or taken back) after the snapshot: nothing to say. Any other is a problem:
/// the record of a capture may have been lost.
fn note_unreferenced_objects(
    store: &Store,
    on_disk: Vec<(String, std::path::PathBuf)>,
    referenced: &BTreeSet<String>,
    log: &[Entry],
    r: &mut Report,
) {
    let explained: BTreeMap<String, i64> = log
        .iter()
        .filter_map(|e| match e.event() {
            Some(Event::InterruptedCaptureKept(d)) if !d.sha256.is_empty() => {
                Some((d.sha256, e.seq))
            }
            _ => None,
        })
        .collect();
    let unnamed: Vec<_> = on_disk
        .into_iter()
        .filter(|(sha, _)| !referenced.contains(sha))
        .collect();
    if unnamed.is_empty() {
        return;
    }
    // Read after the snapshot: a marker gone by now means its record was committed
    // (asked again below) or its object removed again (gone, below).
    let placements = crate::store::placements(store.root());
    for (sha, path) in unnamed {
        if let Some(seq) = explained.get(&sha) {
            r.notes.push(format!(
                "object {sha} is kept but no item names it: a capture was interrupted after its bytes were saved (custody entry {seq}); it was not removed"
            ));
            continue;
        }
        let marks: Vec<_> = placements.iter().filter(|p| p.sha256 == sha).collect();
        if marks.iter().any(|p| p.live) {
            continue;
        }
        if store.object_accounted_for(&sha).unwrap_or(false) || !path.exists() {
            continue;
        }
        if let Some(m) = marks.first() {
            r.notes.push(format!(
                "object {sha} is kept but no item names it: a capture was interrupted after its bytes were saved (its marker {} is still there; the next time the store is opened for writing this is written into the custody log); it was not removed",
                m.marker.display()
            ));
            continue;
        }
        r.problems.push(Problem::UnreferencedObject {
            sha256: sha,
            path: path.display().to_string(),
        });
    }
}
