// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * The desktop app's modes, kept in `settings.json` as their words.
 */
export type Mode = "staff" | "dsl";
