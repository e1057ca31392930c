//! The signature: `signer.pub` read strictly, the signature file checked byte for byte
//! and against the tag manifest, the signed facts read, and who signed named as the
//! person checking trusted them (never as the bundle claims).

use super::tags::Tags;
use super::{FindingKind, Opened, Options, Report, Signer, bundle, finding};
use crate::bundle::bag;
use crate::bundle::format::{SIGNATURE, SealFacts, TAGMANIFEST, parse_signature};
use crate::keys::format::{self as keys, PublicKey};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Check the signature of the bundle whose tag files are `tags`; the signed facts and
/// the signer go into the report.
pub(super) fn check(r: &mut Report, tags: &Tags, opts: &Options, opened: &Opened) {
    let tagmanifest_sha = tags
        .tagmanifest
        .as_deref()
        .map(|t| hex::encode(Sha256::digest(t)));
    let signer_key = tags.signer.as_deref().and_then(|b| {
        let k = std::str::from_utf8(b)
            .ok()
            .filter(|t| key_blob_ok(t))
            .and_then(PublicKey::parse);
        if k.is_none() {
            r.findings.push(finding(
                FindingKind::Malformed,
                Some("signer.pub"),
                "signer.pub does not hold a minisign public key.",
            ));
        }
        k
    });
    if let (Some(sig_bytes), Some(tm)) = (&tags.signature, &tags.tagmanifest) {
        match parse_signature(sig_bytes) {
            None => r.findings.push(finding(
                FindingKind::Signature,
                Some(SIGNATURE),
                "The signature file cannot be read: the bundle is not properly signed.",
            )),
            Some((sig, comment)) => {
                check_signature(r, &sig, tm, signer_key.as_ref(), opts, opened);
                if let Some(f) = &r.facts
                    && signer_key.is_some()
                    && !comment_ok(&comment, f, signer_key.as_ref())
                {
                    r.findings.push(finding(
                        FindingKind::Signature,
                        Some(SIGNATURE),
                        format!(
                            "The first line of {SIGNATURE} (its unsigned comment) was changed after sealing; Evidence Kit writes exactly \"untrusted comment: {}\".",
                            bundle::untrusted_comment(
                                &f.case,
                                &signer_key.as_ref().map(PublicKey::fingerprint).unwrap_or_default()
                            )
                        ),
                    ));
                }
            }
        }
    }
    if let (Some(f), Some(sha)) = (&r.facts, &tagmanifest_sha)
        && &f.tagmanifest_sha256 != sha
    {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(TAGMANIFEST),
            "The signature was made for a different bundle (its tag manifest hash does not match this one's): it was lifted from another bundle.",
        ));
    }
}

/// Whether a `.pub` text's key line (its first non-empty line that is not a comment)
/// is canonical standard base64 of exactly the 42-byte key blob `Ed` ‖ id ‖ key.
fn key_blob_ok(text: &str) -> bool {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
    else {
        return false;
    };
    b64.decode(line)
        .is_ok_and(|raw| raw.len() == 42 && raw.starts_with(b"Ed") && b64.encode(&raw) == line)
}

/// The untrusted comment a bundle sealed by `facts` with `key` must carry. Bundles
/// sealed before the fingerprint covered the whole key (2026-11-25) name the key id in
/// groups of four instead; that form is accepted for them only.
fn comment_ok(comment: &str, facts: &SealFacts, key: Option<&PublicKey>) -> bool {
    let Some(key) = key else { return false };
    if comment == bundle::untrusted_comment(&facts.case, &key.fingerprint()) {
        return true;
    }
    let before_change = facts.sealed.as_str() < "2026-11-26";
    before_change
        && comment == bundle::untrusted_comment(&facts.case, &keys::fingerprint(&key.key_id))
}

fn check_signature(
    r: &mut Report,
    sig: &minisign::SignatureBox,
    tagmanifest: &[u8],
    signer_key: Option<&PublicKey>,
    opts: &Options,
    opened: &Opened,
) {
    let sig_key_id = keys::key_id_hex(sig.keynum());
    let facts: Option<SealFacts> = sig
        .trusted_comment()
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok());
    let Some(facts) = facts else {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signature does not carry Evidence Kit's sealed facts: it was not made by Evidence Kit's seal.",
        ));
        return;
    };
    let valid = match signer_key {
        Some(k) if k.key_id == sig_key_id => minisign::verify(
            &k.key,
            sig,
            std::io::Cursor::new(tagmanifest),
            true,
            false,
            false,
        )
        .is_ok(),
        _ => false,
    };
    // With no readable signer.pub (its own finding) nothing can match.
    if !valid && signer_key.is_some() {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signature does not match: the tag manifest or the signature was changed after sealing, or it was signed with another key.",
        ));
    }
    check_facts(r, &facts, &sig_key_id);
    let (trusted, trusted_as, trusted_file, fp) =
        trust(r, &facts, &sig_key_id, signer_key, opts, valid);
    check_recipients(r, &facts, opened);
    if trusted
        && let Some(saved) = &trusted_as
        && bag::clean_value(saved) != bag::clean_value(&facts.signer)
    {
        r.notes.push(format!(
            "It calls its signer \"{}\"; you trusted this key as \"{saved}\".",
            facts.signer
        ));
    }
    r.signer = Some(Signer {
        name: facts.signer.clone(),
        key_id: sig_key_id,
        fingerprint: fp,
        signature_valid: valid,
        trusted,
        trusted_as,
        trusted_file,
    });
    r.facts = Some(facts);
}

/// The signed facts as Evidence Kit writes them: a seal time, this format, the key id
/// of the key that signed.
fn check_facts(r: &mut Report, facts: &SealFacts, sig_key_id: &str) {
    if chrono::DateTime::parse_from_rfc3339(&facts.sealed).is_err() {
        r.findings.push(finding(
            FindingKind::Malformed,
            Some(SIGNATURE),
            format!(
                "The signed seal time \"{}\" is not a date and time, which Evidence Kit always writes.",
                facts.sealed.escape_debug()
            ),
        ));
    }
    if facts.format != bundle::BUNDLE_FORMAT {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            format!(
                "The bundle format {} is not one this version reads.",
                facts.format
            ),
        ));
    }
    if facts.key_id != sig_key_id {
        r.findings.push(finding(
            FindingKind::Signature,
            Some(SIGNATURE),
            "The signed key id does not match the key that made the signature.",
        ));
    }
}

/// Whether the key that signed is one the person checking trusts: (trusted, the name
/// it was trusted under, the file it was given in, its fingerprint).
fn trust(
    r: &mut Report,
    facts: &SealFacts,
    sig_key_id: &str,
    signer_key: Option<&PublicKey>,
    opts: &Options,
    valid: bool,
) -> (bool, Option<String>, Option<String>, String) {
    // Every trusted key with this id: saved ones first (they carry the name the key was
    // trusted under), then those given for this run. One whose key is the bundle's
    // wins over another that only shares its id (a forged key cannot shadow it).
    let candidates: Vec<(&PublicKey, Option<&Path>)> = opts
        .trusted
        .iter()
        .map(|k| (k, None))
        .chain(
            opts.trusted_files
                .iter()
                .map(|(p, k)| (k, Some(p.as_path()))),
        )
        .filter(|(t, _)| t.key_id == sig_key_id)
        .collect();
    let exact = signer_key.and_then(|k| {
        candidates
            .iter()
            .find(|(t, _)| t.key.to_base64() == k.key.to_base64())
    });
    let trusted_same = exact.or(candidates.first()).map(|(t, _)| *t);
    let (trusted_as, trusted_file) = match exact {
        Some((t, None)) => (t.name.clone(), None),
        Some((_, Some(p))) => (None, Some(p.display().to_string())),
        None => (None, None),
    };
    // A key file given for this run may say whose it is (its comment; not proof).
    if let Some((t, Some(p))) = exact
        && let Some(owner) = &t.name
        && bag::clean_value(owner) != bag::clean_value(&facts.signer)
    {
        r.notes.push(format!(
            "It calls its signer \"{}\"; the key in {} says it is {owner}'s.",
            facts.signer,
            p.display()
        ));
    }
    let trusted = match (trusted_same, exact) {
        (_, Some(_)) => true,
        // signer.pub unreadable: that is the finding (malformed), not a substitution.
        (Some(_), None) if signer_key.is_none() => false,
        (Some(t), None) => {
            r.findings.push(finding(
                FindingKind::SubstitutedKey,
                Some("signer.pub"),
                format!(
                    "The bundle claims the key id of {}'s key, which you trust, but carries a different key: someone may be pretending to be them. Do not rely on it.",
                    t.name.as_deref().unwrap_or("a trusted signer")
                ),
            ));
            false
        }
        (None, _) => false,
    };
    // The fingerprint of the whole key carried (the key id alone can be copied).
    let fp = signer_key.map_or_else(|| keys::fingerprint(sig_key_id), PublicKey::fingerprint);
    if valid && !trusted && trusted_same.is_none() {
        r.findings.push(finding(
            FindingKind::UntrustedKey,
            Some("signer.pub"),
            format!(
                "Signed by a key you have not marked as trusted yet: {} (fingerprint {fp}). Trust it only after they confirm this fingerprint to you in person.",
                facts.signer
            ),
        ));
    }
    (trusted, trusted_as, trusted_file, fp)
}

/// Whom an encrypted bundle was sealed for, against whom it is opened by.
fn check_recipients(r: &mut Report, facts: &SealFacts, opened: &Opened) {
    if r.encrypted {
        match facts.recipients.as_slice() {
            [] => r
                .notes
                .push("The bundle was sealed without encryption and encrypted afterwards.".into()),
            rs if !rs.iter().any(|x| opened.own_recipients.contains(x)) => r.findings.push(finding(
                FindingKind::Signature,
                Some(SIGNATURE),
                "The bundle was sealed for another designated person and re-encrypted to you: it is not the bundle that was sealed.",
            )),
            _ => {}
        }
    } else if !facts.recipients.is_empty() {
        r.notes.push("The bundle was sealed encrypted to the designated person and has been decrypted since; its contents are checked as they are.".into());
    }
}
