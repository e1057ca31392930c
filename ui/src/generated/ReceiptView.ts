// Generated from the Rust types by `cargo test` (ts-rs); do not edit.

/**
 * What a receipt opened on the staff side says.
 */
export type ReceiptView = { case_id: string, words: string, };
