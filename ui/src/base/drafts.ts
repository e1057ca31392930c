// What a person types is kept as a draft on every keystroke, in the window's storage, until
// it is saved: nothing typed is lost if the window closes or a save fails, and Check (before
// sealing) finds what is not saved yet. The keys are the ones earlier versions used, so a
// draft kept by them still comes back.

import { ITEM_FIELDS, type ItemValues, type ReportValues } from "../unsaved";

function storage(doc: Document): Storage | null {
  try {
    return doc.defaultView?.localStorage ?? null;
  } catch {
    return null;
  }
}

const key = (kind: string, id: string | number) => `evidence-kit-draft:${kind}:${id}`;

function read(doc: Document, k: string): Record<string, unknown> | null {
  const raw = storage(doc)?.getItem(k);
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null; // An unreadable draft is left alone; the saved details are shown.
  }
}

function write(doc: Document, k: string, value: unknown): void {
  try {
    storage(doc)?.setItem(k, JSON.stringify(value));
  } catch (e) {
    // Full or gone: the form on the page still holds what was typed.
    console.error("draft not kept:", e);
  }
}

/** The kept draft of an item's details (or, from before drafts named their record, the
 *  one under the item number alone), or null. */
export function itemDraft(doc: Document, caseId: string, itemId: number): ItemValues | null {
  const d = read(doc, key("item", `${caseId}:${itemId}`)) ?? read(doc, key("item", itemId));
  if (d === null) return null;
  const values: ItemValues = {};
  for (const f of ITEM_FIELDS) {
    const v = d[f];
    if (typeof v === "string") values[f] = v;
  }
  return values;
}

export function keepItemDraft(doc: Document, caseId: string, itemId: number, values: ItemValues): void {
  write(doc, key("item", `${caseId}:${itemId}`), values);
}

export function dropItemDraft(doc: Document, caseId: string, itemId: number): void {
  storage(doc)?.removeItem(key("item", `${caseId}:${itemId}`));
  storage(doc)?.removeItem(key("item", itemId));
}

/** The kept draft of a record's report (by input id), or null. */
export function reportDraft(doc: Document, caseId: string): ReportValues | null {
  const d = read(doc, key("report", caseId));
  if (d === null) return null;
  const values: ReportValues = {};
  for (const [k, v] of Object.entries(d)) if (typeof v === "string" || typeof v === "boolean") values[k] = v;
  return values;
}

/** Keep these report inputs' values, over what the draft held for the others. */
export function keepReportDraft(doc: Document, caseId: string, values: ReportValues): void {
  write(doc, key("report", caseId), { ...(reportDraft(doc, caseId) ?? {}), ...values });
}

export function dropReportDraft(doc: Document, caseId: string): void {
  storage(doc)?.removeItem(key("report", caseId));
}

/** Whether drafts can be kept at all (storage there and usable). */
export function draftsKept(doc: Document): boolean {
  return storage(doc) !== null;
}

/** Take these inputs out of the record's report draft (they are saved). */
export function dropReportDraftKeys(doc: Document, caseId: string, ids: readonly string[]): void {
  const d = reportDraft(doc, caseId);
  if (d === null) return;
  for (const id of ids) delete d[id];
  if (Object.keys(d).length === 0) dropReportDraft(doc, caseId);
  else write(doc, key("report", caseId), d);
}
