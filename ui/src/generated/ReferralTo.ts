// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Someone a case can be referred to (the form's "Referred to" boxes).
 */
export type ReferralTo = "headteacher" | "chair-of-governors" | "hr" | "lado" | "police" | "other";
