// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Where an account is named.
 */
export type Mention = { 
/**
 * The case reference.
 */
case_ref: string, 
/**
 * The item's number in that case.
 */
item_id: number, 
/**
 * The item's file name.
 */
item_name: string, 
/**
 * When the item was seen (local time, as recorded).
 */
seen: string, };
