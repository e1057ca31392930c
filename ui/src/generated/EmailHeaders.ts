// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Headers of a captured e-mail (`.eml`).
 */
export type EmailHeaders = { 
/**
 * `From:`
 */
from: string | null, 
/**
 * `To:`
 */
to: string | null, 
/**
 * `Date:` as RFC 3339.
 */
date: string | null, 
/**
 * `Subject:`
 */
subject: string | null, 
/**
 * `Message-ID:`
 */
message_id: string | null, };
