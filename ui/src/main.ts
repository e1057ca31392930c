// Entry point: the page over the real (Tauri) backend.
import { App } from "./app";
import { invoke } from "@tauri-apps/api/core";
import { TauriBackend } from "./backend";

const app = new App(document, new TauriBackend());
// The capture shortcut is handled in Rust; afterwards it calls this to show the result.
(window as unknown as { evidenceKitShortcut: (message: string) => void }).evidenceKitShortcut = (
  message: string,
) => void app.afterShortcut(message);
void app.start().then(() => invoke("ui_ready").catch(() => undefined));
