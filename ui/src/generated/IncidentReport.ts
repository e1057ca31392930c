// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { PoliceDecision } from "./PoliceDecision";
import type { Responsible } from "./Responsible";
import type { SafeguardNote } from "./SafeguardNote";
import type { Stamp } from "./Stamp";

/**
 * The incident report: every field of the E-safety incident-logging form that is the
 * staff member's to fill. Each change is a custody entry that keeps the old value.
 */
export type IncidentReport = { 
/**
 * The reporting person's role (e.g. "Year 4 teacher").
 */
role: string | null, 
/**
 * School e-mail or phone (never personal ones, as the policy says).
 */
contact: string | null, 
/**
 * The designated safeguarding person the form is addressed to.
 */
addressed_to: string | null, 
/**
 * What happened, in the person's own words.
 */
description: string | null, 
/**
 * Who is believed responsible.
 */
responsible: Responsible | null, 
/**
 * Others involved, or witnesses.
 */
witnesses: string | null, 
/**
 * Whether it is still going on.
 */
continuing: boolean | null, 
/**
 * Reported to the platform: date and reference, as typed.
 */
platform_report: string | null, 
/**
 * Advice sought (e.g. the Professionals Online Safety Helpline).
 */
advice: string | null, 
/**
 * Others informed.
 */
informed: string | null, 
/**
 * "I wish to report this to the police".
 */
police: PoliceDecision | null, 
/**
 * When that decision was recorded.
 */
police_decided: Stamp | null, 
/**
 * Police reference, if the police have been told.
 */
police_ref: string | null, 
/**
 * Possible indecent images of children seen (never captured).
 */
indecent_images: Array<SafeguardNote>, };
