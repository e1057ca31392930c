// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * An error sent across IPC.
 */
export type IpcError = { 
/**
 * Stable machine-readable name.
 */
code: string, 
/**
 * One sentence for the person using the app.
 */
message: string, };
