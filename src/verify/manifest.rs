//! The tag manifest: every tag file it lists hashed and compared, every tag file it
//! should cover covered, and no tag file Evidence Kit does not write.

use super::entry::stream_entry;
use super::{FindingKind, Report, Zip, bundle, finding, malformed};
use crate::bundle::bag;
use crate::bundle::format::{TAG_FILES, TAGMANIFEST};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Check `tagmanifest-sha256.txt` (`tagmanifest`, when it could be read) and the tag
/// files beside it.
pub(super) fn check(r: &mut Report, z: &mut Zip<'_>, tagmanifest: Option<&[u8]>) {
    let tag_names: BTreeSet<&str> = z
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| !n.starts_with("data/"))
        .collect();
    if let Some(tm) = tagmanifest {
        match bag::parse_manifest(TAGMANIFEST, tm, false) {
            Err(e) => r.findings.push(malformed(e)),
            Ok(listed) => {
                for (path, want) in listed.iter() {
                    let want = hex::encode(want);
                    let Some(e) = z.names.get(path) else {
                        if !z.unread.contains_key(path) {
                            r.findings.push(finding(
                                FindingKind::Missing,
                                Some(path),
                                format!("{path} is listed in the tag manifest but is missing."),
                            ));
                        }
                        continue;
                    };
                    // Streamed: the tag files read above are not held twice (and an
                    // encrypted bundle's were hashed in its one pass).
                    let got = match z.src.hashed(e) {
                        Some(done) => Ok(done),
                        None => {
                            let mut hasher = Sha256::new();
                            stream_entry(z.src, e, &mut |c| hasher.update(c))
                                .map(|crc| (<[u8; 32]>::from(hasher.finalize()), crc))
                        }
                    };
                    match got {
                        Ok((sha, crc)) => {
                            // The zip's CRC-32 is bytes of the bundle too: a changed one
                            // over unchanged contents is still a change.
                            if crc != e.crc32 && !z.crc_bad.iter().any(|n| n == path) {
                                z.crc_bad.push(path.to_string());
                            }
                            let have = hex::encode(sha);
                            if have != want {
                                r.findings.push(finding(FindingKind::Altered, Some(path), format!("{path} was changed after sealing (its SHA-256 is {have}; {want} was sealed).")));
                            }
                        }
                        Err(msg) => r.findings.push(finding(
                            FindingKind::Malformed,
                            Some(path),
                            format!("{path} cannot be read: {msg}."),
                        )),
                    }
                }
                for t in TAG_FILES {
                    if z.names.contains_key(*t) && !listed.contains_key(t) {
                        r.findings.push(finding(
                            FindingKind::Extra,
                            Some(t),
                            format!("{t} is not covered by the signed tag manifest."),
                        ));
                    }
                }
            }
        }
    }
    // Only Evidence Kit's own tag files, whatever the tag manifest lists: another
    // manifest (manifest-md5.txt…) would be a check nobody runs, fetch.txt a file
    // to be fetched from elsewhere, a root file `data` a clash with the payload folder.
    for n in &tag_names {
        if bundle::ZIP_ORDER.contains(n) {
            continue;
        }
        let why = match *n {
            "fetch.txt" => "fetch.txt asks for files to be fetched from elsewhere, which a bundle never does; it was not followed.".to_string(),
            "data" => "A file named data sits where the evidence folder belongs, which a bundle never has.".to_string(),
            n if n.starts_with("manifest-") || n.starts_with("tagmanifest-") => format!(
                "{n} is a checksum list Evidence Kit never writes (a bundle has only manifest-sha256.txt and tagmanifest-sha256.txt); it was refused, not trusted."
            ),
            n => format!("{n} was added to the bundle after sealing."),
        };
        r.findings.push(finding(FindingKind::Extra, Some(n), why));
    }
}
