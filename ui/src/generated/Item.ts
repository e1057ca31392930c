// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { EmailHeaders } from "./EmailHeaders";
import type { Removal } from "./Removal";
import type { Sender } from "./Sender";
import type { Source } from "./Source";
import type { Stamp } from "./Stamp";
import type { Withdrawal } from "./Withdrawal";

/**
 * One piece of evidence. Its bytes live in the store under `sha256`.
 */
export type Item = { 
/**
 * Item number in this store.
 */
id: number, 
/**
 * The case it belongs to.
 */
case_id: string, 
/**
 * SHA-256 of the bytes, taken while they were read in (hex, lower case).
 */
sha256: string, 
/**
 * Size in bytes.
 */
size: number, 
/**
 * Media type sniffed from the bytes (`image/png`, `message/rfc822`, …).
 */
media_type: string, 
/**
 * The file's name when it came in (or a made-up one for screenshots).
 */
original_name: string, 
/**
 * How it came in.
 */
source: Source, 
/**
 * When it was captured.
 */
captured: Stamp, 
/**
 * Who captured it.
 */
captured_by: string, 
/**
 * Where it was seen: site or app, as the person wrote it.
 */
site: string | null, 
/**
 * The full address, if known.
 */
url: string | null, 
/**
 * Who it came from.
 */
from: Sender, 
/**
 * When the abuse was seen, if not at capture (RFC 3339, UTC).
 */
seen: string | null, 
/**
 * Free-text note.
 */
note: string | null, 
/**
 * E-mail headers, for `.eml` files.
 */
email: EmailHeaders | null, 
/**
 * When and why it was withdrawn (never deleted).
 */
withdrawn: Withdrawal | null, 
/**
 * Set when the item was marked as a possible indecent image of a child: its bytes
 * were then removed from the store (the one exception to never-delete, which the
 * school's policy itself demands). Only the record and the hash remain.
 */
removed?: Removal, };
