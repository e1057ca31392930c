// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Where a record stands.
 */
export type CaseState = "open" | "sealed" | "sent";
