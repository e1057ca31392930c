// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { IncidentReport } from "./IncidentReport";
import type { Stamp } from "./Stamp";

/**
 * An incident: "the posts about me in the parents' group", with its evidence.
 */
export type Case = { 
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
