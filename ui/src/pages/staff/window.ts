// "A window": choose one of the other windows open on the screen; a picture of it is kept.

import { toBackendError } from "../../backend";
import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, link, p } from "../../base/ui";
import { loadRecord } from "./record";

export function windowPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const back = href(`record/${caseId}/evidence`);
    const titles = await s.backend.listWindows();
    if (titles.length === 0) {
      return {
        title: "No other window is open",
        caption: rec.summary.title,
        back,
        body: () => [p(doc, "Open the page or message you want to keep, then come back here."), actions(doc, link(doc, "Back to the evidence", back, "continue"))],
      };
    }
    const select = el(doc, "select", { name: "window", "data-testid": "window-select" }, ...titles.map((t) => el(doc, "option", { value: t, text: t })));
    const submit = async () => {
      s.router.busy(`Taking a picture of “${select.value}”…`);
      try {
        const item = await s.backend.captureWindow(caseId, select.value);
        await s.router.go(`record/${caseId}/item/${item.id}`, { title: `Kept as “${item.original_name}”.` });
      } catch (e) {
        s.router.problems([{ text: toBackendError(e).message }]);
      }
    };
    return {
      title: "Which window?",
      caption: rec.summary.title,
      back,
      body: () => [
        form(doc, "window-form", () => void submit(), field(doc, "window-select", "The window to keep a picture of", select), actions(doc, button(doc, "Capture this window", "capture-window", "primary", "submit"))),
        el(doc, "p", { class: "quiet-links" }, link(doc, "This may be an indecent image of a child", href(`record/${caseId}/safeguard`), "window-iioc")),
      ],
      shown: () => select.focus(),
    };
  };
}
