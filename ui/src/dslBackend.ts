// The designated person's commands (src-tauri/src/dsl.rs), and the types they return.
import { invoke } from "@tauri-apps/api/core";
import { type Case, type Item, type Progress, sendFile, toBackendError, toBytes } from "./backend";

/** The designated person's keys and what to give staff. */
export interface DslState {
  name: string | null;
  identity_fingerprint: string | null;
  protected: boolean;
  unlocked: boolean;
  signing_fingerprint: string | null;
  share_text: string | null;
  default_folder: string;
  mode: string | null;
  /** The app was started on a bundle (from the file manager). */
  launch_file: boolean;
}

/** One thing verification found wrong. */
export interface Finding {
  kind: string;
  file: string | null;
  offset: number | null;
  message: string;
}

/** Who sealed a bundle. */
export interface Signer {
  name: string;
  key_id: string;
  fingerprint: string;
  signature_valid: boolean;
  /** The name the key was trusted under (shown instead of the name the bundle claims). */
  trusted_as?: string | null;
  trusted: boolean;
}

/** The verification report (src/verify.rs `Report`). */
export interface Report {
  file: string;
  sha256: string;
  size: number;
  encrypted: boolean;
  signer: Signer | null;
  items: number;
  payload_bytes: number;
  findings: Finding[];
  notes: string[];
}

/** A bundle's row in the register. */
export interface Received {
  sha256: string;
  file: string;
  case_ref: string | null;
  staff: string | null;
  signer: string | null;
  signer_fingerprint: string | null;
  sealed: string | null;
  received: string;
  intact: boolean;
  findings: string[];
  replay: boolean;
  /** It claims the same seal as a bundle on file but its contents differ (a sentence). */
  conflict?: string | null;
  status: string | null;
  status_note: string | null;
}

/** An item of a bundle, for reading. */
export interface ViewItem {
  path: string;
  item: Item;
  image: boolean;
  problems: string[];
}

/** One line of the custody timeline. */
export interface TimelineLine {
  at: string;
  actor: string;
  text: string;
  clock_anomaly: boolean;
}

/** A bundle opened for reading. */
export interface BundleView {
  received: Received;
  duplicate: boolean;
  report: Report;
  case: Case | null;
  sealed_local: string | null;
  items: ViewItem[];
  timeline: TimelineLine[];
  can_trust: boolean;
  folder: string;
  /** Why its files could not be unpacked (pictures then cannot be shown). */
  unpack_problem: string | null;
  /** Custody entries left out of `timeline` (a very long log). */
  timeline_more: number;
}

/** A status change. */
export interface StatusLine {
  at: string;
  status: string;
  note: string | null;
}

/** An account named across cases. */
export interface Account {
  kind: string;
  shown: string;
  value: string;
  cases: string[];
  mentions: Array<{ case_ref: string; item_id: number; item_name: string; seen: string }>;
  first_seen: string;
  last_seen: string;
}

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
  setStatus(caseRef: string, status: string, note: string | null): Promise<StatusLine[]>;
  history(caseRef: string): Promise<StatusLine[]>;
  /** A signed receipt for the bundle `sha256` (of case `caseRef`); returns its path. */
  receipt(sha256: string, caseRef: string, passphrase: string, folder: string): Promise<string>;
  form(sha256: string, fill: boolean, folder: string): Promise<string>;
  openForm(path: string): Promise<void>;
  accounts(): Promise<Account[]>;
  exportCsv(folder: string): Promise<string>;
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
  setStatus(caseRef: string, status: string, note: string | null): Promise<StatusLine[]> {
    return this.run("dsl_set_status", { caseRef, status, note });
  }
  history(caseRef: string): Promise<StatusLine[]> {
    return this.run("dsl_history", { caseRef });
  }
  receipt(sha256: string, caseRef: string, passphrase: string, folder: string): Promise<string> {
    return this.run("dsl_receipt", { sha256, caseRef, passphrase, folder });
  }
  form(sha256: string, fill: boolean, folder: string): Promise<string> {
    return this.run("dsl_form", { sha256, fill, folder });
  }
  openForm(path: string): Promise<void> {
    return this.run("open_form", { path });
  }
  accounts(): Promise<Account[]> {
    return this.run("dsl_accounts");
  }
  exportCsv(folder: string): Promise<string> {
    return this.run("dsl_export_csv", { folder });
  }
}
