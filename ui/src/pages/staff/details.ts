// Step 2, Details: what is known of each item (where, when, who from), each with "Change".
// An item described later than it was kept is as good; "not recorded" is said plainly.

import { el } from "../../dom";
import { itemDraft } from "../../base/drafts";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { buttonLink, p, summaryList, warning } from "../../base/ui";
import { whenInWords } from "../../format";
import { unsavedItemFields } from "../../unsaved";
import { loadRecord } from "./record";

export function detailsPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const items = await s.backend.listItems(caseId);
    const blocks = items.map((item, i) => {
      const to = href(`record/${caseId}/details/${item.id}`);
      const draft = itemDraft(doc, caseId, item.id);
      const unsaved = draft !== null && unsavedItemFields(item, draft).length > 0;
      const who = item.from.handle ?? item.from.email ?? item.from.phone ?? item.from.profile;
      return el(
        doc,
        "section",
        { class: item.withdrawn ? "item-details item-details--withdrawn" : "item-details", "data-item-id": String(item.id), "data-testid": "item-details" },
        el(doc, "h2", { class: "item-details__name" }, `${i + 1}. `, item.original_name),
        item.removed ? p(doc, "Removed as a possible indecent image of a child. Only its record remains.") : null,
        item.withdrawn ? p(doc, `Withdrawn: ${item.withdrawn.reason}. It is kept, marked.`) : null,
        unsaved ? warning(doc, "You have changed these details but not saved them.", "item-unsaved") : null,
        item.removed
          ? null
          : summaryList(doc, [
              { key: "Where", value: item.site ?? "Not recorded", change: { to, what: `where you saw item ${i + 1}` } },
              { key: "When you saw it", value: item.seen ? whenInWords(item.seen) : "Not recorded", change: { to, what: `when you saw item ${i + 1}` } },
              { key: "Who it came from", value: who ?? "Not recorded", change: { to, what: `who item ${i + 1} came from` } },
              { key: "Note", value: item.note ?? "None", change: { to, what: `the note of item ${i + 1}` } },
            ]),
      );
    });
    return {
      title: "Details of the evidence",
      caption: rec.summary.title,
      steps: rec.steps("details"),
      back: href(`record/${caseId}/evidence`),
      body: () => [
        items.length === 0 ? p(doc, "Nothing is kept in this record yet.", { class: "empty" }) : p(doc, "Change anything missing or wrong."),
        ...blocks,
        el(doc, "div", { "data-slot": "messages" }),
        el(doc, "div", { class: "actions" }, buttonLink(doc, "Continue", href(`record/${caseId}/report`), "continue")),
      ],
    };
  };
}
