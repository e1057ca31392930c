// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * One line of the custody log, in plain words.
 */
export type LogLine = { seq: number, 
/**
 * Local time with offset.
 */
at: string, actor: string, text: string, 
/**
 * The computer's clock had gone back.
 */
clock_anomaly: boolean, };
