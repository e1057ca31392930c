//! The verifier on an encrypted bundle (`.evidence.age`), with the TEST-ONLY designated
//! person's identity. The first byte chooses: even, the rest is a plain zip that is
//! encrypted to the test recipient first (the fuzzer's changes reach the zip checks
//! through decryption); odd, the rest is the `.age` file itself (the age header, chunks,
//! a cut-short file).
//!
//! Properties: never panics; memory bounded; intact only when the plaintext is a bundle
//! known to be genuine.
#![no_main]

use evidence_kit::verify::{Options, verify};
use evidence_kit_fuzz::{DSL_IDENTITY, dsl_identity, known_intact, put, staff_key};
use libfuzzer_sys::fuzz_target;
use std::io::{Read, Write};
use std::sync::OnceLock;

fn encrypt(plain: &[u8]) -> Vec<u8> {
    let recipient = dsl_identity().to_public();
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .expect("encryptor");
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = enc.wrap_output(&mut out).expect("wrap");
    w.write_all(plain).expect("encrypt");
    w.finish().expect("finish");
    out
}

fn decrypt(file: &[u8]) -> Option<Vec<u8>> {
    let d = age::Decryptor::new(file).ok()?;
    let mut r = d
        .decrypt(std::iter::once(dsl_identity() as &dyn age::Identity))
        .ok()?;
    let mut plain = Vec::new();
    r.read_to_end(&mut plain).ok()?;
    Some(plain)
}

fuzz_target!(|data: &[u8]| {
    static IDENTITY: OnceLock<std::path::PathBuf> = OnceLock::new();
    let identity = IDENTITY.get_or_init(|| put("identity.age", DSL_IDENTITY.as_bytes()));
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (file, plain) = if mode % 2 == 0 {
        (encrypt(rest), Some(rest.to_vec()))
    } else {
        (rest.to_vec(), None)
    };
    let path = put("bundle.evidence.age", &file);
    let opts = Options {
        identity: Some(identity.clone()),
        trusted: vec![staff_key().clone()],
        ..Options::default()
    };
    if let Ok(report) = verify(&path, &opts)
        && report.intact()
    {
        let plain = plain.or_else(|| decrypt(&file));
        assert!(
            plain.as_deref().is_some_and(known_intact),
            "an encrypted bundle whose plaintext is not a known genuine bundle verified intact"
        );
    }
});
