// Files dropped on the window from a file manager. The app's window takes the drop
// (Tauri's handler: WebKitGTK gives a page no files for a real drop) and keeps the paths
// itself; the page is told only names and sizes, each under a token it asks the app to
// keep (`capture_drop`) or open (`dsl_take_drop`) once. See src-tauri/src/drop.rs.

import type { Dropped } from "./generated/Dropped";

/** A file (or folder) dropped on the window (src-tauri/src/drop.rs `Dropped`). */
export type DroppedFile = Dropped;

/** What the app tells the page, through `window.evidenceKitDrop`. */
export type DropMessage =
  | { kind: "enter" }
  | { kind: "leave" }
  | { kind: "drop"; files: DroppedFile[] }
  | { kind: "progress"; token: string; done: number; total: number };

/** Hand each message the app sends about a drop to `onMessage`. */
export function listenForDrops(win: Window, onMessage: (message: DropMessage) => void): void {
  (win as unknown as { evidenceKitDrop: (message: DropMessage) => void }).evidenceKitDrop = onMessage;
}

/** Highlight `zone` while files are over the window. */
export function showDragOver(zone: HTMLElement, message: DropMessage): void {
  zone.classList.toggle("add-files--over", message.kind === "enter");
}

/**
 * Never let the page open what is dragged onto it. Files are taken by the app's window
 * (above); anything else (a link or text dragged from a browser) would otherwise be
 * opened by the web view in place of the app's own page.
 */
export function refuseOtherDrops(doc: Document): void {
  for (const type of ["dragover", "drop"]) {
    doc.addEventListener(type, (ev) => ev.preventDefault());
  }
}
