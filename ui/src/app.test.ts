import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import page from "../index.html?raw";
import { App } from "./app";
import { type Backend, BackendError, type Case, type CaseSummary, type Item } from "./backend";

const STAMP = { utc: "2026-11-25T10:32:05.123Z", local: "2026-11-25T10:32:05.123+00:00", zone: "Europe/London" };
const HASH = "3f2a9c1b" + "0123456789abcdef".repeat(3) + "00112233aabbccdd";

function item(id: number, over: Partial<Item> = {}): Item {
  return {
    id,
    case_id: "EK-1",
    sha256: HASH,
    size: 1234,
    media_type: "image/png",
    original_name: "screen-1.png",
    source: "screen",
    captured: STAMP,
    captured_by: "A. Teacher",
    site: null,
    url: null,
    from: { handle: null, email: null, phone: null, profile: null },
    seen: null,
    note: null,
    withdrawn: null,
    ...over,
  };
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
    const c = { id: `EK-${this.cases.length + 1}`, title, staff, created: STAMP };
    this.cases = [...this.cases, { ...c, items: 0, withdrawn: 0 }];
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
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => {
  const node = document.querySelector<T>(sel);
  if (!node) throw new Error(`no ${sel}`);
  return node;
};
const settle = () => new Promise((r) => setTimeout(r, 0));

let backend: FakeBackend;

beforeEach(() => {
  // The real page's <body> (a fixed file, not data), parsed inert in a <template> so the
  // stylesheet and script in <head> are not fetched.
  const body = /<body>([\s\S]*)<\/body>/.exec(page)?.[1] ?? "";
  const template = document.createElement("template");
  template.innerHTML = body;
  document.body.replaceChildren(template.content.cloneNode(true));
  backend = new FakeBackend();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("records", () => {
  test("lists each record with its title, reference and item count", async () => {
    backend.cases = [{ id: "EK-1", title: "Posts", staff: "A. Teacher", created: STAMP, items: 2, withdrawn: 0 }];
    await new App(document, backend).start();
    const button = $('#case-list [data-case-id="EK-1"] button');
    expect(button.textContent).toContain("Posts");
    expect(button.textContent).toContain("Reference EK-1");
    expect(button.textContent).toContain("2 items");
    expect($("#no-cases").hidden).toBe(true);
  });

  test("text from the store is shown as text, never parsed as HTML", async () => {
    backend.cases = [
      { id: "EK-1", title: '<img src=x onerror="alert(1)">', staff: "x", created: STAMP, items: 0, withdrawn: 0 },
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
    backend.cases = [{ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 1, withdrawn: 0 }];
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
    backend.cases = [{ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 }];
    const app = new App(document, backend);
    await app.start();
    await app.select("EK-1");
    expect($("#no-items").hidden).toBe(false);
    $<HTMLButtonElement>("#capture-screen").click();
    await settle();
    await settle();
    expect(document.querySelectorAll("#item-list li[data-item-id]")).toHaveLength(1);
    expect($<HTMLButtonElement>("#capture-screen").disabled).toBe(false);
  });

  test("a failed capture shows the core's sentence in the error summary", async () => {
    backend.cases = [{ id: "EK-1", title: "Posts", staff: "A", created: STAMP, items: 0, withdrawn: 0 }];
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
