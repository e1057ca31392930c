// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * An e-mail to read: its headers and its body as plain text.
 */
export type EmailView = { 
/**
 * `From:` ("Sam Jones <sam@example.org>").
 */
from: string | null, 
/**
 * `To:`.
 */
to: string | null, 
/**
 * `Date:` as RFC 3339 (as [`EmailHeaders`]'s).
 */
date: string | null, 
/**
 * `Subject:`.
 */
subject: string | null, 
/**
 * The body as plain text, never HTML; at most [`MAX_BODY_BYTES`].
 */
body: string, 
/**
 * The body was longer and is cut ("…the rest is not shown").
 */
cut: boolean, };
