// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * One line of the custody timeline.
 */
export type TimelineLine = { 
/**
 * When (local time with offset, as recorded).
 */
at: string, 
/**
 * Who.
 */
actor: string, 
/**
 * What, in one plain sentence.
 */
text: string, 
/**
 * The clock went backwards here.
 */
clock_anomaly: boolean, };
