import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { App } from "./app";
import {
  type Backend,
  BackendError,
  type Case,
  type CaseSummary,
  type IncidentReport,
  type Item,
  type ItemField,
  type LogLine,
  type Profile,
  type RecipientView,
  type ReportFields,
  type SealedView,
  type SetupState,
} from "./backend";
import { $, EMPTY_REPORT, fakeItem, fakeSummary, loadPage, settle } from "./testing";

const STAMP = { utc: "2026-11-25T10:32:05.123Z", local: "2026-11-25T10:32:05.123+00:00", zone: "Europe/London" };
const HASH = "3f2a9c1b" + "0123456789abcdef".repeat(3) + "00112233aabbccdd";

function item(id: number, over: Partial<Item> = {}): Item {
  const basics = { sha256: HASH, size: 1234, media_type: "image/png", original_name: "screen-1.png" };
  return fakeItem({ id, ...basics, source: "screen", captured: STAMP, ...over });
}

class FakeBackend implements Backend {
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
    return [{ seq: 1, at: STAMP.local, actor: "A. Teacher", text: 'Record "<b>x</b>" started by A. Teacher.', technical: null, clock_anomaly: false }];
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
  async addRecipient(name: string): Promise<RecipientView> {
    const r = { name, fingerprint: "FFFF EEEE" };
    this.setup.recipients.push(r);
    return r;
  }
  async sealCase(caseId: string, to: string, folder: string, passphrase: string): Promise<SealedView> {
    if (passphrase !== "correct horse") throw new BackendError("wrong_passphrase", "That passphrase is not right.");
    this.sealed.push([caseId, to, folder, passphrase]);
    return { path: `${folder}/${caseId}.evidence.age`, file_name: `${caseId}.evidence.age`, sha256: HASH, items: 1, encrypted: true };
  }
  async sealProgress(): Promise<[number, number]> {
    return [1, 2];
  }
  async makeForm(caseId: string, folder: string): Promise<string> {
    return `${folder}/${caseId}-form.pdf`;
  }
  async openForm(): Promise<void> {}
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


let backend: FakeBackend;

beforeEach(() => {
  loadPage();
  backend = new FakeBackend();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("records", () => {
  test("lists each record with its title, reference and item count", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A. Teacher", created: STAMP, items: 2, withdrawn: 0 })];
    await new App(document, backend).start();
    const button = $('#case-list [data-case-id="EK-1"] button');
    expect(button.textContent).toContain("Posts");
    expect(button.textContent).toContain("Reference EK-1");
    expect(button.textContent).toContain("2 items");
    expect($("#no-cases").hidden).toBe(true);
  });

  test("text from the store is shown as text, never parsed as HTML", async () => {
    backend.cases = [
      fakeSummary({ id: "EK-1", title: '<img src=x onerror="alert(1)">', staff: "x", created: STAMP, items: 0, withdrawn: 0 }),
    ];
    backend.items["EK-1"] = [item(1, { original_name: "<b>bold</b>.png", site: "<i>site</i>" })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    expect(document.querySelector("#case-list img")).toBeNull();
    expect($(".case__title").textContent).toBe('<img src=x onerror="alert(1)">');
    expect(document.querySelector("#item-list b, #item-list i")).toBeNull();
    expect($(".item__name").textContent).toBe("<b>bold</b>.png");
  });

  test("an empty form is refused at the fields, without asking the store", async () => {
    backend.setup.profile.name = null;
    await new App(document, backend).start();
    $<HTMLButtonElement>("#new-case-submit").click();
    await settle();
    expect($("#error-summary").hidden).toBe(false);
    const links = Array.from(document.querySelectorAll("#error-summary-list a"), (a) => a.getAttribute("href"));
    expect(links).toEqual(["#new-case-title", "#new-case-staff"]);
    expect($("#new-case-title").getAttribute("aria-invalid")).toBe("true");
    expect(backend.created).toEqual([]);
  });

  test("starting a record selects it", async () => {
    await new App(document, backend).start();
    $<HTMLInputElement>("#new-case-title").value = "  Posts in the parents' group ";
    $<HTMLInputElement>("#new-case-staff").value = "A. Teacher";
    $<HTMLButtonElement>("#new-case-submit").click();
    await settle();
    await settle();
    expect(backend.created).toEqual([["Posts in the parents' group", "A. Teacher"]]);
    expect($('#case-list [data-case-id="EK-1"] button').getAttribute("aria-pressed")).toBe("true");
    expect($("#case-detail").hidden).toBe(false);
    expect($("#case-title").textContent).toBe("Posts in the parents' group");
    expect($("#error-summary").hidden).toBe(true);
  });
});

describe("evidence", () => {
  test("each item shows its name, place, time with offset and hash; the preview starts blurred", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5, { site: "Facebook" })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    await settle();
    const li = $('#item-list li[data-item-id="5"]');
    expect(li.querySelector(".item__name")?.textContent).toBe("screen-1.png");
    expect(li.querySelector(".item__site")?.textContent).toBe("Where: Facebook");
    expect(li.querySelector(".item__meta")?.textContent).toBe(
      "Recorded 25 November 2026 at 10:32:05 (UTC+00:00) · SHA-256 3f2a9c1b…",
    );
    expect(li.querySelector("time")?.getAttribute("datetime")).toBe(STAMP.local);
    expect(li.querySelector('[data-testid="item-sha256"]')?.textContent).toBe(HASH);

    const img = li.querySelector<HTMLImageElement>(".thumb__img");
    const show = li.querySelector<HTMLButtonElement>(".thumb__toggle");
    expect(img?.classList.contains("thumb__img--hidden")).toBe(true);
    expect(img?.getAttribute("src")).toMatch(/^blob:/);
    show?.click();
    expect(img?.classList.contains("thumb__img--hidden")).toBe(false);
    expect(show?.textContent).toBe("Hide");
    expect(show?.getAttribute("aria-pressed")).toBe("true");
  });

  test("capturing adds the item to the chosen record", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    expect($("#no-items").hidden).toBe(false);
    $<HTMLButtonElement>("#capture-screen").click();
    await settle();
    await settle();
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(1);
    expect($<HTMLButtonElement>("#capture-screen").disabled).toBe(false);
    // Straight after capture it asks where it was seen, with the cursor there.
    expect($<HTMLDetailsElement>("#item-list li[data-item-id] details.item__more").open).toBe(true);
    expect(document.activeElement?.getAttribute("data-testid")).toBe("item-site");
  });

  test("a failed capture shows the core's sentence in the error summary", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    backend.failWith = new BackendError("no_screen", "No screen could be captured: no display.");
    $<HTMLButtonElement>("#capture-screen").click();
    await settle();
    expect($("#error-summary").hidden).toBe(false);
    expect($("#error-summary-list").textContent).toBe("No screen could be captured: no display.");
  });

  test("a store that could not be opened is explained at the top", async () => {
    backend.failWith = new BackendError("read_only", "The evidence store at /x cannot be written to.");
    await new App(document, backend).start();
    expect($("#error-summary").hidden).toBe(false);
    expect($("#error-summary-list").textContent).toBe("The evidence store at /x cannot be written to.");
  });
});

describe("describing, withdrawing, reporting", () => {
  async function open(): Promise<App> {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    await settle();
    return app;
  }

  test("details are sent as typed, empty ones as cleared, and recent sites are suggested", async () => {
    await open();
    const form = $<HTMLFormElement>('#item-list li[data-item-id="5"] [data-testid="item-details-form"]');
    const set = (name: string, v: string) => {
      (form.elements.namedItem(name) as HTMLInputElement).value = v;
    };
    set("site", "  Facebook ");
    set("note", "In the class group");
    set("seen", "2026-11-24T21:05");
    form.requestSubmit();
    await settle();
    expect(backend.updates).toEqual([
      [5, [["site", "Facebook"], ["url", null], ["from_handle", null], ["note", "In the class group"], ["seen", "2026-11-24T21:05"]]],
    ]);
    expect(Array.from(document.querySelectorAll("#recent-sites option"), (o) => o.getAttribute("value"))).toEqual([
      "Facebook",
      "WhatsApp",
    ]);
    expect((form.elements.namedItem("site") as HTMLInputElement).getAttribute("list")).toBe("recent-sites");
  });

  test("withdrawing needs a reason and keeps the item, marked", async () => {
    await open();
    const li = () => $('#item-list li[data-item-id="5"]');
    li().querySelector<HTMLButtonElement>('[data-testid="withdraw-button"]')?.click();
    await settle();
    expect($("#error-summary-list").textContent).toBe("Say why you are withdrawing it");
    li().querySelector<HTMLInputElement>('[data-testid="withdraw-reason"]')!.value = "A duplicate";
    li().querySelector<HTMLButtonElement>('[data-testid="withdraw-button"]')?.click();
    await settle();
    await settle();
    expect(li().querySelector('[data-testid="item-withdrawn"]')?.textContent).toContain("A duplicate");
    expect(li().querySelector('[data-testid="withdraw-button"]')).toBeNull();
  });

  test("the report is saved whole, the police question as the person's own choice", async () => {
    await open();
    $<HTMLButtonElement>("#tab-report-button").click();
    await settle();
    expect($("#tab-report").hidden).toBe(false);
    expect($("#tab-evidence").hidden).toBe(true);
    expect($("#tab-report-button").getAttribute("aria-selected")).toBe("true");
    $<HTMLTextAreaElement>("#r-description").value = "They wrote: \"you'll regret this\"";
    $<HTMLSelectElement>("#r-responsible").value = "parent";
    $<HTMLInputElement>("#r-police-undecided").checked = true;
    $<HTMLFormElement>("#report-form").requestSubmit();
    await settle();
    const [caseId, r] = backend.reports[0]!;
    expect(caseId).toBe("EK-1");
    expect(r.description).toBe("They wrote: \"you'll regret this\"");
    expect(r.responsible).toBe("parent");
    expect(r.police).toBe("undecided");
    expect(r.witnesses).toBeNull();
    expect(r.continuing).toBeNull();
    expect($("#tab-report").textContent).toContain("It is your choice");
  });

  test("the log is shown in plain words, as text", async () => {
    await open();
    $<HTMLButtonElement>("#tab-log-button").click();
    await settle();
    await settle();
    const line = $("#log-list li");
    expect(line.querySelector("b")).toBeNull();
    expect(line.textContent).toContain('Record "<b>x</b>" started by A. Teacher.');
    expect(line.textContent).toContain("25 November 2026 at 10:32:05 (UTC+00:00)");
  });

  test("the indecent-image button captures nothing and notes only where", async () => {
    await open();
    const before = backend.items["EK-1"]!.length;
    $<HTMLButtonElement>("#iioc-open").click();
    expect($("#iioc-panel").hidden).toBe(false);
    expect($("#iioc-panel").textContent).toContain("999");
    $<HTMLInputElement>("#iioc-site").value = "a group chat";
    $<HTMLButtonElement>("#iioc-record").click();
    await settle();
    expect(backend.notes).toEqual([["EK-1", "a group chat"]]);
    expect(backend.items["EK-1"]!.length).toBe(before);
    expect($("#status").textContent).toContain("nothing was captured");
  });

  test("an item marked as a possible indecent image shows as not kept, with no preview", async () => {
    await open();
    $<HTMLButtonElement>('#item-list li[data-item-id="5"] [data-testid="item-indecent-confirm"]').click();
    await settle();
    await settle();
    const li = $('#item-list li[data-item-id="5"]');
    expect(li.querySelector('[data-testid="item-removed"]')).not.toBeNull();
    expect(li.querySelector(".thumb__img")).toBeNull();
    expect(li.querySelector('[data-testid="item-details-form"]')).toBeNull();
  });
});

describe("first run, seal and form", () => {
  test("a first run opens the setup; the key needs the same passphrase twice", async () => {
    backend.setup = {
      profile: { name: null, role: null, contact: null, school: null, show_previews: false, shortcut: null, mode: null },
      signing_fingerprint: null,
      recipients: [],
      default_folder: "/home/a/Documents/Evidence Kit",
    };
    await new App(document, backend).start();
    expect($("#setup").hidden).toBe(false);
    $<HTMLInputElement>("#p-name").value = "Siân Ŵyn";
    $<HTMLFormElement>("#profile-form").requestSubmit();
    await settle();
    await settle();
    expect(backend.setup.profile.name).toBe("Siân Ŵyn");
    expect($<HTMLInputElement>("#new-case-staff").value).toBe("Siân Ŵyn");
    $<HTMLInputElement>("#k-pass").value = "correct horse";
    $<HTMLInputElement>("#k-pass2").value = "correct hors";
    $<HTMLFormElement>("#key-form").requestSubmit();
    await settle();
    expect($("#error-summary-list").textContent).toBe("The two passphrases are not the same");
    expect(backend.keysMade).toEqual([]);
    $<HTMLInputElement>("#k-pass2").value = "correct horse";
    $<HTMLFormElement>("#key-form").requestSubmit();
    await settle();
    await settle();
    expect(backend.keysMade).toEqual(["correct horse"]);
    expect($("#key-done").textContent).toContain("1111 2222 3333 4444");
    expect($<HTMLInputElement>("#k-pass").value).toBe("");
  });

  test("sealing sends the chosen person, folder and passphrase, then shows the file and its hash", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    expect($("#setup").hidden).toBe(true);
    await app.select("EK-1");
    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    expect($<HTMLSelectElement>("#s-to").value).toBe("Mrs D. Lead");
    expect($<HTMLInputElement>("#s-folder").value).toBe("/home/a/Documents/Evidence Kit");
    $<HTMLInputElement>("#s-pass").value = "wrong";
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await settle();
    expect($("#error-summary-list").textContent).toBe("That passphrase is not right.");
    expect($("#sealed").hidden).toBe(true);
    $<HTMLInputElement>("#s-pass").value = "correct horse";
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await settle();
    expect(backend.sealed).toEqual([["EK-1", "Mrs D. Lead", "/home/a/Documents/Evidence Kit", "correct horse"]]);
    expect($("#sealed").hidden).toBe(false);
    expect($("#sealed-name").textContent).toBe("EK-1.evidence.age");
    expect($("#sealed-sha").textContent).toBe(HASH);
    expect($<HTMLInputElement>("#s-pass").value).toBe("");
    $<HTMLButtonElement>("#form-button").click();
    await settle();
    expect($("#form-done").textContent).toContain("/home/a/Documents/Evidence Kit/EK-1-form.pdf");
    expect($("#form-open").hidden).toBe(false);
    $<HTMLButtonElement>("#handed-over").click();
    await settle();
    await settle();
    expect(backend.handed).toEqual([["EK-1", "Mrs D. Lead"]]);
    expect($('[data-testid="case-state"]').textContent).toBe(
      "Given to your designated person on 25 November 2026 at 10:32:05 (UTC+00:00)",
    );
  });
});

describe("adding files", () => {
  /** Files dropped on the window, as the app tells the page of them (`drop.ts`). */
  function drop(app: App, names: string[]): string[] {
    const files = names.map((name, i) => ({ token: `t${i}-${name}`, name, size: name.includes(".") ? 3 : null }));
    for (const f of files) backend.dropped[f.token] = f.name;
    app.onDrop({ kind: "drop", files });
    return files.map((f) => f.token);
  }

  test("chosen files pass in parts and are kept one by one, their bytes as they are; a failure is named", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const files = [
      new File([new Uint8Array([1, 2, 3])], "message.eml"),
      new File([new Uint8Array([9])], "broken.bad"),
      new File([new Uint8Array([0xff, 0xd8])], "photo.jpg"),
    ];
    const input = $<HTMLInputElement>("#file-input");
    Object.defineProperty(input, "files", { value: files, configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect($("#status").textContent).toBe("2 files kept."));
    expect(backend.uploads).toEqual([
      ["EK-1", "message.eml", [1, 2, 3]],
      ["EK-1", "photo.jpg", [0xff, 0xd8]],
    ]);
    expect($("#error-summary-list").textContent).toBe("broken.bad: It could not be read.");
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(2);
  });

  test("dropped files are kept one by one by their tokens; a bad file and a folder are named, the rest kept", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const [eml, , , jpg] = drop(app, ["message.eml", "broken.bad", "Screenshots", "photo.jpg"]);
    await vi.waitFor(() => expect($("#status").textContent).toBe("2 files kept."));
    expect(backend.dropsKept).toEqual([
      ["EK-1", eml],
      ["EK-1", jpg],
    ]);
    expect(backend.uploads).toEqual([]);
    expect(Array.from(document.querySelectorAll("#error-summary-list li"), (li) => li.textContent)).toEqual([
      "broken.bad: It could not be read.",
      "Screenshots: /home/a/Screenshots is a folder, not a file.",
    ]);
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(2);
  });

  test("a drop says how far a large file has got, and highlights Add files while over the window", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    app.onDrop({ kind: "enter" });
    expect($("#drop-zone").classList.contains("add-files--over")).toBe(true);
    app.onDrop({ kind: "leave" });
    expect($("#drop-zone").classList.contains("add-files--over")).toBe(false);
    app.onDrop({ kind: "enter" });
    let release = (): void => undefined;
    backend.holdDrop = new Promise((r) => (release = r));
    const [token] = drop(app, ["long.mp4"]);
    expect($("#drop-zone").classList.contains("add-files--over")).toBe(false);
    await settle();
    expect($("#status").textContent).toBe("Keeping long.mp4 (1 of 1)…");
    app.onDrop({ kind: "progress", token: token ?? "", done: 60 << 20, total: 100 << 20 });
    expect($("#status").textContent).toBe("Keeping long.mp4 (1 of 1): 60 %…");
    release();
    await vi.waitFor(() => expect($("#status").textContent).toBe("1 file kept."));
  });

  test("a drop with no record open keeps nothing and says what to do", async () => {
    const app = new App(document, backend);
    await app.start();
    drop(app, ["message.eml"]);
    await settle();
    expect(backend.dropsKept).toEqual([]);
    expect($("#error-summary-list").textContent).toBe(
      "Nothing was kept: open a record, or start one, then drop the files on it again.",
    );
  });

  test("the page takes no HTML drop: files reach it only through the app", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const ev = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(ev, "dataTransfer", { value: { files: [new File([new Uint8Array([7])], "post.png")] } });
    $("#drop-zone").dispatchEvent(ev);
    await settle();
    expect(ev.defaultPrevented).toBe(false);
    expect(backend.uploads).toEqual([]);
  });

  test("the status says the files are kept only once the list shows them", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const seen: Array<[string, number]> = [];
    const watch = new MutationObserver(() =>
      seen.push([$("#status").textContent ?? "", document.querySelectorAll("#item-list li[data-item-id]").length]),
    );
    watch.observe($("#status"), { childList: true, characterData: true, subtree: true });
    drop(app, ["post.png"]);
    await vi.waitFor(() => expect($("#status").textContent).toBe("1 file kept."));
    watch.disconnect();
    expect(seen.find(([text]) => text === "1 file kept.")).toEqual(["1 file kept.", 1]);
  });

  test("paste keeps what is on the clipboard", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#paste").click();
    await vi.waitFor(() => expect($("#status").textContent).toBe("Kept what was on the clipboard as clipboard.png."));
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(1);
  });
});

describe("the designated person's receipt", () => {
  test("a receipt opened marks its record received; a file that is not one is named", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0, state: "sent" })];
    await new App(document, backend).start();
    const input = $<HTMLInputElement>("#receipt-input");
    Object.defineProperty(input, "files", { value: [new File(["not a receipt"], "x.txt")], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect($("#error-summary-list").textContent).toContain("not an Evidence Kit receipt"));
    Object.defineProperty(input, "files", { value: [new File(["receipt:EK-1"], "r.evidence-receipt")], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect($("#status").textContent).toContain("Record EK-1: Received and verified by Mrs D. Lead"));
    expect(backend.receipts).toEqual(["EK-1"]);
    expect($('#case-list [data-testid="case-state"]').textContent).toContain("Received and verified by Mrs D. Lead");
  });

  test("\"I am the designated person\" switches mode", async () => {
    await new App(document, backend).start();
    $("#mode-switch").click();
    await settle();
    expect(backend.modes).toEqual(["dsl"]);
  });
});

describe("looking at evidence", () => {
  test("the full-size view starts blurred unless the person chose otherwise", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const full = await vi.waitFor(() => {
      const button = document.querySelector<HTMLButtonElement>('#item-list li[data-item-id="5"] [data-testid="open-full"]');
      expect(button).not.toBeNull();
      return button as HTMLButtonElement;
    });
    full.click();
    await vi.waitFor(() => expect($("#viewer-title").textContent).toBe("screen-1.png"));
    expect($("#viewer-img").classList.contains("viewer__img--hidden")).toBe(true);
    $<HTMLButtonElement>("#viewer-show").click();
    expect($("#viewer-img").classList.contains("viewer__img--hidden")).toBe(false);
  });

  test("with the setting on, previews are not blurred", async () => {
    backend.setup.profile.show_previews = true;
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    expect($<HTMLInputElement>("#p-show").checked).toBe(true);
    await app.select("EK-1");
    await vi.waitFor(() => expect(document.querySelector(".thumb__img")).not.toBeNull());
    expect($(".thumb__img").classList.contains("thumb__img--hidden")).toBe(false);
  });

  test("quick choices fill when it was seen", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const li = $('#item-list li[data-item-id="5"]');
    const buttons = Array.from(li.querySelectorAll<HTMLButtonElement>(".picks button"));
    expect(buttons.map((b) => b.textContent)).toEqual(["Now", "Earlier today", "Yesterday"]);
    buttons[2]!.click();
    const v = li.querySelector<HTMLInputElement>('[data-testid="item-seen"]')!.value;
    expect(v).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    const yesterday = new Date(Date.now() - 86_400_000);
    expect(v.slice(0, 10)).toBe(
      `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, "0")}-${String(yesterday.getDate()).padStart(2, "0")}`,
    );
  });
});

describe("the capture shortcut", () => {
  test("the open record is the shortcut's target; a bad shortcut is explained at its field", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    expect(backend.current).toEqual(["EK-1"]);
    expect($<HTMLInputElement>("#p-shortcut").value).toBe("CommandOrControl+Shift+E");
    $<HTMLInputElement>("#p-shortcut").value = "nonsense";
    $<HTMLButtonElement>("#p-shortcut-save").click();
    await settle();
    expect($("#error-summary-list").textContent).toContain("is not a keyboard shortcut");
    expect($("#error-summary-list a")?.getAttribute("href")).toBe("#p-shortcut");
    backend.items["EK-1"] = [item(1)];
    await app.afterShortcut("Screenshot saved as screen-1.png (shortcut).");
    expect($("#status").textContent).toBe("Screenshot saved as screen-1.png (shortcut).");
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(1);
  });
});

describe("saving your details", () => {
  test("keeps the capture shortcut and the mode saved before (the app sends every field of the profile)", async () => {
    backend.setup.profile = { ...backend.setup.profile, shortcut: "Alt+F9", mode: "staff", school: "St Mary's" };
    await new App(document, backend).start();
    $<HTMLInputElement>("#p-role").value = "Year 4 teacher";
    $<HTMLFormElement>("#profile-form").requestSubmit();
    await settle();
    await settle();
    expect(backend.setup.profile).toEqual({
      name: "A. Teacher",
      role: "Year 4 teacher",
      contact: null,
      school: "St Mary's",
      show_previews: false,
      shortcut: "Alt+F9",
      mode: "staff",
    });
    expect($<HTMLInputElement>("#p-shortcut").value).toBe("Alt+F9");
  });
});

describe("capturing a window", () => {
  test("the other windows are offered; the chosen one is captured", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#capture-window-open").click();
    await settle();
    expect($("#window-choice").hidden).toBe(false);
    expect(Array.from(document.querySelectorAll("#window-select option"), (o) => o.textContent)).toEqual([
      "Facebook — Chromium",
      "Messages",
    ]);
    $<HTMLSelectElement>("#window-select").value = "Messages";
    $<HTMLButtonElement>("#capture-window").click();
    await vi.waitFor(() => expect($("#status").textContent).toBe("Saved as window-Messages.png."));
    expect($("#window-choice").hidden).toBe(true);
  });

  test("with no other window open, it says what to do", async () => {
    backend.windows = [];
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#capture-window-open").click();
    await settle();
    expect($("#error-summary-list").textContent).toContain("No other window is open");
  });
});

describe("drafts", () => {
  test("what is typed in the report is kept until it is saved, even if saving fails", async () => {
    localStorage.clear();
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    let app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#tab-report-button").click();
    await settle();
    const d = $<HTMLTextAreaElement>("#r-description");
    d.value = "They wrote it again tonight.";
    d.dispatchEvent(new Event("input", { bubbles: true }));
    $<HTMLInputElement>("#r-police-no").checked = true;
    $<HTMLInputElement>("#r-police-no").dispatchEvent(new Event("input", { bubbles: true }));

    // The window closes before saving; a new one opens: the draft is back.
    const body = document.body.innerHTML;
    document.body.innerHTML = body;
    $<HTMLTextAreaElement>("#r-description").value = "";
    app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#tab-report-button").click();
    await settle();
    await settle();
    expect($<HTMLTextAreaElement>("#r-description").value).toBe("They wrote it again tonight.");
    expect($<HTMLInputElement>("#r-police-no").checked).toBe(true);
    expect($("#status").textContent).toContain("unsaved changes to the report were kept");

    // Saved: the draft is gone.
    $<HTMLFormElement>("#report-form").requestSubmit();
    await settle();
    expect(localStorage.getItem("evidence-kit-draft:report:EK-1")).toBeNull();
  });
});

describe("the safeguard in the capture dialogs", () => {
  test("from the region dialog it drops the grabbed screen and captures nothing", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    let cancelled = 0;
    backend.cancelRegion = async () => {
      cancelled += 1;
    };
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#capture-region-open").click();
    await vi.waitFor(() => expect($<HTMLDialogElement>("#region").open).toBe(true));
    $<HTMLButtonElement>("#region-iioc").click();
    await settle();
    expect(cancelled).toBe(1);
    expect($("#iioc-panel").hidden).toBe(false);
    expect(backend.regions).toEqual([]);
  });
});

describe("item drafts", () => {
  test("details typed but not saved come back, and go once saved", async () => {
    localStorage.clear();
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const form = () => $<HTMLFormElement>('#item-list li[data-item-id="5"] [data-testid="item-details-form"]');
    const site = () => form().elements.namedItem("site") as HTMLInputElement;
    site().value = "Instagram";
    site().dispatchEvent(new Event("input", { bubbles: true }));
    await app.select("EK-1"); // redrawn, as after a restart
    expect(site().value).toBe("Instagram");
    expect(document.querySelector('[data-testid="item-draft"]')).not.toBeNull();
    form().requestSubmit();
    await settle();
    expect(localStorage.getItem("evidence-kit-draft:item:EK-1:5")).toBeNull();
  });

  test("a draft is kept under its record: another store's item 5 does not get it", async () => {
    localStorage.clear();
    localStorage.setItem("evidence-kit-draft:item:EK-9:5", JSON.stringify({ site: "Elsewhere" }));
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const site = $<HTMLInputElement>('#item-list li[data-item-id="5"] [data-testid="item-site"]');
    expect(site.value).toBe("");
    expect(document.querySelector('[data-testid="item-draft"]')).toBeNull();
  });

  test("a draft kept by an earlier version (under the item number alone) still comes back", async () => {
    localStorage.clear();
    localStorage.setItem("evidence-kit-draft:item:5", JSON.stringify({ site: "Instagram" }));
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    expect($<HTMLInputElement>('#item-list li[data-item-id="5"] [data-testid="item-site"]').value).toBe("Instagram");
  });
});

describe("a part of the screen from the keyboard", () => {
  test("the whole screen is chosen to begin with; typed numbers narrow it, within the screen", async () => {
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    $<HTMLButtonElement>("#capture-region-open").click();
    await vi.waitFor(() => expect($<HTMLInputElement>("#region-w").value).toBe("1920"));
    expect($<HTMLButtonElement>("#region-keep").disabled).toBe(false);
    const type = (id: string, v: string) => {
      $<HTMLInputElement>(id).value = v;
      $(id).dispatchEvent(new Event("input", { bubbles: true }));
    };
    type("#region-x", "100");
    type("#region-y", "50");
    type("#region-w", "5000");
    type("#region-h", "300");
    expect($<HTMLInputElement>("#region-w").value).toBe("1820");
    $<HTMLButtonElement>("#region-keep").click();
    await vi.waitFor(() => expect(backend.regions).toEqual([["EK-1", [100, 50, 1820, 300]]]));
  });
});

describe("sealing with details not saved", () => {
  /** A record with two items; item 2's site and sender typed but not saved, and the
   *  report's account kept as a draft from an earlier session. */
  async function typedButNotSaved(): Promise<App> {
    localStorage.clear();
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 2, withdrawn: 0 })];
    backend.items["EK-1"] = [item(4, { site: "Facebook" }), item(5, { original_name: "screen-2.png" })];
    localStorage.setItem(
      "evidence-kit-draft:report:EK-1",
      JSON.stringify({ "r-description": "They posted it again.", "r-police-no": false }),
    );
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const form = $<HTMLFormElement>('#item-list li[data-item-id="5"] [data-testid="item-details-form"]');
    for (const [name, value] of [["site", "WhatsApp"], ["from_handle", "@someone"]] as const) {
      const input = form.elements.namedItem(name) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    $<HTMLInputElement>("#s-pass").value = "correct horse";
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await vi.waitFor(() => expect($("#seal-unsaved").hidden).toBe(false));
    return app;
  }

  test("Seal stops beside the button and names each unsaved part; nothing is sealed or saved", async () => {
    await typedButNotSaved();
    expect(backend.sealed).toEqual([]);
    expect(backend.updates).toEqual([]);
    expect(backend.reports).toEqual([]);
    expect($("#seal-unsaved").hidden).toBe(false);
    expect($("#seal-unsaved").closest("#tab-seal")).not.toBeNull();
    expect(document.activeElement).toBe($("#seal-unsaved"));
    expect($("#seal-unsaved-title").textContent).toBe("You have details you have not saved yet");
    const lines = Array.from(document.querySelectorAll("#seal-unsaved-list a"), (a) => [a.textContent, a.getAttribute("href")]);
    expect(lines).toEqual([
      ["Item 2 (screen-2.png): where you saw it, who sent it", "#item-5-site"],
      ["The report: what happened", "#r-description"],
    ]);
    // The page-top summary is not used (it would be out of sight), and the passphrase stays.
    expect($("#error-summary").hidden).toBe(true);
    expect($<HTMLInputElement>("#s-pass").value).toBe("correct horse");
    // Nothing typed is dropped.
    expect(JSON.parse(localStorage.getItem("evidence-kit-draft:item:EK-1:5") ?? "{}").site).toBe("WhatsApp");
  });

  test("each line takes the person to the field, its typed text in place", async () => {
    await typedButNotSaved();
    $<HTMLAnchorElement>('#seal-unsaved-list a[href="#item-5-site"]').click();
    await vi.waitFor(() => expect(document.activeElement).toBe($("#item-5-site")));
    expect($("#tab-evidence").hidden).toBe(false);
    expect($<HTMLInputElement>("#item-5-site").value).toBe("WhatsApp");
    expect($<HTMLDetailsElement>("#item-5-site").closest("details")?.open).toBe(true);

    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    $<HTMLAnchorElement>('#seal-unsaved-list a[href="#r-description"]').click();
    await vi.waitFor(() => expect(document.activeElement).toBe($("#r-description")));
    expect($("#tab-report").hidden).toBe(false);
    expect($<HTMLTextAreaElement>("#r-description").value).toBe("They posted it again.");
  });

  test("Go back and check them: to the first unsaved field; Seal asks again next time", async () => {
    await typedButNotSaved();
    $<HTMLButtonElement>("#seal-unsaved-back").click();
    await vi.waitFor(() => expect(document.activeElement).toBe($("#item-5-site")));
    expect($("#seal-unsaved").hidden).toBe(true);
    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await vi.waitFor(() => expect($("#seal-unsaved").hidden).toBe(false));
    expect(backend.sealed).toEqual([]);
  });

  test("Save them and seal: each part saved through its own command, then sealed; the drafts go", async () => {
    await typedButNotSaved();
    expect(backend.sealed).toEqual([]);
    $<HTMLButtonElement>("#seal-unsaved-save").click();
    await vi.waitFor(() => expect($("#sealed").hidden).toBe(false));
    expect(backend.updates).toEqual([
      [5, [["site", "WhatsApp"], ["url", null], ["from_handle", "@someone"], ["note", null]]],
    ]);
    expect(backend.reports.map(([id, r]) => [id, r.description, r.police])).toEqual([["EK-1", "They posted it again.", null]]);
    expect(backend.sealed).toEqual([["EK-1", "Mrs D. Lead", "/home/a/Documents/Evidence Kit", "correct horse"]]);
    expect($("#seal-unsaved").hidden).toBe(true);
    expect($("#sealed").hidden).toBe(false);
    expect(localStorage.getItem("evidence-kit-draft:item:EK-1:5")).toBeNull();
    expect(localStorage.getItem("evidence-kit-draft:report:EK-1")).toBeNull();
    expect($('#item-list li[data-item-id="5"] .item__site').textContent).toBe("Where: WhatsApp");
  });

  test("a part that cannot be saved: nothing is sealed, the message says which and why, the draft stays", async () => {
    await typedButNotSaved();
    backend.updateItem = async () => {
      throw new BackendError("bad_url", "That web address is not one Evidence Kit can read.");
    };
    $<HTMLButtonElement>("#seal-unsaved-save").click();
    await vi.waitFor(() => expect($("#seal-unsaved-error").textContent).not.toBe(""));
    expect(backend.sealed).toEqual([]);
    expect($("#seal-unsaved").hidden).toBe(false);
    expect($("#seal-unsaved-error").textContent).toBe(
      "Item 2 (screen-2.png) could not be saved: That web address is not one Evidence Kit can read. Nothing was sealed.",
    );
    expect($("#seal-unsaved-list").textContent).toContain("Item 2 (screen-2.png)");
    expect(JSON.parse(localStorage.getItem("evidence-kit-draft:item:EK-1:5") ?? "{}").site).toBe("WhatsApp");
  });

  test("details typed and then put back as saved are not unsaved: Seal seals", async () => {
    localStorage.clear();
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5, { site: "Facebook" })];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const site = $<HTMLInputElement>("#item-5-site");
    site.value = "Faceboo";
    site.dispatchEvent(new Event("input", { bubbles: true }));
    site.value = "Facebook ";
    site.dispatchEvent(new Event("input", { bubbles: true }));
    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    $<HTMLInputElement>("#s-pass").value = "correct horse";
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await vi.waitFor(() => expect(backend.sealed.length).toBe(1));
    expect($("#seal-unsaved").hidden).toBe(true);
  });

  test("a quick choice of when it was seen counts as typed", async () => {
    localStorage.clear();
    backend.cases = [fakeSummary({ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 })];
    backend.items["EK-1"] = [item(5)];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    const yesterday = Array.from(document.querySelectorAll<HTMLButtonElement>("#item-list .picks button")).find(
      (b) => b.textContent === "Yesterday",
    );
    yesterday?.click();
    $<HTMLButtonElement>("#tab-seal-button").click();
    await settle();
    $<HTMLInputElement>("#s-pass").value = "correct horse";
    $<HTMLFormElement>("#seal-form").requestSubmit();
    await vi.waitFor(() => expect($("#seal-unsaved-list").textContent).toBe("Item 1 (screen-1.png): when you saw it"));
    expect(backend.sealed).toEqual([]);
  });
});
