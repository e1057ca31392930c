//! The verifier on a plain bundle: the input's bytes are the `.evidence` file.
//!
//! Properties: never panics; memory bounded (libFuzzer's -rss_limit_mb); and an intact
//! verdict only for a bundle known to be genuine (a changed byte that still verifies
//! intact would be a tampering the verifier missed).
#![no_main]

use evidence_kit::verify::{Options, verify};
use evidence_kit_fuzz::{known_intact, put, staff_key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = put("bundle.evidence", data);
    let opts = Options {
        trusted: vec![staff_key().clone()],
        ..Options::default()
    };
    if let Ok(report) = verify(&path, &opts) {
        assert!(
            !report.intact() || known_intact(data),
            "a bundle that is not a known genuine one verified intact"
        );
        assert_eq!(report.size, data.len() as u64);
    }
});
