// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Mode } from "./Mode";

/**
 * The staff member's details, kept in `settings.json` in the keys folder: who they
 * are on the form and on new records, and the school's name.
 */
export type Profile = { 
/**
 * Their name.
 */
name: string | null, 
/**
 * Their role at school.
 */
role: string | null, 
/**
 * School e-mail or phone.
 */
contact: string | null, 
/**
 * The school's name (none built in: without one the form says "School: not
 * recorded" and a bundle has no `Source-Organization`).
 */
school: string | null, 
/**
 * Show image previews without blurring them first (off unless chosen).
 */
show_previews: boolean, 
/**
 * The desktop app's capture shortcut (default Ctrl+Shift+E).
 */
shortcut: string | null, 
/**
 * The desktop app's mode: `staff` (the default) or `dsl` (the designated person's).
 * From the app, a word that is not a mode is none (as it was never saved).
 */
mode: Mode | null, };
