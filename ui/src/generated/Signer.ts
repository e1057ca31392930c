// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * Who sealed it.
 */
export type Signer = { 
/**
 * The name in the signed facts.
 */
name: string, 
/**
 * minisign key id.
 */
key_id: string, 
/**
 * Key fingerprint in groups of four.
 */
fingerprint: string, 
/**
 * The signature checks out against the key in the bundle.
 */
signature_valid: boolean, 
/**
 * The key is one you trust.
 */
trusted: boolean, 
/**
 * The name the key was trusted under, when it is a saved trusted key.
 */
trusted_as: string | null, 
/**
 * The file the trusted key was given in (`--trust FILE`), when it was.
 */
trusted_file: string | null, };
