// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * How an item came in.
 */
export type Source = "file" | "screen" | "window" | "clipboard" | "other";
