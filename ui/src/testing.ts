// Helpers shared by the UI's unit tests (never imported by the app itself).
import page from "../index.html?raw";
import type { Case, CaseSummary, IncidentReport, Item } from "./backend";

/** The element `sel` finds, or a failed test naming it. */
export const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => {
  const node = document.querySelector<T>(sel);
  if (!node) throw new Error(`no ${sel}`);
  return node;
};

/** Let pending promises and timers of zero delay run. */
export const settle = (): Promise<unknown> => new Promise((r) => setTimeout(r, 0));

/**
 * Put the real page's <body> (a fixed file, not data) into the document, parsed inert
 * in a <template> so the stylesheet and script in <head> are not fetched.
 */
export function loadPage(): void {
  const body = /<body>([\s\S]*)<\/body>/.exec(page)?.[1] ?? "";
  const template = document.createElement("template");
  template.innerHTML = body;
  document.body.replaceChildren(template.content.cloneNode(true));
}

/** What each test chooses about an item; the rest are filled by `fakeItem`. */
type ItemBasics = Pick<Item, "id" | "sha256" | "size" | "media_type" | "original_name" | "source" | "captured">;

/** An item as the core returns it: `over` as given, every detail not given empty. */
export function fakeItem(over: ItemBasics & Partial<Item>): Item {
  return {
    case_id: "EK-1",
    captured_by: "A. Teacher",
    site: null,
    url: null,
    from: { handle: null, email: null, phone: null, profile: null },
    seen: null,
    note: null,
    email: null,
    withdrawn: null,
    ...over,
  };
}

/** An incident report with nothing filled in, as the core sends it. */
export const EMPTY_REPORT: IncidentReport = {
  role: null, contact: null, addressed_to: null, description: null, responsible: null,
  witnesses: null, continuing: null, platform_report: null, advice: null, informed: null,
  police: null, police_ref: null, police_decided: null, indecent_images: [],
};

/** A case as the core returns it: `over` as given, an empty report if none given. */
export function fakeCase(over: Omit<Case, "report"> & Partial<Case>): Case {
  return { report: EMPTY_REPORT, ...over };
}

/** A case in the list as the core returns it: never sealed unless `over` says otherwise. */
export function fakeSummary(
  over: Omit<CaseSummary, "report" | "state" | "last_sealed" | "handed_over" | "changed_since_seal" | "receipt"> &
    Partial<CaseSummary>,
): CaseSummary {
  return {
    report: EMPTY_REPORT,
    state: "open",
    last_sealed: null,
    handed_over: null,
    changed_since_seal: false,
    receipt: null,
    ...over,
  };
}
