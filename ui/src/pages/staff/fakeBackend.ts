// A stand-in for the desktop app, for the pages' unit tests (never imported by the app):
// it keeps records, items, the report and the set-up in memory and answers as the Rust
// commands do, refusals included.
import {
  type Backend,
  BackendError,
  type Case,
  type CaseSummary,
  type EmailView,
  type IncidentReport,
  type Item,
  type ItemField,
  type LogLine,
  type Profile,
  type RecipientView,
  type ReportFields,
  type SealedView,
  type SetupState,
} from "../../backend";
import { EMPTY_REPORT, fakeItem, fakeSummary } from "../../testing";

export const STAMP = { utc: "2026-11-25T10:32:05.123Z", local: "2026-11-25T10:32:05.123+00:00", zone: "Europe/London" };
export const HASH = "3f2a9c1b" + "0123456789abcdef".repeat(3) + "00112233aabbccdd";

export function item(id: number, over: Partial<Item> = {}): Item {
  const basics = { sha256: HASH, size: 1234, media_type: "image/png", original_name: "screen-1.png" };
  return fakeItem({ id, ...basics, source: "screen", captured: STAMP, ...over });
}

export class FakeBackend implements Backend {
  cases: CaseSummary[] = [];
  items: Record<string, Item[]> = {};
  failWith: BackendError | null = null;
  created: Array<[string, string]> = [];

  async listCases(): Promise<CaseSummary[]> {
    if (this.failWith) throw this.failWith;
    return this.cases;
  }
  async createCase(title: string, staff: string): Promise<Case> {
    this.created.push([title, staff]);
    const c = { id: `EK-${this.cases.length + 1}`, title, staff, created: STAMP, report: EMPTY_REPORT };
    this.cases = [...this.cases, fakeSummary({ ...c, items: 0, withdrawn: 0 })];
    return c;
  }
  async listItems(caseId: string): Promise<Item[]> {
    return this.items[caseId] ?? [];
  }
  async captureScreen(caseId: string): Promise<Item> {
    if (this.failWith) throw this.failWith;
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
  async itemThumbnail(): Promise<Uint8Array> {
    return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  }
  updates: Array<[number, Array<[ItemField, string | null]>]> = [];
  reports: Array<[string, ReportFields]> = [];
  notes: Array<[string, string | null]> = [];
  async getCase(caseId: string): Promise<Case> {
    const c = this.cases.find((x) => x.id === caseId);
    if (!c) throw new BackendError("unknown_case", `There is no case ${caseId}.`);
    return { ...c, report: this.report };
  }
  report: IncidentReport = EMPTY_REPORT;
  private find(itemId: number): Item {
    for (const list of Object.values(this.items)) {
      const it = list.find((i) => i.id === itemId);
      if (it) return it;
    }
    throw new BackendError("unknown_item", `There is no item ${itemId}.`);
  }
  async updateItem(itemId: number, changes: Array<[ItemField, string | null]>): Promise<Item> {
    if (this.failWith) throw this.failWith;
    this.updates.push([itemId, changes]);
    const it = this.find(itemId);
    for (const [f, v] of changes) {
      if (f === "site" || f === "note" || f === "url" || f === "seen") it[f] = v;
      if (f === "from_handle") it.from = { ...it.from, handle: v };
    }
    return it;
  }
  async withdrawItem(itemId: number, reason: string): Promise<Item> {
    const it = this.find(itemId);
    it.withdrawn = { at: STAMP, reason };
    return it;
  }
  async updateReport(caseId: string, report: ReportFields): Promise<Case> {
    this.reports.push([caseId, report]);
    this.report = { ...this.report, ...report };
    return this.getCase(caseId);
  }
  async recentSites(): Promise<string[]> {
    return ["Facebook", "WhatsApp"];
  }
  async custodyLog(): Promise<LogLine[]> {
    return [{ seq: 1, at: STAMP.local, actor: "A. Teacher", text: 'Record "<b>x</b>" started by A. Teacher.', clock_anomaly: false, technical: null }];
  }
  async recordIndecentImage(caseId: string, site: string | null): Promise<string> {
    this.notes.push([caseId, site]);
    return "Do not copy, screenshot, forward or save it.";
  }
  async removeIndecentItem(itemId: number): Promise<Item> {
    const it = this.find(itemId);
    it.removed = { at: STAMP, reason: "possible indecent image" };
    return it;
  }
  setup: SetupState = {
    profile: { name: "A. Teacher", role: null, contact: null, school: null, show_previews: false, shortcut: null, mode: null },
    signing_fingerprint: "3F2A 91C0 0000 0000",
    recipients: [{ name: "Mrs D. Lead", fingerprint: "AB12 CD34" }],
    default_folder: "/home/a/Documents/Evidence Kit",
    store_folder: "/home/a/.local/share/evidence-kit",
    keys_folder: "/home/a/.config/evidence-kit",
  };
  keysMade: string[] = [];
  sealed: Array<[string, string, string, string]> = [];
  async setupState(): Promise<SetupState> {
    return structuredClone(this.setup);
  }
  async saveProfile(profile: Profile): Promise<Profile> {
    this.setup.profile = profile;
    return profile;
  }
  async createSigningKey(passphrase: string): Promise<string> {
    if (passphrase.length < 8) throw new BackendError("weak_passphrase", "Choose a passphrase of at least 8 characters.");
    this.keysMade.push(passphrase);
    this.setup.signing_fingerprint = "1111 2222 3333 4444";
    return this.setup.signing_fingerprint;
  }
  async addRecipient(name: string, text: string, replace: boolean): Promise<RecipientView> {
    if (!text.startsWith("age1")) throw new BackendError("bad_recipient", "That is not the text a designated person's Evidence Kit gives; ask them for it again.");
    const fingerprint = `FP ${text.slice(4, 8).toUpperCase()}`;
    const was = this.setup.recipients.find((r) => r.name === name);
    if (was && was.fingerprint !== fingerprint && !replace) {
      throw new BackendError("recipient_exists", `${name} already has a key (fingerprint ${was.fingerprint}); this one is ${fingerprint}.`);
    }
    const r = { name, fingerprint };
    this.setup.recipients = [...this.setup.recipients.filter((x) => x.name !== name), r];
    return r;
  }
  removed: string[] = [];
  async removeRecipient(name: string): Promise<void> {
    this.removed.push(name);
    this.setup.recipients = this.setup.recipients.filter((r) => r.name !== name);
  }
  async replaceSigningKey(passphrase: string): Promise<string> {
    if (passphrase.length < 8) throw new BackendError("weak_passphrase", "Choose a passphrase of at least 8 characters.");
    this.setup.signing_fingerprint = "9999 8888 7777 6666";
    return this.setup.signing_fingerprint;
  }
  folderChosen: string | null = "/media/usb";
  async chooseFolder(): Promise<string | null> {
    return this.folderChosen;
  }
  usb: string[] = [];
  async removableFolders(): Promise<string[]> {
    return this.usb;
  }
  shownInFolder: string[] = [];
  async showInFolder(path: string): Promise<void> {
    this.shownInFolder.push(path);
  }
  async saveCopy(path: string): Promise<string | null> {
    return `/media/usb/${path.split("/").pop() ?? ""}`;
  }
  printed: string[] = [];
  async printForm(caseId: string): Promise<void> {
    this.printed.push(caseId);
  }
  emails: Record<number, EmailView> = {};
  async emailView(itemId: number): Promise<EmailView> {
    const v = this.emails[itemId];
    if (!v) throw new BackendError("not_an_email", "It is not an e-mail.");
    return v;
  }
  async sealCase(caseId: string, to: string, folder: string, passphrase: string): Promise<SealedView> {
    if (passphrase !== "correct horse") throw new BackendError("wrong_passphrase", "That passphrase is not right.");
    this.sealed.push([caseId, to, folder, passphrase]);
    return { path: `${folder}/${caseId}.evidence.age`, file_name: `${caseId}.evidence.age`, sha256: HASH, items: 1, encrypted: true };
  }
  async sealProgress(): Promise<[number, number]> {
    return [1, 2];
  }
  handed: Array<[string, string | null]> = [];
  current: Array<string | null> = [];
  async setCurrentCase(caseId: string | null): Promise<void> {
    this.current.push(caseId);
  }
  async setShortcut(accelerator: string): Promise<string> {
    if (accelerator === "nonsense") throw new BackendError("shortcut", "\"nonsense\" is not a keyboard shortcut Evidence Kit understands; try Ctrl+Shift+E.");
    return accelerator;
  }
  regions: Array<[string, [number, number, number, number]]> = [];
  async beginRegion(): Promise<[number, number]> {
    return [1920, 1080];
  }
  async regionPreview(): Promise<Uint8Array> {
    return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  }
  async captureRegion(caseId: string, rect: [number, number, number, number]): Promise<Item> {
    this.regions.push([caseId, rect]);
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId, original_name: "screen-region.png" });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
  async cancelRegion(): Promise<void> {}
  windows: string[] = ["Facebook — Chromium", "Messages"];
  async listWindows(): Promise<string[]> {
    return this.windows;
  }
  async captureWindow(caseId: string, title: string): Promise<Item> {
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId, original_name: `window-${title}.png`, source: "window" });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
  receipts: string[] = [];
  async openReceipt(bytes: Uint8Array): Promise<{ case_id: string; words: string }> {
    const text = new TextDecoder().decode(bytes);
    if (!text.startsWith("receipt:")) throw new BackendError("bad_receipt", "This is not an Evidence Kit receipt (it cannot be read as one).");
    const caseId = text.slice("receipt:".length).trim();
    const words = "Received and verified by Mrs D. Lead on 25 November 2026 at 15:00:00 (UTC).";
    this.cases = this.cases.map((c) => (c.id === caseId ? { ...c, state: "sent", receipt: words } : c));
    this.receipts.push(caseId);
    return { case_id: caseId, words };
  }
  modes: string[] = [];
  async setMode(mode: "staff" | "dsl"): Promise<void> {
    this.modes.push(mode);
  }
  async itemPreview(): Promise<Uint8Array> {
    return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1]);
  }
  async markHandedOver(caseId: string, to: string | null): Promise<void> {
    this.handed.push([caseId, to]);
    this.cases = this.cases.map((c) => (c.id === caseId ? { ...c, state: "sent", handed_over: STAMP.local } : c));
  }
  uploads: Array<[string, string, number[]]> = [];
  async captureUpload(caseId: string, file: File): Promise<Item> {
    const name = file.name;
    if (name.endsWith(".bad")) throw new BackendError("source_unreadable", "It could not be read.");
    this.uploads.push([caseId, name, Array.from(new Uint8Array(await file.arrayBuffer()))]);
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId, original_name: name });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
  /** The name each token of a drop stands for, as the app would have kept its path. */
  dropped: Record<string, string> = {};
  dropsKept: Array<[string, string]> = [];
  /** When set, keeping a dropped file waits until this is resolved. */
  holdDrop: Promise<void> | null = null;
  async captureDrop(caseId: string, token: string): Promise<Item> {
    const name = this.dropped[token];
    if (name === undefined) throw new BackendError("unknown_drop", "That dropped file is no longer waiting to be kept.");
    delete this.dropped[token];
    if (name.endsWith(".bad")) throw new BackendError("source_unreadable", "It could not be read.");
    if (!name.includes(".")) throw new BackendError("source_is_directory", `/home/a/${name} is a folder, not a file.`);
    await this.holdDrop;
    this.dropsKept.push([caseId, token]);
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId, original_name: name });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
  async captureClipboard(caseId: string): Promise<Item> {
    const it = item((this.items[caseId]?.length ?? 0) + 1, { case_id: caseId, original_name: "clipboard.png" });
    this.items[caseId] = [...(this.items[caseId] ?? []), it];
    return it;
  }
}


