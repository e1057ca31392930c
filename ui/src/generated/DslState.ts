// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Mode } from "./Mode";

/**
 * The designated person's keys and what to give staff.
 */
export type DslState = { name: string | null, 
/**
 * Their decryption key exists; its fingerprint.
 */
identity_fingerprint: string | null, 
/**
 * It is protected by a passphrase.
 */
protected: boolean, 
/**
 * The passphrase was given in this session.
 */
unlocked: boolean, 
/**
 * Their signing key (for receipts).
 */
signing_fingerprint: string | null, 
/**
 * The text to give staff (their age1… and receipt key).
 */
share_text: string | null, default_folder: string, mode: Mode | null, 
/**
 * The app was started on a bundle (from the file manager).
 */
launch_file: boolean, };
