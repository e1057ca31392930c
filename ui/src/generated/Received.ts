// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { ListState } from "./ListState";
import type { Referral } from "./Referral";

/**
 * One bundle in the register, with its case's current status.
 */
export type Received = { 
/**
 * SHA-256 of the bundle file.
 */
sha256: string, 
/**
 * Its file name when received.
 */
file: string, 
/**
 * The case reference.
 */
case_ref: string | null, 
/**
 * The staff member named in it.
 */
staff: string | null, 
/**
 * Who signed it, and the key's fingerprint.
 */
signer: string | null, 
/**
 * The signer's key fingerprint.
 */
signer_fingerprint: string | null, 
/**
 * When it was sealed (RFC 3339 UTC, as signed).
 */
sealed: string | null, 
/**
 * When it was received (local time with offset).
 */
received: string, 
/**
 * Intact, signed by a trusted key, every check passed.
 */
intact: boolean, 
/**
 * What verification found, in plain words.
 */
findings: Array<string>, 
/**
 * Sealed earlier than a bundle already on file for the same case.
 */
replay: boolean, 
/**
 * The bundle id its signed facts claim (none when they could not be read, or for a
 * row received before the register kept it and with no copy to read it from).
 */
bundle_id: string | null, 
/**
 * The SHA-256 of its tag manifest, as its signed facts claim.
 */
tagmanifest_sha256: string | null, 
/**
 * It claims the same seal (bundle id) as a bundle already on file, but its
 * contents differ: the plain sentence naming the earlier one.
 */
conflict: string | null, 
/**
 * Its state in the list: intact, intact with the key not checked yet, or not
 * intact.
 */
state: ListState, 
/**
 * The case's latest status (none for a copy that is not as sealed, or claims a
 * seal on file but differs: such a copy is its own entry, never the case's).
 */
status: string | null, 
/**
 * The note with that status.
 */
status_note: string | null, 
/**
 * Who the case was referred to, with that status.
 */
referred_to: Array<Referral>, };
