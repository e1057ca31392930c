// The one seam between the page and the desktop app: everything the UI asks of the
// store goes through `Backend`. `TauriBackend` calls the Rust commands in
// src-tauri/src/commands.rs; tests substitute a fake (see app.test.ts) or mock the IPC
// itself (backend.test.ts).
import { invoke } from "@tauri-apps/api/core";

// The types the app sends and takes are generated from their Rust definitions
// (ui/src/generated/, made by `cargo test`: see src/transport.rs); none is written here.
import type { Case } from "./generated/Case";
import type { CaseSummary } from "./generated/CaseSummary";
import type { Item } from "./generated/Item";
import type { ItemField } from "./generated/ItemField";
import type { LogLine } from "./generated/LogLine";
import type { Profile } from "./generated/Profile";
import type { ReceiptView } from "./generated/ReceiptView";
import type { RecipientView } from "./generated/RecipientView";
import type { ReportFields } from "./generated/ReportFields";
import type { SealedView } from "./generated/SealedView";
import type { SetupState } from "./generated/SetupState";

export type { Case, CaseSummary, Item, ItemField, LogLine, Profile, ReceiptView, RecipientView, ReportFields };
export type { SealedView, SetupState };
export type { CaseState } from "./generated/CaseState";
export type { EmailHeaders } from "./generated/EmailHeaders";
export type { IncidentReport } from "./generated/IncidentReport";
export type { PoliceDecision } from "./generated/PoliceDecision";
export type { Removal } from "./generated/Removal";
export type { Responsible } from "./generated/Responsible";
export type { SafeguardNote } from "./generated/SafeguardNote";
export type { Sender } from "./generated/Sender";
export type { Source } from "./generated/Source";
export type { Stamp } from "./generated/Stamp";
export type { Withdrawal } from "./generated/Withdrawal";

/** An e-mail as text (made by the core: never HTML). */
export interface EmailView {
  from: string | null;
  to: string | null;
  date: string | null;
  subject: string | null;
  /** The plain-text body (an HTML-only message turned into text). */
  body: string;
  /** The body was longer than is shown. */
  cut: boolean;
}

/** What the UI needs from the store. */
export interface Backend {
  listCases(): Promise<CaseSummary[]>;
  createCase(title: string, staff: string): Promise<Case>;
  listItems(caseId: string): Promise<Item[]>;
  captureScreen(caseId: string): Promise<Item>;
  /** A PNG preview; empty when the item is not an image. */
  itemThumbnail(itemId: number): Promise<Uint8Array>;
  getCase(caseId: string): Promise<Case>;
  /** Describe an item; `null` clears a field. */
  updateItem(itemId: number, changes: Array<[ItemField, string | null]>): Promise<Item>;
  withdrawItem(itemId: number, reason: string): Promise<Item>;
  updateReport(caseId: string, report: ReportFields): Promise<Case>;
  recentSites(): Promise<string[]>;
  custodyLog(caseId: string): Promise<LogLine[]>;
  /** Records a note only (nothing is captured); returns the advice to show. */
  recordIndecentImage(caseId: string, site: string | null): Promise<string>;
  removeIndecentItem(itemId: number): Promise<Item>;
  setupState(): Promise<SetupState>;
  saveProfile(profile: Profile): Promise<Profile>;
  /** Returns the new key's fingerprint. */
  createSigningKey(passphrase: string): Promise<string>;
  /** Add a designated person; under a name already used for another key, refused
   *  (`recipient_exists`) unless `replace`. */
  addRecipient(name: string, text: string, replace: boolean): Promise<RecipientView>;
  /** Remove a designated person (their key is kept aside, never deleted). */
  removeRecipient(name: string): Promise<void>;
  /** A new signing key when the passphrase is forgotten; returns its fingerprint. */
  replaceSigningKey(passphrase: string): Promise<string>;
  /** The system's folder chooser, starting at `start`; null if the person cancels. */
  chooseFolder(start: string): Promise<string | null>;
  /** Open the folder holding `path` in the file manager, with it selected. */
  showInFolder(path: string): Promise<void>;
  /** Removable drives mounted now (a USB stick), to offer as the folder to save in. */
  removableFolders(): Promise<string[]>;
  /** Copy the sealed file at `path` to a folder the person chooses; where it went, or null. */
  saveCopy(path: string): Promise<string | null>;
  /** Make the record's form in a private temporary folder and open it to print. */
  printForm(caseId: string): Promise<void>;
  /** An e-mail item as text: headers and plain-text body. */
  emailView(itemId: number): Promise<EmailView>;
  sealCase(caseId: string, to: string, folder: string, passphrase: string): Promise<SealedView>;
  /** [bytes sealed, bytes in all] of the seal under way. */
  sealProgress(): Promise<[number, number]>;
  /**
   * Keep a file chosen with "Add files"; it passes to the app a part at a time (see
   * `sendFile`) and is hashed as it is taken in.
   */
  captureUpload(caseId: string, file: File, onProgress?: Progress): Promise<Item>;
  /**
   * Keep the file dropped on the window under `token` (see `drop.ts`): the app reads it
   * from its path, hashing as it reads. A token is used once.
   */
  captureDrop(caseId: string, token: string): Promise<Item>;
  captureClipboard(caseId: string): Promise<Item>;
  /** The person says they gave the sealed file to the designated person. */
  markHandedOver(caseId: string, to: string | null): Promise<void>;
  /** A larger PNG of an image item, for the full-size view. */
  itemPreview(itemId: number): Promise<Uint8Array>;
  /** The record the capture shortcut captures into. */
  setCurrentCase(caseId: string | null): Promise<void>;
  /** Change the capture shortcut; returns it as set. */
  setShortcut(accelerator: string): Promise<string>;
  /** Grab the screen into memory for choosing a part; returns its size in pixels. */
  beginRegion(): Promise<[number, number]>;
  /** The grabbed screen, reduced, as PNG bytes. */
  regionPreview(): Promise<Uint8Array>;
  /** Keep the part [x, y, width, height] (in the screen's pixels). */
  captureRegion(caseId: string, rect: [number, number, number, number]): Promise<Item>;
  cancelRegion(): Promise<void>;
  /** The titles of the other open windows. */
  listWindows(): Promise<string[]>;
  captureWindow(caseId: string, title: string): Promise<Item>;
  /** Open a receipt the designated person gave back; recorded on its record. */
  openReceipt(bytes: Uint8Array): Promise<ReceiptView>;
  /** Switch to the designated person's screens ("dsl") or back ("staff"). */
  setMode(mode: "staff" | "dsl"): Promise<void>;
}

/**
 * A failure reported by the backend: `code` is a stable name to branch on
 * (`unknown_case`, `no_screen`, …), `message` one sentence to show as it is.
 */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Shown when a failure does not carry a sentence of its own. */
export const FALLBACK_MESSAGE =
  "Something went wrong inside Evidence Kit. Nothing was changed; please try again.";

/** Turn whatever a rejected `invoke` gave us into a `BackendError`. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string" && message !== "") {
      return new BackendError(code, message);
    }
  }
  // Tauri itself rejects with a bare string when a command is not allowed or its
  // arguments do not fit; keep the text for the log but show a plain sentence.
  console.error("backend:", e);
  return new BackendError("internal", FALLBACK_MESSAGE);
}

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;
type AnyInvoke = <T>(cmd: string, args?: unknown, options?: unknown) => Promise<T>;

/** Told (bytes sent, bytes in all) as a file passes to the app. */
export type Progress = (sent: number, total: number) => void;

/** Bytes sent per part when a file passes from the window to the app. */
export const PART_BYTES = 8 * 1024 * 1024;

/**
 * Send a file chosen in the window to the app a part at a time, so that a
 * long video or a large bundle is never held whole in memory (`upload_begin`,
 * `upload_part` in src-tauri/src/commands.rs). Returns the id it arrived under, for the
 * command that keeps it. Any failure gives up what had come, and is a `BackendError`.
 */
export async function sendFile(call: AnyInvoke, file: Blob, onProgress?: Progress): Promise<string> {
  let upload: string;
  try {
    upload = await call<string>("upload_begin");
  } catch (e) {
    throw toBackendError(e);
  }
  try {
    for (let at = 0; at < file.size; at += PART_BYTES) {
      let part: Uint8Array;
      try {
        part = new Uint8Array(await file.slice(at, at + PART_BYTES).arrayBuffer());
      } catch {
        throw new BackendError(
          "source_unreadable",
          "It could not be read (was it moved, or is the USB stick or shared drive it was on gone?). Nothing was saved.",
        );
      }
      // The bytes go as the raw request body, not as JSON numbers.
      await call<number>("upload_part", part, { headers: { "x-ek-upload": upload } });
      onProgress?.(Math.min(at + PART_BYTES, file.size), file.size);
    }
  } catch (e) {
    await call("upload_cancel", { upload }).catch(() => undefined);
    throw toBackendError(e);
  }
  return upload;
}

/** The real backend: Tauri commands over IPC. */
export class TauriBackend implements Backend {
  private readonly call: Invoke;

  constructor(call: Invoke = invoke) {
    this.call = call;
  }

  private async run<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await this.call<T>(cmd, args);
    } catch (e) {
      throw toBackendError(e);
    }
  }

  listCases(): Promise<CaseSummary[]> {
    return this.run("list_cases");
  }

  createCase(title: string, staff: string): Promise<Case> {
    return this.run("create_case", { title, staff });
  }

  listItems(caseId: string): Promise<Item[]> {
    return this.run("list_items", { caseId });
  }

  captureScreen(caseId: string): Promise<Item> {
    return this.run("capture_screen", { caseId });
  }

  async itemThumbnail(itemId: number): Promise<Uint8Array> {
    const raw = await this.run<unknown>("item_thumbnail", { itemId });
    return toBytes(raw);
  }

  getCase(caseId: string): Promise<Case> {
    return this.run("get_case", { caseId });
  }

  updateItem(itemId: number, changes: Array<[ItemField, string | null]>): Promise<Item> {
    return this.run("update_item", { itemId, changes });
  }

  withdrawItem(itemId: number, reason: string): Promise<Item> {
    return this.run("withdraw_item", { itemId, reason });
  }

  updateReport(caseId: string, report: ReportFields): Promise<Case> {
    return this.run("update_report", { caseId, report });
  }

  recentSites(): Promise<string[]> {
    return this.run("recent_sites");
  }

  custodyLog(caseId: string): Promise<LogLine[]> {
    return this.run("custody_log", { caseId });
  }

  recordIndecentImage(caseId: string, site: string | null): Promise<string> {
    return this.run("record_indecent_image", { caseId, site });
  }

  removeIndecentItem(itemId: number): Promise<Item> {
    return this.run("remove_indecent_item", { itemId });
  }

  setupState(): Promise<SetupState> {
    return this.run("setup_state");
  }

  saveProfile(profile: Profile): Promise<Profile> {
    return this.run("save_profile", { profile });
  }

  createSigningKey(passphrase: string): Promise<string> {
    return this.run("create_signing_key", { passphrase });
  }

  addRecipient(name: string, text: string, replace: boolean): Promise<RecipientView> {
    return this.run("add_recipient", { name, text, replace });
  }

  removeRecipient(name: string): Promise<void> {
    return this.run("remove_recipient", { name });
  }

  replaceSigningKey(passphrase: string): Promise<string> {
    return this.run("replace_signing_key", { passphrase });
  }

  chooseFolder(start: string): Promise<string | null> {
    return this.run("choose_folder", { start });
  }

  showInFolder(path: string): Promise<void> {
    return this.run("show_in_folder", { path });
  }

  removableFolders(): Promise<string[]> {
    return this.run("removable_folders");
  }

  saveCopy(path: string): Promise<string | null> {
    return this.run("save_copy", { path });
  }

  printForm(caseId: string): Promise<void> {
    return this.run("print_form", { caseId });
  }

  emailView(itemId: number): Promise<EmailView> {
    return this.run("email_view", { itemId });
  }

  sealCase(caseId: string, to: string, folder: string, passphrase: string): Promise<SealedView> {
    return this.run("seal_case", { caseId, to, folder, passphrase });
  }

  sealProgress(): Promise<[number, number]> {
    return this.run("seal_progress");
  }

  async captureUpload(caseId: string, file: File, onProgress?: Progress): Promise<Item> {
    const upload = await sendFile(this.call as AnyInvoke, file, onProgress);
    return this.run("capture_upload", { caseId, upload, name: file.name, size: file.size });
  }

  captureDrop(caseId: string, token: string): Promise<Item> {
    return this.run("capture_drop", { caseId, token });
  }

  captureClipboard(caseId: string): Promise<Item> {
    return this.run("capture_clipboard", { caseId });
  }

  markHandedOver(caseId: string, to: string | null): Promise<void> {
    return this.run("mark_handed_over", { caseId, to });
  }

  async itemPreview(itemId: number): Promise<Uint8Array> {
    return toBytes(await this.run<unknown>("item_preview", { itemId }));
  }

  setCurrentCase(caseId: string | null): Promise<void> {
    return this.run("set_current_case", { caseId });
  }

  setShortcut(accelerator: string): Promise<string> {
    return this.run("set_shortcut", { accelerator });
  }

  listWindows(): Promise<string[]> {
    return this.run("list_windows");
  }

  beginRegion(): Promise<[number, number]> {
    return this.run("begin_region");
  }

  async regionPreview(): Promise<Uint8Array> {
    return toBytes(await this.run<unknown>("region_preview"));
  }

  captureRegion(caseId: string, rect: [number, number, number, number]): Promise<Item> {
    return this.run("capture_region", { caseId, rect });
  }

  cancelRegion(): Promise<void> {
    return this.run("cancel_region");
  }

  captureWindow(caseId: string, title: string): Promise<Item> {
    return this.run("capture_window", { caseId, title });
  }

  async openReceipt(bytes: Uint8Array): Promise<ReceiptView> {
    try {
      return await invokeRaw(this.call, "open_receipt", bytes, {});
    } catch (e) {
      throw toBackendError(e);
    }
  }

  setMode(mode: "staff" | "dsl"): Promise<void> {
    return this.run("set_mode", { mode });
  }
}

type RawInvoke = <T>(
  cmd: string,
  args: Uint8Array,
  options: { headers: Record<string, string> },
) => Promise<T>;

function invokeRaw<T>(
  call: Invoke,
  cmd: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<T> {
  return (call as unknown as RawInvoke)<T>(cmd, body, { headers });
}

/** Raw IPC responses arrive as an ArrayBuffer; accept the other shapes too. */
export function toBytes(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (Array.isArray(raw)) return Uint8Array.from(raw as number[]);
  return new Uint8Array(0);
}
