//! The tag files: read whole where they are small (checked against their size limits
//! first), `bagit.txt` and `bag-info.txt` parsed strictly, `bag-info.txt` compared
//! with the signed facts and `case.json`, and tag files whose zip checksum alone
//! shows a change.

use super::entry::read_entry;
use super::{FindingKind, MAX_TAG_BYTES, Report, Zip, bundle, finding, malformed};
use crate::bundle::format::{SIGNATURE, TAGMANIFEST};
use crate::bundle::{bag, casejson};
use std::collections::BTreeMap;

/// The tag files read whole, where they could be read.
pub(super) struct Tags {
    /// `manifest-sha256.txt`.
    pub(super) manifest: Option<Vec<u8>>,
    /// `tagmanifest-sha256.txt`.
    pub(super) tagmanifest: Option<Vec<u8>>,
    /// The signature file.
    pub(super) signature: Option<Vec<u8>>,
    /// `signer.pub`.
    pub(super) signer: Option<Vec<u8>>,
    /// `bag-info.txt`, parsed.
    pub(super) bag_info: Option<BTreeMap<String, String>>,
}

/// Read the tag files (`case.json` and `custody.jsonl`, read item by item and line by
/// line later, only checked for their presence and size here).
pub(super) fn read(r: &mut Report, z: &mut Zip<'_>) -> Tags {
    let bagit_txt = tag("bagit.txt", r, z);
    let bag_info_raw = tag("bag-info.txt", r, z);
    let manifest_raw = tag("manifest-sha256.txt", r, z);
    let tagmanifest_raw = tag(TAGMANIFEST, r, z);
    let sig_raw = tag(SIGNATURE, r, z);
    // case.json and custody.jsonl are read item by item, line by line, further down,
    // never held whole.
    for name in ["case.json", "custody.jsonl", bundle::BLOCKS] {
        match z.names.get(name) {
            None if z.unread.contains_key(name) => {}
            None => r.findings.push(finding(
                FindingKind::Missing,
                Some(name),
                format!("{name} is missing from the bundle."),
            )),
            Some(e) if e.size > MAX_TAG_BYTES => r.findings.push(finding(
                FindingKind::TooLarge,
                Some(name),
                format!("{name} is too large to be a tag file."),
            )),
            Some(_) => {}
        }
    }
    let signer_raw = tag("signer.pub", r, z);

    if let Some(b) = &bagit_txt
        && let Err(e) = bag::check_bagit_txt(b)
    {
        r.findings.push(malformed(e));
    }
    let bag_info =
        bag_info_raw
            .as_deref()
            .and_then(|b| match bag::parse_bag_info("bag-info.txt", b) {
                Ok(m) => Some(m),
                Err(e) => {
                    r.findings.push(malformed(e));
                    None
                }
            });
    Tags {
        manifest: manifest_raw,
        tagmanifest: tagmanifest_raw,
        signature: sig_raw,
        signer: signer_raw,
        bag_info,
    }
}

/// Read the tag file `name` whole (it is small), or say why not.
fn tag(name: &str, r: &mut Report, z: &mut Zip<'_>) -> Option<Vec<u8>> {
    let Some(e) = z.names.get(name) else {
        if !z.unread.contains_key(name) {
            r.findings.push(finding(
                FindingKind::Missing,
                Some(name),
                format!("{name} is missing from the bundle."),
            ));
        }
        return None;
    };
    // Checked before reading, so a (deflated) oversized tag file costs no memory:
    // the manifests at 16 MiB, the small tag files at 1 MiB.
    let cap = bundle::tag_limit(name);
    if e.size > cap {
        r.findings.push(if cap == bag::MAX_MANIFEST_BYTES {
            malformed(bag::Malformed {
                file: name.into(),
                line: None,
                what: "it is larger than 16 MiB".into(),
            })
        } else {
            finding(
                FindingKind::TooLarge,
                Some(name),
                format!("{name} is too large to be a tag file."),
            )
        });
        return None;
    }
    match read_entry(z.src, e) {
        Ok((bytes, crc)) => {
            if crc != e.crc32 {
                z.crc_bad.push(name.to_string());
            }
            Some(bytes)
        }
        Err(msg) => {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some(name),
                format!("{name} cannot be read: {msg}."),
            ));
            None
        }
    }
}

pub(super) fn check_bag_info(
    r: &mut Report,
    info: &BTreeMap<String, String>,
    case_file: Option<&casejson::CaseHead>,
) {
    // Labels are compared without regard to letter case (RFC 8493); the parser has
    // already refused a non-repeatable label given twice in any case.
    let info: BTreeMap<String, String> = info
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let get = |label: &str| info.get(&label.to_ascii_lowercase());
    let oxum_text = get("Payload-Oxum");
    let oxum = oxum_text.and_then(|o| bag::parse_oxum(o));
    match oxum {
        None => r.findings.push(finding(
            FindingKind::Malformed,
            Some("bag-info.txt"),
            "bag-info.txt has no valid Payload-Oxum.",
        )),
        Some((bytes, count)) => {
            // Compared as written: "0346.3" is not what seal writes for 346 bytes.
            let want = format!("{}.{}", r.payload_bytes, r.items);
            if bytes != r.payload_bytes
                || count != r.items as u64
                || oxum_text.map(String::as_str) != Some(want.as_str())
            {
                r.findings.push(finding(
                    FindingKind::Mismatch,
                    Some("bag-info.txt"),
                    format!(
                        "Payload-Oxum says {bytes} bytes in {count} files, but the bundle has {} bytes in {} files.",
                        r.payload_bytes, r.items
                    ),
                ));
            }
        }
    }
    let Some(f) = r.facts.clone() else { return };
    // Each value as seal writes it: the signed (or case.json) value, cleaned up as
    // bag-info.txt values are (control characters to spaces, trimmed).
    let clean = |v: &str| bag::clean_value(v);
    let bagging_date = chrono::DateTime::parse_from_rfc3339(&f.sealed)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string());
    let mut pairs = vec![
        (
            "External-Identifier",
            Some(clean(&f.case)),
            "case reference",
            "signed one",
        ),
        (
            "EK-Bundle-Id",
            Some(clean(&f.bundle)),
            "bundle id",
            "signed one",
        ),
        (
            "EK-Sealed-At",
            Some(clean(&f.sealed)),
            "seal time",
            "signed one",
        ),
        ("EK-Signer", Some(clean(&f.signer)), "signer", "signed one"),
        (
            "EK-Signer-Key-Id",
            Some(clean(&f.key_id)),
            "signer key id",
            "signed one",
        ),
        (
            "EK-Recipient",
            (!f.recipients.is_empty()).then(|| clean(&f.recipients.join(", "))),
            "recipients",
            "signed ones",
        ),
    ];
    if let Some(d) = bagging_date {
        pairs.push((
            "Bagging-Date",
            Some(d),
            "date",
            "date of the signed seal time",
        ));
    }
    if let Some(c) = case_file {
        pairs.push((
            "External-Description",
            Some(clean(&c.case.title)),
            "title",
            "title in case.json",
        ));
        pairs.push((
            "Contact-Name",
            Some(clean(&c.case.staff)),
            "staff member's name",
            "name in case.json",
        ));
    }
    for (label, want, what, against) in pairs {
        if get(label).cloned() != want {
            r.findings.push(finding(
                FindingKind::Mismatch,
                Some("bag-info.txt"),
                format!("The {what} in bag-info.txt ({label}) differs from the {against}."),
            ));
        }
    }
    if let Some(c) = case_file
        && (c.case.id != f.case || c.bundle != f.bundle || c.sealed.utc != f.sealed)
    {
        r.findings.push(finding(
            FindingKind::Mismatch,
            Some("case.json"),
            "case.json belongs to another case or bundle than the signed one.",
        ));
    }
}

/// Tag files changed where no hash or signature saw it: their bytes do not match the
/// zip's checksum for them (`crc_bad`).
pub(super) fn unseen_changes(r: &mut Report, crc_bad: &[String]) {
    for name in crc_bad {
        if !r.findings.iter().any(|f| f.file.as_deref() == Some(name)) {
            r.findings.push(finding(
                FindingKind::Altered,
                Some(name),
                format!("{name} does not match the checksum the zip records for it: it (or its zip header) was changed after sealing."),
            ));
        }
    }
}
