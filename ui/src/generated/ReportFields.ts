// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { PoliceDecision } from "./PoliceDecision";
import type { Responsible } from "./Responsible";

/**
 * The incident report as the UI sends it: every field, `null` when empty.
 */
export type ReportFields = { role: string | null, contact: string | null, addressed_to: string | null, description: string | null, responsible: Responsible | null, witnesses: string | null, continuing: boolean | null, platform_report: string | null, advice: string | null, informed: string | null, police: PoliceDecision | null, police_ref: string | null, };
