// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Stamp } from "./Stamp";

/**
 * A withdrawal: the item stays, marked.
 */
export type Withdrawal = { 
/**
 * When.
 */
at: Stamp, 
/**
 * Why, in the person's words.
 */
reason: string, };
