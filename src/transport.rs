//! The types that cross the desktop app's IPC boundary, defined once (here in Rust) and
//! generated as TypeScript for the UI: `ui/src/generated/`, one file per type, with
//! the [`HEADER`] line. The files are committed (the UI imports them); the unit tests
//! `ts_…` (this crate's for its own types, `src-tauri`'s for its views and all of them)
//! build the text again and fail, naming the file, on any difference. With
//! [`WRITE_VAR`] set they write the files instead.
//!
//! The TypeScript says what `serde_json` sends, which ts-rs reads from the serde
//! attributes: field names as serialised, `Option<T>` as `T | null`, a field skipped
//! when empty (`skip_serializing_if`) as optional (`?:`), unit enums as unions of
//! their words, flattened structs as intersections. Integers are `number`: the UI
//! reads them with `JSON.parse`, which gives numbers whatever their size.

use std::path::Path;
use ts_rs::TS;

/// The first line of every generated file.
pub const HEADER: &str = "// Generated from the Rust types by `cargo test` (ts-rs); do not edit.";

/// Set (to anything) to write the generated files instead of comparing them.
pub const WRITE_VAR: &str = "EVIDENCE_KIT_WRITE_TS";

/// Where the generated files live, from the repository's root.
pub const GENERATED_DIR: &str = "ui/src/generated";

/// One generated file: its name in [`GENERATED_DIR`] and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `Case.ts`.
    pub file: String,
    /// The whole file.
    pub text: String,
}

/// The TypeScript file of `T` (with the imports of the generated types it uses).
pub fn typescript<T: TS + 'static>() -> Result<Generated, ts_rs::ExportError> {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let file = T::output_path().map(|p| p.display().to_string()).ok_or(
        ts_rs::ExportError::CannotBeExported(std::any::type_name::<T>()),
    )?;
    let made = T::export_to_string(&cfg)?;
    // ts-rs opens with its own note; ours says how to make the file again.
    let body = made.split_once('\n').map_or("", |(_, rest)| rest);
    Ok(Generated {
        file,
        text: format!("{HEADER}\n{body}"),
    })
}

/// A file the tests write as it is given (not from one type), e.g. samples.
pub fn file(name: &str, body: &str) -> Generated {
    Generated {
        file: name.to_string(),
        text: format!("{HEADER}\n{body}"),
    }
}

/// The core's transport types: what the desktop app's commands return or take.
pub fn core_types() -> Result<Vec<Generated>, ts_rs::ExportError> {
    use crate::bundle::format as bundle;
    use crate::{case, clock, keys, mail, register, store, verify};
    Ok(vec![
        typescript::<clock::Stamp>()?,
        typescript::<case::Case>()?,
        typescript::<case::IncidentReport>()?,
        typescript::<case::Responsible>()?,
        typescript::<case::PoliceDecision>()?,
        typescript::<case::SafeguardNote>()?,
        typescript::<case::CaseSummary>()?,
        typescript::<case::CaseState>()?,
        typescript::<case::Item>()?,
        typescript::<case::Source>()?,
        typescript::<case::Sender>()?,
        typescript::<case::EmailHeaders>()?,
        typescript::<case::Removal>()?,
        typescript::<case::Withdrawal>()?,
        typescript::<mail::EmailView>()?,
        typescript::<store::ItemField>()?,
        typescript::<keys::Profile>()?,
        typescript::<keys::Mode>()?,
        typescript::<verify::Report>()?,
        typescript::<verify::Finding>()?,
        typescript::<verify::FindingKind>()?,
        typescript::<verify::Signer>()?,
        typescript::<bundle::SealFacts>()?,
        typescript::<register::Received>()?,
        typescript::<register::BundleView>()?,
        typescript::<register::ViewItem>()?,
        typescript::<register::TimelineLine>()?,
        typescript::<register::Account>()?,
        typescript::<register::Mention>()?,
        typescript::<register::ListState>()?,
        typescript::<register::Referral>()?,
        typescript::<register::ReferralTo>()?,
        typescript::<register::StatusEntry>()?,
        report_fields(),
    ])
}

/// `ReportFields.ts`: the incident report as the app's `update_report` takes it, every
/// field of the report's table ([`case::ReportField::ALL`]), `null` when empty. Made
/// from the table rather than from a struct, so that the fields are listed once; each
/// value's type is ts-rs's.
pub fn report_fields() -> Generated {
    use crate::case::{PoliceDecision, ReportField, ReportKind, Responsible};
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut imports = std::collections::BTreeSet::new();
    let mut members = String::new();
    for field in ReportField::ALL {
        let (ty, import) = match field.kind() {
            ReportKind::Text { .. } => (<Option<String> as TS>::name(&cfg), None),
            ReportKind::Responsible => (
                <Option<Responsible> as TS>::name(&cfg),
                Some(<Responsible as TS>::ident(&cfg)),
            ),
            ReportKind::YesNo => (<Option<bool> as TS>::name(&cfg), None),
            ReportKind::Police => (
                <Option<PoliceDecision> as TS>::name(&cfg),
                Some(<PoliceDecision as TS>::ident(&cfg)),
            ),
        };
        imports.extend(import);
        members.push_str(&format!("{}: {ty}, ", field.name()));
    }
    let mut body = String::new();
    for t in imports {
        body.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
    }
    body.push_str(&format!(
        "\n/**\n * The incident report as the UI sends it: every field, `null` when empty.\n */\n\
         export type ReportFields = {{ {members}}};\n"
    ));
    file("ReportFields.ts", &body)
}

/// Compare `files` with those in `dir` (the repository's [`GENERATED_DIR`]), or write
/// them when [`WRITE_VAR`] is set. With `complete` (`files` is every generated file),
/// a `.ts` file in `dir` that none of them is counts as out of date too (and is removed
/// when writing). The error names each file and the command (`rerun`) that makes it.
pub fn check(dir: &Path, files: &[Generated], complete: bool, rerun: &str) -> Result<(), String> {
    let write = std::env::var_os(WRITE_VAR).is_some();
    let mut wrong = Vec::new();
    for f in files {
        let path = dir.join(&f.file);
        if write {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str()) {
            wrong.push(format!(
                "{GENERATED_DIR}/{} is out of date: run `{WRITE_VAR}=1 {rerun}`",
                f.file
            ));
        }
    }
    if complete {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let made = name == SAMPLES_FILE || files.iter().any(|f| f.file == name);
            if name.ends_with(".ts") && !made {
                if write {
                    std::fs::remove_file(e.path()).map_err(|err| format!("{name}: {err}"))?;
                } else {
                    wrong.push(format!(
                        "{GENERATED_DIR}/{name} is made from no Rust type: run `{WRITE_VAR}=1 {rerun}`"
                    ));
                }
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

/// The file of [`samples`](tests): what `serde_json` sends, as typed constants that
/// `tsc` checks against the generated types. Not made from one type, so the check of
/// every file (`complete`) lets it be.
pub const SAMPLES_FILE: &str = "samples.ts";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::format::SealFacts;
    use crate::case::*;
    use crate::clock::Stamp;
    use crate::keys::{Mode, Profile};
    use crate::register::{Account, BundleView, Mention, Received, TimelineLine, ViewItem};
    use crate::verify::{Finding, FindingKind, Report, Signer};

    fn generated_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_DIR)
    }

    fn stamp() -> Stamp {
        Stamp {
            utc: "2026-11-25T14:32:05.123Z".into(),
            local: "2026-11-25T14:32:05.123+00:00".into(),
            zone: "Europe/London".into(),
        }
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    /// Every field filled, so each value's type is checked (not only `null`).
    fn full_case() -> Case {
        Case {
            id: "EK-20261125-3F2A9C".into(),
            title: "Posts about me".into(),
            staff: "A. Teacher".into(),
            created: stamp(),
            report: IncidentReport {
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
                police_decided: Some(stamp()),
                police_ref: some("CAD 77"),
                indecent_images: vec![SafeguardNote {
                    recorded: stamp(),
                    site: some("Facebook"),
                    police_informed: None,
                }],
            },
        }
    }

    fn full_item() -> Item {
        Item {
            id: 1,
            case_id: "EK-20261125-3F2A9C".into(),
            sha256: "ab".repeat(32),
            size: 1234,
            media_type: "message/rfc822".into(),
            original_name: "mail.eml".into(),
            source: Source::Other,
            captured: stamp(),
            captured_by: "A. Teacher".into(),
            site: some("Facebook"),
            url: some("https://example.org/post/1"),
            from: Sender {
                handle: some("@someone"),
                email: some("someone@example.org"),
                phone: some("07700 900000"),
                profile: some("https://example.org/someone"),
            },
            seen: some("2026-11-24T20:00:00Z"),
            note: some("The first post."),
            email: Some(EmailHeaders {
                from: some("someone@example.org"),
                to: some("a.teacher@school.example"),
                date: some("2026-11-24T20:00:00Z"),
                subject: some("You"),
                message_id: some("<1@example.org>"),
            }),
            withdrawn: Some(Withdrawal {
                at: stamp(),
                reason: "A duplicate".into(),
            }),
            removed: Some(Removal {
                at: stamp(),
                reason: "possible indecent image".into(),
            }),
        }
    }

    /// An item as captured: every optional field empty (`removed` is then left out).
    fn bare_item() -> Item {
        Item {
            source: Source::Screen,
            site: None,
            url: None,
            from: Sender::default(),
            seen: None,
            note: None,
            email: None,
            withdrawn: None,
            removed: None,
            ..full_item()
        }
    }

    fn report() -> Report {
        Report {
            file: "EK-1.evidence.age".into(),
            sha256: "cd".repeat(32),
            size: 100,
            encrypted: true,
            facts: Some(SealFacts {
                format: "evidence-kit-bundle/1".into(),
                bundle: "0b1c".into(),
                case: "EK-1".into(),
                sealed: "2026-11-25T14:40:00Z".into(),
                signer: "A. Teacher".into(),
                key_id: "3F2A91C0AB12CD34".into(),
                recipients: vec!["age1xyz".into()],
                tagmanifest_sha256: "ef".repeat(32),
            }),
            signer: Some(Signer {
                name: "A. Teacher".into(),
                key_id: "3F2A91C0AB12CD34".into(),
                fingerprint: "3F2A 91C0 AB12 CD34".into(),
                signature_valid: true,
                trusted: false,
                trusted_as: some("A. Teacher"),
                trusted_file: some("staff.pub"),
            }),
            case: Some(full_case()),
            items: 2,
            payload_bytes: 10,
            findings: FindingKind::ALL
                .iter()
                .map(|&kind| Finding {
                    kind,
                    file: some("data/001-a.txt"),
                    offset: Some(12),
                    message: "Something is wrong.".into(),
                })
                .collect(),
            notes: vec!["Worth knowing.".into()],
        }
    }

    fn received() -> Received {
        Received {
            sha256: "cd".repeat(32),
            file: "EK-1.evidence.age".into(),
            case_ref: some("EK-1"),
            staff: some("A. Teacher"),
            signer: some("A. Teacher"),
            signer_fingerprint: some("3F2A 91C0 AB12 CD34"),
            sealed: some("2026-11-25T14:40:00Z"),
            received: "2026-11-25T15:00:00.000+00:00".into(),
            intact: false,
            findings: vec!["Signed by a key you do not trust yet.".into()],
            replay: false,
            bundle_id: some("0b1c"),
            tagmanifest_sha256: some("ef".repeat(32).as_str()),
            conflict: some("It claims the seal of another bundle."),
            state: crate::register::ListState::IntactKeyNotChecked,
            status: some("referred"),
            status_note: some("Looked at it."),
            referred_to: vec![
                crate::register::Referral {
                    to: crate::register::ReferralTo::Lado,
                    other: None,
                },
                crate::register::Referral {
                    to: crate::register::ReferralTo::Other,
                    other: some("Early Help team"),
                },
            ],
        }
    }

    /// `samples.ts`: each sample as `serde_json` writes it, typed with its generated type.
    fn samples() -> Generated {
        let summary = CaseSummary {
            case: full_case(),
            items: 2,
            withdrawn: 1,
            state: CaseState::Sent,
            last_sealed: some("2026-11-25T14:40:00.000+00:00"),
            handed_over: some("2026-11-26T09:00:00.000+00:00"),
            changed_since_seal: true,
            receipt: some("Received and verified by D. Lead on 26 November 2026."),
        };
        let view = BundleView {
            received: received(),
            duplicate: true,
            report: report(),
            case: Some(full_case()),
            sealed_local: some("2026-11-25T14:40:00.000+00:00"),
            items: vec![ViewItem {
                path: "data/001-mail.eml".into(),
                item: full_item(),
                image: false,
                problems: vec!["It was changed.".into()],
            }],
            timeline: vec![TimelineLine {
                at: "2026-11-25T14:32:05.123+00:00".into(),
                actor: "A. Teacher".into(),
                text: "Record started.".into(),
                clock_anomaly: true,
            }],
            can_trust: true,
            folder: "/tmp/x".into(),
            unpack_problem: some("No room."),
            timeline_more: 3,
            removed_items: 1,
        };
        let account = Account {
            kind: "username".into(),
            shown: "@someone".into(),
            value: "someone".into(),
            cases: vec!["EK-1".into()],
            mentions: vec![Mention {
                case_ref: "EK-1".into(),
                item_id: 1,
                item_name: "mail.eml".into(),
                seen: "2026-11-24T20:00:00.000+00:00".into(),
            }],
            first_seen: "2026-11-24T20:00:00.000+00:00".into(),
            last_seen: "2026-11-24T20:00:00.000+00:00".into(),
        };
        let profile = Profile {
            name: some("A. Teacher"),
            role: some("Year 4 teacher"),
            contact: some("a.teacher@school.example"),
            school: some("St Mary's"),
            show_previews: true,
            shortcut: some("Alt+F9"),
            mode: Some(Mode::Staff),
        };
        let json = |v: &dyn erased::Json| v.pretty();
        let samples: [(&str, &str, String); 8] = [
            ("fullItem", "Item", json(&full_item())),
            ("bareItem", "Item", json(&bare_item())),
            (
                "emptyCase",
                "Case",
                json(&Case {
                    report: IncidentReport::default(),
                    ..full_case()
                }),
            ),
            ("summary", "CaseSummary", json(&summary)),
            ("profile", "Profile", json(&profile)),
            ("emptyProfile", "Profile", json(&Profile::default())),
            ("bundleView", "BundleView", json(&view)),
            ("account", "Account", json(&account)),
        ];
        let mut types: Vec<&str> = samples.iter().map(|(_, t, _)| *t).collect();
        types.sort_unstable();
        types.dedup();
        let mut body = String::new();
        for t in types {
            body.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
        }
        body.push_str(
            "\n// What serde_json sends for these values (src/transport.rs `samples`): tsc checks\n\
             // each against its generated type, extra and missing fields included.\n",
        );
        for (name, ty, text) in samples {
            body.push_str(&format!("\nexport const {name}: {ty} = {text};\n"));
        }
        file(SAMPLES_FILE, &body)
    }

    /// `serde_json::to_string_pretty` through a `dyn` (the samples differ in type).
    mod erased {
        pub trait Json {
            fn pretty(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn pretty(&self) -> String {
                serde_json::to_string_pretty(self).expect("serialise")
            }
        }
    }

    /// `ItemField` is not serialised (the shell parses the words with `ItemField::parse`),
    /// so its TypeScript words come from `#[ts(rename_all)]`: they must be the words
    /// `parse` takes, every one of them.
    #[test]
    fn ts_item_field_words_are_the_ones_the_store_parses() {
        let cfg = ts_rs::Config::new();
        let decl = <crate::store::ItemField as TS>::decl(&cfg);
        let words: Vec<&str> = decl.split('"').skip(1).step_by(2).collect();
        assert_eq!(words.len(), 8, "{decl}");
        for w in &words {
            assert!(crate::store::ItemField::parse(w).is_some(), "{w} in {decl}");
        }
    }

    #[test]
    fn ts_core_transport_types_match_the_committed_files() {
        let mut files = core_types().expect("generate");
        files.push(samples());
        check(
            &generated_dir(),
            &files,
            false,
            "cargo test -p evidence-kit --lib ts_",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
