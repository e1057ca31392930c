//! `check`: re-hash every stored object, compare every record with the custody log
//! that created it, and walk the chain. Every problem is named by item, file and
//! entry; nothing is repaired or removed.

use crate::StoreError;
use crate::case::Item;
use crate::custody::{self, ChainBreak, Entry};
use crate::store::{Store, hash_file_blocks};
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
    let mut expected: BTreeMap<i64, serde_json::Value> = BTreeMap::new();
    for e in log {
        let Some(id) = e.item_id else { continue };
        let d = e.details_json();
        match e.action.as_str() {
            "captured" => {
                expected.insert(id, d);
            }
            "note_edited" | "details_edited" => {
                if let (Some(v), Some(field)) = (expected.get_mut(&id), d["field"].as_str()) {
                    set_field(v, field, d["new"].clone());
                }
            }
            "withdrawn" => {
                if let Some(v) = expected.get_mut(&id) {
                    v["withdrawn"] = serde_json::json!({"at": d["at"], "reason": d["reason"]});
                }
            }
            "indecent_image_removed" => {
                if let Some(v) = expected.get_mut(&id) {
                    v["removed"] = serde_json::json!({"at": d["at"], "reason": d["reason"]});
                }
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    for item in items {
        seen.insert(item.id);
        let Some(want) = expected.get(&item.id) else {
            problems.push(Problem::NotInLog {
                what: format!("item {}", item.id),
            });
            continue;
        };
        let have = serde_json::to_value(item).unwrap_or_default();
        diff("", &have, want, item.id, problems);
    }
    for id in expected.keys().filter(|id| !seen.contains(id)) {
        problems.push(Problem::RecordMissing {
            what: format!("item {id}"),
        });
    }
}

fn set_field(v: &mut serde_json::Value, column: &str, new: serde_json::Value) {
    match column.strip_prefix("from_") {
        Some(sub) => v["from"][sub] = new,
        None => v[column] = new,
    }
}

fn diff(
    prefix: &str,
    have: &serde_json::Value,
    want: &serde_json::Value,
    item: i64,
    problems: &mut Vec<Problem>,
) {
    use serde_json::Value;
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => {
            let keys: BTreeSet<&String> = h.keys().chain(w.keys()).collect();
            for k in keys {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                diff(
                    &path,
                    h.get(k).unwrap_or(&Value::Null),
                    w.get(k).unwrap_or(&Value::Null),
                    item,
                    problems,
                );
            }
        }
        _ if have != want => problems.push(Problem::RecordChanged {
            item,
            field: prefix.to_string(),
            recorded: show(have),
            logged: show(want),
        }),
        _ => {}
    }
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "(nothing)".into(),
        other => other.to_string(),
    }
}

fn compare_cases_with_log(
    store: &Store,
    log: &[Entry],
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let cases = store.cases()?;
    let mut logged: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for e in log.iter().filter(|e| e.action == "case_created") {
        if let Some(id) = &e.case_id {
            logged.insert(id.clone(), e.details_json());
        }
    }
    for c in &cases {
        let Some(d) = logged.remove(&c.case.id) else {
            problems.push(Problem::NotInLog {
                what: format!("case {}", c.case.id),
            });
            continue;
        };
        let created = serde_json::to_value(&c.case.created).unwrap_or_default();
        for (field, same) in [
            ("title", d["title"] == c.case.title.as_str()),
            ("staff", d["staff"] == c.case.staff.as_str()),
            ("created", d["created"] == created),
        ] {
            if !same {
                problems.push(Problem::CaseChanged {
                    case: c.case.id.clone(),
                    field: field.into(),
                });
            }
        }
    }
    for id in logged.keys() {
        problems.push(Problem::RecordMissing {
            what: format!("case {id}"),
        });
    }
    // Each case's incident report, replayed from its custody entries.
    let mut reports: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for e in log {
        let Some(case) = &e.case_id else { continue };
        let d = e.details_json();
        let report = || crate::store::report_value("{}");
        match e.action.as_str() {
            "report_edited" => {
                if let Some(field) = d["field"].as_str() {
                    let r = reports.entry(case.clone()).or_insert_with(report);
                    r[field] = d["new"].clone();
                }
            }
            "indecent_image_recorded" => {
                let r = reports.entry(case.clone()).or_insert_with(report);
                if let Some(list) = r["indecent_images"].as_array_mut() {
                    list.push(d["note"].clone());
                }
            }
            _ => {}
        }
    }
    for c in &cases {
        let raw = store.raw_report(&c.case.id)?;
        let stored: Option<serde_json::Value> =
            serde_json::from_str::<crate::case::IncidentReport>(&raw)
                .ok()
                .and_then(|r| serde_json::to_value(r).ok());
        let logged = reports
            .remove(&c.case.id)
            .unwrap_or_else(|| crate::store::report_value("{}"));
        let Some(stored) = stored else {
            problems.push(Problem::CaseChanged {
                case: c.case.id.clone(),
                field: "report".into(),
            });
            continue;
        };
        if let (Some(have), Some(want)) = (stored.as_object(), logged.as_object()) {
            for (field, v) in want {
                if have.get(field) != Some(v) {
                    problems.push(Problem::CaseChanged {
                        case: c.case.id.clone(),
                        field: format!("report.{field}"),
                    });
                }
            }
        }
    }
    Ok(())
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
