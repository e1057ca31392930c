// Entry point: the page over the real (Tauri) backend.
import { App } from "./app";
import { TauriBackend } from "./backend";

void new App(document, new TauriBackend()).start();
