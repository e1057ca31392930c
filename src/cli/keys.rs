//! `keys`: your signing key and the designated persons you seal to; and asking for a
//! passphrase, for every command that needs one.

use super::args::{KeysCommand, PassArgs};
use super::failure::{CliError, Failure};
use super::{keydir, shown_path, to_json};
use evidence_kit::keys::{KeyDir, PublicKey};
use evidence_kit::text::{visible, visible_lines};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The passphrase: --passphrase-file, else $EVIDENCE_KIT_PASSPHRASE, else asked on the
/// terminal (twice when `confirm`).
pub(super) fn passphrase(pass: &PassArgs, confirm: bool) -> Result<String, Failure> {
    ask_passphrase(pass, confirm, "your signing key")
}

pub(super) fn ask_passphrase(
    pass: &PassArgs,
    confirm: bool,
    what: &str,
) -> Result<String, Failure> {
    if let Some(f) = &pass.passphrase_file {
        let text = evidence_kit::keys::read_regular_text(
            f,
            evidence_kit::keys::MAX_PASSPHRASE_FILE_BYTES,
        )?;
        return Ok(text.trim_end_matches(['\n', '\r']).to_string());
    }
    if let Ok(p) = std::env::var("EVIDENCE_KIT_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::PassphraseNeeded.into());
    }
    let first =
        rpassword::prompt_password(format!("Passphrase for {what}: ")).map_err(CliError::Prompt)?;
    if confirm {
        let again =
            rpassword::prompt_password("The same passphrase again: ").map_err(CliError::Prompt)?;
        if again != first {
            return Err(CliError::PassphrasesDiffer.into());
        }
    }
    if first.is_empty() {
        return Err(CliError::PassphraseEmpty.into());
    }
    Ok(first)
}

pub(super) fn keys(config: &Option<PathBuf>, c: KeysCommand) -> Result<u8, Failure> {
    let dir = keydir(config)?;
    match c {
        KeysCommand::New {
            name,
            pass,
            no_passphrase,
            replace,
        } => new_key(&dir, &name, &pass, no_passphrase, replace)?,
        KeysCommand::Show { json } => show(&dir, json)?,
        KeysCommand::Export { out } => export(&dir, &out)?,
        KeysCommand::NewRecipient {
            name,
            pass,
            no_passphrase,
            replace,
        } => new_recipient(&dir, &name, &pass, no_passphrase, replace)?,
        KeysCommand::Share => print!("{}", visible_lines(&dir.share_text()?)),
        KeysCommand::Trust { file, name } => {
            let k = PublicKey::read(&file)?;
            dir.trust(&k, &name)?;
            println!(
                "Trusted {}'s key {} (check it with them in person).",
                visible(&name),
                k.fingerprint()
            );
        }
        KeysCommand::AddRecipient {
            name,
            recipient,
            replace,
        } => {
            let r = dir.add_recipient(&name, &recipient, replace)?;
            println!(
                "Added {} ({}). Check the fingerprint with them.",
                visible(&r.name),
                visible(&r.fingerprint())
            );
        }
        KeysCommand::RemoveRecipient { name } => {
            let r = dir.remove_recipient(&name)?;
            println!(
                "Removed {} ({}); their key is kept in {}. Nothing more will be sealed to it.",
                visible(&r.name),
                visible(&r.fingerprint()),
                shown_path(&dir.root().join("retired"))
            );
        }
    }
    Ok(0)
}

/// `keys new`: your signing key.
fn new_key(
    dir: &KeyDir,
    name: &str,
    pass: &PassArgs,
    no_passphrase: bool,
    replace: bool,
) -> Result<(), Failure> {
    let pw = if no_passphrase {
        eprintln!(
            "Warning: this key has no passphrase. Anyone who can use this computer can sign bundles in your name."
        );
        None
    } else {
        Some(passphrase(pass, true)?)
    };
    let old = dir.public_signing_key().ok().filter(|_| replace);
    let k = dir.new_signing_key(name, pw.as_deref(), replace)?;
    println!("Your signing key is made.");
    if let Some(old) = old {
        println!(
            "Your old key ({}) is kept in {}; bundles sealed with it stay valid.",
            old.fingerprint(),
            shown_path(&dir.root().join(evidence_kit::keys::RETIRED))
        );
    }
    println!("Name:        {}", visible(name));
    println!("Fingerprint: {}", k.fingerprint());
    println!("Public key:  {}", k.key.to_base64());
    println!(
        "Give your designated person your public key (evidence-kit keys export --out you.pub) and read them the fingerprint."
    );
    Ok(())
}

/// `keys show`: your public key, its fingerprint, and your designated persons.
fn show(dir: &KeyDir, json: bool) -> Result<(), Failure> {
    // No key yet is a normal state (a designated person may have none); a key
    // that cannot be read is a refusal: exit 2, the sentence on stderr.
    let k = match dir.public_signing_key() {
        Err(evidence_kit::keys::KeyError::NoSigningKey) => None,
        k => Some(k?),
    };
    let recipients = dir.recipients()?;
    let identity = dir.identity_info().ok();
    if json {
        let v = serde_json::json!({
            "signing_key": k.as_ref().map(|k| serde_json::json!({
                "name": k.name, "key_id": k.key_id, "fingerprint": k.fingerprint(),
                "public_key": k.key.to_base64(),
            })),
            "recipients": recipients.iter().map(|r| serde_json::json!({
                "name": r.name, "recipient": r.recipient, "fingerprint": r.fingerprint(),
            })).collect::<Vec<_>>(),
            "identity": identity.as_ref().map(|i| serde_json::json!({
                "name": i.name, "recipient": i.recipient, "fingerprint": i.fingerprint(),
            })),
        });
        println!("{}", to_json(&v));
        return Ok(());
    }
    match k {
        Some(k) => {
            println!(
                "Signing key of {}",
                visible(k.name.as_deref().unwrap_or("unknown"))
            );
            println!("Fingerprint: {}", k.fingerprint());
            println!("Public key:  {}", k.key.to_base64());
        }
        None => println!("{}", evidence_kit::keys::KeyError::NoSigningKey),
    }
    for r in recipients {
        println!(
            "Designated person: {} ({}) {}",
            visible(&r.name),
            visible(&r.fingerprint()),
            visible(&r.recipient)
        );
    }
    if let Some(i) = identity {
        println!(
            "Your designated-person key: {} {}",
            visible(&i.name),
            visible(&i.recipient)
        );
    }
    Ok(())
}

/// `keys export --out FILE`: your public key, to give to the designated person.
fn export(dir: &KeyDir, out: &Path) -> Result<(), Failure> {
    let k = dir.public_signing_key()?;
    if out.exists() {
        return Err(CliError::KeyOutExists {
            path: shown_path(out),
        }
        .into());
    }
    std::fs::write(out, k.to_pub_file()).map_err(|e| CliError::KeyWrite {
        path: shown_path(out),
        reason: e.to_string(),
    })?;
    println!(
        "Wrote {} (fingerprint {}).",
        shown_path(out),
        k.fingerprint()
    );
    Ok(())
}

/// `keys new-recipient`: the designated person's decryption key.
fn new_recipient(
    dir: &KeyDir,
    name: &str,
    pass: &PassArgs,
    no_passphrase: bool,
    replace: bool,
) -> Result<(), Failure> {
    let pw = if no_passphrase {
        eprintln!(
            "Warning: this key has no passphrase. Anyone who can use this computer can open the bundles sealed to you."
        );
        None
    } else {
        Some(ask_passphrase(pass, true, "your designated-person key")?)
    };
    let r = dir.new_identity(name, pw.as_deref(), replace)?;
    println!("{}", visible(&r.recipient));
    eprintln!(
        "Give this to staff (it is public): {}\nFingerprint: {}\nYour secret key is in {}; keep it safe.",
        visible(&r.recipient),
        visible(&r.fingerprint()),
        shown_path(&dir.identity_path(None))
    );
    Ok(())
}
