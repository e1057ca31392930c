// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * A designated person, for lists.
 */
export type RecipientView = { name: string, fingerprint: string, };
