// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Mention } from "./Mention";

/**
 * One account and everywhere it is named.
 */
export type Account = { 
/**
 * `username`, `e-mail`, `phone` or `profile`.
 */
kind: string, 
/**
 * As last written by a staff member.
 */
shown: string, 
/**
 * The normalised form it is matched by.
 */
value: string, 
/**
 * The cases naming it, in order of first mention.
 */
cases: Array<string>, 
/**
 * Each item naming it, earliest seen first.
 */
mentions: Array<Mention>, 
/**
 * When first seen (local time).
 */
first_seen: string, 
/**
 * When last seen (local time).
 */
last_seen: string, };
