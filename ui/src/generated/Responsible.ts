// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Who is believed responsible: this decides the school's next steps.
 */
export type Responsible = "pupil" | "parent" | "colleague" | "unknown" | "other";
