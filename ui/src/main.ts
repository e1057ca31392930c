// Entry point: the staff member's screens, or the designated person's (chosen with
// "I am the designated person", or when the app is opened on a bundle), over the real
// (Tauri) backend.
import { App } from "./app";
import { invoke } from "@tauri-apps/api/core";
import { TauriBackend } from "./backend";
import { DslApp } from "./dsl";
import { TauriDslBackend } from "./dslBackend";
import { listenForDrops, refuseOtherDrops } from "./drop";

async function boot(): Promise<void> {
  refuseOtherDrops(document);
  const dslBackend = new TauriDslBackend();
  const state = await dslBackend.dslState().catch(() => null);
  if (state && (state.mode === "dsl" || state.launch_file)) {
    const dsl = new DslApp(document, dslBackend);
    // A bundle dropped from a file manager: the app says what was dropped (drop.ts).
    listenForDrops(window, (message) => dsl.onDrop(message));
    await dsl.start();
    return;
  }
  const app = new App(document, new TauriBackend());
  listenForDrops(window, (message) => app.onDrop(message));
  // The capture shortcut is handled in Rust; afterwards it calls this to show the result.
  (window as unknown as { evidenceKitShortcut: (message: string) => void }).evidenceKitShortcut = (
    message: string,
  ) => void app.afterShortcut(message);
  await app.start();
}

void boot().then(() => invoke("ui_ready").catch(() => undefined));
