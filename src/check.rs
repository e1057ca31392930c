//! `check`: re-hash every stored object, compare every record with the custody log
//! that created it, and walk the chain. Every problem is named by item, file and
//! entry; nothing is repaired or removed.

use crate::StoreError;
use crate::case::{IncidentReport, Item};
use crate::custody::{self, ChainBreak, Entry};
use crate::replay::{Difference, Replay};
use crate::store::{Store, hash_file_blocks};
use serde::Serialize;
use std::collections::BTreeSet;

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
        /// The first changed block, as a byte range (from the block hashes taken at
        /// capture), when the store has them.
        first_difference: Option<(u64, u64)>,
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
                first_difference,
            } => {
                write!(
                    f,
                    "altered: item {item} ({name}) — {path} has SHA-256 {actual}, but {expected} was recorded at capture"
                )?;
                if let Some((a, b)) = first_difference {
                    write!(
                        f,
                        "; the first change is in bytes {a}–{}",
                        b.saturating_sub(1)
                    )?;
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
    /// no item names, e.g. after an interrupted capture).
    pub notes: Vec<String>,
}

impl Report {
    /// True when nothing is wrong.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check the whole store.
pub fn run(store: &Store, on_progress: &mut dyn FnMut(u64)) -> Result<Report, StoreError> {
    let mut r = Report::default();

    let integrity: String = store
        .conn()
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(StoreError::Db)?;
    if integrity != "ok" {
        r.problems
            .push(Problem::DatabaseDamaged { detail: integrity });
    }

    let log = store.custody(None)?;
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

    let items = store.all_items()?;
    let mut referenced = BTreeSet::new();
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
        referenced.insert(item.sha256.clone());
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
            Ok((actual, blocks)) => r.problems.push(Problem::Altered {
                item: item.id,
                name: item.original_name.clone(),
                path: shown,
                expected: item.sha256.clone(),
                actual,
                first_difference: recorded.as_ref().and_then(|rec| {
                    let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    crate::store::first_difference(rec, &blocks, len)
                }),
            }),
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
    compare_cases_with_log(store, &log, &mut r.problems)?;
    note_unreferenced_objects(store, &referenced, &mut r.notes);
    Ok(r)
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

/// Each case's record and incident report against its custody entries.
fn compare_cases_with_log(
    store: &Store,
    log: &[Entry],
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let mut replay = Replay::store();
    for e in log {
        replay.apply(e);
    }
    for c in store.cases()? {
        let raw = store.raw_report(&c.case.id)?;
        let readable = serde_json::from_str::<IncidentReport>(&raw).is_ok();
        let diffs = replay.compare_case(&c.case);
        if !readable {
            // The index's report cannot be read (`cases()` shows it as empty): named
            // once, not field by field.
            problems.push(Problem::CaseChanged {
                case: c.case.id.clone(),
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
    Ok(())
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

fn note_unreferenced_objects(
    store: &Store,
    referenced: &BTreeSet<String>,
    notes: &mut Vec<String>,
) {
    let base = store.root().join("objects/sha256");
    let Ok(dirs) = std::fs::read_dir(&base) else {
        return;
    };
    for d in dirs.flatten() {
        let prefix = d.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(d.path()) else {
            continue;
        };
        for f in files.flatten() {
            let sha = format!("{prefix}{}", f.file_name().to_string_lossy());
            if !referenced.contains(&sha) {
                notes.push(format!(
                    "object {sha} is kept but no item names it (a capture was interrupted after its bytes were saved); it was not removed"
                ));
            }
        }
    }
}
