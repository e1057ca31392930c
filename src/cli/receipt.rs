//! `receipt verify`: check a receipt from the designated person (and, with `--record`,
//! record it on the case it is for).

use super::args::ReceiptCommand;
use super::failure::Failure;
use super::keydir;
use evidence_kit::keys::PublicKey;
use evidence_kit::store::Store;
use evidence_kit::text::{visible, visible_lines};
use std::path::{Path, PathBuf};

/// The most a receipt file is read to (they are about 1 KiB).
const MAX_RECEIPT_BYTES: u64 = 1024 * 1024;

pub(super) fn receipt(
    root: &Path,
    config: &Option<PathBuf>,
    r: ReceiptCommand,
) -> Result<u8, Failure> {
    let ReceiptCommand::Verify {
        file,
        trust,
        record,
    } = r;
    let mut keys = trust
        .iter()
        .map(|p| PublicKey::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    keys.extend(keydir(config)?.receipt_keys());
    let text = evidence_kit::keys::read_regular_text(&file, MAX_RECEIPT_BYTES)?;
    match evidence_kit::register::verify_receipt(&text, &keys) {
        Ok((r, k)) => {
            println!(
                "Received and verified by {} on {}: case {}, bundle SHA-256 {} ({}). Signed with key {}.",
                visible(&r.received_by),
                visible(&r.received),
                visible(&r.case),
                visible(&r.bundle_sha256),
                visible(&r.verdict),
                k.fingerprint()
            );
            if record {
                let words = Store::open(root)?.record_receipt(&r, &k.fingerprint())?;
                println!(
                    "Recorded on case {}: {}",
                    visible(&r.case),
                    visible_lines(&words.to_string())
                );
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("{}", visible_lines(&e.to_string()));
            Ok(1)
        }
    }
}
