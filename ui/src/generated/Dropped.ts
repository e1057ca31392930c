// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * One dropped file as the page is told of it.
 */
export type Dropped = { token: string, name: string, 
/**
 * `None` for a folder or anything that is not an ordinary file.
 */
size: number | null, };
