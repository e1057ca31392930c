// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { ReferralTo } from "./ReferralTo";

/**
 * One referral: to whom, and for `other`, who in the designated person's words.
 */
export type Referral = { 
/**
 * To whom.
 */
to: ReferralTo, 
/**
 * Who, for `other` (none for the others).
 */
other?: string, };
