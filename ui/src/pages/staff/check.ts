// Step 4, Check before you seal (GOV.UK "check your answers"): what will be in it, anything
// typed but not saved (sealing with unsaved text is impossible: save it here first), the
// report's answers, who it goes to and where it is saved. Only then Seal.

import { type ReportFields, toBackendError } from "../../backend";
import { el } from "../../dom";
import { dropItemDraft, dropReportDraft, itemDraft, reportDraft } from "../../base/drafts";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { button, buttonLink, field, link, p, radios, summaryList, textInput, warning } from "../../base/ui";
import { countItems } from "../../format";
import { type UnsavedPart, findUnsaved, itemChanges, reportFields, reportValues } from "../../unsaved";
import { ANSWERS, answerInWords } from "./report";
import { loadRecord } from "./record";

export function checkPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const setup = await s.refresh();
    const [items, c] = await Promise.all([s.backend.listItems(caseId), s.backend.getCase(caseId)]);
    const unsaved = findUnsaved(items, (item) => itemDraft(doc, caseId, item.id), c.report, reportDraft(doc, caseId));
    const choice = s.sealChoices.get(caseId);
    const body: Node[] = [];

    // Unsaved text first: it must be saved (or left out knowingly by undoing it) first.
    if (unsaved.length > 0) {
      const save = button(doc, "Save them and continue", "seal-unsaved-save");
      save.addEventListener("click", () => void saveAll(s, caseId, unsaved, save));
      body.push(
        el(
          doc,
          "div",
          { class: "unsaved", "data-testid": "seal-unsaved", tabindex: "-1" },
          el(doc, "h2", { class: "unsaved__title", "data-testid": "seal-unsaved-title", text: "You have details you have not saved yet" }),
          p(doc, "Only saved details go into the sealed file."),
          el(
            doc,
            "ul",
            { class: "list", "data-testid": "seal-unsaved-list" },
            ...unsaved.map((u) => el(doc, "li", {}, link(doc, u.text, partHref(caseId, u)))),
          ),
          el(doc, "div", { "data-slot": "messages" }),
          el(doc, "div", { class: "actions" }, save),
        ),
      );
    }

    const live = items.filter((i) => !i.withdrawn && !i.removed).length;
    body.push(
      el(doc, "h2", { text: "What will be sealed" }),
      summaryList(doc, [
        {
          key: "Evidence",
          value: el(
            doc,
            "div",
            {},
            p(doc, items.length === 0 ? "Nothing yet" : `${countItems(live)}${items.length > live ? `, and ${items.length - live} withdrawn or removed (kept, marked)` : ""}`),
            el(doc, "ul", { class: "list list--plain" }, ...items.map((i, n) => el(doc, "li", { class: i.withdrawn || i.removed ? "struck" : "" }, `${n + 1}. ${i.site ?? "Where: not recorded"}`, i.withdrawn ? " (withdrawn)" : i.removed ? " (removed)" : ""))),
          ),
          change: { to: href(`record/${caseId}/details`), what: "the evidence" },
          testid: "check-items",
        },
      ]),
      reportSummary(doc, caseId, c.report),
    );

    // Who it goes to, and where it is saved (changed on a page of its own).
    const folder = choice?.folder ?? setup.default_folder;
    const who = setup.recipients;
    const toChoice =
      who.length > 1
        ? radios(doc, "s-to", "Who is it for?", who.map((r) => ({ value: r.name, label: r.name, hint: `Fingerprint ${r.fingerprint}` })), choice?.to || (who[0]?.name ?? null))
        : null;
    body.push(el(doc, "h2", { text: "Who it goes to, and where it is saved" }));
    if (who.length === 0) {
      body.push(warning(doc, "You have not added your designated safeguarding person yet. Only they can open what you seal.", "no-dsl"), el(doc, "p", {}, link(doc, "Add your designated person", href("settings/designated"), "add-dsl")));
    } else if (toChoice) {
      body.push(toChoice);
    }
    const r = who[0];
    body.push(
      summaryList(doc, [
        ...(r && !toChoice ? [{ key: "For", value: `${r.name} (fingerprint ${r.fingerprint})`, testid: "check-to" }] : []),
        { key: "Saved in", value: el(doc, "span", { "data-testid": "s-folder-shown", text: folder }), change: { to: href(`record/${caseId}/folder`), what: "where it is saved", testid: "s-folder-change" } },
      ]),
    );
    if (setup.profile.school === null) {
      body.push(warning(doc, "Your school's name is missing. It goes on the form.", "no-school"), el(doc, "p", {}, link(doc, "Add your school's name", href("settings/you"), "add-school")));
    }
    const go = button(doc, "Continue to seal", "check-continue");
    go.addEventListener("click", () => {
      const to = toChoice ? (toChoice.querySelector<HTMLInputElement>("input:checked")?.value ?? "") : (who[0]?.name ?? "");
      const problems = [];
      if (to === "") problems.push({ text: "Add your designated person first", field: who.length === 0 ? undefined : "s-to" });
      if (folder.trim() === "") problems.push({ text: "Choose where to save it" });
      if (problems.length > 0) {
        s.router.problems(problems.map((x) => ("field" in x && x.field ? { text: x.text, field: x.field } : { text: x.text })));
        return;
      }
      s.sealChoices.set(caseId, { to, folder: folder.trim() });
      void s.router.go(`record/${caseId}/seal`);
    });
    if (unsaved.length === 0) body.push(el(doc, "div", { "data-slot": "messages" }), el(doc, "div", { class: "actions" }, go));
    else body.push(p(doc, "Save your details above first.", { class: "hint" }));
    return {
      title: "Check before you seal",
      caption: rec.summary.title,
      steps: rec.steps("check"),
      back: href(`record/${caseId}/report/done`),
      body: () => body,
      shown: () => (unsaved.length > 0 ? doc.querySelector<HTMLElement>('[data-testid="seal-unsaved"]')?.focus() : doc.getElementById("page-title")?.focus()),
    };
  };
}

/** The report in three rows (what happened, what has been done, about you), each
 *  with its answers in words and one "Change"; questions left empty are counted. */
function reportSummary(doc: Document, caseId: string, report: ReportFields): HTMLElement {
  const group = (part: string): Node => {
    const answered = ANSWERS.filter(([f, , pt]) => pt === part && answerInWords(f, report[f]) !== "Not answered");
    if (answered.length === 0) return doc.createTextNode("Not answered");
    if (part === "what" && answered.length === 1 && answered[0]?.[0] === "description") return doc.createTextNode(answerInWords("description", report.description));
    return el(doc, "ul", { class: "list list--plain" }, ...answered.map(([f, label]) => el(doc, "li", {}, el(doc, "span", { class: "muted", text: `${label}: ` }), answerInWords(f, report[f]))));
  };
  const empty = ANSWERS.filter(([f]) => answerInWords(f, report[f]) === "Not answered").length;
  const list = summaryList(
    doc,
    [
      {
        key: "Your report",
        value: el(
          doc,
          "div",
          {},
          el(doc, "p", { class: "muted", text: "What happened" }),
          group("what"),
          el(doc, "p", { class: "muted", text: "What has been done" }),
          group("done"),
          el(doc, "p", { class: "muted", text: "About you" }),
          group("you"),
        ),
        change: { to: href(`record/${caseId}/report`), what: "your report" },
      },
    ],
    "check-report",
  );
  const wrap = el(doc, "div", {}, list);
  if (empty > 0) wrap.append(el(doc, "p", { class: "hint", "data-testid": "check-empty", text: empty === 1 ? "1 question is not answered: that is all right." : `${empty} questions are not answered: that is all right.` }));
  return wrap;
}

/** Where an unsaved part is typed: the item's page, or the report's page holding it. */
function partHref(caseId: string, u: UnsavedPart): string {
  if (u.kind === "item") return href(`record/${caseId}/details/${u.itemId ?? ""}`);
  const done = ["r-witnesses", "r-continuing", "r-platform", "r-advice", "r-informed", "r-police-yes", "r-police-no", "r-police-undecided", "r-police-ref"];
  const you = ["r-role", "r-contact", "r-addressed-to"];
  return href(`record/${caseId}/report${done.includes(u.input) ? "/done" : you.includes(u.input) ? "/you" : ""}`);
}

/** "Save them and continue": each part through its own save; a failure is named, and
 *  nothing is sealed. */
async function saveAll(s: Session, caseId: string, parts: UnsavedPart[], save: HTMLButtonElement): Promise<void> {
  const doc = s.doc;
  save.disabled = true;
  try {
    const [items, c] = await Promise.all([s.backend.listItems(caseId), s.backend.getCase(caseId)]);
    for (const part of parts) {
      try {
        if (part.kind === "item") {
          const item = items.find((i) => i.id === part.itemId);
          const draft = item ? itemDraft(doc, caseId, item.id) : null;
          if (!item || draft === null) continue;
          await s.backend.updateItem(item.id, itemChanges(draft));
          dropItemDraft(doc, caseId, item.id);
        } else {
          const draft = reportDraft(doc, caseId) ?? {};
          await s.backend.updateReport(caseId, reportFields({ ...reportValues(c.report), ...draft }));
          dropReportDraft(doc, caseId);
        }
      } catch (e) {
        await s.router.redraw();
        s.router.problems([{ text: `${part.name} could not be saved: ${toBackendError(e).message} Nothing was sealed.` }]);
        return;
      }
    }
    await s.router.redraw({ title: "Your details are saved.", text: "Check them below, then continue to seal." });
  } finally {
    save.disabled = false;
  }
}
