// The designated person's commands (src-tauri/src/dsl.rs), and the types they return.
import { invoke } from "@tauri-apps/api/core";
import { type EmailView, type Progress, sendFile, toBackendError, toBytes } from "./backend";

// The types are generated from their Rust definitions (ui/src/generated/, made by
// `cargo test`: see src/transport.rs); none is written here.
import type { Account } from "./generated/Account";
import type { BundleView } from "./generated/BundleView";
import type { DslState } from "./generated/DslState";
import type { Received } from "./generated/Received";
import type { StatusLine } from "./generated/StatusLine";

export type { Account, BundleView, DslState, Received, StatusLine };
export type { Finding } from "./generated/Finding";
export type { FindingKind } from "./generated/FindingKind";
export type { Mention } from "./generated/Mention";
export type { Report } from "./generated/Report";
export type { SealFacts } from "./generated/SealFacts";
export type { Signer } from "./generated/Signer";
export type { TimelineLine } from "./generated/TimelineLine";
export type { ViewItem } from "./generated/ViewItem";

/** What the designated person's screens need. */
export interface DslBackend {
  dslState(): Promise<DslState>;
  setMode(mode: "staff" | "dsl"): Promise<void>;
  dslSetup(name: string, passphrase: string): Promise<DslState>;
  /** Keep a bundle chosen (sent a part at a time); returns its SHA-256. */
  take(file: File, onProgress?: Progress): Promise<string>;
  /** Keep the bundle dropped on the window under `token` (see `drop.ts`); returns its SHA-256. */
  takeDrop(token: string): Promise<string>;
  /** The bundle the app was opened on, kept; null when none. */
  takeLaunchFile(): Promise<string | null>;
  open(sha256: string, passphrase: string | null): Promise<BundleView>;
  trust(sha256: string): Promise<BundleView>;
  picture(sha256: string, path: string, full: boolean): Promise<Uint8Array>;
  list(): Promise<Received[]>;
  /** `to`: whom it was referred to (headteacher, chair-of-governors, hr, lado, police,
   *  other:TEXT), for the status `referred`. */
  setStatus(caseRef: string, status: string, note: string | null, to: string[]): Promise<StatusLine[]>;
  history(caseRef: string): Promise<StatusLine[]>;
  /** A signed receipt for the bundle `sha256` (of case `caseRef`); returns its path. */
  receipt(sha256: string, caseRef: string, passphrase: string, folder: string): Promise<string>;
  accounts(): Promise<Account[]>;
  exportCsv(folder: string): Promise<string>;
  /** The system's folder chooser, starting at `start`; null if cancelled. */
  chooseFolder(start: string): Promise<string | null>;
  /** Make the form of the sealed file `sha256` in a private folder and open it to print. */
  printForm(sha256: string, fill: boolean): Promise<void>;
  /** Save "What to give staff" as a file in a folder the person chooses; where, or null. */
  saveShare(): Promise<string | null>;
  /** An e-mail in an opened sealed file, as text. */
  emailView(sha256: string, path: string): Promise<EmailView>;
}

type Invoke = <T>(cmd: string, args?: unknown, options?: unknown) => Promise<T>;

/** The real one: Tauri commands over IPC. */
export class TauriDslBackend implements DslBackend {
  private readonly call: Invoke;

  constructor(call: Invoke = invoke as Invoke) {
    this.call = call;
  }

  private async run<T>(cmd: string, args?: unknown, options?: unknown): Promise<T> {
    try {
      return await this.call<T>(cmd, args, options);
    } catch (e) {
      throw toBackendError(e);
    }
  }

  dslState(): Promise<DslState> {
    return this.run("dsl_state");
  }
  setMode(mode: "staff" | "dsl"): Promise<void> {
    return this.run("set_mode", { mode });
  }
  dslSetup(name: string, passphrase: string): Promise<DslState> {
    return this.run("dsl_setup", { name, passphrase });
  }
  async take(file: File, onProgress?: Progress): Promise<string> {
    const upload = await sendFile(this.call, file, onProgress);
    return this.run("dsl_take", { upload, name: file.name, size: file.size });
  }
  takeDrop(token: string): Promise<string> {
    return this.run("dsl_take_drop", { token });
  }
  takeLaunchFile(): Promise<string | null> {
    return this.run("dsl_take_launch_file");
  }
  open(sha256: string, passphrase: string | null): Promise<BundleView> {
    return this.run("dsl_open", { sha256, passphrase });
  }
  trust(sha256: string): Promise<BundleView> {
    return this.run("dsl_trust", { sha256 });
  }
  async picture(sha256: string, path: string, full: boolean): Promise<Uint8Array> {
    return toBytes(await this.run<unknown>("dsl_picture", { sha256, path, full }));
  }
  list(): Promise<Received[]> {
    return this.run("dsl_list");
  }
  setStatus(caseRef: string, status: string, note: string | null, to: string[]): Promise<StatusLine[]> {
    return this.run("dsl_set_status", { caseRef, status, note, referredTo: to });
  }
  history(caseRef: string): Promise<StatusLine[]> {
    return this.run("dsl_history", { caseRef });
  }
  receipt(sha256: string, caseRef: string, passphrase: string, folder: string): Promise<string> {
    return this.run("dsl_receipt", { sha256, caseRef, passphrase, folder });
  }
  accounts(): Promise<Account[]> {
    return this.run("dsl_accounts");
  }
  exportCsv(folder: string): Promise<string> {
    return this.run("dsl_export_csv", { folder });
  }
  chooseFolder(start: string): Promise<string | null> {
    return this.run("choose_folder", { start });
  }
  printForm(sha256: string, fill: boolean): Promise<void> {
    return this.run("dsl_print_form", { sha256, fill });
  }
  saveShare(): Promise<string | null> {
    return this.run("dsl_save_share");
  }
  emailView(sha256: string, path: string): Promise<EmailView> {
    return this.run("dsl_email_view", { sha256, item: path });
  }
}
