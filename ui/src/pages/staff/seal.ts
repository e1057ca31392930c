// Step 5, Seal: the passphrase, and Seal. What was chosen at Check (who it is for, the
// folder) is said again; unsaved text is checked once more (it may have been typed in
// another window since), and sealing stops for it.

import { toBackendError } from "../../backend";
import { el } from "../../dom";
import { itemDraft, reportDraft } from "../../base/drafts";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, link, p } from "../../base/ui";
import { findUnsaved } from "../../unsaved";
import { loadRecord } from "./record";

export function sealPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const choice = s.sealChoices.get(caseId);
    if (!choice) {
      await s.router.go(`record/${caseId}/check`);
      return { title: "Check before you seal", body: () => [] };
    }
    const pass = el(doc, "input", { type: "password", autocomplete: "current-password", "data-testid": "s-pass" });
    const bar = el(doc, "progress", { max: "100", value: "0", "data-testid": "seal-progress", "aria-label": "How much is sealed" });
    const barField = el(doc, "div", { class: "field", hidden: "" }, el(doc, "p", { class: "hint", text: "Sealing…" }), bar);
    const seal = async () => {
      if (pass.value === "") {
        s.router.problems([{ text: "Enter your passphrase", field: "s-pass" }]);
        return;
      }
      const [items, c] = await Promise.all([s.backend.listItems(caseId), s.backend.getCase(caseId)]);
      if (findUnsaved(items, (i) => itemDraft(doc, caseId, i.id), c.report, reportDraft(doc, caseId)).length > 0) {
        await s.router.go(`record/${caseId}/check`);
        return;
      }
      const go = f.querySelector<HTMLButtonElement>("button[type=submit]");
      if (go) go.disabled = true;
      s.router.busy("Sealing…");
      barField.hidden = false;
      const timer = setInterval(() => {
        s.backend.sealProgress().then(([done, total]) => {
          if (total > 0) bar.value = Math.floor((done * 100) / total);
        }, () => undefined);
      }, 200);
      try {
        const sealed = await s.backend.sealCase(caseId, choice.to, choice.folder, pass.value);
        pass.value = "";
        bar.value = 100;
        s.sealed.set(caseId, sealed);
        await s.router.go(`record/${caseId}/sealed`);
      } catch (e) {
        s.router.problems([{ text: toBackendError(e).message, field: "s-pass" }]);
      } finally {
        clearInterval(timer);
        barField.hidden = true;
        if (go) go.disabled = false;
      }
    };
    const f = form(
      doc,
      "seal-form",
      () => void seal(),
      field(doc, "s-pass", "Your passphrase", pass),
      barField,
      actions(doc, button(doc, "Seal", "seal-button", "primary", "submit")),
    );
    return {
      title: "Seal this record",
      caption: rec.summary.title,
      steps: rec.steps("seal"),
      back: href(`record/${caseId}/check`),
      body: () => [
        p(doc, `Only ${choice.to} will be able to open it. It is saved in ${choice.folder}.`),
        el(
          doc,
          "details",
          { class: "details" },
          el(doc, "summary", { text: "What the sealed file will show, and what it will not" }),
          el(
            doc,
            "ul",
            { class: "list" },
            el(doc, "li", { text: "That these files are unchanged since you kept them, at the times shown (from this computer's clock)." }),
            el(doc, "li", { text: "That you sealed them, and nothing was added, removed or changed afterwards." }),
            el(doc, "li", { text: "A screenshot shows what was on your screen. It does not by itself prove who wrote it, or who an account belongs to." }),
          ),
        ),
        f,
        el(doc, "p", {}, link(doc, "I have forgotten my passphrase", href("settings/new-key"), "forgotten")),
      ],
      shown: () => pass.focus(),
    };
  };
}
