// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * The person's own decision about reporting to the police (the policy leaves it to them).
 */
export type PoliceDecision = "yes" | "no" | "undecided";
