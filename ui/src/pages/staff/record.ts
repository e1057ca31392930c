// What every page of one record shares: the record's summary (its title for the caption,
// whether it is sealed, for the step indicator), read afresh when a page is drawn.

import type { CaseSummary } from "../../backend";
import { BackendError } from "../../backend";
import type { Session } from "../../base/session";
import { type Step, steps } from "../../base/steps";

export interface RecordView {
  summary: CaseSummary;
  /** The step indicator at `at`. */
  steps(at: Step): HTMLElement;
}

export async function loadRecord(s: Session, caseId: string): Promise<RecordView> {
  const cases = await s.backend.listCases();
  const summary = cases.find((c) => c.id === caseId);
  if (!summary) throw new BackendError("unknown_case", "That record is not in this store. Choose it again from your records.");
  // The capture shortcut keeps into the record on screen.
  s.backend.setCurrentCase(caseId).catch(() => undefined);
  return { summary, steps: (at) => steps(s.doc, caseId, at, summary.state !== "open") };
}

/** "Item 3" for the item at `index` (0 first) in the record's list. */
export function itemNumber(index: number): string {
  return `Item ${index + 1}`;
}
