// One thing per page: the app is a set of pages, each a module under ui/src/pages/, shown
// one at a time in <main id="page"> and found by the address after "#" (so the window's
// Back works, and an e2e test can open a page by its address). The router draws what every
// page shares (a back link, the caption, the heading, the step indicator, the message
// place) and leaves the rest to the page.
//
// Messages follow the GOV.UK patterns: an error summary or a notification banner is drawn
// in the page's message place, which sits just above its primary action, so it is seen
// where the person is looking. A message lasts until the next action or page: nothing from
// an earlier action lingers.

import { el } from "../dom";
import { type Problem, banner, errorSummary } from "./ui";

/** What a page is: its heading and its content, drawn by the router. */
export interface Page {
  /** The page's one heading (and, with " – Evidence Kit", the window's title). */
  title: string;
  /** A line above the heading: the record the page is about, or the part of set-up. */
  caption?: string;
  /** Where "Back" goes (an address such as "#/record/EK-1"); none on the first pages. */
  back?: string;
  /** The step indicator drawn above the heading (record pages). */
  steps?: Node;
  /** The page's content, drawn below the heading (a null is left out). */
  body(): Array<Node | null> | Promise<Array<Node | null>>;
  /** Once it is on screen: put the cursor in the first field, say, or start a timer. */
  shown?(): void;
  /** Before another page replaces it: stop its timers, free its pictures. */
  leave?(): void;
}

/** Makes the page for an address's parameters (`:id` and the like). */
export type PageMaker = (params: Record<string, string>) => Page | Promise<Page>;

/** What a page can leave for the next one to show: "Your details are saved." */
export interface Flash {
  title: string;
  text?: string;
}

/** The part of the address after "#", without a leading "/": "record/EK-1/evidence".
 *  Its parts stay as written (a name in it is encoded, see `part`). */
export function currentPath(doc: Document): string {
  const hash = doc.defaultView?.location.hash ?? "";
  return hash.replace(/^#\/?/, "");
}

/** The address of a path, for links: "#/record/EK-1". */
export function href(path: string): string {
  return `#/${path}`;
}

/** A part of a path made from something typed (a person's name): encoded, so that a "/"
 *  or "#" in it cannot change the address. */
export function part(text: string): string {
  return encodeURIComponent(text);
}

/** Match "record/:id/evidence" against "record/EK-1/evidence". */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter((s) => s !== "");
  const got = path.split("/").filter((s) => s !== "");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, w] of want.entries()) {
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    }
    else if (w !== g) return null;
  }
  return params;
}

export class Router {
  private readonly doc: Document;
  private readonly mount: HTMLElement;
  private readonly routes: Array<[string, PageMaker]>;
  private readonly home: string;
  private page: Page | null = null;
  private flash: Flash | null = null;
  /** Bumped on each page drawn, so that a slow page drawn late is dropped. */
  private generation = 0;
  /** Where the page's messages go (its message place). */
  private slot: HTMLElement | null = null;
  /** Resolves when the page asked for is on screen (for tests and for `go`). */
  private drawing: Promise<void> = Promise.resolve();
  /** The path last drawn (or being drawn). */
  private drawnPath: string | null = null;

  constructor(doc: Document, mount: HTMLElement, routes: Array<[string, PageMaker]>, home = "") {
    this.doc = doc;
    this.mount = mount;
    this.routes = routes;
    this.home = home;
  }

  /** Draw the page of the current address, and each one the address changes to. */
  start(): Promise<void> {
    this.doc.defaultView?.addEventListener("hashchange", this.onHashChange);
    this.drawing = this.draw();
    return this.drawing;
  }

  /** Stop following the address (the page stays as it is). */
  stop(): void {
    this.doc.defaultView?.removeEventListener("hashchange", this.onHashChange);
    this.generation++;
  }

  /** A change `go` made is drawn already; one made by a link or Back is drawn here. */
  private readonly onHashChange = (): void => {
    const path = currentPath(this.doc);
    if (path !== this.drawnPath) this.drawing = this.draw(path);
  };

  /** Go to `path` (a flash, if given, is shown on the page there). */
  go(path: string, flash?: Flash): Promise<void> {
    this.flash = flash ?? null;
    const win = this.doc.defaultView;
    this.drawnPath = path;
    if (win && win.location.hash !== href(path)) win.location.hash = href(path);
    this.drawing = this.draw(path);
    return this.drawing;
  }

  /** Draw the current page again (after the data under it changed). */
  redraw(flash?: Flash): Promise<void> {
    this.flash = flash ?? null;
    this.drawing = this.draw();
    return this.drawing;
  }

  /** The page on screen is drawn. */
  settled(): Promise<void> {
    return this.drawing;
  }

  private async draw(path = currentPath(this.doc)): Promise<void> {
    const generation = ++this.generation;
    this.drawnPath = path;
    let found: [PageMaker, Record<string, string>] | null = null;
    for (const [pattern, make] of this.routes) {
      const params = match(pattern, path);
      if (params) {
        found = [make, params];
        break;
      }
    }
    if (!found) {
      if (path !== this.home) return this.draw(this.home);
      return;
    }
    let page: Page;
    let body: Node[];
    try {
      page = await found[0](found[1]);
      body = (await page.body()).filter((n): n is Node => n !== null);
    } catch (e) {
      if (generation !== this.generation) return;
      page = { title: "Something went wrong", back: href(this.home), body: () => [] };
      body = [];
      this.render(page, body);
      this.problems([{ text: e instanceof Error ? e.message : String(e) }]);
      return;
    }
    if (generation !== this.generation) return;
    this.page?.leave?.();
    this.page = page;
    this.render(page, body);
    const flash = this.flash;
    this.flash = null;
    // What the last page did is said at the top of this one (a notification banner, as
    // GOV.UK does after an action that moved on); this page's own actions answer beside
    // themselves.
    if (flash) this.mount.querySelector("#page-title")?.after(banner(this.doc, "success", flash.title, flash.text));
    this.doc.defaultView?.scrollTo?.(0, 0);
    if (page.shown) page.shown();
    else if (flash) this.mount.querySelector<HTMLElement>(":scope > .banner")?.focus();
    else this.doc.getElementById("page-title")?.focus();
  }

  private render(page: Page, body: Node[]): void {
    const doc = this.doc;
    doc.title = `${page.title} – Evidence Kit`;
    const parts: Node[] = [];
    if (page.back) parts.push(el(doc, "a", { class: "back-link", href: page.back, "data-testid": "back", text: "Back" }));
    if (page.steps) parts.push(page.steps);
    if (page.caption) parts.push(el(doc, "span", { class: "caption", "data-testid": "caption", text: page.caption }));
    parts.push(el(doc, "h1", { id: "page-title", tabindex: "-1", "data-testid": "page-title", text: page.title }));
    this.mount.replaceChildren(...parts, ...body);
    this.slot = null;
  }

  /** The page's own message place (just above its primary action), else one under the
   *  heading; found again if the page replaced it. */
  private place(): HTMLElement {
    if (this.slot?.isConnected) return this.slot;
    this.slot = this.mount.querySelector<HTMLElement>("[data-slot=messages]");
    if (!this.slot) {
      this.slot = el(this.doc, "div", { "data-slot": "messages" });
      this.mount.querySelector("#page-title")?.after(this.slot);
    }
    return this.slot;
  }

  /** Show what is wrong, beside the action, and move focus to it; mark each field. */
  problems(list: Problem[]): void {
    this.clear();
    const doc = this.doc;
    for (const p of list) {
      if (!p.field) continue;
      const input = doc.getElementById(p.field);
      const wrap = input?.closest(".field");
      input?.setAttribute("aria-invalid", "true");
      if (wrap) {
        wrap.classList.add("field--error");
        const msg = el(doc, "p", { class: "field-error", id: `${p.field}-error`, "data-testid": "field-error", text: p.text });
        wrap.querySelector("label, legend")?.after(msg);
        input?.setAttribute("aria-describedby", `${p.field}-error`);
      }
    }
    const summary = errorSummary(doc, list);
    this.place().replaceChildren(summary);
    summary.scrollIntoView?.({ block: "nearest" });
    summary.focus();
  }

  /** Say that something is done, beside the action (a success banner). */
  done(title: string, text?: string, focus = true): void {
    this.clear();
    const b = banner(this.doc, "success", title, text);
    this.place().replaceChildren(b);
    b.scrollIntoView?.({ block: "nearest" });
    if (focus) b.focus();
  }

  /** Say what is happening ("Sealing…"), quietly, beside the action. */
  busy(text: string): void {
    this.clear();
    this.place().replaceChildren(el(this.doc, "p", { class: "status", role: "status", "data-testid": "busy", text }));
  }

  /** Take away every message and field mark: a new action is starting. */
  clear(): void {
    if (this.slot?.isConnected) this.slot.replaceChildren();
    // The banner a page arrived with goes too, once something new is done.
    for (const node of Array.from(this.mount.querySelectorAll(":scope > .banner"))) node.remove();
    for (const node of Array.from(this.mount.querySelectorAll(".field--error"))) node.classList.remove("field--error");
    for (const node of Array.from(this.mount.querySelectorAll(".field-error"))) node.remove();
    for (const node of Array.from(this.mount.querySelectorAll("[aria-invalid]"))) {
      node.removeAttribute("aria-invalid");
      const by = node.getAttribute("aria-describedby");
      if (by?.endsWith("-error")) node.removeAttribute("aria-describedby");
    }
  }
}
