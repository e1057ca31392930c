// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * A bundle's state in the register's list.
 */
export type ListState = "intact" | "intact_key_not_checked" | "not_intact";
