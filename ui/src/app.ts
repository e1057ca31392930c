// The page: the list of records, the "Start a new record" form, and the evidence of the
// chosen record. All data goes through `Backend`; all text through `textContent`.
import {
  type Backend,
  type CaseSummary,
  type Item,
  type ItemField,
  type Progress,
  type SetupState,
  toBackendError,
} from "./backend";
import { byId, el, wireFilePicking } from "./dom";
import { type DropMessage, type DroppedFile, showDragOver } from "./drop";
import { type Problem, clearSummary, say, sayProgress, showProblems } from "./messages";
import { Viewer, fillThumbnail } from "./picture";
import { caseState, countItems, formatLocal, shortHash, toImageRect } from "./format";
import {
  ITEM_FIELDS,
  type ItemValues,
  POLICE_CHOICES,
  REPORT_INPUTS,
  type ReportValues,
  type UnsavedPart,
  findUnsaved,
  itemChanges,
  reportFields,
  reportValues,
} from "./unsaved";


export class App {
  private readonly doc: Document;
  private readonly backend: Backend;
  private cases: CaseSummary[] = [];
  private selected: string | null = null;
  /** Bumped on each selection so a slow answer for an earlier one is dropped. */
  private generation = 0;
  /** Object URLs of the thumbnails on show, released when the list is redrawn. */
  private objectUrls: string[] = [];
  /** The profile, keys and designated persons, as last read. */
  private setup: SetupState | null = null;
  /** The last form made, to open for printing. */
  private formPath: string | null = null;
  /** The full-size view. */
  private viewer: Viewer | null = null;
  /** The record whose saved report (and draft) the report form shows, once loaded. */
  private reportShownFor: string | null = null;
  /** Told how far each dropped file being kept has got, by its token. */
  private readonly dropProgress = new Map<string, Progress>();

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
    this.$("capture-window-open").addEventListener("click", () => void this.chooseWindow());
    this.$("capture-window").addEventListener("click", () => void this.captureWindow());
    this.$("capture-region-open").addEventListener("click", () => void this.beginRegion());
    this.wireRegion();
    wireFilePicking(this.$("add-files"), this.$<HTMLInputElement>("file-input"), (files) => void this.addFiles(files));
    this.$("paste").addEventListener("click", () => void this.paste());
    this.wireTabs();
    this.$("iioc-open").addEventListener("click", () => this.openSafeguard());
    // The same button in the capture dialogs: nothing is captured; the grabbed screen
    // (if any) is dropped at once.
    this.$("region-iioc").addEventListener("click", () => {
      this.backend.cancelRegion().catch(() => undefined);
      this.closeRegion();
      this.openSafeguard();
    });
    this.$("window-iioc").addEventListener("click", () => {
      this.$("window-choice").hidden = true;
      this.openSafeguard();
    });
    this.$("iioc-close").addEventListener("click", () => {
      this.$("iioc-panel").hidden = true;
      this.$("iioc-open").focus();
    });
    this.$("iioc-record").addEventListener("click", () => void this.recordIndecentImage());
    this.$<HTMLFormElement>("report-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.saveReport();
    });
    // Every keystroke is kept as a draft until the report is saved: nothing typed is lost
    // if the window closes or a save fails.
    this.$<HTMLFormElement>("report-form").addEventListener("input", () => this.keepReportDraft());
    this.wireSetup();
    this.viewer = new Viewer(this.doc);
    this.$<HTMLFormElement>("seal-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.seal();
    });
    this.$("seal-unsaved-save").addEventListener("click", () => void this.saveUnsavedAndSeal());
    this.$("seal-unsaved-back").addEventListener("click", () => void this.backToUnsaved());
    this.$("form-button").addEventListener("click", () => void this.makeForm());
    this.$("handed-over").addEventListener("click", () => void this.handedOver());
    this.$("form-open").addEventListener("click", () => void this.openForm());
    this.$("mode-switch").addEventListener("click", () => void this.switchToDsl());
    this.$("receipt-open").addEventListener("click", () => this.$<HTMLInputElement>("receipt-input").click());
    this.$<HTMLInputElement>("receipt-input").addEventListener("change", () => {
      const input = this.$<HTMLInputElement>("receipt-input");
      const file = input.files?.[0];
      input.value = "";
      if (file) void this.openReceipt(file);
    });
    await this.loadSetup(true);
    await this.refreshCases();
  }

  // ---- first run: details, signing key, designated person ----

  private wireSetup(): void {
    this.$("setup-open").addEventListener("click", () => {
      this.$("setup").hidden = false;
      this.$("p-name").focus();
    });
    this.$("setup-close").addEventListener("click", () => {
      this.$("setup").hidden = true;
    });
    this.$<HTMLFormElement>("profile-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.saveProfile();
    });
    this.$<HTMLFormElement>("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.createKey();
    });
    this.$("p-shortcut-save").addEventListener("click", () => void this.saveShortcut());
    this.$<HTMLFormElement>("dsl-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.addRecipient();
    });
    this.$<HTMLInputElement>("d-file").addEventListener("change", () => {
      const file = this.$<HTMLInputElement>("d-file").files?.[0];
      if (!file) return;
      file.text().then(
        (t) => {
          this.$<HTMLTextAreaElement>("d-key").value = t.trim();
        },
        () => this.showProblems([{ text: "That file could not be read. Paste the key instead." }]),
      );
    });
  }

  /** Read the setup; on start, open the setup screen while anything is missing. */
  private async loadSetup(onStart = false): Promise<void> {
    try {
      this.setup = await this.backend.setupState();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    const s = this.setup;
    const p = s.profile;
    const put = (id: string, v: string | null) => {
      const input = this.$<HTMLInputElement>(id);
      if (input.value === "") input.value = v ?? "";
    };
    put("p-name", p.name);
    put("p-role", p.role);
    put("p-contact", p.contact);
    put("new-case-staff", p.name);
    this.$<HTMLInputElement>("p-show").checked = p.show_previews === true;
    put("p-shortcut", p.shortcut ?? "CommandOrControl+Shift+E");
    this.$("profile-done").hidden = p.name === null;
    this.$("profile-done").textContent = p.name ? `Saved: ${p.name}.` : "";
    this.$("key-done").hidden = s.signing_fingerprint === null;
    this.$("key-done").textContent = s.signing_fingerprint
      ? `Your signing key is made. Its fingerprint is ${s.signing_fingerprint}: tell it to your designated person so they can recognise your bundles.`
      : "";
    this.$<HTMLButtonElement>("k-create").disabled = s.signing_fingerprint !== null;
    this.$("dsl-list").replaceChildren(
      ...s.recipients.map((r) => el(this.doc, "li", { text: `${r.name} (key ${r.fingerprint})` })),
    );
    this.$("s-to").replaceChildren(
      ...s.recipients.map((r) => el(this.doc, "option", { value: r.name, text: r.name })),
    );
    put("s-folder", s.default_folder);
    const complete = p.name !== null && s.signing_fingerprint !== null && s.recipients.length > 0;
    if (onStart && !complete) this.$("setup").hidden = false;
  }

  private async saveProfile(): Promise<void> {
    const v = (id: string) => {
      const t = this.$<HTMLInputElement>(id).value.trim();
      return t === "" ? null : t;
    };
    if (v("p-name") === null) {
      this.showProblems([{ text: "Enter your name", field: "p-name" }]);
      return;
    }
    // The core saves the profile it is sent, every field of it: what this form does not
    // show (the school, the capture shortcut, the mode) goes back as it was loaded.
    const was = this.setup?.profile;
    try {
      await this.backend.saveProfile({
        name: v("p-name"),
        role: v("p-role"),
        contact: v("p-contact"),
        school: was?.school ?? null,
        show_previews: this.$<HTMLInputElement>("p-show").checked,
        shortcut: was?.shortcut ?? null,
        mode: was?.mode ?? null,
      });
      this.clearProblems();
      this.say("Your details are saved.");
      await this.loadSetup();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async saveShortcut(): Promise<void> {
    const value = this.$<HTMLInputElement>("p-shortcut").value.trim();
    try {
      const set = await this.backend.setShortcut(value);
      this.clearProblems();
      this.say(`The capture shortcut is now ${set}.`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message, field: "p-shortcut" }]);
    }
  }

  private async createKey(): Promise<void> {
    const a = this.$<HTMLInputElement>("k-pass").value;
    const b = this.$<HTMLInputElement>("k-pass2").value;
    if (a !== b) {
      this.showProblems([{ text: "The two passphrases are not the same", field: "k-pass2" }]);
      return;
    }
    const button = this.$<HTMLButtonElement>("k-create");
    button.disabled = true;
    this.say("Making your signing key…");
    try {
      await this.backend.createSigningKey(a);
      this.$<HTMLInputElement>("k-pass").value = "";
      this.$<HTMLInputElement>("k-pass2").value = "";
      this.clearProblems();
      this.say("Your signing key is made.");
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      await this.loadSetup();
    }
  }

  private async addRecipient(): Promise<void> {
    const name = this.$<HTMLInputElement>("d-name").value.trim();
    const text = this.$<HTMLTextAreaElement>("d-key").value;
    if (name === "") {
      this.showProblems([{ text: "Enter their name", field: "d-name" }]);
      return;
    }
    try {
      const r = await this.backend.addRecipient(name, text);
      this.$<HTMLInputElement>("d-name").value = "";
      this.$<HTMLTextAreaElement>("d-key").value = "";
      this.clearProblems();
      this.say(`${r.name} is added (key ${r.fingerprint}).`);
      await this.loadSetup();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  // ---- seal and send ----

  /** Seal, unless details are typed but not saved: then stop and name them (beside the
   *  Seal button), offering to save them first. Only saved details are sealed. */
  private async seal(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    if (this.$<HTMLSelectElement>("s-to").value === "") {
      this.showProblems([{ text: "Add your designated safeguarding person first (Your details and keys)" }]);
      return;
    }
    let unsaved: UnsavedPart[];
    try {
      unsaved = await this.unsavedParts(caseId);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    if (caseId !== this.selected) return;
    if (unsaved.length > 0) {
      this.showUnsaved(unsaved);
      return;
    }
    this.hideUnsaved();
    await this.sealNow(caseId);
  }

  /** What is typed but not saved in this record: its items' details, then the report. */
  private async unsavedParts(caseId: string): Promise<UnsavedPart[]> {
    const [items, c] = await Promise.all([this.backend.listItems(caseId), this.backend.getCase(caseId)]);
    return findUnsaved(items, (item) => this.typedItemValues(caseId, item), c.report, this.typedReportValues(caseId));
  }

  /** The message beside the Seal button: each unsaved part a link to its field. */
  private showUnsaved(parts: UnsavedPart[], problem?: string): void {
    this.clearProblems();
    this.say("");
    this.$("seal-unsaved-list").replaceChildren(
      ...parts.map((part) => {
        const link = el(this.doc, "a", { href: `#${part.input}`, text: part.text });
        link.addEventListener("click", (ev) => {
          ev.preventDefault();
          void this.goToUnsaved(part);
        });
        return el(this.doc, "li", {}, link);
      }),
    );
    const error = this.$("seal-unsaved-error");
    error.textContent = problem ?? "";
    error.hidden = problem === undefined;
    const box = this.$("seal-unsaved");
    box.hidden = false;
    box.scrollIntoView?.({ block: "nearest" });
    box.focus();
  }

  private hideUnsaved(): void {
    this.$("seal-unsaved").hidden = true;
    this.$("seal-unsaved-list").replaceChildren();
    this.$("seal-unsaved-error").hidden = true;
  }

  /** Take the person to an unsaved part's first field, its typed text in place. */
  private async goToUnsaved(part: UnsavedPart): Promise<void> {
    if (part.kind === "report") {
      // A report form already showing this record holds what was typed: keep it as it is.
      await this.showTab("report", this.reportShownFor !== this.selected);
    } else {
      await this.showTab("evidence");
    }
    const input = this.doc.getElementById(part.input);
    const details = input?.closest("details");
    if (details) details.open = true;
    input?.scrollIntoView?.({ block: "center" });
    input?.focus();
  }

  private async backToUnsaved(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    let parts: UnsavedPart[];
    try {
      parts = await this.unsavedParts(caseId);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    this.hideUnsaved();
    const first = parts[0];
    if (first) await this.goToUnsaved(first);
  }

  /** "Save them and seal": each unsaved part through its own save command, then seal.
   *  If one cannot be saved, nothing is sealed and the message says which and why. */
  private async saveUnsavedAndSeal(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const buttons = [this.$<HTMLButtonElement>("seal-unsaved-save"), this.$<HTMLButtonElement>("seal-unsaved-back")];
    for (const b of buttons) b.disabled = true;
    try {
      const [items, c] = await Promise.all([this.backend.listItems(caseId), this.backend.getCase(caseId)]);
      const parts = findUnsaved(items, (item) => this.typedItemValues(caseId, item), c.report, this.typedReportValues(caseId));
      for (const part of parts) {
        try {
          if (part.kind === "item") {
            const item = items.find((i) => i.id === part.itemId);
            const values = item ? this.typedItemValues(caseId, item) : null;
            if (!item || values === null) continue;
            await this.backend.updateItem(item.id, itemChanges(values));
            this.dropItemDraft(caseId, item.id);
          } else {
            const typed = this.typedReportValues(caseId) ?? {};
            await this.backend.updateReport(caseId, reportFields({ ...reportValues(c.report), ...typed }));
            this.storage()?.removeItem(this.draftKey("report", caseId));
          }
        } catch (e) {
          // The page shows what was saved before this one failed. Its forms are drawn again
          // from the kept drafts, so only when drafts can be kept: else what was typed
          // stays as it is in the forms.
          if (this.storage() !== null) await this.reloadItems();
          const left = await this.unsavedParts(caseId).catch(() => parts);
          this.showUnsaved(left, `${part.name} could not be saved: ${toBackendError(e).message} Nothing was sealed.`);
          return;
        }
      }
      // The page shows what is now saved before sealing starts.
      await this.reloadItems();
      if (!this.$("tab-report").hidden) await this.loadReport();
      this.hideUnsaved();
      await this.sealNow(caseId);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  private async sealNow(caseId: string): Promise<void> {
    const to = this.$<HTMLSelectElement>("s-to").value;
    const folder = this.$<HTMLInputElement>("s-folder").value.trim();
    const pass = this.$<HTMLInputElement>("s-pass").value;
    const button = this.$<HTMLButtonElement>("seal-button");
    const bar = this.$<HTMLProgressElement>("seal-progress");
    button.disabled = true;
    this.$("seal-progress-field").hidden = false;
    bar.value = 0;
    this.say("Sealing…");
    const timer = setInterval(() => {
      this.backend.sealProgress().then(
        ([done, total]) => {
          if (total > 0) bar.value = Math.floor((done * 100) / total);
        },
        () => undefined,
      );
    }, 200);
    try {
      const sealed = await this.backend.sealCase(caseId, to, folder, pass);
      bar.value = 100;
      this.$<HTMLInputElement>("s-pass").value = "";
      this.clearProblems();
      this.$("sealed").hidden = false;
      this.$("sealed-name").textContent = sealed.file_name;
      this.$("sealed-sha").textContent = sealed.sha256;
      this.$("sealed-path").textContent = `Saved as ${sealed.path}`;
      this.$("form-done").hidden = true;
      this.$("form-open").hidden = true;
      await this.refreshCases();
      this.say(`Sealed: ${sealed.file_name}.`);
    } catch (e) {
      this.say("");
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      clearInterval(timer);
      button.disabled = false;
      this.$("seal-progress-field").hidden = true;
    }
  }

  private async handedOver(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const to = this.$<HTMLSelectElement>("s-to").value;
    try {
      await this.backend.markHandedOver(caseId, to === "" ? null : to);
      this.clearProblems();
      await this.refreshCases();
      this.say("Noted: you gave the sealed record to your designated person.");
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async makeForm(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    try {
      const path = await this.backend.makeForm(caseId, this.$<HTMLInputElement>("s-folder").value.trim());
      this.formPath = path;
      this.$("form-done").hidden = false;
      this.$("form-done").textContent = `The form is saved as ${path}.`;
      this.$("form-open").hidden = false;
      this.clearProblems();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async openForm(): Promise<void> {
    if (this.formPath === null) return;
    try {
      await this.backend.openForm(this.formPath);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async switchToDsl(): Promise<void> {
    try {
      await this.backend.setMode("dsl");
      this.doc.location?.reload();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  /** A receipt from the designated person: checked and recorded on its record. */
  private async openReceipt(file: File): Promise<void> {
    this.clearProblems();
    try {
      const got = await this.backend.openReceipt(new Uint8Array(await file.arrayBuffer()));
      await this.refreshCases();
      this.say(`Record ${got.case_id}: ${got.words}`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private openSafeguard(): void {
    this.$("iioc-panel").hidden = false;
    this.$("iioc-site").focus();
  }

  // ---- tabs ----

  private static readonly TABS = ["evidence", "report", "seal", "log"] as const;

  private wireTabs(): void {
    const names = App.TABS;
    names.forEach((name, i) => {
      const tab = this.$<HTMLButtonElement>(`tab-${name}-button`);
      tab.addEventListener("click", () => void this.showTab(name));
      tab.addEventListener("keydown", (ev) => {
        const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (step === 0) return;
        ev.preventDefault();
        const next = names[(i + step + names.length) % names.length] ?? name;
        void this.showTab(next);
        this.$(`tab-${next}-button`).focus();
      });
    });
  }

  private async showTab(name: (typeof App.TABS)[number], load = true): Promise<void> {
    for (const t of App.TABS) {
      const on = t === name;
      const tab = this.$(`tab-${t}-button`);
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      this.$(`tab-${t}`).hidden = !on;
    }
    if (name === "log") await this.loadLog();
    if (name === "report" && load) await this.loadReport();
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
          el(this.doc, "span", { class: "case__state", "data-testid": "case-state", text: caseState(c) }),
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
      this.selected = created.id;
      await this.refreshCases();
      await this.select(created.id);
      this.say(`Record started. Its reference is ${created.id}.`);
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

  /** After the capture shortcut: show what it did and the new item. */
  async afterShortcut(message: string): Promise<void> {
    await this.refreshCases();
    if (this.selected !== null) await this.select(this.selected);
    this.say(message);
  }

  async select(caseId: string): Promise<void> {
    const generation = ++this.generation;
    if (caseId !== this.selected) {
      this.reportShownFor = null;
      this.hideUnsaved();
    }
    this.selected = caseId;
    this.backend.setCurrentCase(caseId).catch(() => undefined);
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
    this.renderItems(caseId, items);
    void this.loadRecentSites();
    if (!this.$("tab-log").hidden) await this.loadLog();
    if (!this.$("tab-report").hidden) await this.loadReport();
  }

  private async loadRecentSites(): Promise<void> {
    try {
      const sites = await this.backend.recentSites();
      this.$("recent-sites").replaceChildren(...sites.map((s) => el(this.doc, "option", { value: s })));
    } catch (e) {
      console.error("recent sites:", toBackendError(e).message);
    }
  }

  private renderItems(caseId: string, items: Item[]): void {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    const list = this.$("item-list");
    list.dataset.caseId = caseId;
    list.replaceChildren(...items.map((item) => this.itemElement(item)));
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
    const status = item.removed
      ? el(doc, "p", {
          class: "item__status item__status--removed",
          "data-testid": "item-removed",
          text: "Marked as a possible indecent image of a child: its bytes were removed, as the school's policy requires. Only its record and SHA-256 remain.",
        })
      : item.withdrawn
        ? el(doc, "p", {
            class: "item__status",
            "data-testid": "item-withdrawn",
            text: `Withdrawn on ${formatLocal(item.withdrawn.at.local)}: ${item.withdrawn.reason}. It is kept.`,
          })
        : null;
    return el(
      doc,
      "li",
      { class: "item", "data-item-id": String(item.id) },
      item.removed ? el(doc, "div", { class: "thumb thumb--none" }, el(doc, "span", { text: "Not kept" })) : thumb,
      el(
        doc,
        "div",
        { class: "item__body" },
        el(doc, "h4", { class: "item__name", text: item.original_name }),
        site,
        meta,
        status,
        hash,
        item.removed ? null : this.detailsForm(item),
        item.removed || item.withdrawn ? null : this.withdrawForm(item),
        item.removed ? null : this.indecentButton(item),
      ),
    );
  }

  /** "Describe it": where, when seen, who from, a note. Saved separately from capture. */
  private detailsForm(item: Item): HTMLElement {
    const doc = this.doc;
    const id = (f: string) => `item-${item.id}-${f}`;
    const input = (f: string, label: string, value: string | null, type = "text", extra: Record<string, string> = {}) =>
      el(
        doc,
        "div",
        { class: "field" },
        el(doc, "label", { for: id(f), text: label }),
        el(doc, "input", { id: id(f), name: f, type, value: value ?? "", autocomplete: "off", ...extra }),
      );
    const form = el(
      doc,
      "form",
      { class: "item-details", "data-testid": "item-details-form", novalidate: "" },
      input("site", "Where: site or app", item.site, "text", { list: "recent-sites", "data-testid": "item-site" }),
      input("url", "Web address (if any)", item.url, "url"),
      input("seen", `When you saw it${item.seen ? ` (now: ${formatLocal(item.seen)})` : " (leave empty if just now)"}`, null, "datetime-local", { "data-testid": "item-seen" }),
      this.seenPicks(id("seen")),
      input("from_handle", "Who it came from (username), if known", item.from.handle),
      input("note", "A short note", item.note, "text", { "data-testid": "item-note" }),
      el(doc, "button", { type: "submit", class: "button button--secondary", "data-testid": "item-details-save", text: "Save details" }),
    );
    // Kept as typed until saved: nothing is lost if the window closes first, and Seal
    // stops while it differs from what is saved (unsaved.ts).
    const draft = this.storedItemDraft(item.case_id, item.id);
    if (draft !== null) {
      for (const f of ITEM_FIELDS) {
        const input = form.elements.namedItem(f) as HTMLInputElement | null;
        const v = draft[f];
        if (input && v !== undefined) input.value = v;
      }
      form.dataset.draft = "kept";
    }
    form.addEventListener("input", () => {
      this.keepDraft(this.itemDraftKey(item.case_id, item.id), this.formItemValues(form));
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.saveItem(item, itemChanges(this.formItemValues(form)));
    });
    const box = el(doc, "details", { class: "item__more" }, el(doc, "summary", { text: "Describe it: where, when, who from" }), form);
    if (form.dataset.draft === "kept") {
      box.open = true;
      form.prepend(el(doc, "p", { class: "hint", "data-testid": "item-draft", text: "Your unsaved details were kept. Save them to record them." }));
    }
    return box;
  }

  /** "Now", "Earlier today", "Yesterday": fill the date-and-time field, to adjust. */
  private seenPicks(inputId: string): HTMLElement {
    const doc = this.doc;
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = (d: Date) =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const pick = (label: string, at: () => Date) => {
      const b = el(doc, "button", { type: "button", class: "button button--secondary button--small", text: label });
      b.addEventListener("click", () => {
        const input = this.doc.getElementById(inputId) as HTMLInputElement | null;
        if (!input) return;
        input.value = local(at());
        // As if typed: kept as a draft, so Seal knows it is not saved yet.
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.focus();
      });
      return b;
    };
    return el(
      doc,
      "div",
      { class: "picks", role: "group", "aria-label": "Quick choices for when you saw it" },
      pick("Now", () => new Date()),
      pick("Earlier today", () => {
        const d = new Date();
        d.setHours(Math.max(0, d.getHours() - 3));
        return d;
      }),
      pick("Yesterday", () => {
        const d = new Date();
        d.setDate(d.getDate() - 1);
        return d;
      }),
    );
  }

  private withdrawForm(item: Item): HTMLElement {
    const doc = this.doc;
    const reasonId = `item-${item.id}-reason`;
    const reason = el(doc, "input", { id: reasonId, type: "text", autocomplete: "off", "data-testid": "withdraw-reason" });
    const button = el(doc, "button", { type: "button", class: "button button--secondary", "data-testid": "withdraw-button", text: "Withdraw this item" });
    button.addEventListener("click", () => {
      const r = reason.value.trim();
      if (r === "") {
        this.showProblems([{ text: "Say why you are withdrawing it", field: reasonId }]);
        return;
      }
      void this.withdraw(item, r);
    });
    return el(
      doc,
      "details",
      { class: "item__more" },
      el(doc, "summary", { text: "Withdraw" }),
      el(doc, "p", { class: "hint", text: "Nothing is ever deleted; this item will be marked as withdrawn, with your reason, and kept." }),
      el(doc, "div", { class: "field" }, el(doc, "label", { for: reasonId, text: "Why?" }), reason),
      button,
    );
  }

  private indecentButton(item: Item): HTMLElement {
    const doc = this.doc;
    const confirm = el(doc, "button", { type: "button", class: "button button--warning", "data-testid": "item-indecent-confirm", text: "Yes: remove it and tell me what to do" });
    const box = el(
      doc,
      "details",
      { class: "item__more" },
      el(doc, "summary", { "data-testid": "item-indecent", text: "This may be an indecent image of a child" }),
      el(doc, "p", { text: "Its bytes will be removed from Evidence Kit, as the school's policy requires: such images are never kept, copied or looked into. Its record and SHA-256 stay. Then tell the police (999 in an emergency, otherwise 101) and your designated safeguarding person." }),
      confirm,
    );
    confirm.addEventListener("click", () => void this.removeIndecent(item));
    return box;
  }

  private async saveItem(item: Item, changes: Array<[ItemField, string | null]>): Promise<void> {
    try {
      await this.backend.updateItem(item.id, changes);
      this.dropItemDraft(item.case_id, item.id);
      this.clearProblems();
      await this.reloadItems();
      this.say(`Details of ${item.original_name} saved.`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async withdraw(item: Item, reason: string): Promise<void> {
    try {
      await this.backend.withdrawItem(item.id, reason);
      this.clearProblems();
      await this.refreshCases();
      await this.reloadItems();
      this.say(`${item.original_name} is withdrawn. It is kept, marked, with your reason.`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async removeIndecent(item: Item): Promise<void> {
    try {
      await this.backend.removeIndecentItem(item.id);
      this.clearProblems();
      await this.reloadItems();
      this.say("Removed. Do not copy or save it anywhere. Tell the police (999 in an emergency, otherwise 101) and your designated safeguarding person now.");
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  /** Right after a capture: open the new item's "Describe it" and put the cursor in
   *  "Where". The bytes and hash are already saved; this only invites the details. */
  private describeNow(itemId: number): void {
    const li = this.doc.querySelector(`#item-list li[data-item-id="${itemId}"]`);
    if (!li) return;
    const details = li.querySelector<HTMLDetailsElement>("details.item__more");
    if (details) details.open = true;
    li.scrollIntoView?.({ block: "nearest" });
    li.querySelector<HTMLInputElement>('[data-testid="item-site"]')?.focus();
  }

  private async reloadItems(): Promise<void> {
    if (this.selected !== null) await this.select(this.selected);
  }

  private async recordIndecentImage(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const site = this.$<HTMLInputElement>("iioc-site").value.trim();
    try {
      const advice = await this.backend.recordIndecentImage(caseId, site === "" ? null : site);
      this.clearProblems();
      this.$<HTMLInputElement>("iioc-site").value = "";
      this.say(`Noted in this record's log; nothing was captured. ${advice}`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  // ---- the report ----

  private draftKey(kind: string, id: string | number): string {
    return `evidence-kit-draft:${kind}:${id}`;
  }

  /** An item's draft is kept under its record too: item numbers restart in each store,
   *  and a draft must never come back on another store's item. */
  private itemDraftKey(caseId: string, itemId: number): string {
    return this.draftKey("item", `${caseId}:${itemId}`);
  }

  /** Keep a draft; if the storage is full or gone, the form on the page still holds it. */
  private keepDraft(key: string, value: unknown): void {
    try {
      this.storage()?.setItem(key, JSON.stringify(value));
    } catch (e) {
      console.error("draft not kept:", e);
    }
  }

  private readDraft(key: string): Record<string, unknown> | null {
    const raw = this.storage()?.getItem(key);
    if (!raw) return null;
    try {
      const v: unknown = JSON.parse(raw);
      return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null; // An unreadable draft is left alone; the saved details are shown.
    }
  }

  /** The kept draft of an item's details (or, from before drafts named their record,
   *  the one under the item number alone), or null. */
  private storedItemDraft(caseId: string, itemId: number): ItemValues | null {
    const draft = this.readDraft(this.itemDraftKey(caseId, itemId)) ?? this.readDraft(this.draftKey("item", itemId));
    if (draft === null) return null;
    const values: ItemValues = {};
    for (const f of ITEM_FIELDS) {
      const v = draft[f];
      if (typeof v === "string") values[f] = v;
    }
    return values;
  }

  private dropItemDraft(caseId: string, itemId: number): void {
    this.storage()?.removeItem(this.itemDraftKey(caseId, itemId));
    this.storage()?.removeItem(this.draftKey("item", itemId));
  }

  private formItemValues(form: HTMLFormElement): ItemValues {
    const values: ItemValues = {};
    for (const f of ITEM_FIELDS) values[f] = (form.elements.namedItem(f) as HTMLInputElement | null)?.value ?? "";
    return values;
  }

  /** What is typed for an item: its form on the page if this record's items are shown,
   *  else its kept draft. */
  private typedItemValues(caseId: string, item: Item): ItemValues | null {
    const list = this.$("item-list");
    if (list.dataset.caseId === caseId) {
      const form = list.querySelector<HTMLFormElement>(`li[data-item-id="${item.id}"] form.item-details`);
      if (form) return this.formItemValues(form);
    }
    return this.storedItemDraft(item.case_id, item.id);
  }

  private reportFormValues(): ReportValues {
    const values: ReportValues = {};
    for (const [id] of REPORT_INPUTS) values[id] = this.$<HTMLInputElement>(id).value;
    for (const p of POLICE_CHOICES) values[`r-police-${p}`] = this.$<HTMLInputElement>(`r-police-${p}`).checked;
    return values;
  }

  /** What is typed in the report: the form if it shows this record, else its kept draft. */
  private typedReportValues(caseId: string): ReportValues | null {
    if (this.reportShownFor === caseId) return this.reportFormValues();
    const draft = this.readDraft(this.draftKey("report", caseId));
    if (draft === null) return null;
    const values: ReportValues = {};
    for (const [k, v] of Object.entries(draft)) if (typeof v === "string" || typeof v === "boolean") values[k] = v;
    return values;
  }

  private storage(): Storage | null {
    try {
      return this.doc.defaultView?.localStorage ?? null;
    } catch {
      return null;
    }
  }

  private keepReportDraft(): void {
    const caseId = this.selected;
    if (caseId === null) return;
    this.keepDraft(this.draftKey("report", caseId), this.reportFormValues());
  }

  /** Put a kept draft back into the report form; true if there was one. */
  private restoreReportDraft(caseId: string): boolean {
    const draft = this.readDraft(this.draftKey("report", caseId));
    if (draft === null) return false;
    for (const [id] of REPORT_INPUTS) {
      if (typeof draft[id] === "string") this.$<HTMLInputElement>(id).value = draft[id] as string;
    }
    for (const v of POLICE_CHOICES) {
      this.$<HTMLInputElement>(`r-police-${v}`).checked = draft[`r-police-${v}`] === true;
    }
    return true;
  }

  private async loadReport(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    try {
      const c = await this.backend.getCase(caseId);
      if (caseId !== this.selected || !c.report) return;
      const saved = reportValues(c.report);
      for (const [id] of REPORT_INPUTS) this.$<HTMLInputElement>(id).value = saved[id] as string;
      for (const p of POLICE_CHOICES) this.$<HTMLInputElement>(`r-police-${p}`).checked = saved[`r-police-${p}`] === true;
      this.reportShownFor = caseId;
      if (this.restoreReportDraft(caseId)) {
        this.say("Your unsaved changes to the report were kept. Save the report to record them.");
      }
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async saveReport(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const report = reportFields(this.reportFormValues());
    try {
      await this.backend.updateReport(caseId, report);
      this.storage()?.removeItem(this.draftKey("report", caseId));
      this.clearProblems();
      this.say("Report saved. Every change is kept in this record's log.");
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  // ---- the log ----

  private async loadLog(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    try {
      const lines = await this.backend.custodyLog(caseId);
      if (caseId !== this.selected) return;
      this.$("log-list").replaceChildren(
        ...lines.map((l) =>
          el(
            this.doc,
            "li",
            { class: "log-line", "data-seq": String(l.seq) },
            el(this.doc, "time", { datetime: l.at, text: formatLocal(l.at) }),
            " · ",
            el(this.doc, "span", { class: "log-line__actor", text: l.actor }),
            ": ",
            el(this.doc, "span", { class: "log-line__text", text: l.text }),
            l.clock_anomaly ? el(this.doc, "strong", { text: " (this computer's clock had been set back)" }) : null,
          ),
        ),
      );
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  /** Fill `box` with the item's preview, blurred until the person chooses to look. */
  private loadThumbnail(item: Item, box: HTMLElement): void {
    const shown = this.setup?.profile.show_previews === true;
    const fill = (png: Uint8Array): void => {
      const url = fillThumbnail(this.doc, box, png, item.original_name, shown, () => void this.openViewer(item));
      if (url) this.objectUrls.push(url);
    };
    this.backend.itemThumbnail(item.id).then(fill, (e: unknown) => {
      console.error("thumbnail:", toBackendError(e).message);
      fill(new Uint8Array(0));
    });
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
      await this.refreshCases();
      if (this.selected === caseId) {
        await this.select(caseId);
        this.describeNow(item.id);
      }
      this.say(`Screenshot saved as ${item.original_name}.`);
    } catch (e) {
      this.say("");
      this.showProblems([{ text: toBackendError(e).message }]);
    } finally {
      button.disabled = false;
      button.textContent = "Capture screen";
    }
  }

  // ---- a part of the screen ----

  private regionSize: [number, number] = [0, 0];
  private regionRect: [number, number, number, number] | null = null;
  private regionUrl: string | null = null;

  private async beginRegion(): Promise<void> {
    if (this.selected === null) return;
    try {
      this.regionSize = await this.backend.beginRegion();
      const png = await this.backend.regionPreview();
      if (this.regionUrl) URL.revokeObjectURL(this.regionUrl);
      this.regionUrl = URL.createObjectURL(new Blob([new Uint8Array(png)], { type: "image/png" }));
      this.$<HTMLImageElement>("region-img").src = this.regionUrl;
      // The whole screen to begin with: "Keep this part" works from the keyboard at once,
      // and the numbers (or a drag) narrow it down.
      this.setRegion([0, 0, this.regionSize[0], this.regionSize[1]]);
      const dialog = this.$<HTMLDialogElement>("region");
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  /** Show `rect` (screen pixels) in the numbers and as a box over the picture. */
  private setRegion(rect: [number, number, number, number]): void {
    const [sw, sh] = this.regionSize;
    const x = Math.min(Math.max(0, Math.round(rect[0])), Math.max(sw - 1, 0));
    const y = Math.min(Math.max(0, Math.round(rect[1])), Math.max(sh - 1, 0));
    const w = Math.min(Math.max(0, Math.round(rect[2])), sw - x);
    const h = Math.min(Math.max(0, Math.round(rect[3])), sh - y);
    this.regionRect = [x, y, w, h];
    for (const [id, v] of [["region-x", x], ["region-y", y], ["region-w", w], ["region-h", h]] as const) {
      this.$<HTMLInputElement>(id).value = String(v);
    }
    this.$<HTMLButtonElement>("region-keep").disabled = w < 2 || h < 2;
    const img = this.$<HTMLImageElement>("region-img");
    const shownW = img.getBoundingClientRect().width;
    const box = this.$("region-box");
    if (shownW > 0 && sw > 0) {
      const k = shownW / sw;
      box.hidden = false;
      box.style.left = `${x * k}px`;
      box.style.top = `${y * k}px`;
      box.style.width = `${w * k}px`;
      box.style.height = `${h * k}px`;
    }
  }

  private closeRegion(): void {
    const dialog = this.$<HTMLDialogElement>("region");
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  private wireRegion(): void {
    const frame = this.$("region-frame");
    const img = this.$<HTMLImageElement>("region-img");
    let start: { x: number; y: number } | null = null;
    const at = (ev: MouseEvent) => {
      const r = img.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    const draw = (a: { x: number; y: number }, b: { x: number; y: number }) => {
      const r = img.getBoundingClientRect();
      const shown = { w: r.width, h: r.height };
      const natural = { w: this.regionSize[0], h: this.regionSize[1] };
      this.setRegion(toImageRect(a, b, shown, natural));
    };
    for (const id of ["region-x", "region-y", "region-w", "region-h"]) {
      this.$(id).addEventListener("input", () => {
        const n = (f: string) => Number(this.$<HTMLInputElement>(f).value) || 0;
        this.setRegion([n("region-x"), n("region-y"), n("region-w"), n("region-h")]);
      });
    }
    frame.addEventListener("mousedown", (ev) => {
      ev.preventDefault();
      start = at(ev);
    });
    frame.addEventListener("mousemove", (ev) => {
      if (start) draw(start, at(ev));
    });
    frame.addEventListener("mouseup", (ev) => {
      if (start) draw(start, at(ev));
      start = null;
    });
    this.$("region-keep").addEventListener("click", () => void this.keepRegion());
    this.$("region-cancel").addEventListener("click", () => {
      this.backend.cancelRegion().catch(() => undefined);
      this.closeRegion();
    });
  }

  private async keepRegion(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null || this.regionRect === null) return;
    try {
      const item = await this.backend.captureRegion(caseId, this.regionRect);
      this.closeRegion();
      this.clearProblems();
      await this.refreshCases();
      await this.reloadItems();
      this.describeNow(item.id);
      this.say(`Saved as ${item.original_name}.`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async chooseWindow(): Promise<void> {
    try {
      const titles = await this.backend.listWindows();
      if (titles.length === 0) {
        this.showProblems([{ text: "No other window is open. Open the page or message you want to keep, then try again." }]);
        return;
      }
      this.$("window-select").replaceChildren(...titles.map((t) => el(this.doc, "option", { value: t, text: t })));
      this.$("window-choice").hidden = false;
      this.$("window-select").focus();
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  private async captureWindow(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    const title = this.$<HTMLSelectElement>("window-select").value;
    this.say(`Taking a picture of "${title}"…`);
    try {
      const item = await this.backend.captureWindow(caseId, title);
      this.clearProblems();
      this.$("window-choice").hidden = true;
      await this.refreshCases();
      await this.reloadItems();
      this.describeNow(item.id);
      this.say(`Saved as ${item.original_name}.`);
    } catch (e) {
      this.say("");
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  /** Files chosen with "Add files": each passes to the app in parts. */
  private addFiles(files: File[]): Promise<void> {
    return this.keepEach(
      files.map((f) => ({
        name: f.name,
        keep: (caseId: string, progress: Progress) => this.backend.captureUpload(caseId, f, progress),
      })),
    );
  }

  /**
   * What the app says about files dropped on the window (`drop.ts`): "Add files" is
   * highlighted while they are over it, and once dropped they are kept in the open
   * record as chosen ones are, each read by the app from its path.
   */
  onDrop(message: DropMessage): void {
    showDragOver(this.$("drop-zone"), message);
    if (message.kind === "progress") this.dropProgress.get(message.token)?.(message.done, message.total);
    if (message.kind === "drop") void this.keepDropped(message.files);
  }

  private keepDropped(files: DroppedFile[]): Promise<void> {
    if (files.length === 0) return Promise.resolve();
    if (this.selected === null) {
      this.showProblems([{ text: "Nothing was kept: open a record, or start one, then drop the files on it again." }]);
      return Promise.resolve();
    }
    return this.keepEach(
      files.map((f) => ({
        name: f.name,
        keep: async (caseId: string, progress: Progress) => {
          this.dropProgress.set(f.token, progress);
          try {
            return await this.backend.captureDrop(caseId, f.token);
          } finally {
            this.dropProgress.delete(f.token);
          }
        },
      })),
    );
  }

  /**
   * Keep each file in the open record, one after another, saying how far it has got:
   * each is kept or refused on its own, and every refusal is named with its file.
   */
  private async keepEach(
    files: Array<{ name: string; keep: (caseId: string, progress: Progress) => Promise<Item> }>,
  ): Promise<void> {
    const caseId = this.selected;
    if (caseId === null || files.length === 0) return;
    const problems: Problem[] = [];
    let kept = 0;
    for (const [i, f] of files.entries()) {
      const doing = `Keeping ${f.name} (${i + 1} of ${files.length})`;
      this.say(`${doing}…`);
      try {
        await f.keep(caseId, sayProgress(this.doc, doing));
        kept += 1;
      } catch (e) {
        problems.push({ text: `${f.name}: ${toBackendError(e).message}` });
      }
    }
    // Problems first, so that one the refresh reports is not wiped out; the list is
    // brought up to date before the status says the work is done, so "N files kept."
    // is only ever shown beside the items it speaks of.
    if (problems.length > 0) this.showProblems(problems);
    else this.clearProblems();
    await this.refreshCases();
    await this.reloadItems();
    this.say(kept === 1 ? "1 file kept." : `${kept} files kept.`);
  }

  private async paste(): Promise<void> {
    const caseId = this.selected;
    if (caseId === null) return;
    try {
      const item = await this.backend.captureClipboard(caseId);
      this.clearProblems();
      await this.refreshCases();
      await this.reloadItems();
      this.describeNow(item.id);
      this.say(`Kept what was on the clipboard as ${item.original_name}.`);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
    }
  }

  // ---- full-size view ----

  private async openViewer(item: Item): Promise<void> {
    let png: Uint8Array;
    try {
      png = await this.backend.itemPreview(item.id);
    } catch (e) {
      this.showProblems([{ text: toBackendError(e).message }]);
      return;
    }
    this.viewer?.open(png, item.original_name, this.setup?.profile.show_previews === true);
  }

  // ---- messages ----

  private say(text: string): void {
    say(this.doc, text);
  }

  private showProblems(problems: Problem[]): void {
    showProblems(this.doc, problems);
  }

  private clearProblems(): void {
    clearSummary(this.doc);
    this.setFieldError("new-case-title", undefined);
    this.setFieldError("new-case-staff", undefined);
  }
}
