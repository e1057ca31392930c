// Entry point: the staff member's pages, or the designated person's (chosen at first run or
// with "I am the designated person", or when the app is opened on a sealed file), over the
// real (Tauri) backend.
import { invoke } from "@tauri-apps/api/core";
import { TauriBackend } from "./backend";
import { byId } from "./dom";
import { TauriDslBackend } from "./dslBackend";
import { listenForDrops, refuseOtherDrops } from "./drop";
import { wireTextSize } from "./base/textsize";
import { dslApp, openLaunchFile } from "./pages/dsl/app";
import { staffApp } from "./pages/staff/app";

async function boot(): Promise<void> {
  refuseOtherDrops(document);
  wireTextSize(document);
  const dslBackend = new TauriDslBackend();
  const state = await dslBackend.dslState().catch(() => null);
  if (state && (state.mode === "dsl" || state.launch_file)) {
    byId(document, "masthead").hidden = false;
    const modeSwitch = byId<HTMLButtonElement>(document, "mode-switch");
    modeSwitch.hidden = false;
    modeSwitch.addEventListener("click", () =>
      void dslBackend.setMode("staff").then(() => window.location.reload(), () => undefined),
    );
    const d = dslApp(document, dslBackend, byId(document, "page"));
    // The capture shortcut is off here; the app says so on the page on screen.
    (window as unknown as { evidenceKitShortcut: (message: string) => void }).evidenceKitShortcut = (message: string) =>
      d.router.done(message);
    // A sealed file dropped from a file manager: the app says what was dropped (drop.ts).
    listenForDrops(window, (message) => d.onDrop?.(message));
    if (!window.location.hash.startsWith("#/dsl")) window.location.hash = "#/dsl";
    await d.router.start();
    await openLaunchFile(d);
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
