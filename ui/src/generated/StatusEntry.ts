// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Referral } from "./Referral";

/**
 * One status a case was given.
 */
export type StatusEntry = { 
/**
 * When (local time with offset).
 */
at: string, 
/**
 * The status.
 */
status: string, 
/**
 * Its note.
 */
note: string | null, 
/**
 * Who the case was referred to (with `referred`).
 */
referred_to: Array<Referral>, };
