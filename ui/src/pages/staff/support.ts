// Where to find help, shown as text (no links out of the app): on the home page and after
// sealing.

import { el } from "../../dom";

export function helplines(doc: Document): HTMLElement {
  return el(
    doc,
    "details",
    { class: "support details", "data-testid": "support" },
    el(doc, "summary", { class: "support__heading", text: "If you need to talk to someone" }),
    el(doc, "p", {}, el(doc, "strong", { text: "Education Support" }), ", for anyone working in education: 08000 562 561, free, 24 hours."),
    el(
      doc,
      "p",
      {},
      el(doc, "strong", { text: "Professionals Online Safety Helpline" }),
      " (UK Safer Internet Centre): 0344 381 4772, helpline@saferinternet.org.uk, Monday to Friday 10:00 to 16:00.",
    ),
  );
}
