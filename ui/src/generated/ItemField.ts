// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * An item field that may be changed after capture (the bytes never can).
 */
export type ItemField = "note" | "site" | "url" | "seen" | "from_handle" | "from_email" | "from_phone" | "from_profile";
