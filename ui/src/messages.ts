// The page's two message places, shared by the staff member's and the designated
// person's screens: the status line (polite) and the error summary (focused).
import { PART_BYTES } from "./backend";
import { byId, el } from "./dom";

/** One line of the error summary; `field` is the id of the input it is about. */
export interface Problem {
  text: string;
  field?: string;
}

/** Say something in the status line. */
export function say(doc: Document, text: string): void {
  byId(doc, "status").textContent = text;
}

/**
 * Progress for a file passing to the app, said in the status line as "DOING: 40 %…" in
 * steps of 10 % (so a screen reader is not flooded), then "DOING: saving and
 * checking…" while the app takes it in. Files of one part say nothing more.
 */
export function sayProgress(doc: Document, doing: string): (sent: number, total: number) => void {
  let shown = -1;
  return (sent, total) => {
    if (total <= PART_BYTES) return;
    const step = Math.floor((sent * 10) / total) * 10;
    if (step === shown) return;
    shown = step;
    say(doc, step >= 100 ? `${doing}: saving and checking…` : `${doing}: ${step} %…`);
  };
}

/** Show the error summary with these lines, and move focus to it. */
export function showProblems(doc: Document, problems: Problem[]): void {
  const summary = byId(doc, "error-summary");
  byId(doc, "error-summary-list").replaceChildren(
    ...problems.map((p) => {
      if (!p.field) return el(doc, "li", { text: p.text });
      const field = p.field;
      const link = el(doc, "a", { href: `#${field}`, text: p.text });
      link.addEventListener("click", (ev) => {
        ev.preventDefault();
        byId(doc, field).focus();
      });
      return el(doc, "li", {}, link);
    }),
  );
  summary.hidden = false;
  summary.focus();
}

/** Hide the error summary. */
export function clearSummary(doc: Document): void {
  byId(doc, "error-summary").hidden = true;
  byId(doc, "error-summary-list").replaceChildren();
}
