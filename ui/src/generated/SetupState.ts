// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Profile } from "./Profile";
import type { RecipientView } from "./RecipientView";

/**
 * What the first-run screen needs to know.
 */
export type SetupState = { profile: Profile, 
/**
 * The signing key's fingerprint, once made.
 */
signing_fingerprint: string | null, 
/**
 * The designated persons the staff member can seal to.
 */
recipients: Array<RecipientView>, 
/**
 * Where bundles and forms are saved unless the person chooses elsewhere.
 */
default_folder: string, 
/**
 * The folder holding the evidence (to copy to a new computer).
 */
store_folder: string | null, 
/**
 * The folder holding the keys and settings (to copy to a new computer).
 */
keys_folder: string, };
