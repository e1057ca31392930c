// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * When something happened, as recorded.
 */
export type Stamp = { 
/**
 * The instant, RFC 3339 in UTC with milliseconds (`2026-11-25T14:32:05.123Z`).
 */
utc: string, 
/**
 * The same instant in local time with its offset (`2026-11-25T14:32:05.123+00:00`).
 */
local: string, 
/**
 * The IANA zone name (`Europe/London`), or `unknown`.
 */
zone: string, };
