// Entry point: the staff member's pages, or the designated person's (chosen at first run or
// with "I am the designated person", or when the app is opened on a sealed file), over the
// real (Tauri) backend.
import { invoke } from "@tauri-apps/api/core";
import { TauriBackend } from "./backend";
import { byId } from "./dom";
import { DslApp } from "./dsl";
import { TauriDslBackend } from "./dslBackend";
import { listenForDrops, refuseOtherDrops } from "./drop";
import { wireTextSize } from "./base/textsize";
import { staffApp } from "./pages/staff/app";

async function boot(): Promise<void> {
  refuseOtherDrops(document);
  wireTextSize(document);
  const dslBackend = new TauriDslBackend();
  const state = await dslBackend.dslState().catch(() => null);
  if (state && (state.mode === "dsl" || state.launch_file)) {
    byId(document, "page").hidden = true;
    byId(document, "dsl").hidden = false;
    const dsl = new DslApp(document, dslBackend);
    // A sealed file dropped from a file manager: the app says what was dropped (drop.ts).
    listenForDrops(window, (message) => dsl.onDrop(message));
    await dsl.start();
    return;
  }
  const s = staffApp(document, new TauriBackend(), byId(document, "page"));
  listenForDrops(window, (message) => s.onDrop?.(message));
  // The capture shortcut is handled in Rust; afterwards it calls this to show the result.
  (window as unknown as { evidenceKitShortcut: (message: string) => void }).evidenceKitShortcut = (message: string) =>
    void s.router.redraw({ title: message });
  await s.router.start();
}

void boot().then(() => invoke("ui_ready").catch(() => undefined));
