// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Stamp } from "./Stamp";

/**
 * A record that a possible indecent image of a child was seen. Nothing of it is ever
 * captured or kept: only when, where (as typed) and what the person was told to do.
 */
export type SafeguardNote = { 
/**
 * When it was recorded.
 */
recorded: Stamp, 
/**
 * Where it was seen, as typed.
 */
site: string | null, 
/**
 * When the police were informed (RFC 3339), if they have been.
 */
police_informed: string | null, };
