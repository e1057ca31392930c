// "What to do now" when something may be an indecent image of a child: the school's policy
// says it is never copied, kept or looked into, and the police are told at once. Nothing is
// captured here; the person may note that they saw it (when and where), which goes into the
// record's log and onto the form.

import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, link, p, textInput, valueOf } from "../../base/ui";
import { loadRecord } from "./record";

export function safeguardPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const site = textInput(doc, "site", null, { "data-testid": "iioc-site" });
    const note = async () =>
      s.act(async () => {
        await s.backend.recordIndecentImage(caseId, valueOf(site));
        // Said once, where the button was: the form is gone, so it is not pressed twice.
        f.replaceWith(el(doc, "div", { "data-slot": "messages" }));
        s.router.done("Noted in this record. Nothing was captured.", "It will be on the form you hand in.");
      });
    const f = form(
      doc,
      "iioc-form",
      () => void note(),
      el(doc, "h2", { text: "Note that you saw it" }),
      p(doc, "This only records that you saw it, and where. Nothing is captured."),
      field(doc, "iioc-site", "Where did you see it?", site, "The site or app. Leave it empty if you would rather not say."),
      actions(doc, button(doc, "Note that I saw it", "iioc-record", "primary", "submit")),
    );
    return {
      title: "What to do now",
      caption: rec.summary.title,
      back: href(`record/${caseId}/evidence`),
      body: () => [
        el(
          doc,
          "ol",
          { class: "list list--number", "data-testid": "iioc-advice" },
          el(doc, "li", { text: "Do not copy it, save it, send it or show it to anyone, even to report it." }),
          el(doc, "li", { text: "Tell the police now: 999 if a child is in danger, otherwise 101." }),
          el(doc, "li", { text: "Tell your designated safeguarding person today." }),
        ),
        p(doc, "You have done nothing wrong by seeing it. It is all right to take a moment."),
        f,
        el(doc, "p", {}, link(doc, "Back to the evidence", href(`record/${caseId}/evidence`), "iioc-close")),
      ],
    };
  };
}
