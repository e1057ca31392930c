use super::compare::item_schema;
use super::*;
use crate::case::{Case, EmailHeaders, Item, Removal, Sender, Source, Withdrawal};
use crate::clock::Stamp;
use crate::custody::next_entry;
use serde_json::json;

fn stamp(utc: &str) -> Stamp {
    Stamp {
        utc: utc.into(),
        local: utc.replace('Z', "+00:00"),
        zone: "Europe/London".into(),
    }
}

/// A log built as the store builds it (`next_entry` sets `clock_anomaly`).
#[derive(Default)]
struct Log(Vec<Entry>);

impl Log {
    fn add(
        &mut self,
        utc: &str,
        action: &str,
        case: Option<&str>,
        item: Option<i64>,
        d: Value,
    ) -> &mut Entry {
        let e = next_entry(self.0.last(), stamp(utc), "A", action, case, item, &d);
        self.0.push(e);
        self.0.last_mut().unwrap()
    }

    fn replay(&self, mode: Mode, case: Option<&str>) -> Replay {
        let mut r = Replay::new(mode, case);
        for e in &self.0 {
            r.apply(e);
        }
        r
    }
}

fn item(id: i64, case: &str, utc: &str) -> Item {
    Item {
        id,
        case_id: case.into(),
        sha256: format!("{id:064}"),
        size: 10,
        media_type: "image/png".into(),
        original_name: format!("{id}.png"),
        source: Source::Screen,
        captured: stamp(utc),
        captured_by: "A. Teacher".into(),
        site: Some("Facebook".into()),
        url: None,
        from: Sender::default(),
        seen: None,
        note: Some("first note".into()),
        email: None,
        withdrawn: None,
        removed: None,
    }
}

fn case(id: &str, utc: &str) -> Case {
    Case {
        id: id.into(),
        title: "Posts about me".into(),
        staff: "A. Teacher".into(),
        created: stamp(utc),
        report: IncidentReport::default(),
    }
}

const T0: &str = "2026-11-25T10:00:00.000Z";
const T1: &str = "2026-11-25T10:01:00.000Z";
const T2: &str = "2026-11-25T10:02:00.000Z";
const T3: &str = "2026-11-25T10:03:00.000Z";

/// A case with one captured item.
fn one_item() -> (Log, Item) {
    let mut log = Log::default();
    let c = case("C", T0);
    log.add(
        T0,
        "case_created",
        Some("C"),
        None,
        json!({"title": c.title, "staff": c.staff, "created": c.created}),
    );
    let it = item(1, "C", T1);
    log.add(
        T1,
        "captured",
        Some("C"),
        Some(1),
        serde_json::to_value(&it).unwrap(),
    );
    (log, it)
}

fn value(it: &Item) -> Value {
    serde_json::to_value(it).unwrap()
}

fn changed(d: &[Difference]) -> Vec<(&str, &str, &str)> {
    d.iter()
        .filter_map(|d| match d {
            Difference::ItemChanged {
                field,
                recorded,
                logged,
                ..
            } => Some((field.as_str(), recorded.as_str(), logged.as_str())),
            _ => None,
        })
        .collect()
}

fn item_kinds(d: Vec<Difference>) -> Vec<Difference> {
    d.into_iter().filter(Difference::is_about_an_item).collect()
}

#[test]
fn an_unchanged_record_and_case_replay_clean_and_finish_is_empty() {
    let (log, it) = one_item();
    for mode in [Mode::Store, Mode::Bundle] {
        let mut r = log.replay(mode, Some("C"));
        assert_eq!(r.compare_item(&value(&it)), []);
        assert_eq!(r.compare_case(&case("C", T0)), []);
        assert_eq!(r.finish(), []);
    }
}

#[test]
fn note_and_detail_edits_are_replayed_field_by_field() {
    let (mut log, mut it) = one_item();
    let e = |f: &str, old: Value, new: Value| json!({"field": f, "old": old, "new": new});
    log.add(
        T2,
        "note_edited",
        Some("C"),
        Some(1),
        e("note", json!("first note"), json!("second note")),
    );
    log.add(
        T2,
        "details_edited",
        Some("C"),
        Some(1),
        e("site", json!("Facebook"), Value::Null),
    );
    log.add(
        T2,
        "details_edited",
        Some("C"),
        Some(1),
        e("from_handle", Value::Null, json!("@someone")),
    );
    // The record as it stood before the edits: each edit is named.
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        changed(&r.compare_item(&value(&it))),
        [
            ("from.handle", "(nothing)", "@someone"),
            ("note", "first note", "second note"),
            ("site", "Facebook", "(nothing)"),
        ]
    );
    // The record with the edits made: nothing to say.
    it.note = Some("second note".into());
    it.site = None;
    it.from.handle = Some("@someone".into());
    let mut r = log.replay(Mode::Store, None);
    assert_eq!(r.compare_item(&value(&it)), []);
    let shown = Replay::bundle("C").compare_item(&value(&it));
    assert_eq!(shown, [Difference::ItemNotInLog { item: 1 }]);
}

#[test]
fn a_withdrawal_must_be_in_the_record_exactly() {
    let (mut log, mut it) = one_item();
    log.add(
        T2,
        "withdrawn",
        Some("C"),
        Some(1),
        json!({"reason": "a duplicate", "at": stamp(T2)}),
    );
    let mut r = log.replay(Mode::Bundle, Some("C"));
    let d = r.compare_item(&value(&it));
    assert_eq!(changed(&d).len(), 1, "{d:?}");
    assert_eq!(changed(&d)[0].0, "withdrawn");
    assert_eq!(changed(&d)[0].1, "(nothing)");

    it.withdrawn = Some(Withdrawal {
        at: stamp(T2),
        reason: "another reason".into(),
    });
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        changed(&r.compare_item(&value(&it))),
        [("withdrawn.reason", "another reason", "a duplicate")]
    );
    it.withdrawn = Some(Withdrawal {
        at: stamp(T2),
        reason: "a duplicate".into(),
    });
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(r.compare_item(&value(&it)), []);
}

#[test]
fn a_removed_item_is_a_marked_record_in_the_store_and_absent_from_a_bundle() {
    let (mut log, mut it) = one_item();
    log.add(
        T2,
        "indecent_image_removed",
        Some("C"),
        Some(1),
        json!({"sha256": it.sha256, "at": stamp(T2), "reason": "removed"}),
    );
    // Bundle: absent is right; present is named.
    let r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(item_kinds(r.finish()), []);
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        r.compare_item(&value(&it)),
        [Difference::ItemRemoved { item: 1 }]
    );
    assert_eq!(item_kinds(r.finish()), []);
    // Store: the record stays, with `removed` set.
    let r = log.replay(Mode::Store, None);
    assert_eq!(
        item_kinds(r.finish()),
        [Difference::ItemMissing { item: 1 }]
    );
    let mut r = log.replay(Mode::Store, None);
    assert_eq!(changed(&r.compare_item(&value(&it)))[0].0, "removed");
    it.removed = Some(Removal {
        at: stamp(T2),
        reason: "removed".into(),
    });
    let mut r = log.replay(Mode::Store, None);
    assert_eq!(r.compare_item(&value(&it)), []);
    assert_eq!(item_kinds(r.finish()), []);
}

#[test]
fn the_case_and_its_report_are_replayed() {
    let (mut log, _) = one_item();
    log.add(
        T2,
        "report_edited",
        Some("C"),
        None,
        json!({"field": "description", "old": null, "new": "They posted it twice."}),
    );
    log.add(
        T2,
        "report_edited",
        Some("C"),
        None,
        json!({"field": "police", "old": null, "new": "yes"}),
    );
    let note = crate::case::SafeguardNote {
        recorded: stamp(T3),
        site: Some("a group chat".into()),
        police_informed: None,
    };
    log.add(
        T3,
        "indecent_image_recorded",
        Some("C"),
        None,
        json!({"note": note, "advice_given": "Tell the police."}),
    );
    let mut c = case("C", T0);
    let fields = |d: Vec<Difference>| -> Vec<String> {
        d.into_iter()
            .map(|d| match d {
                Difference::CaseChanged { field, .. } => field,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        fields(r.compare_case(&c)),
        [
            "report.description",
            "report.indecent_images",
            "report.police"
        ]
    );
    c.report.description = Some("They posted it twice.".into());
    c.report.police = Some(crate::case::PoliceDecision::Yes);
    c.report.indecent_images.push(note);
    let mut r = log.replay(Mode::Store, None);
    assert_eq!(r.compare_case(&c), []);
    c.title = "Nothing happened".into();
    c.created = stamp(T1);
    let mut r = log.replay(Mode::Bundle, Some("C"));
    let d = r.compare_case(&c);
    assert_eq!(fields(d.clone()), ["title", "created"]);
    assert_eq!(
        d[0].to_string(),
        "case C field title: recorded \"Nothing happened\", the custody log says \"Posts about me\""
    );
}

#[test]
fn cases_and_items_the_log_and_the_records_disagree_on_are_named() {
    let (log, it) = one_item();
    // Nothing compared: the log's case and item have no record.
    let r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        r.finish(),
        [
            Difference::ItemMissing { item: 1 },
            Difference::CaseMissing { case: "C".into() }
        ]
    );
    let mut r = log.replay(Mode::Bundle, Some("C"));
    let mut other = value(&it);
    other["id"] = json!(2);
    assert_eq!(
        r.compare_item(&other),
        [Difference::ItemNotInLog { item: 2 }]
    );
    assert_eq!(r.compare_item(&value(&it)), []);
    assert_eq!(
        r.compare_item(&value(&it)),
        [Difference::ItemTwice { item: 1 }]
    );
    other.as_object_mut().unwrap().remove("id");
    assert_eq!(r.compare_item(&other), [Difference::ItemWithoutId]);
    assert_eq!(
        r.compare_case(&case("D", T0)),
        [Difference::CaseNotInLog { case: "D".into() }]
    );
}

#[test]
fn a_bundle_replays_only_its_own_case() {
    let (mut log, _) = one_item();
    let theirs = item(2, "D", T2);
    log.add(T2, "captured", Some("D"), Some(2), value(&theirs));
    log.add(
        T2,
        "case_created",
        Some("D"),
        None,
        json!({"title": "x", "staff": "y", "created": stamp(T2)}),
    );
    let r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(r.items_logged(), 1);
    assert_eq!(r.finish().len(), 2, "only case C and its item 1");
    let r = log.replay(Mode::Store, None);
    assert_eq!(r.finish().len(), 4, "the store replays every case");
}

#[test]
fn unknown_actions_are_carried_and_ignored() {
    let (mut log, it) = one_item();
    log.add(
        T2,
        "timestamped",
        Some("C"),
        Some(1),
        json!({"field": "note", "new": "changed?", "tsa": "x"}),
    );
    log.add(
        T2,
        "phone_paired",
        Some("C"),
        None,
        json!({"field": "title", "new": "x"}),
    );
    log.add(T3, "sealed", Some("C"), None, json!({"file": "c.evidence"}));
    for mode in [Mode::Store, Mode::Bundle] {
        let mut r = log.replay(mode, Some("C"));
        assert_eq!(r.compare_item(&value(&it)), []);
        assert_eq!(r.compare_case(&case("C", T0)), []);
        assert_eq!(r.finish(), []);
    }
}

#[test]
fn a_bundle_ignores_item_fields_this_version_does_not_know_and_the_store_does_not() {
    let (mut log, it) = one_item();
    // A newer version's capture carries a field of its own…
    let mut newer = value(&it);
    newer["id"] = json!(2);
    newer["phone_model"] = json!("Pixel");
    newer["from"]["whatsapp"] = json!("+44 7700 900000");
    log.add(T2, "captured", Some("C"), Some(2), newer.clone());
    // …and its case.json records another (and the payload path, a bundle's own).
    let mut record = newer.clone();
    record["path"] = json!("data/002-2.png");
    record["colour"] = json!("blue");
    record["from"]["whatsapp"] = json!("+44 7700 900001");
    record.as_object_mut().unwrap().remove("phone_model");
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(r.compare_item(&record), []);
    // A field this version knows is still compared.
    record["note"] = json!("rewritten");
    let mut r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        changed(&r.compare_item(&record)),
        [("note", "rewritten", "first note")]
    );
    // The store's records have a fixed schema: any extra field is named.
    let mut r = log.replay(Mode::Store, None);
    let d = r.compare_item(&record);
    let named: Vec<&str> = changed(&d).into_iter().map(|c| c.0).collect();
    assert_eq!(
        named,
        ["colour", "from.whatsapp", "note", "path", "phone_model"]
    );
}

#[test]
fn a_record_that_is_not_an_object_is_named_not_a_panic() {
    let mut log = Log::default();
    log.add(T1, "captured", Some("C"), Some(1), json!([1, 2]));
    log.add(
        T2,
        "withdrawn",
        Some("C"),
        Some(1),
        json!({"reason": "x", "at": stamp(T2)}),
    );
    log.add(
        T2,
        "details_edited",
        Some("C"),
        Some(1),
        json!({"field": "from_email", "new": "a@b"}),
    );
    log.add(T2, "report_edited", Some("C"), None, json!("not an object"));
    log.add(T2, "indecent_image_recorded", Some("C"), None, json!(7));
    let mut r = log.replay(Mode::Bundle, Some("C"));
    let d = r.compare_item(&value(&item(1, "C", T1)));
    assert_eq!(changed(&d).len(), 1);
    assert_eq!(changed(&d)[0].0, "");
    assert_eq!(
        r.captures_after(T0).len(),
        1,
        "the entry's time still counts"
    );
}

#[test]
fn a_capture_later_than_the_seal_is_named_and_excused_only_by_a_later_clock_anomaly() {
    let (mut log, _) = one_item();
    // Item 2 captured in 2031 by a clock set ahead…
    let late = item(2, "C", "2031-01-01T00:00:00.000Z");
    log.add(
        "2031-01-01T00:00:00.000Z",
        "captured",
        Some("C"),
        Some(2),
        value(&late),
    );
    let sealed = "2026-12-01T09:00:00.000Z";
    let r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        r.captures_after(sealed),
        [LateCapture {
            item: 2,
            captured_utc: "2031-01-01T00:00:00.000Z".into(),
            excused: false
        }]
    );
    assert_eq!(r.captures_after(T0).len(), 2);
    assert_eq!(r.captures_after("2031-01-02T00:00:00Z"), []);
    assert_eq!(r.captures_after("not a time"), []);
    // …then set right: the next entry is flagged, which explains it.
    let e = log.add(
        T3,
        "note_edited",
        Some("C"),
        Some(1),
        json!({"field": "note", "old": "first note", "new": "first note"}),
    );
    assert!(e.clock_anomaly);
    let r = log.replay(Mode::Bundle, Some("C"));
    assert!(r.captures_after(sealed)[0].excused);
}

#[test]
fn a_late_capture_is_explained_by_seal_s_clock_record_not_by_a_redacted_line() {
    let (mut log, _) = one_item();
    let late = item(2, "C", "2031-01-01T00:00:00.000Z");
    let seq = log
        .add(
            "2031-01-01T00:00:00.000Z",
            "captured",
            Some("C"),
            Some(2),
            value(&late),
        )
        .seq;
    let sealed = "2026-12-01T09:00:00.000Z";
    // Another record's entry (redacted in this bundle) explains nothing.
    let mut r = log.replay(Mode::Bundle, Some("C"));
    r.skip(seq + 1);
    assert!(!r.captures_after(sealed)[0].excused);
    // Seal's store-level record that the clock reads earlier than the log does.
    log.add(
        "2031-01-01T00:00:01.000Z",
        "clock_set_back",
        None,
        None,
        json!({"latest_utc": "2031-01-01T00:00:00.000Z", "now_utc": sealed}),
    );
    let r = log.replay(Mode::Bundle, Some("C"));
    assert!(r.captures_after(sealed)[0].excused);
    // A case's own entry of that name is not seal's record.
    let (mut log, _) = one_item();
    log.add(
        "2031-01-01T00:00:00.000Z",
        "captured",
        Some("C"),
        Some(2),
        value(&late),
    );
    log.add(
        "2031-01-01T00:00:01.000Z",
        "clock_set_back",
        Some("C"),
        None,
        json!({}),
    );
    let r = log.replay(Mode::Bundle, Some("C"));
    assert!(!r.captures_after(sealed)[0].excused);
}

#[test]
fn a_clock_anomaly_before_the_capture_excuses_nothing() {
    let mut log = Log::default();
    log.add(T2, "phone_paired", Some("C"), None, json!({}));
    assert!(
        log.add(T1, "sealed", Some("C"), None, json!({}))
            .clock_anomaly
    );
    let late = item(1, "C", T1);
    // The entry's time is before the seal; the recorded capture time is after.
    let mut record = value(&late);
    record["captured"] = json!(stamp("2030-01-01T00:00:00.000Z"));
    log.add(T1, "captured", Some("C"), Some(1), record);
    let r = log.replay(Mode::Bundle, Some("C"));
    assert_eq!(
        r.captures_after(T3),
        [LateCapture {
            item: 1,
            captured_utc: "2030-01-01T00:00:00.000Z".into(),
            excused: false
        }]
    );
}

#[test]
fn time_going_back_must_agree_with_the_clock_anomaly_flag() {
    let mut log = Log::default();
    log.add(T2, "case_created", Some("C"), None, json!({}));
    // Flagged by the app: agrees.
    assert!(log.add(T1, "x", Some("C"), None, json!({})).clock_anomaly);
    // Going back without the flag (a forged or edited entry).
    log.add(T0, "x", Some("C"), None, json!({})).clock_anomaly = false;
    // The flag without going back.
    log.add(T3, "x", Some("C"), None, json!({})).clock_anomaly = true;
    let mut r = Replay::bundle("C");
    let slips: Vec<TimeSlip> = log.0.iter().filter_map(|e| r.apply(e)).collect();
    assert_eq!(
        slips,
        [
            TimeSlip {
                seq: 3,
                utc: T0.into(),
                previous_utc: T1.into(),
                kind: SlipKind::WentBack
            },
            TimeSlip {
                seq: 4,
                utc: T3.into(),
                previous_utc: T0.into(),
                kind: SlipKind::FlaggedWithoutGoingBack
            }
        ]
    );
    assert!(slips[0].to_string().contains("not marked"), "{}", slips[0]);
    // A redacted entry between, or a gap in seq: nothing can be said.
    let mut r = Replay::bundle("C");
    assert_eq!(r.apply(&log.0[1]), None);
    r.skip(3);
    assert_eq!(r.apply(&log.0[3]), None);
    let mut r = Replay::bundle("C");
    r.apply(&log.0[0]);
    assert_eq!(r.apply(&log.0[2]), None, "entry 2 is not there");
    // Store mode, every case: the same rule.
    let mut r = Replay::store();
    assert_eq!(log.0.iter().filter_map(|e| r.apply(e)).count(), 2);
}

#[test]
fn a_long_value_is_shortened_in_the_sentence_only() {
    let long = "x".repeat(5000);
    let d = Difference::ItemChanged {
        item: 1,
        field: "note".into(),
        recorded: long.clone(),
        logged: "short".into(),
    };
    let text = d.to_string();
    assert!(text.len() < 300, "{}", text.len());
    assert!(text.contains("…, the custody log says \"short\""), "{text}");
}

#[test]
fn the_schema_knows_every_field_a_full_item_has() {
    let schema = item_schema();
    let mut full = item(1, "C", T1);
    full.removed = Some(Removal {
        at: stamp(T2),
        reason: "r".into(),
    });
    full.withdrawn = Some(Withdrawal {
        at: stamp(T2),
        reason: "r".into(),
    });
    full.email = Some(EmailHeaders::default());
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&schema), keys(&value(&full)));
    assert_eq!(
        keys(&schema["from"]),
        ["email", "handle", "phone", "profile"]
    );
}
