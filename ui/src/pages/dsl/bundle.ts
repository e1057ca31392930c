// One sealed file, in the order a person needs: the verdict (and the key to check), then
// the evidence, then what to do (record what you did, print the form, make a receipt),
// with what happened to it and the technical details last.

import { el } from "../../dom";
import type { BundleView, ViewItem } from "../../dslBackend";
import { fillThumbnail } from "../../picture";
import { href, type Page, type PageMaker } from "../../base/router";
import { button, link, p, summaryList, technical } from "../../base/ui";
import { kindInWords, whenInWords } from "../../format";
import { verdictTitle } from "./verdict";
import type { DslSession } from "./context";
import { show } from "./open";

/** The view of `sha`: from this session, or checked again. */
export async function viewOf(s: DslSession, sha: string): Promise<BundleView | null> {
  const had = s.views.get(sha);
  if (had) return had;
  try {
    const v = await s.backend.open(sha, null);
    s.views.set(sha, v);
    return v;
  } catch {
    await show(s, sha, null);
    return null;
  }
}

export function verdictBox(s: DslSession, v: BundleView): HTMLElement {
  const doc = s.doc;
  const intact = v.report.findings.length === 0;
  const shown = v.can_trust ? v.report.findings.filter((f) => f.kind !== "untrusted_key") : v.report.findings;
  // Only the key is new: intact, with one step to take (amber); anything else is red.
  const keyOnly = !intact && v.report.signer?.signature_valid === true && v.report.findings.every((f) => f.kind === "untrusted_key");
  const kind = intact ? "ok" : keyOnly ? "check" : "bad";
  return el(
    doc,
    "div",
    { class: `verdict verdict--${kind}`, "data-testid": "dsl-verdict", "data-intact": String(intact), "data-verdict": kind, role: "status", tabindex: "-1" },
    el(doc, "p", { class: "verdict__title", "data-testid": "dsl-verdict-title", text: verdictTitle(v) }),
    shown.length > 0 ? el(doc, "ul", { class: "verdict__findings", "data-testid": "dsl-findings" }, ...shown.map((f) => el(doc, "li", { text: f.message }))) : null,
  );
}

function trustBox(s: DslSession, v: BundleView, sha: string): HTMLElement | null {
  const doc = s.doc;
  const signer = v.report.signer;
  if (!v.can_trust || !signer) return null;
  const trust = button(doc, "Trust this key", "dsl-trust-button");
  trust.addEventListener("click", () =>
    void s.act(async () => {
      const nv = await s.backend.trust(sha);
      s.views.set(sha, nv);
      await s.router.redraw({ title: `You now trust ${signer.name}'s key.`, text: "Later files sealed with it are recognised." });
    }),
  );
  // The verdict above says to check the key: the box is the how, in as little height as
  // it takes (the fingerprint and the button on one row).
  return el(
    doc,
    "section",
    { class: "trust", "data-testid": "dsl-trust", "aria-label": "Check the key" },
    p(doc, `Ask ${signer.name}, in person, to read you their key's fingerprint (Evidence Kit, Settings). It must be:`, { "data-testid": "dsl-trust-text" }),
    el(doc, "div", { "data-slot": "messages" }),
    el(doc, "div", { class: "actions trust__row" }, el(doc, "span", { class: "fingerprint", "data-testid": "dsl-trust-fp", text: signer.fingerprint }), trust),
  );
}

function itemCard(s: DslSession, v: BundleView, vi: ViewItem, n: number, urls: string[]): HTMLLIElement {
  const doc = s.doc;
  const it = vi.item;
  const lines: string[] = [kindInWords(it.media_type)];
  if (it.site) lines.push(`Where: ${it.site}`);
  if (it.seen) lines.push(`Seen: ${whenInWords(it.seen)}`);
  const from = [it.from?.handle, it.from?.email, it.from?.phone, it.from?.profile].filter((x): x is string => !!x);
  if (from.length) lines.push(`From: ${from.join(", ")}`);
  if (it.url) lines.push(`Address: ${it.url}`);
  if (it.note) lines.push(`Note: ${it.note}`);
  lines.push(`Kept ${whenInWords(it.captured.local)} by ${it.captured_by}`);
  const box = el(doc, "div", { class: "thumb thumb--none" }, el(doc, "span", { text: it.removed ? "Not kept" : "No preview" }));
  if (vi.image && !it.removed) {
    box.className = "thumb thumb--loading";
    s.backend.picture(v.received.sha256, vi.path, false).then(
      (png) => {
        const u = fillThumbnail(doc, box, png, it.original_name, false, () =>
          void s.act(async () => s.openViewer(await s.backend.picture(v.received.sha256, vi.path, true), it.original_name)),
          "dsl-full",
        );
        if (u) urls.push(u);
      },
      () => fillThumbnail(doc, box, new Uint8Array(0), it.original_name, false, () => undefined),
    );
  }
  const isMail = it.media_type === "message/rfc822";
  return el(
    doc,
    "li",
    { class: it.withdrawn ? "item item--withdrawn" : "item", "data-testid": "dsl-item", "data-path": vi.path },
    box,
    el(
      doc,
      "div",
      { class: "item__body" },
      el(doc, "h3", { class: "item__name", "data-testid": "dsl-item-name" }, `${n}. `, it.original_name),
      ...lines.map((t) => el(doc, "p", { class: "item__line", text: t })),
      it.withdrawn ? p(doc, `Withdrawn by the member of staff: ${it.withdrawn.reason}`, { class: "item__status" }) : null,
      it.removed ? p(doc, "Removed by the member of staff as a possible indecent image of a child: never kept, never sealed.", { class: "item__status item__status--removed" }) : null,
      ...vi.problems.map((t) => p(doc, t, { class: "item__problem" })),
      isMail ? link(doc, "Read the e-mail", href(`dsl/bundle/${v.received.sha256}/item/${encodeURIComponent(vi.path)}`), "dsl-read-email") : null,
    ),
  );
}

export function bundlePage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const v = await viewOf(s, sha);
    if (!v) return { title: "Opening the sealed file", back: href("dsl"), body: () => [] };
    const urls: string[] = [];
    const c = v.case;
    // Items removed as possible indecent images are never sealed; the register counts them
    // so that this page and the staff member's agree.
    const removed = v.removed_items;
    const kept = v.items.filter((i) => !i.item.removed).length;
    const count = `${kept} item${kept === 1 ? "" : "s"}${removed > 0 ? `, and ${removed} removed as a possible indecent image` : ""}`;
    const print = button(doc, "Print the form", "dsl-print", "secondary");
    print.addEventListener("click", () =>
      void s.act(async () => {
        s.router.busy("Making the form…");
        await s.backend.printForm(sha, true);
        s.router.done("The form is open to print.", "It is kept in a private folder and removed when you close Evidence Kit.");
      }),
    );
    const intact = v.report.findings.length === 0;
    return {
      title: c ? c.title : "A sealed file",
      caption: c ? `From ${c.staff}` : v.received.file,
      back: href("dsl"),
      body: () => [
        verdictBox(s, v),
        trustBox(s, v, sha),
        el(doc, "h2", { text: "The evidence" }),
        summaryList(doc, [
          { key: "Items", value: count, testid: "dsl-count" },
          ...(c?.report?.description ? [{ key: "What happened", value: c.report.description }] : []),
          ...(v.received.replay ? [{ key: "Note", value: "A newer sealed file of this record was received before this one: this is an older copy." }] : []),
          ...(v.received.conflict ? [{ key: "Warning", value: v.received.conflict }] : []),
          ...(v.unpack_problem ? [{ key: "Files", value: v.unpack_problem }] : []),
        ]),
        el(doc, "ul", { class: "item-list", "data-testid": "dsl-items" }, ...v.items.map((vi, i) => itemCard(s, v, vi, i + 1, urls))),
        el(doc, "h2", { text: "What to do next" }),
        el(doc, "div", { "data-slot": "messages" }),
        el(
          doc,
          "div",
          { class: "actions" },
          c ? link(doc, "Record what you have done", href(`dsl/bundle/${sha}/status`), "dsl-status-open") : null,
          print,
          c ? link(doc, intact ? `Make a receipt for ${c.staff}` : `Tell ${c.staff} it did not verify`, href(`dsl/bundle/${sha}/receipt`), "dsl-receipt-open") : null,
        ),
        el(doc, "p", {}, link(doc, "What happened to it, step by step", href(`dsl/bundle/${sha}/log`), "dsl-log-open")),
        technical(
          doc,
          summaryList(doc, [
            ...(c ? [{ key: "Record", value: c.id }] : []),
            { key: "Sealed", value: v.sealed_local ? whenInWords(v.sealed_local) : "Not known" },
            { key: "Received", value: whenInWords(v.received.received) },
            { key: "File", value: v.received.file },
            { key: "SHA-256", value: el(doc, "code", { class: "hash", "data-testid": "dsl-sha", text: v.report.sha256 }) },
            { key: "Encrypted to you", value: v.report.encrypted ? "Yes" : "No" },
          ]),
        ),
      ],
      shown: () => doc.querySelector<HTMLElement>('[data-testid="dsl-verdict"]')?.focus(),
      leave: () => {
        for (const u of urls) URL.revokeObjectURL(u);
      },
    };
  };
}
