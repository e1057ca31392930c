// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * One line of the custody log, in plain words.
 */
export type LogLine = { seq: number, 
/**
 * Local time with offset.
 */
at: string, actor: string, 
/**
 * What happened, in plain words (no hashes or media types).
 */
text: string, 
/**
 * What the sentence leaves out, for "Technical details" (SHA-256, media type,
 * sizes); `null` when there is nothing more.
 */
technical: string | null, 
/**
 * The computer's clock had gone back.
 */
clock_anomaly: boolean, };
