// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Referral } from "./Referral";

/**
 * One status change with its note, as the register shows it.
 */
export type StatusLine = { at: string, status: string, note: string | null, 
/**
 * Who the case was referred to (with `referred`).
 */
referred_to: Array<Referral>, };
