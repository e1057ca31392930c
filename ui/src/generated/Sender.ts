// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Who the abuse came from, as far as the staff member knows.
 */
export type Sender = { 
/**
 * Username or handle (`@someone`).
 */
handle: string | null, 
/**
 * E-mail address.
 */
email: string | null, 
/**
 * Phone number.
 */
phone: string | null, 
/**
 * Profile address (URL).
 */
profile: string | null, };
