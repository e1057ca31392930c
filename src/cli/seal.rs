//! `seal`: seal a case into one signed bundle (optionally encrypted to the designated
//! person).

use super::args::SealArgs;
use super::failure::Failure;
use super::keys::passphrase;
use super::{keydir, progress_bar, school_name, shown_path, to_json};
use evidence_kit::bundle::{self, SealRequest};
use evidence_kit::store::Store;
use evidence_kit::text::visible;
use std::path::{Path, PathBuf};

pub(super) fn seal(root: &Path, config: &Option<PathBuf>, args: SealArgs) -> Result<u8, Failure> {
    let store = Store::open(root)?;
    let dir = keydir(config)?;
    // Check the case and the recipient before asking for a passphrase.
    store.case(&args.case)?;
    let to = args
        .to
        .iter()
        .map(|t| dir.resolve_recipient(t))
        .collect::<Result<Vec<_>, _>>()?;
    let pw = if dir.signing_key_is_encrypted(args.key.as_deref())? {
        Some(passphrase(&args.pass, false)?)
    } else {
        None
    };
    let organization = school_name(config, &args.organization)?;
    let key = dir.signing_key(args.key.as_deref(), pw.as_deref())?;
    let bar = progress_bar(0, "sealing");
    let req = SealRequest {
        case_id: args.case.clone(),
        out: args.out.clone(),
        to,
        organization,
    };
    let sealed = bundle::seal(&store, &key, &req, &mut |n, total| {
        bar.set_length(total);
        bar.set_position(n);
    });
    bar.finish_and_clear();
    let sealed = sealed?;
    if args.json {
        println!("{}", to_json(&sealed));
    } else {
        println!(
            "Sealed {} item(s) into {}",
            sealed.items,
            shown_path(&sealed.path)
        );
        println!("SHA-256: {}", sealed.sha256);
        println!(
            "Signed by {} ({})",
            visible(&key.name),
            sealed.signer_fingerprint
        );
        for t in &req.to {
            println!(
                "Encrypted to {} ({})",
                visible(&t.name),
                visible(&t.fingerprint())
            );
        }
        println!("Give this file to your designated safeguarding person; keep your copy.");
    }
    Ok(0)
}
