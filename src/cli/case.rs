//! `case`: open, list and describe incident cases, fill in the incident report, record
//! a hand-over or a possible indecent image.

use super::args::{CaseCommand, ReportArgs};
use super::failure::{CliError, Failure};
use super::{parse_item, print_list, to_json};
use evidence_kit::case::{CaseState, ReportField, ReportValue};
use evidence_kit::store::{self, Store};
use evidence_kit::text::{visible, visible_lines};
use std::path::Path;

/// The most a `--description-file` is read to (the description itself is limited to
/// 200,000 characters).
const MAX_DESCRIPTION_FILE_BYTES: u64 = 4 * 1024 * 1024;

pub(super) fn case(root: &Path, c: CaseCommand) -> Result<u8, Failure> {
    match c {
        CaseCommand::New { title, staff } => {
            let store = Store::open(root)?;
            let case = store.create_case(&title, &staff)?;
            println!("{}", visible(&case.id));
        }
        CaseCommand::List { json } => list(root, json)?,
        CaseCommand::Show { case, json } => {
            let store = Store::open_for_reading(root)?;
            let c = store.case(&case)?;
            if json {
                println!("{}", to_json(&c));
            } else {
                print_case(&c);
            }
        }
        CaseCommand::HandedOver { case, to } => {
            let store = Store::open(root)?;
            let actor = store.actor_for_case(&case)?;
            store.record_handed_over(&case, to.as_deref(), &actor)?;
            println!("Recorded: the sealed record was given to the designated person.");
        }
        CaseCommand::Report(args) => {
            let store = Store::open(root)?;
            let update = report_update(&args)?;
            let actor = store.actor_for_case(&args.case)?;
            let c = store.update_report(&args.case, &update, &actor)?;
            print_case(&c);
        }
        CaseCommand::Safeguard {
            case,
            item,
            site,
            police_informed,
        } => safeguard(root, &case, item, site, police_informed)?,
    }
    Ok(0)
}

fn list(root: &Path, json: bool) -> Result<(), Failure> {
    let store = Store::open_for_reading(root)?;
    let empty = "No cases yet. Start one with: evidence-kit case new --title T --staff NAME";
    print_list(&store.cases()?, json, empty, |c| {
        let state = match (c.state, c.changed_since_seal) {
            (CaseState::Open, _) => "open",
            (_, true) => "changed since sealed",
            (CaseState::Sealed, false) => "sealed",
            (CaseState::Sent, false) => "given to the designated person",
        };
        format!(
            "{}  {}  {} item(s)  opened {} by {}  [{state}]",
            visible(&c.case.id),
            visible(&c.case.title),
            c.items,
            visible(&c.case.created.local),
            visible(&c.case.staff)
        )
    });
    Ok(())
}

/// `case safeguard`: mark an item of this case (its bytes are removed), or record that
/// such an image was seen (nothing captured); then the advice.
fn safeguard(
    root: &Path,
    case: &str,
    item: Option<String>,
    site: Option<String>,
    police_informed: Option<String>,
) -> Result<(), Failure> {
    let store = Store::open(root)?;
    let c = store.case(case)?;
    match item {
        Some(item) => {
            let id = parse_item(&item)?;
            if store.item(id)?.case_id != c.id {
                return Err(CliError::ItemNotInCase {
                    id,
                    case: visible(&c.id).into_owned(),
                }
                .into());
            }
            let i = store.remove_indecent_item(id, police_informed.as_deref(), &c.staff)?;
            println!(
                "Item {} is marked as a possible indecent image of a child. Its bytes were removed from the evidence store; only its record and hash remain.",
                i.id
            );
        }
        None => {
            let note = store.record_indecent_image(
                case,
                site.as_deref(),
                police_informed.as_deref(),
                &c.staff,
            )?;
            println!(
                "Recorded at {}. Nothing was captured.",
                visible(&note.recorded.local)
            );
        }
    }
    println!("{}", store::INDECENT_IMAGE_ADVICE);
    Ok(())
}

/// The report fields given on the command line, each mapped to its field of the
/// core's table (the one place the flags meet it); an empty value clears a field.
fn report_update(a: &ReportArgs) -> Result<store::ReportUpdate, Failure> {
    let description = match &a.description_file {
        Some(path) => {
            let bytes = evidence_kit::keys::read_regular(path, MAX_DESCRIPTION_FILE_BYTES)?;
            let t = String::from_utf8(bytes).map_err(|_| CliError::NotUtf8 {
                path: path.display().to_string(),
            })?;
            Some(t)
        }
        None => a.description.clone(),
    };
    let text = |v: &Option<String>| v.as_ref().map(|s| ReportValue::Text(Some(s.clone())));
    let given = [
        (ReportField::Role, text(&a.role)),
        (ReportField::Contact, text(&a.contact)),
        (ReportField::AddressedTo, text(&a.addressed_to)),
        (ReportField::Description, text(&description)),
        (
            ReportField::Responsible,
            a.responsible.map(|s| ReportValue::Responsible(s.value)),
        ),
        (ReportField::Witnesses, text(&a.witnesses)),
        (
            ReportField::Continuing,
            a.continuing.map(|s| ReportValue::YesNo(s.value)),
        ),
        (ReportField::PlatformReport, text(&a.platform_report)),
        (ReportField::Advice, text(&a.advice)),
        (ReportField::Informed, text(&a.informed)),
        (
            ReportField::Police,
            a.police.map(|s| ReportValue::Police(s.value)),
        ),
        (ReportField::PoliceRef, text(&a.police_ref)),
    ];
    let mut update = store::ReportUpdate::default();
    for (field, value) in given {
        if let Some(value) = value {
            update.set(field, value);
        }
    }
    Ok(update)
}

fn print_case(c: &evidence_kit::case::Case) {
    let r = &c.report;
    let or = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "not recorded".into(), |s| visible(s).into_owned())
    };
    println!("Case {}: {}", visible(&c.id), visible(&c.title));
    println!(
        "  Staff member: {}, opened {}",
        visible(&c.staff),
        visible(&c.created.local)
    );
    println!("  Role: {}", or(&r.role));
    println!("  Contact: {}", or(&r.contact));
    println!("  Addressed to: {}", or(&r.addressed_to));
    println!(
        "  Believed responsible: {}",
        r.responsible.map_or("not recorded", |v| v.words())
    );
    println!(
        "  Continuing: {}",
        r.continuing
            .map_or("not recorded", |v| if v { "yes" } else { "no" })
    );
    println!("  Witnesses: {}", or(&r.witnesses));
    println!("  Reported to the platform: {}", or(&r.platform_report));
    println!("  Advice sought: {}", or(&r.advice));
    println!("  Others informed: {}", or(&r.informed));
    println!(
        "  Wishes to report to the police: {}{}",
        r.police.map_or("not recorded", |v| v.words()),
        r.police_decided
            .as_ref()
            .map(|s| format!(" (recorded {})", visible(&s.local)))
            .unwrap_or_default()
    );
    println!("  Police reference: {}", or(&r.police_ref));
    for n in &r.indecent_images {
        println!(
            "  Possible indecent image of a child seen ({}), recorded {}: not captured; police informed: {}",
            visible(n.site.as_deref().unwrap_or("site not recorded")),
            visible(&n.recorded.local),
            visible(
                n.police_informed
                    .as_deref()
                    .unwrap_or("not yet — tell them now")
            )
        );
    }
    match &r.description {
        Some(d) => println!("  Description:\n{}", visible_lines(d)),
        None => println!("  Description: not recorded"),
    }
}
