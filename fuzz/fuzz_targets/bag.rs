//! The BagIt tag-file parsers (`src/bundle/bag.rs`) and `blocks-sha256.txt`. The first
//! byte chooses the file; the rest is its bytes.
//!
//! Properties: never panics; what parses is written back by the writer and parses to the
//! same thing (manifests exactly; `bag-info.txt` with each value cleaned as the writer
//! cleans it); a path decodes back from its encoding; `Payload-Oxum` prints back.
#![no_main]

use evidence_kit::bundle::{self, bag};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fn manifest(bytes: &[u8], payload: bool) {
    let Ok(m) = bag::parse_manifest("manifest-sha256.txt", bytes, payload) else {
        return;
    };
    let entries: BTreeMap<String, String> = m
        .iter()
        .map(|(p, h)| (p.to_string(), hex::encode(h)))
        .collect();
    assert_eq!(entries.len(), m.len(), "a manifest path listed twice");
    for (p, h) in m.iter() {
        assert_eq!(m.get(p), Some(h));
        assert!(m.contains_key(p));
    }
    let text = bag::write_manifest(&entries);
    let again = bag::parse_manifest("manifest-sha256.txt", text.as_bytes(), payload)
        .expect("a written manifest parses");
    assert_eq!(again, m, "a manifest does not round-trip");
}

fn bag_info(bytes: &[u8]) {
    let Ok(fields) = bag::parse_bag_info("bag-info.txt", bytes) else {
        return;
    };
    let pairs: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let text = bag::write_bag_info(&pairs);
    let again =
        bag::parse_bag_info("bag-info.txt", text.as_bytes()).expect("written bag-info parses");
    let cleaned: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.clone(), bag::clean_value(v)))
        .collect();
    assert_eq!(again, cleaned, "bag-info.txt does not round-trip");
}

fn path(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return;
    };
    let enc = bag::encode_path(s);
    assert!(!enc.contains(['\n', '\r']));
    assert_eq!(
        bag::decode_path("f", 1, &enc).as_deref(),
        Ok(s),
        "a path does not decode back"
    );
    if let Ok(dec) = bag::decode_path("f", 1, s) {
        // Decoding then encoding gives the input up to the case of the hex digits.
        assert_eq!(
            bag::encode_path(&dec).to_ascii_uppercase(),
            s.to_ascii_uppercase()
                .replace('\n', "%0A")
                .replace('\r', "%0D")
        );
    }
}

fn oxum(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Some((b, c)) = bag::parse_oxum(s) {
        let printed = format!("{b}.{c}");
        assert_eq!(bag::parse_oxum(&printed), Some((b, c)));
        assert_eq!(
            printed,
            s.split('.')
                .map(|d| d.trim_start_matches('0'))
                .map(|d| if d.is_empty() { "0" } else { d })
                .collect::<Vec<_>>()
                .join("."),
        );
    }
}

fn blocks(bytes: &[u8]) {
    // The path looked for is the first line's first field, so the fuzzer can reach it.
    let want = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| t.split(['\t', '\n']).next())
        .and_then(|p| bag::decode_path("blocks-sha256.txt", 1, p).ok())
        .unwrap_or_default();
    let Some(b) = bundle::find_blocks(bytes, &want) else {
        return;
    };
    assert!(b.size > 0);
    let line = bundle::blocks_line(&want, &b);
    let again =
        bundle::find_blocks(line.as_bytes(), &want).expect("a written blocks line is found");
    assert_eq!(again.size, b.size);
    assert_eq!(
        again.digests, b.digests,
        "a blocks line does not round-trip"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 7 {
        0 => manifest(rest, true),
        1 => manifest(rest, false),
        2 => bag_info(rest),
        3 => {
            let ok = bag::check_bagit_txt(rest).is_ok();
            assert_eq!(ok, rest == bag::BAGIT_TXT.as_bytes());
        }
        4 => oxum(rest),
        5 => path(rest),
        _ => blocks(rest),
    }
});
