// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Case } from "./Case";
import type { Finding } from "./Finding";
import type { SealFacts } from "./SealFacts";
import type { Signer } from "./Signer";

/**
 * The result of verifying a bundle.
 */
export type Report = { 
/**
 * The file checked.
 */
file: string, 
/**
 * SHA-256 of the file as given.
 */
sha256: string, 
/**
 * Its size.
 */
size: number, 
/**
 * Whether it was encrypted.
 */
encrypted: boolean, 
/**
 * The signed facts, when the signature could be read.
 */
facts: SealFacts | null, 
/**
 * Who sealed it.
 */
signer: Signer | null, 
/**
 * The case, from `case.json`.
 */
case: Case | null, 
/**
 * Payload files.
 */
items: number, 
/**
 * Payload bytes.
 */
payload_bytes: number, 
/**
 * Everything wrong. Empty means intact, signed by a trusted key.
 */
findings: Array<Finding>, 
/**
 * Worth knowing, not wrong.
 */
notes: Array<string>, };
