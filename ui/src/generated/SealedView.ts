// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * A sealed bundle, as the "sealed" screen shows it.
 */
export type SealedView = { path: string, file_name: string, sha256: string, items: number, encrypted: boolean, };
