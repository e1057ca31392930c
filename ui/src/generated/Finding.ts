// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { FindingKind } from "./FindingKind";

/**
 * One thing found wrong.
 */
export type Finding = { 
/**
 * What kind of thing.
 */
kind: FindingKind, 
/**
 * The file concerned, if one.
 */
file: string | null, 
/**
 * The first byte known to differ, where known.
 */
offset: number | null, 
/**
 * One plain sentence.
 */
message: string, };
