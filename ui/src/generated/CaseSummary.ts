// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { CaseState } from "./CaseState";
import type { IncidentReport } from "./IncidentReport";
import type { Stamp } from "./Stamp";

/**
 * A case with counts, for lists.
 */
export type CaseSummary = { 
/**
 * Items captured (withdrawn ones included).
 */
items: number, 
/**
 * Of which withdrawn.
 */
withdrawn: number, 
/**
 * Where the record stands: never sealed, sealed, or given to the designated person.
 */
state: CaseState, 
/**
 * When it was last sealed (local time with offset).
 */
last_sealed: string | null, 
/**
 * When it was last given to the designated person, as the staff member recorded.
 */
handed_over: string | null, 
/**
 * Something was added or changed after the last seal (seal again before giving it).
 */
changed_since_seal: boolean, 
/**
 * The designated person's latest receipt, when one was opened: "Received and
 * verified by … on …".
 */
receipt: string | null, 
/**
 * The case reference, e.g. `EK-20261125-3F2A9C`; also its id.
 */
id: string, 
/**
 * A short title in the staff member's words.
 */
title: string, 
/**
 * The staff member the case is about (who is keeping the record).
 */
staff: string, 
/**
 * When the case was opened.
 */
created: Stamp, 
/**
 * What the E-safety incident-logging form asks, as far as the person has said.
 */
report: IncidentReport, };
