// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * One status change with its note, as the register shows it.
 */
export type StatusLine = { at: string, status: string, note: string | null, };
