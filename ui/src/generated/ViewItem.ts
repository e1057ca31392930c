// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Item } from "./Item";

/**
 * An item of the bundle, for reading.
 */
export type ViewItem = { 
/**
 * Its payload path in the bundle (`data/001-…`).
 */
path: string, 
/**
 * The item record as sealed.
 */
item: Item, 
/**
 * A picture the viewer may show (decoded with size limits when asked for).
 */
image: boolean, 
/**
 * What verification found about this file, in plain words.
 */
problems: Array<string>, };
