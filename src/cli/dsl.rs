//! `dsl`: the designated safeguarding person's register of bundles received.

use super::args::{DslCommand, PassArgs, VerifyArgs};
use super::failure::{CliError, Failure};
use super::keys::passphrase;
use super::verify::verify_options;
use super::{keydir, print_list, shown_path, to_json};
use evidence_kit::register::{Referral, Register};
use evidence_kit::text::visible;
use std::path::{Path, PathBuf};

pub(super) fn dsl(root: &Path, config: &Option<PathBuf>, d: DslCommand) -> Result<u8, Failure> {
    let reg = Register::open(root)?;
    match d {
        DslCommand::Receive { file, v, json } => receive(&reg, config, &file, &v, json),
        DslCommand::List { json } => list(&reg, json),
        DslCommand::Status {
            case,
            set,
            note,
            to,
        } => status(&reg, &case, &set, note.as_deref(), &to),
        DslCommand::Receipt { case, out, pass } => receipt(&reg, config, &case, &out, &pass),
        DslCommand::Accounts { json } => accounts(&reg, json),
        DslCommand::Export { csv } => export(&reg, &csv),
    }
}

/// `dsl receive FILE`: verify and record (the same bundle twice is recognised).
fn receive(
    reg: &Register,
    config: &Option<PathBuf>,
    file: &Path,
    v: &VerifyArgs,
    json: bool,
) -> Result<u8, Failure> {
    let opts = verify_options(config, v, file)?;
    let got = reg.receive(file, &opts)?;
    let b = &got.bundle;
    if json {
        println!("{}", to_json(&got));
    } else if got.duplicate && got.file_sha256 == b.sha256 {
        println!(
            "Already received on {}: the same bundle (SHA-256 {}). Nothing was added; checked again: {}.",
            visible(&b.received),
            visible(&b.sha256),
            if b.intact {
                "intact"
            } else {
                "VERIFICATION FAILED"
            }
        );
    } else if got.duplicate {
        println!(
            "Already received on {}: the same seal as the bundle on file (SHA-256 {}), in a file whose bytes differ (SHA-256 {}). Nothing was added; checked again: {}.",
            visible(&b.received),
            visible(&b.sha256),
            visible(&got.file_sha256),
            if b.intact {
                "intact"
            } else {
                "VERIFICATION FAILED"
            }
        );
    } else {
        println!(
            "Received {} for case {}: {}.",
            visible(&b.file),
            visible(b.case_ref.as_deref().unwrap_or("(unreadable)")),
            if b.intact {
                "intact"
            } else {
                "VERIFICATION FAILED"
            }
        );
        for f in &b.findings {
            println!("  - {}", visible(&f.to_string()));
        }
        if b.replay {
            println!(
                "  Note: this bundle was sealed before one already on file for the same case (an older copy)."
            );
        }
        if let Some(c) = &b.conflict {
            println!("  Warning: {}", visible(c));
        }
    }
    Ok(if b.intact { 0 } else { 1 })
}

/// `dsl list`: every bundle received, with its state and (for a copy as sealed) its
/// case's status and referrals.
fn list(reg: &Register, json: bool) -> Result<u8, Failure> {
    print_list(&reg.list()?, json, "No bundles received yet.", |b| {
        let status = match (&b.status, b.state) {
            (Some(s), _) => s.clone(),
            (None, evidence_kit::register::ListState::NotIntact) => "its own entry".into(),
            (None, _) => "received".into(),
        };
        format!(
            "{}  {}  {}  received {}  {}{}{}  [{}{}]",
            visible(b.case_ref.as_deref().unwrap_or("?")),
            visible(b.staff.as_deref().unwrap_or("?")),
            visible(&b.sha256.chars().take(12).collect::<String>()),
            visible(&b.received),
            b.state.words(),
            if b.replay { ", older copy" } else { "" },
            if b.conflict.is_some() {
                ", claims a seal on file but differs"
            } else {
                ""
            },
            visible(&status),
            referred_words(&b.referred_to)
        )
    });
    Ok(0)
}

/// ": headteacher, police" (empty for none).
fn referred_words(to: &[Referral]) -> String {
    if to.is_empty() {
        return String::new();
    }
    let words: Vec<String> = to.iter().map(Referral::words).collect();
    format!(" to {}", visible(&words.join(", ")))
}

/// `dsl status --case REF --set STATUS [--to WHO]…` (the core checks the status,
/// folding case, and the referrals).
fn status(
    reg: &Register,
    case: &str,
    set: &str,
    note: Option<&str>,
    to: &[String],
) -> Result<u8, Failure> {
    let referred = to
        .iter()
        .map(|t| Referral::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(evidence_kit::register::RegisterError::from)?;
    reg.set_status_referred(case, set, note, &referred)?;
    println!(
        "Case {} is now {}{}.",
        visible(case.trim()),
        visible(&set.trim().to_lowercase()),
        referred_words(&referred)
    );
    Ok(0)
}

/// `dsl receipt --case REF --out FILE`: a signed receipt for the latest bundle.
fn receipt(
    reg: &Register,
    config: &Option<PathBuf>,
    case: &str,
    out: &Path,
    pass: &PassArgs,
) -> Result<u8, Failure> {
    if out.exists() {
        return Err(CliError::ReceiptOutExists {
            path: shown_path(out),
        }
        .into());
    }
    let dir = keydir(config)?;
    let pw = if dir.signing_key_is_encrypted(None)? {
        Some(passphrase(pass, false)?)
    } else {
        None
    };
    let key = dir.signing_key(None, pw.as_deref())?;
    let text = reg.receipt(case, &key)?;
    std::fs::write(out, text).map_err(|e| CliError::ReceiptWrite {
        path: out.display().to_string(),
        reason: evidence_kit::error::plain_io(&e),
    })?;
    println!(
        "Wrote the receipt for case {} to {}.",
        visible(case.trim()),
        shown_path(out)
    );
    Ok(0)
}

/// `dsl accounts`: the accounts named across every case received.
fn accounts(reg: &Register, json: bool) -> Result<u8, Failure> {
    print_list(&reg.accounts()?, json, "No accounts named yet.", |a| {
        format!(
            "{} ({}): {} case(s) [{}], {} item(s); first seen {}, last seen {}",
            visible(&a.shown),
            visible(&a.kind.to_string()),
            a.cases.len(),
            visible(&a.cases.join(", ")),
            a.mentions.len(),
            visible(&a.first_seen),
            visible(&a.last_seen)
        )
    });
    Ok(0)
}

/// `dsl export --csv FILE`: the register as CSV.
fn export(reg: &Register, csv: &Path) -> Result<u8, Failure> {
    let n = reg.export_csv(csv)?;
    println!("Wrote {n} row(s) to {}.", shown_path(csv));
    Ok(0)
}
