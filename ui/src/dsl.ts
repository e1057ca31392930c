// The designated person's screens: their keys, opening a bundle, the verdict first,
// trusting a staff member's key, reading the evidence (pictures blurred until shown),
// the custody timeline, the register's status, the form and the receipt, the accounts
// named across cases. Everything shown from a bundle goes in through `textContent`:
// file names, notes and sites come from outside and are never parsed as HTML.
import { type Progress, toBackendError } from "./backend";
import { byId, el, wireFilePicking } from "./dom";
import { type DropMessage, showDragOver } from "./drop";
import type { Account, BundleView, DslBackend, DslState, Received, StatusLine, ViewItem } from "./dslBackend";
import { formatLocal, shortHash } from "./format";
import { type Problem, clearSummary, say, sayProgress, showProblems } from "./messages";
import { Viewer, fillThumbnail } from "./picture";

/** "Intact, sealed by …" or what is wrong, for the verdict's title. */
export function verdictTitle(v: BundleView): string {
  const r = v.report;
  const s = r.signer;
  // A trusted key is named as it was trusted, never by the name the bundle claims.
  const who = s ? `${(s.trusted && s.trusted_as) || s.name} (key ${s.fingerprint})` : "someone unknown";
  const when = v.sealed_local ? ` on ${formatLocal(v.sealed_local)}` : "";
  if (r.findings.length === 0) return `Intact, sealed by ${who}${when}.`;
  if (s?.signature_valid && r.findings.every((f) => f.kind === "untrusted_key")) {
    return `Signed by a key you have not seen before: ${who}${when}. Nothing in it was changed since it was sealed, but check the key before you rely on it.`;
  }
  const n = r.findings.length;
  return `NOT intact: ${n === 1 ? "1 problem" : `${n} problems`} found. Do not rely on this bundle; ask ${s?.name ?? "the member of staff"} for it again.`;
}

const STATUS_WORDS: Record<string, string> = {
  received: "Received",
  reviewed: "Reviewed",
  referred: "Referred",
  closed: "Closed",
};

export class DslApp {
  private readonly doc: Document;
  private readonly backend: DslBackend;
  private state: DslState | null = null;
  private view: BundleView | null = null;
  /** A bundle waiting for the passphrase. */
  private pending: string | null = null;
  private objectUrls: string[] = [];
  private viewer: Viewer | null = null;
  /** Thumbnails load one after another on this chain. */
  private thumbs: Promise<void> = Promise.resolve();
  /** Bumped on each bundle shown, so thumbnails of an earlier one are dropped. */
  private generation = 0;

  constructor(doc: Document, backend: DslBackend) {
    this.doc = doc;
    this.backend = backend;
  }

  private $<T extends HTMLElement = HTMLElement>(id: string): T {
    return byId<T>(this.doc, id);
  }

  /** Show the designated person's screens and open the bundle the app was started on. */
  async start(): Promise<void> {
    this.$("dsl-top").hidden = false;
    this.$("lede").hidden = false;
    this.$("mode-switch").hidden = false;
    this.$("dsl").hidden = false;
    this.$("lede").textContent = "Bundles staff have given you: checked before you read them.";
    this.$("mode-switch").textContent = "I am a member of staff";
    this.$("mode-switch").addEventListener("click", () => void this.switchToStaff());
    this.$<HTMLFormElement>("dsl-setup").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.setup();
    });
    // One bundle at a time: the first of those chosen (or dropped: `onDrop`).
    wireFilePicking(this.$("dsl-open"), this.$<HTMLInputElement>("dsl-input"), (files) => {
      const [file] = files;
      if (file) void this.take(file.name, (progress) => this.backend.take(file, progress));
    });
    this.$<HTMLFormElement>("dsl-unlock").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const sha = this.pending;
      const pass = this.$<HTMLInputElement>("dsl-unlock-pass").value;
      if (sha) void this.openSha(sha, pass);
    });
    this.$("dsl-trust-button").addEventListener("click", () => void this.trust());
    this.$("dsl-status-save").addEventListener("click", () => void this.saveStatus());
    this.$("dsl-print").addEventListener("click", () => void this.printForm());
    this.$("dsl-receipt").addEventListener("click", () => void this.makeReceipt());
    this.$("dsl-accounts-open").addEventListener("click", () => void this.showAccounts());
    this.$("dsl-csv").addEventListener("click", () => void this.exportCsv());
    this.viewer = new Viewer(this.doc);
    await this.loadState();
    await this.refreshList();
    try {
      const launched = await this.backend.takeLaunchFile();
      if (launched) await this.openSha(launched, null);
    } catch (e) {
      this.problem(e);
    }
  }

  private async switchToStaff(): Promise<void> {
    try {
      await this.backend.setMode("staff");
      this.doc.location?.reload();
    } catch (e) {
      this.problem(e);
    }
  }

  private problem(e: unknown, field?: string): void {
    const p: Problem = { text: toBackendError(e).message };
    if (field) p.field = field;
    showProblems(this.doc, [p]);
  }

  // ---- keys ----

  private async loadState(): Promise<void> {
    try {
      this.state = await this.backend.dslState();
    } catch (e) {
      this.problem(e);
      return;
    }
    const s = this.state;
    const folder = this.$<HTMLInputElement>("dsl-folder");
    if (!folder.value) folder.value = s.default_folder;
    const ready = s.identity_fingerprint !== null && s.signing_fingerprint !== null;
    this.$("dsl-setup").hidden = ready;
    if (!ready && s.name) this.$<HTMLInputElement>("dsl-name").value = s.name;
    this.$("dsl-share-box").hidden = s.share_text === null;
    this.$("dsl-share").textContent = s.share_text ?? "";
  }

  private async setup(): Promise<void> {
    clearSummary(this.doc);
    const name = this.$<HTMLInputElement>("dsl-name").value.trim();
    const pass = this.$<HTMLInputElement>("dsl-pass").value;
    const again = this.$<HTMLInputElement>("dsl-pass2").value;
    if (!name) return showProblems(this.doc, [{ text: "Enter your name.", field: "dsl-name" }]);
    if (pass !== again) {
      return showProblems(this.doc, [{ text: "The two passphrases are different. Type them again.", field: "dsl-pass2" }]);
    }
    try {
      await this.backend.dslSetup(name, pass);
    } catch (e) {
      return this.problem(e, "dsl-pass");
    }
    this.$<HTMLInputElement>("dsl-pass").value = "";
    this.$<HTMLInputElement>("dsl-pass2").value = "";
    await this.loadState();
    say(this.doc, "Your keys are made. Give staff the text shown under \"What to give staff\".");
    this.$("dsl-share").focus();
  }

  // ---- opening ----

  /**
   * What the app says about files dropped on the window (`drop.ts`): the drop zone is
   * highlighted while they are over it; of a drop, the first is opened as a bundle
   * (nothing dropped here is ever kept as evidence).
   */
  onDrop(message: DropMessage): void {
    showDragOver(this.$("dsl-drop"), message);
    if (message.kind !== "drop") return;
    const [file] = message.files;
    if (file) void this.take(file.name, () => this.backend.takeDrop(file.token));
  }

  /** Keep the bundle `name` (`keep` returns its SHA-256), then check and show it. */
  private async take(name: string, keep: (progress: Progress) => Promise<string>): Promise<void> {
    clearSummary(this.doc);
    say(this.doc, `Receiving ${name}…`);
    let sha: string;
    try {
      sha = await keep(sayProgress(this.doc, `Receiving ${name}`));
    } catch (e) {
      say(this.doc, "");
      return this.problem(e);
    }
    say(this.doc, `Checking ${name}…`);
    await this.openSha(sha, null);
  }

  private async openSha(sha: string, passphrase: string | null): Promise<void> {
    clearSummary(this.doc);
    let v: BundleView;
    try {
      v = await this.backend.open(sha, passphrase);
    } catch (e) {
      const err = toBackendError(e);
      if (err.code === "identity_locked" || err.code === "wrong_identity_passphrase") {
        this.pending = sha;
        this.$("dsl-unlock").hidden = false;
        if (err.code === "wrong_identity_passphrase") this.problem(err, "dsl-unlock-pass");
        else say(this.doc, err.message);
        this.$("dsl-unlock-pass").focus();
        return;
      }
      say(this.doc, "");
      return this.problem(err);
    }
    this.pending = null;
    this.$("dsl-unlock").hidden = true;
    this.$<HTMLInputElement>("dsl-unlock-pass").value = "";
    this.render(v);
    await this.refreshList();
    say(this.doc, v.duplicate ? "This bundle was received before; it was checked again." : "Received and checked.");
    this.$("dsl-verdict").focus();
  }

  private async refreshList(): Promise<void> {
    let rows: Received[];
    try {
      rows = await this.backend.list();
    } catch (e) {
      return this.problem(e);
    }
    this.$("dsl-none").hidden = rows.length > 0;
    this.$("inbox-list").replaceChildren(
      ...rows.map((r) => {
        const current = this.view?.received.sha256 === r.sha256;
        const b = el(
          this.doc,
          "button",
          { type: "button", class: "case", "aria-pressed": String(current), "data-sha": r.sha256 },
          el(this.doc, "span", { class: "case__title", text: r.case_ref ? `Case ${r.case_ref}` : r.file }),
          el(this.doc, "span", { class: "case__ref", text: `From ${r.staff ?? r.signer ?? "unknown"}, received ${formatLocal(r.received)}` }),
          el(this.doc, "span", {
            class: r.intact ? "case__state" : "case__state case__state--bad",
            text: `${r.intact ? "Intact" : "NOT intact"}${r.replay ? " · an older copy" : ""}${r.conflict ? " · differs from a copy on file" : ""} · ${STATUS_WORDS[r.status ?? "received"] ?? r.status ?? ""}`,
          }),
        );
        b.addEventListener("click", () => void this.openSha(r.sha256, null));
        return el(this.doc, "li", {}, b);
      }),
    );
  }

  // ---- the bundle ----

  private render(v: BundleView): void {
    this.view = v;
    this.generation += 1;
    for (const u of this.objectUrls) URL.revokeObjectURL(u);
    this.objectUrls = [];
    this.$("dsl-nothing").hidden = true;
    this.$("dsl-accounts").hidden = true;
    this.$("dsl-bundle").hidden = false;
    const intact = v.report.findings.length === 0;
    const verdict = this.$("dsl-verdict");
    verdict.className = intact ? "verdict verdict--ok" : "verdict verdict--bad";
    verdict.dataset.intact = String(intact);
    this.$("dsl-verdict-title").textContent = verdictTitle(v);
    // A new key is explained by the trust box below, in the window's own words.
    const shown = v.can_trust ? v.report.findings.filter((f) => f.kind !== "untrusted_key") : v.report.findings;
    this.$("dsl-findings").replaceChildren(...shown.map((f) => el(this.doc, "li", { text: f.message })));

    const s = v.report.signer;
    this.$("dsl-trust").hidden = !v.can_trust || !s;
    if (s) {
      this.$("dsl-trust-text").textContent =
        `This is the first bundle you have opened from ${s.name} with this key. Before you trust it, ask ${s.name} in person to read you their key's fingerprint (in Evidence Kit, "Your details and keys"). It must be exactly:`;
      this.$("dsl-trust-fp").textContent = s.fingerprint;
    }

    const c = v.case;
    this.$("dsl-case-title").textContent = c ? c.title : "The case record could not be read";
    const facts: Array<[string, string]> = [];
    if (c) {
      facts.push(["Reference", c.id], ["Member of staff", c.staff]);
    }
    if (v.sealed_local) facts.push(["Sealed", formatLocal(v.sealed_local)]);
    facts.push(
      ["Received", formatLocal(v.received.received)],
      ["Bundle file", v.received.file],
      ["Bundle SHA-256", v.report.sha256],
      ["Encrypted to you", v.report.encrypted ? "Yes" : "No"],
      ["Items", String(v.items.length)],
    );
    if (v.received.replay) facts.push(["Note", "A newer bundle of this case was received before this one: this is an older copy."]);
    if (v.received.conflict) facts.push(["Warning", v.received.conflict]);
    if (v.unpack_problem) facts.push(["Files", v.unpack_problem]);
    if (c?.report?.description) facts.push(["What happened", c.report.description]);
    this.$("dsl-facts").replaceChildren(
      ...facts.flatMap(([k, val]) => [el(this.doc, "dt", { text: k }), el(this.doc, "dd", { text: val })]),
    );

    const status = this.$<HTMLSelectElement>("dsl-status");
    status.value = v.received.status ?? "received";
    this.$<HTMLInputElement>("dsl-note").value = "";
    this.$<HTMLInputElement>("dsl-receipt-pass").value = "";
    this.$("dsl-done").textContent = "";
    void this.loadHistory();

    this.$("dsl-items").replaceChildren(...v.items.map((it) => this.itemElement(v, it)));
    this.$("dsl-timeline").replaceChildren(
      ...v.timeline.map((l) =>
        el(
          this.doc,
          "li",
          {},
          el(this.doc, "span", { class: "log__when", text: formatLocal(l.at) }),
          " ",
          el(this.doc, "span", { class: "log__what", text: `${l.actor}: ${l.text}${l.clock_anomaly ? " (the computer's clock went backwards here)" : ""}` }),
        ),
      ),
      ...(v.timeline_more > 0
        ? [el(this.doc, "li", { text: `…and ${v.timeline_more} later entries, not shown here (they are in the bundle's custody.jsonl).` })]
        : []),
    );
    this.$("inbox-list")
      .querySelectorAll("button[data-sha]")
      .forEach((b) => b.setAttribute("aria-pressed", String(b.getAttribute("data-sha") === v.received.sha256)));
  }

  private itemElement(v: BundleView, vi: ViewItem): HTMLLIElement {
    const it = vi.item;
    const doc = this.doc;
    const lines: string[] = [];
    lines.push(`${it.media_type} · ${it.size.toLocaleString("en-GB")} bytes · SHA-256 ${shortHash(it.sha256)}`);
    lines.push(`Recorded ${formatLocal(it.captured.local)} by ${it.captured_by}`);
    if (it.seen) lines.push(`Seen ${formatLocal(it.seen)}`);
    if (it.site) lines.push(`Where: ${it.site}`);
    if (it.url) lines.push(`Address: ${it.url}`);
    const from = [it.from?.handle, it.from?.email, it.from?.phone, it.from?.profile].filter((x): x is string => !!x);
    if (from.length) lines.push(`From: ${from.join(", ")}`);
    if (it.note) lines.push(`Note: ${it.note}`);
    const details = el(
      doc,
      "div",
      { class: "item__details" },
      el(doc, "h4", { class: "item__name", "data-testid": "dsl-item-name", text: it.original_name }),
      ...lines.map((t) => el(doc, "p", { class: "item__line", text: t })),
      it.withdrawn
        ? el(doc, "p", { class: "item__withdrawn", text: `Withdrawn by the member of staff on ${formatLocal(it.withdrawn.at.local)}: ${it.withdrawn.reason}` })
        : null,
      it.removed
        ? el(doc, "p", { class: "item__withdrawn", text: `Removed as a possible indecent image of a child (never kept, never sealed): ${it.removed.reason}` })
        : null,
      ...vi.problems.map((p) => el(doc, "p", { class: "item__problem", text: p })),
    );
    const box = el(doc, "div", { class: "thumb thumb--none" }, el(doc, "span", { text: "No preview" }));
    if (vi.image) {
      box.className = "thumb thumb--loading";
      box.replaceChildren(el(doc, "span", { text: "Loading preview…" }));
      // One picture decoded at a time (each may take up to the core's decode limit), and
      // none for a bundle no longer on screen.
      const generation = this.generation;
      this.thumbs = this.thumbs.then(async () => {
        if (generation !== this.generation) return;
        let png: Uint8Array = new Uint8Array(0);
        try {
          png = await this.backend.picture(v.received.sha256, vi.path, false);
        } catch {
          // Shown as "No preview".
        }
        if (generation === this.generation) this.showThumb(box, png, v, vi);
      });
    }
    const li = el(
      doc,
      "li",
      { class: it.withdrawn ? "item item--withdrawn" : "item", "data-testid": "dsl-item", "data-path": vi.path },
      box,
      details,
    );
    return li;
  }

  private showThumb(box: HTMLElement, png: Uint8Array, v: BundleView, vi: ViewItem): void {
    const url = fillThumbnail(this.doc, box, png, vi.item.original_name, false, () => void this.openViewer(v, vi), "dsl-full");
    if (url) this.objectUrls.push(url);
    else box.replaceChildren(el(this.doc, "span", { text: "No preview (too large or not a picture that can be shown)" }));
  }

  private async openViewer(v: BundleView, vi: ViewItem): Promise<void> {
    let png: Uint8Array;
    try {
      png = await this.backend.picture(v.received.sha256, vi.path, true);
    } catch (e) {
      return this.problem(e);
    }
    this.viewer?.open(png, vi.item.original_name, false);
  }

  private async trust(): Promise<void> {
    const v = this.view;
    if (!v) return;
    try {
      this.render(await this.backend.trust(v.received.sha256));
    } catch (e) {
      return this.problem(e);
    }
    await this.refreshList();
    say(this.doc, `You now trust ${v.report.signer?.name ?? "this"}'s key. Later bundles sealed with it are recognised.`);
    this.$("dsl-verdict").focus();
  }

  // ---- register, form, receipt ----

  private caseRef(): string | null {
    return this.view?.received.case_ref ?? null;
  }

  private renderHistory(lines: StatusLine[]): void {
    this.$("dsl-history").replaceChildren(
      ...lines.map((l) =>
        el(this.doc, "li", { text: `${formatLocal(l.at)}: ${STATUS_WORDS[l.status] ?? l.status}${l.note ? `. ${l.note}` : ""}` }),
      ),
    );
  }

  private async loadHistory(): Promise<void> {
    const ref = this.caseRef();
    if (!ref) return this.renderHistory([]);
    try {
      this.renderHistory(await this.backend.history(ref));
    } catch (e) {
      this.problem(e);
    }
  }

  private async saveStatus(): Promise<void> {
    const ref = this.caseRef();
    if (!ref) return;
    clearSummary(this.doc);
    const status = this.$<HTMLSelectElement>("dsl-status").value;
    const note = this.$<HTMLInputElement>("dsl-note").value.trim();
    try {
      this.renderHistory(await this.backend.setStatus(ref, status, note || null));
    } catch (e) {
      return this.problem(e, "dsl-note");
    }
    this.$<HTMLInputElement>("dsl-note").value = "";
    await this.refreshList();
    say(this.doc, `Case ${ref} is now ${STATUS_WORDS[status]?.toLowerCase() ?? status}.`);
  }

  private folder(): string {
    return this.$<HTMLInputElement>("dsl-folder").value.trim() || (this.state?.default_folder ?? "");
  }

  private async printForm(): Promise<void> {
    const v = this.view;
    if (!v) return;
    clearSummary(this.doc);
    const fill = this.$<HTMLInputElement>("dsl-fill").checked;
    let path: string;
    try {
      path = await this.backend.form(v.received.sha256, fill, this.folder());
    } catch (e) {
      return this.problem(e, "dsl-folder");
    }
    this.$("dsl-done").textContent = `The form is saved as ${path}.`;
    try {
      await this.backend.openForm(path);
      this.$("dsl-done").textContent = `The form is saved as ${path} and opened for printing.`;
    } catch {
      // Saved either way; the person can open it from the folder.
    }
  }

  private async makeReceipt(): Promise<void> {
    const ref = this.caseRef();
    if (!ref || !this.view) return;
    clearSummary(this.doc);
    const pass = this.$<HTMLInputElement>("dsl-receipt-pass").value;
    if (!pass) {
      return showProblems(this.doc, [{ text: "Enter your passphrase to sign the receipt.", field: "dsl-receipt-pass" }]);
    }
    let path: string;
    const v = this.view;
    try {
      path = await this.backend.receipt(v.received.sha256, ref, pass, this.folder());
    } catch (e) {
      const err = toBackendError(e);
      this.$<HTMLInputElement>("dsl-receipt-pass").value = "";
      return this.problem(err, err.code === "wrong_passphrase" ? "dsl-receipt-pass" : "dsl-folder");
    }
    this.$<HTMLInputElement>("dsl-receipt-pass").value = "";
    const who = v.case?.staff ?? "the member of staff";
    this.$("dsl-done").textContent = v.received.intact
      ? `The receipt is saved as ${path}. Give this file to ${who}: their Evidence Kit shows the record as received and verified by you.`
      : `The receipt is saved as ${path}. It says this bundle did NOT verify: give it to ${who} and ask them to seal the record again and give you the new file.`;
    say(this.doc, "Receipt made.");
  }

  // ---- across cases ----

  private async showAccounts(): Promise<void> {
    let all: Account[];
    try {
      all = await this.backend.accounts();
    } catch (e) {
      return this.problem(e);
    }
    this.$("dsl-nothing").hidden = true;
    this.$("dsl-bundle").hidden = true;
    this.$("dsl-accounts").hidden = false;
    this.$("dsl-accounts-none").hidden = all.length > 0;
    this.$("dsl-accounts-body").replaceChildren(
      ...all.map((a) =>
        el(
          this.doc,
          "tr",
          { "data-testid": "dsl-account" },
          el(this.doc, "th", { scope: "row", text: a.shown }),
          el(this.doc, "td", { text: a.kind }),
          el(this.doc, "td", { text: a.cases.join(", ") }),
          el(this.doc, "td", { text: a.mentions.map((m) => `${m.case_ref} #${m.item_id} ${m.item_name}`).join("; ") }),
          el(this.doc, "td", { text: formatLocal(a.first_seen) }),
          el(this.doc, "td", { text: formatLocal(a.last_seen) }),
        ),
      ),
    );
    this.$("dsl-accounts").scrollIntoView?.();
  }

  private async exportCsv(): Promise<void> {
    clearSummary(this.doc);
    try {
      const path = await this.backend.exportCsv(this.folder());
      say(this.doc, `The register is saved as ${path}; it opens in a spreadsheet.`);
    } catch (e) {
      this.problem(e, "dsl-folder");
    }
  }
}

