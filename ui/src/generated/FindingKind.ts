// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * What a finding is about. Serialised as the words every version has written
 * (`altered`, `untrusted_key`, …): reports, the register, the form and the UI read them.
 */
export type FindingKind = "altered" | "missing" | "extra" | "unsafe_name" | "signature" | "untrusted_key" | "substituted_key" | "chain" | "mismatch" | "malformed" | "container" | "too_large" | "decryption";
