// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Case } from "./Case";
import type { Received } from "./Received";
import type { Report } from "./Report";
import type { TimelineLine } from "./TimelineLine";
import type { ViewItem } from "./ViewItem";

/**
 * A bundle opened for reading.
 */
export type BundleView = { 
/**
 * Its row in the register (case, signer, verdict, status).
 */
received: Received, 
/**
 * It was already in the register.
 */
duplicate: boolean, 
/**
 * The verification report.
 */
report: Report, 
/**
 * The case and its incident report, as sealed (for a failed bundle: as claimed).
 */
case: Case | null, 
/**
 * When it was sealed (local time of the staff member's computer).
 */
sealed_local: string | null, 
/**
 * Its items, in bundle order.
 */
items: Array<ViewItem>, 
/**
 * The custody log, oldest first (entries about other cases are left out).
 */
timeline: Array<TimelineLine>, 
/**
 * The signer's key could be trusted now: the signature is valid, the key is not
 * yet trusted, and the bundle is otherwise intact.
 */
can_trust: boolean, 
/**
 * Where its files were unpacked (read-only).
 */
folder: string, 
/**
 * Why its files could not be unpacked, if they could not.
 */
unpack_problem: string | null, 
/**
 * Custody entries not shown in `timeline` (a very long log).
 */
timeline_more: number, 
/**
 * Items whose bytes were removed as a possible indecent image of a child before
 * sealing (their entries are in the custody log, not in `items`), so that the
 * count agrees with what the staff member saw.
 */
removed_items: number, };
