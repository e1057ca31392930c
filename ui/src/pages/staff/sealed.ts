// Step 6, What happens next: the sealed file's name and folder, "Show in folder", "Save a
// copy to…", "Print the form", "I have given it to them", and what the designated person
// will do. The form for printing is made in a private temporary folder, never beside the
// sealed file (an unencrypted report on a lost USB stick would give it all away).

import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { button, link, p, technical } from "../../base/ui";
import { loadRecord } from "./record";
import { helplines } from "./support";

export function sealedPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const sealed = s.sealed.get(caseId) ?? null;
    const to = s.sealChoices.get(caseId)?.to ?? "your designated person";
    if (rec.summary.state === "open" && !sealed) {
      await s.router.go(`record/${caseId}/check`);
      return { title: "Check before you seal", body: () => [] };
    }
    const show = button(doc, "Show in folder", "sealed-show", "secondary");
    show.addEventListener("click", () =>
      void s.act(async () => {
        if (sealed) await s.backend.showInFolder(sealed.path);
      }),
    );
    const copy = button(doc, "Save a copy to…", "sealed-copy", "secondary");
    copy.addEventListener("click", () =>
      void s.act(async () => {
        if (!sealed) return;
        const where = await s.backend.saveCopy(sealed.path);
        if (where !== null) s.router.done("A copy is saved.", `It is ${where}.`);
      }),
    );
    const print = button(doc, "Print the form", "form-print", "secondary");
    print.addEventListener("click", () =>
      void s.act(async () => {
        s.router.busy("Making the form…");
        await s.backend.printForm(caseId);
        s.router.done("The form is open to print.", "It is kept in a private folder and removed when you close Evidence Kit.");
      }),
    );
    const given = button(doc, "I have given it to them", "handed-over");
    given.addEventListener("click", () =>
      void s.act(async () => {
        await s.backend.markHandedOver(caseId, to === "your designated person" ? null : to);
        given.replaceWith(p(doc, `Noted in the record: you gave it to ${to}.`, { class: "done", "data-testid": "handed-over-done" }));
        s.router.done("Noted.", `The record says you gave the sealed file to ${to}.`);
      }),
    );
    const when = rec.summary.last_sealed;
    return {
      title: "Your record is sealed",
      caption: rec.summary.title,
      steps: rec.steps("sealed"),
      back: href(""),
      body: () => [
        el(
          doc,
          "div",
          { class: "panel-confirm", "data-testid": "sealed" },
          el(doc, "p", { class: "panel-confirm__title", text: "Sealed" }),
          sealed
            ? el(doc, "p", {}, "The file is called ", el(doc, "strong", { "data-testid": "sealed-name", text: sealed.file_name }), ".")
            : p(doc, when ? `It was sealed ${when}.` : "It is sealed."),
          sealed ? p(doc, `It is in ${sealed.path.slice(0, Math.max(0, sealed.path.length - sealed.file_name.length - 1)) || sealed.path}.`, { "data-testid": "sealed-path" }) : null,
        ),
        sealed ? el(doc, "div", { class: "actions" }, show, copy, print) : el(doc, "div", { class: "actions" }, print),
        // Its fingerprint, for a designated person who wants to compare it by phone.
        sealed
          ? technical(
              doc,
              p(doc, "The sealed file's SHA-256 fingerprint. Your designated person's Evidence Kit shows the same one when they open it:"),
              el(doc, "code", { class: "hash", "data-testid": "sealed-sha", text: sealed.sha256 }),
            )
          : null,
        el(doc, "h2", { text: "What happens next" }),
        el(
          doc,
          "ol",
          { class: "list list--number" },
          el(doc, "li", { text: `Give the file to ${to}, on a USB stick or by school e-mail.` }),
          el(doc, "li", { text: "Print the form, sign it and hand it in." }),
          el(doc, "li", { text: "They will check it and talk to you. Telling the police is your choice." }),
        ),
        el(doc, "div", { "data-slot": "messages" }),
        el(doc, "div", { class: "actions" }, given),
        el(doc, "p", { class: "hint", text: "More evidence later? Seal it again." }),
        helplines(doc),
      ],
    };
  };
}
