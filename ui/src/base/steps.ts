// The step indicator on a record's pages: Evidence → Details → Report → Check → Seal →
// What happens next. Each step done or reachable is a link; the current one is marked for
// screen readers (aria-current="step").

import { el } from "../dom";
import { href } from "./router";

export const STEPS = [
  ["evidence", "Evidence"],
  ["details", "Details"],
  ["report", "Report"],
  ["check", "Check"],
  ["seal", "Seal"],
  ["sealed", "What happens next"],
] as const;
export type Step = (typeof STEPS)[number][0];

/** The indicator for record `caseId` at step `at`; the last step is a link only once sealed. */
export function steps(doc: Document, caseId: string, at: Step, sealed: boolean): HTMLElement {
  return el(
    doc,
    "nav",
    { class: "steps", "aria-label": "Steps", "data-testid": "steps" },
    el(
      doc,
      "ol",
      { class: "steps__list" },
      ...STEPS.map(([step, label], i) => {
        const current = step === at;
        // The number is the list's own (drawn by style.css), not part of the text.
        const text = label;
        void i;
        const reachable = step !== "sealed" || sealed;
        const inner = current || !reachable
          ? el(doc, "span", { text })
          : el(doc, "a", { href: href(`record/${caseId}/${step}`), text });
        return el(
          doc,
          "li",
          { class: current ? "steps__step steps__step--current" : "steps__step", ...(current ? { "aria-current": "step" } : {}) },
          inner,
        );
      }),
    ),
  );
}
