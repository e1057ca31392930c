//! Receipts (`register::verify_receipt`) and the minisign signature files they and
//! bundles carry (`verify::parse_signature`). The first byte chooses: even, the rest is
//! a receipt file checked against the TEST-ONLY staff key; odd, a signature file.
//!
//! Properties: never panics; a receipt that checks out says it is a receipt and names
//! the key it was checked with; a signature file that is accepted is exactly the text
//! minisign writes for what was read (no other spelling is accepted).
#![no_main]

use evidence_kit::register::{RECEIPT_FORMAT, verify_receipt};
use evidence_kit::verify::parse_signature;
use evidence_kit_fuzz::staff_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        if let Ok((body, key)) = verify_receipt(text, std::slice::from_ref(staff_key())) {
            assert_eq!(body.format, RECEIPT_FORMAT);
            assert_eq!(key.key_id, staff_key().key_id);
        }
    } else if let Some((sig, comment)) = parse_signature(rest) {
        let written = sig.to_string();
        assert_eq!(
            written.as_bytes(),
            rest,
            "an accepted signature file is not minisign's own text"
        );
        assert!(written.starts_with(&format!("untrusted comment: {comment}\n")));
    }
});
