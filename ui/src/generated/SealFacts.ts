// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * The signed facts about a bundle (the minisign trusted comment, as compact JSON).
 */
export type SealFacts = { 
/**
 * [`BUNDLE_FORMAT`].
 */
format: string, 
/**
 * The bundle's UUID.
 */
bundle: string, 
/**
 * The case reference.
 */
case: string, 
/**
 * When it was sealed (RFC 3339 UTC).
 */
sealed: string, 
/**
 * The signer's name.
 */
signer: string, 
/**
 * The signer's minisign key id (16 hex).
 */
key_id: string, 
/**
 * The designated persons' age recipients it was encrypted to (empty: not encrypted).
 */
recipients: Array<string>, 
/**
 * SHA-256 of `tagmanifest-sha256.txt`.
 */
tagmanifest_sha256: string, };
