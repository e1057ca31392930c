// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Stamp } from "./Stamp";

/**
 * Why and when an item's bytes were removed.
 */
export type Removal = { 
/**
 * When.
 */
at: Stamp, 
/**
 * Why, in plain words.
 */
reason: string, };
