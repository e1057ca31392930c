//! `verify` and `open`: check a bundle (and extract it, read-only), with the options
//! the keys folder and the flags give.

use super::args::{PassArgs, VerifyArgs};
use super::failure::{CliError, Failure};
use super::{keydir, shown_path, to_json};
use evidence_kit::keys::PublicKey;
use evidence_kit::text::visible;
use evidence_kit::verify;
use std::path::{Path, PathBuf};

/// `verify FILE`: exit 0 only when the bundle is intact and signed by a key you trust.
pub(super) fn verify(
    config: &Option<PathBuf>,
    file: &Path,
    v: &VerifyArgs,
    json: bool,
) -> Result<u8, Failure> {
    let opts = verify_options(config, v, file)?;
    let report = verify::verify(file, &opts)?;
    if json {
        println!("{}", to_json(&report));
    } else {
        print_report(&report);
    }
    Ok(if report.intact() { 0 } else { 1 })
}

/// `open FILE --out DIR`: verify, then extract (a bundle that failed only with
/// `--force`, and the folder says so).
pub(super) fn open(
    config: &Option<PathBuf>,
    file: &Path,
    out: &Path,
    v: &VerifyArgs,
    force: bool,
) -> Result<u8, Failure> {
    let opts = verify_options(config, v, file)?;
    let opened = verify::open(file, &opts)?;
    let report = verify::check(&opened, &opts);
    print_report(&report);
    if !report.intact() && !force {
        return Err(CliError::NotExtracted.into());
    }
    let n = verify::extract(&opened, &report, out)?;
    println!(
        "Extracted {n} file(s) into {} (read-only).",
        shown_path(out)
    );
    Ok(if report.intact() { 0 } else { 1 })
}

/// The keys folder's verify options (the core's `KeyDir::verify_options`: `--identity`
/// or your designated-person key, and the keys you trust), with the `--trust` files
/// and, for an encrypted bundle and a protected key, its passphrase asked for.
pub(super) fn verify_options(
    config: &Option<PathBuf>,
    v: &VerifyArgs,
    file: &std::path::Path,
) -> Result<verify::Options, Failure> {
    let mut opts = keydir(config)?.verify_options(v.identity.clone(), None);
    for p in &v.trust {
        opts.trusted_files.push((p.clone(), PublicKey::read(p)?));
    }
    opts.identity_passphrase = match &opts.identity {
        Some(p) if verify::is_encrypted(file) && evidence_kit::keys::identity_is_protected(p) => {
            Some(super::keys::ask_passphrase(
                &PassArgs {
                    passphrase_file: v.identity_passphrase_file.clone(),
                },
                false,
                "your designated-person key",
            )?)
        }
        _ => None,
    };
    Ok(opts)
}

pub(super) fn print_report(r: &verify::Report) {
    let when = r
        .facts
        .as_ref()
        .map(|f| f.sealed.clone())
        .unwrap_or_default();
    if r.intact() {
        let s = r.signer.as_ref();
        println!(
            "INTACT: signed with {} (key {}), sealed on {}; unchanged since it was sealed.",
            visible(&s.map_or_else(|| "?".to_string(), verify::Signer::described)),
            visible(s.map_or("?", |s| s.fingerprint.as_str())),
            visible(&when)
        );
    } else {
        println!("NOT VERIFIED: {} problem(s) found.", r.findings.len());
        for f in &r.findings {
            println!("- {}: {}", visible(f.kind.as_str()), visible(&f.message));
        }
        if let Some(s) = &r.signer {
            println!(
                "Signed by {} (key {}){}.",
                visible(&s.name),
                visible(&s.fingerprint),
                if s.signature_valid {
                    ""
                } else {
                    " — but the signature does not match"
                }
            );
        }
    }
    if let Some(c) = &r.case {
        println!(
            "Case {}: {} ({} item(s), {} bytes)",
            visible(&c.id),
            visible(&c.title),
            r.items,
            r.payload_bytes
        );
    }
    println!("Bundle SHA-256: {}", visible(&r.sha256));
    for n in &r.notes {
        println!("note: {}", visible(n));
    }
}
