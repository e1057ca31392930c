// The page: the list of records, the "Start a new record" form, and the evidence of the
// chosen record. All data goes through `Backend`; all text through `textContent`.
import { type Backend, type CaseSummary, type Item, toBackendError } from "./backend";
import { byId, el } from "./dom";
import { countItems, formatLocal, shortHash } from "./format";

/** One line of the error summary; `field` is the id of the input it is about. */
interface Problem {
  text: string;
  field?: string;
}

export class App {
  private readonly doc: Document;
  private readonly backend: Backend;
  private cases: CaseSummary[] = [];
  private selected: string | null = null;
  /** Bumped on each selection so a slow answer for an earlier one is dropped. */
  private generation = 0;
  /** Object URLs of the thumbnails on show, released when the list is redrawn. */
  private objectUrls: string[] = [];

  constructor(doc: Document, backend: Backend) {
    this.doc = doc;
    this.backend = backend;
  }

  private $<T extends HTMLElement = HTMLElement>(id: string): T {
    return byId<T>(this.doc, id);
  }

  /** Wire up the page and load the records. */
  async start(): Promise<void> {
    this.$<HTMLFormElement>("new-case").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.submitNewCase();
    });
    this.$("capture-screen").addEventListener("click", () => void this.capture());
    await this.refreshCases();
  }

  // ---- records ----

  async refreshCases(): Promise<void> {
    try {
      this.cases = await this.backend.listCases();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    this.renderCases();
  }

  private renderCases(): void {
    const list = this.$("case-list");
    list.replaceChildren(
      ...this.cases.map((c) => {
        const current = c.id === this.selected;
        const button = el(
          this.doc,
          "button",
          {
            type: "button",
            class: "case",
            "data-case-id": c.id,
            "aria-pressed": String(current),
          },
          el(this.doc, "span", { class: "case__title", text: c.title }),
          el(this.doc, "span", { class: "case__ref", text: `Reference ${c.id}` }),
          el(this.doc, "span", { class: "case__count", text: countItems(c.items) }),
        );
        button.addEventListener("click", () => void this.select(c.id));
        return el(this.doc, "li", { "data-case-id": c.id }, button);
      }),
    );
    this.$("no-cases").hidden = this.cases.length > 0;
  }

  private async submitNewCase(): Promise<void> {
    const titleInput = this.$<HTMLInputElement>("new-case-title");
    const staffInput = this.$<HTMLInputElement>("new-case-staff");
    const title = titleInput.value.trim();
    const staff = staffInput.value.trim();
    const problems: Problem[] = [];
    if (title === "") problems.push({ text: "Enter a few words about what happened", field: "new-case-title" });
    if (staff === "") problems.push({ text: "Enter your name", field: "new-case-staff" });
    this.setFieldError("new-case-title", problems.find((p) => p.field === "new-case-title")?.text);
    this.setFieldError("new-case-staff", problems.find((p) => p.field === "new-case-staff")?.text);
    if (problems.length > 0) {
      this.showProblems(problems);
      return;
    }
    const submit = this.$<HTMLButtonElement>("new-case-submit");
    submit.disabled = true;
    try {
      const created = await this.backend.createCase(title, staff);
      titleInput.value = "";
      this.clearProblems();
      this.say(`Record started. Its reference is ${created.id}.`);
      this.selected = created.id;
      await this.refreshCases();
      await this.select(created.id);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      submit.disabled = false;
    }
  }

  private setFieldError(field: string, text: string | undefined): void {
    const message = this.$(`${field}-error`);
    const input = this.$<HTMLInputElement>(field);
    message.textContent = text ?? "";
    message.hidden = text === undefined;
    this.$(`${field}-field`).classList.toggle("field--error", text !== undefined);
    if (text === undefined) input.removeAttribute("aria-invalid");
    else input.setAttribute("aria-invalid", "true");
  }

  // ---- one record ----

  async select(caseId: string): Promise<void> {
    const generation = ++this.generation;
    this.selected = caseId;
    this.renderCases();
    const summary = this.cases.find((c) => c.id === caseId);
    this.$("no-selection").hidden = true;
    this.$("case-detail").hidden = false;
    this.$("case-title").textContent = summary?.title ?? caseId;
    this.$("case-meta").textContent = summary
      ? `Reference ${summary.id} · Started by ${summary.staff} on ${formatLocal(summary.created.local)}`
      : `Reference ${caseId}`;
    let items: Item[];
    try {
      items = await this.backend.listItems(caseId);
    } catch (e) {
      if (generation === this.generation) this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    if (generation !== this.generation) return;
    this.renderItems(items);
  }

  private renderItems(items: Item[]): void {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    this.$("item-list").replaceChildren(...items.map((item) => this.itemElement(item)));
    this.$("no-items").hidden = items.length > 0;
  }

  private itemElement(item: Item): HTMLLIElement {
    const doc = this.doc;
    const thumb = el(doc, "div", { class: "thumb thumb--loading" });
    this.loadThumbnail(item, thumb);
    const site = item.site
      ? el(doc, "p", { class: "item__site", text: `Where: ${item.site}` })
      : el(doc, "p", { class: "item__site item__site--missing", text: "Where: not added yet" });
    const meta = el(
      doc,
      "p",
      { class: "item__meta" },
      "Recorded ",
      el(doc, "time", { datetime: item.captured.local, text: formatLocal(item.captured.local) }),
      " · SHA-256 ",
      el(doc, "span", { class: "hash-short", title: item.sha256, text: shortHash(item.sha256) }),
    );
    const hash = el(
      doc,
      "details",
      { class: "hash" },
      el(doc, "summary", { text: "Show the full SHA-256" }),
      el(doc, "p", {
        class: "hint",
        text: "A code worked out from the file. If even one dot of the file changes, the code changes, so it shows this copy is exactly what was recorded.",
      }),
      el(doc, "code", {
        "data-testid": "item-sha256",
        "data-sha256": item.sha256,
        title: item.sha256,
        text: item.sha256,
      }),
    );
    return el(
      doc,
      "li",
      { class: "item", "data-item-id": String(item.id) },
      thumb,
      el(
        doc,
        "div",
        { class: "item__body" },
        el(doc, "h4", { class: "item__name", text: item.original_name }),
        site,
        meta,
        hash,
      ),
    );
  }

  /** Fill `box` with the item's preview, blurred until the person chooses to look. */
  private loadThumbnail(item: Item, box: HTMLElement): void {
    const doc = this.doc;
    const noPreview = (): void => {
      box.className = "thumb thumb--none";
      box.replaceChildren(el(doc, "span", { text: "No preview" }));
    };
    this.backend.itemThumbnail(item.id).then(
      (png) => {
        if (png.length === 0) return noPreview();
        // Copy into a fresh ArrayBuffer-backed array, which is what Blob accepts.
        const url = URL.createObjectURL(new Blob([new Uint8Array(png)], { type: "image/png" }));
        this.objectUrls.push(url);
        const img = el(doc, "img", {
          class: "thumb__img thumb__img--hidden",
          src: url,
          alt: `Preview of ${item.original_name}`,
        });
        const toggle = el(doc, "button", {
          type: "button",
          class: "button button--secondary thumb__toggle",
          "aria-pressed": "false",
          text: "Show",
        });
        toggle.addEventListener("click", () => {
          const showing = img.classList.toggle("thumb__img--hidden") === false;
          toggle.setAttribute("aria-pressed", String(showing));
          toggle.textContent = showing ? "Hide" : "Show";
        });
        box.className = "thumb";
        // The frame clips the blur, so it does not bleed over the text beside it.
        box.replaceChildren(el(doc, "div", { class: "thumb__frame" }, img), toggle);
      },
      (e: unknown) => {
        console.error("thumbnail:", toBackendError(e).message);
        noPreview();
      },
    );
  }

  private async capture(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const button = this.$<HTMLButtonElement>("capture-screen");
    button.disabled = true;
    button.textContent = "Capturing…";
    this.say("Taking a picture of your screen…");
    try {
      const item = await this.backend.captureScreen(caseId);
      this.clearProblems();
      this.say(`Screenshot saved as ${item.original_name}.`);
      await this.refreshCases();
      if (this.selected === caseId) {
        await this.select(caseId);
        this.doc
          .querySelector(`#item-list li[data-item-id="${item.id}"]`)
          ?.scrollIntoView?.({ block: "nearest" });
      }
    } catch (e) {
      this.say("");
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      button.disabled = false;
      button.textContent = "Capture screen";
    }
  }

  // ---- messages ----

  private say(text: string): void {
    this.$("status").textContent = text;
  }

  private showProblems(problems: Problem[]): void {
    const summary = this.$("error-summary");
    this.$("error-summary-list").replaceChildren(
      ...problems.map((p) => {
        if (!p.field) return el(this.doc, "li", { text: p.text });
        const field = p.field;
        const link = el(this.doc, "a", { href: `#${field}`, text: p.text });
        link.addEventListener("click", (ev) => {
          ev.preventDefault();
          this.$(field).focus();
        });
        return el(this.doc, "li", {}, link);
      }),
    );
    summary.hidden = false;
    summary.focus();
  }

  private clearProblems(): void {
    this.$("error-summary").hidden = true;
    this.$("error-summary-list").replaceChildren();
    this.setFieldError("new-case-title", undefined);
    this.setFieldError("new-case-staff", undefined);
  }
}
