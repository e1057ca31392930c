//! The incident report's fields are listed once, in `case::ReportField`: the table
//! names exactly the fields of `IncidentReport` (in its order), each field reads its
//! own value, and the app's update (`ReportUpdate::every_field`, walking the table)
//! sets every field and logs them in the order the log has always had.

use crate::util::*;
use evidence_kit::case::{IncidentReport, PoliceDecision, ReportField, ReportValue, Responsible};
use evidence_kit::store::{ReportUpdate, Store};
use serde_json::Value;

/// The fields of `IncidentReport` that are not the person's to fill in: the time of the
/// police decision (set with it) and the indecent-image records (their own command).
const NOT_IN_THE_TABLE: [&str; 2] = ["police_decided", "indecent_images"];

/// Every field of the table filled, each with a value no other field has.
fn full() -> IncidentReport {
    let some = |s: &str| Some(s.to_string());
    IncidentReport {
        role: some("Year 4 teacher"),
        contact: some("a.teacher@school.example"),
        addressed_to: some("Mrs D. Lead"),
        description: some("Posts about me in the parents' group."),
        responsible: Some(Responsible::Parent),
        witnesses: some("B. Colleague"),
        continuing: Some(true),
        platform_report: some("25 Nov, ref 1234"),
        advice: some("POSH helpline"),
        informed: some("The head"),
        police: Some(PoliceDecision::Undecided),
        police_ref: some("CAD 77"),
        ..IncidentReport::default()
    }
}

#[test]
fn headline_the_report_table_names_every_field_of_the_incident_report_in_its_order() {
    // A default report serialises every field as null or [], so the quoted words of
    // its JSON are its keys, in the struct's order.
    let text = serde_json::to_string(&IncidentReport::default()).expect("json");
    let keys: Vec<&str> = text
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|k| !NOT_IN_THE_TABLE.contains(k))
        .collect();
    let names: Vec<&str> = ReportField::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(keys, names, "IncidentReport {text} against the table");

    // Each field reads its own value, of its own kind.
    let report = full();
    let json = serde_json::to_value(&report).expect("json");
    for field in ReportField::ALL {
        let value = field.value(&report);
        assert!(value.is_of(field.kind()), "{field:?}: {value:?}");
        let read = match &value {
            ReportValue::Text(v) => serde_json::to_value(v),
            ReportValue::Responsible(v) => serde_json::to_value(v),
            ReportValue::YesNo(v) => serde_json::to_value(v),
            ReportValue::Police(v) => serde_json::to_value(v),
        }
        .expect("json");
        assert_eq!(read, json[field.name()], "{field:?}");
    }
}

fn report_entries(env: &Env, case: &str) -> Vec<Value> {
    let log: Vec<Value> =
        serde_json::from_str(&env.ok(&["log", "--case", case, "--json"])).expect("log json");
    log.into_iter()
        .filter(|e| e["action"] == "report_edited")
        .map(|e| serde_json::from_str(e["details"].as_str().expect("details")).expect("json"))
        .collect()
}

#[test]
fn the_apps_update_sets_every_field_and_logs_texts_first_then_the_choices() {
    let env = Env::new();
    let case = env.case();
    let report = full();
    let store = Store::open(&env.store()).expect("open");
    let c = store
        .update_report(&case, &ReportUpdate::every_field(&report), "A. Teacher")
        .expect("update");
    drop(store);
    let (saved, sent) = (
        serde_json::to_value(&c.report),
        serde_json::to_value(&report),
    );
    let (saved, sent) = (saved.expect("json"), sent.expect("json"));
    for field in ReportField::ALL {
        assert_eq!(saved[field.name()], sent[field.name()], "{field:?}");
    }
    assert!(c.report.police_decided.is_some(), "{saved}");

    // The order `report_edited` entries have always been written in.
    let logged: Vec<String> = report_entries(&env, &case)
        .iter()
        .map(|d| d["field"].as_str().expect("field").to_string())
        .collect();
    let texts = "role contact addressed_to description witnesses platform_report advice informed police_ref";
    let order: Vec<&str> = texts
        .split(' ')
        .chain(["responsible", "continuing", "police", "police_decided"])
        .collect();
    assert_eq!(logged, order);

    // The same report again writes nothing; an empty one clears every field.
    let store = Store::open(&env.store()).expect("open");
    store
        .update_report(&case, &ReportUpdate::every_field(&report), "A. Teacher")
        .expect("again");
    assert_eq!(report_entries(&env, &case).len(), order.len());
    let c = store
        .update_report(
            &case,
            &ReportUpdate::every_field(&IncidentReport::default()),
            "A. Teacher",
        )
        .expect("clear");
    drop(store);
    let cleared = serde_json::to_value(&c.report).expect("json");
    for field in ReportField::ALL {
        assert!(cleared[field.name()].is_null(), "{field:?} in {cleared}");
    }
    env.assert_intact();
}

/// Each `case report` flag, the field it must set, a value no other flag has and that
/// value as the stored report holds it (JSON).
const FLAGS: [(&str, &str, &str, &str); 12] = [
    ("--role", "role", "Class teacher", r#""Class teacher""#),
    (
        "--contact",
        "contact",
        "a.teacher@school.example",
        r#""a.teacher@school.example""#,
    ),
    (
        "--addressed-to",
        "addressed_to",
        "Mrs D. Lead",
        r#""Mrs D. Lead""#,
    ),
    (
        "--description",
        "description",
        "In a group.",
        r#""In a group.""#,
    ),
    (
        "--responsible",
        "responsible",
        "colleague",
        r#""colleague""#,
    ),
    (
        "--witnesses",
        "witnesses",
        "A colleague saw them.",
        r#""A colleague saw them.""#,
    ),
    ("--continuing", "continuing", "no", "false"),
    (
        "--platform-report",
        "platform_report",
        "25 Nov REF",
        r#""25 Nov REF""#,
    ),
    (
        "--advice",
        "advice",
        "Keep everything.",
        r#""Keep everything.""#,
    ),
    (
        "--informed",
        "informed",
        "My line manager.",
        r#""My line manager.""#,
    ),
    ("--police", "police", "undecided", r#""undecided""#),
    ("--police-ref", "police_ref", "CAD 1234", r#""CAD 1234""#),
];

#[test]
fn every_report_flag_of_the_cli_sets_its_own_field() {
    let names: Vec<&str> = FLAGS.iter().map(|(_, f, _, _)| *f).collect();
    let table: Vec<&str> = ReportField::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names, table,
        "a field of the table with no flag, or the other way"
    );
    let env = Env::new();
    let case = env.case();
    let mut args = vec!["case", "report", "--case", case.as_str()];
    args.extend(FLAGS.iter().flat_map(|(flag, _, v, _)| [*flag, *v]));
    env.ok(&args);
    let shown: Value =
        serde_json::from_str(&env.ok(&["case", "show", "--case", &case, "--json"])).expect("json");
    for (flag, field, _, stored) in FLAGS {
        let want: Value = serde_json::from_str(stored).expect("json");
        assert_eq!(shown["report"][field], want, "{flag} in {shown:#}");
    }
}
