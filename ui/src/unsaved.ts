// Details typed but not saved: an item's "Describe it" and the report are kept as a
// draft on every keystroke (nothing typed is lost), but only saved details go into a
// sealed record. Before sealing, these pure functions say what is still unsaved, so the
// page can stop and name it, and turn a draft into what the save commands take.
// Tested in unsaved.test.ts.
import type { Item, ItemField, PoliceDecision, ReportFields, Responsible } from "./backend";

/** The fields of an item's "Describe it" form, as its inputs are named. */
export const ITEM_FIELDS = ["site", "url", "seen", "from_handle", "note"] as const;
export type ItemFormField = (typeof ITEM_FIELDS)[number];
/** What the item form holds (or its draft kept), by field; a missing one is as saved. */
export type ItemValues = Partial<Record<ItemFormField, string>>;

/** Each report input's id and the report field it fills (the police radios apart). */
export const REPORT_INPUTS: ReadonlyArray<readonly [string, Exclude<keyof ReportFields, "police">]> = [
  ["r-role", "role"],
  ["r-contact", "contact"],
  ["r-addressed-to", "addressed_to"],
  ["r-description", "description"],
  ["r-responsible", "responsible"],
  ["r-witnesses", "witnesses"],
  ["r-continuing", "continuing"],
  ["r-platform", "platform_report"],
  ["r-advice", "advice"],
  ["r-informed", "informed"],
  ["r-police-ref", "police_ref"],
];
export const POLICE_CHOICES: readonly PoliceDecision[] = ["yes", "no", "undecided"];
/** What the report form holds (or its draft kept), by input id; `r-police-yes` etc. are booleans. */
export type ReportValues = Record<string, string | boolean>;

/** How each field is named to the person when it is not saved yet. */
const ITEM_WORDS: Record<ItemFormField, string> = {
  site: "where you saw it",
  url: "its web address",
  seen: "when you saw it",
  from_handle: "who sent it",
  note: "your note",
};
const REPORT_WORDS: Record<keyof ReportFields, string> = {
  role: "your role",
  contact: "your school contact",
  addressed_to: "your designated person",
  description: "what happened",
  responsible: "who is responsible",
  witnesses: "others involved",
  continuing: "whether it is still going on",
  platform_report: "reporting it to the platform",
  advice: "advice you sought",
  informed: "others you told",
  police: "the police question",
  police_ref: "the police reference",
};

const text = (v: string | boolean | undefined): string | null => {
  const t = typeof v === "string" ? v.trim() : "";
  return t === "" ? null : t;
};

/** What the item's form would save: the same changes "Save details" sends. */
export function itemChanges(values: ItemValues): Array<[ItemField, string | null]> {
  const changes: Array<[ItemField, string | null]> = [
    ["site", text(values.site)],
    ["url", text(values.url)],
    ["from_handle", text(values.from_handle)],
    ["note", text(values.note)],
  ];
  // "When you saw it" shows the saved time; emptied, it is left as it is (a time once
  // recorded is only ever changed, never taken away).
  const seen = text(values.seen);
  if (seen !== null) changes.push(["seen", seen]);
  return changes;
}

/** The saved value of an item field, as its form shows it. */
function savedItemValue(item: Item, f: ItemFormField): string | null {
  if (f === "from_handle") return item.from.handle;
  return item[f];
}

/** The fields of `item` whose typed value differs from what is saved, in form order. */
export function unsavedItemFields(item: Item, values: ItemValues): ItemFormField[] {
  const changed = new Map(itemChanges(values));
  return ITEM_FIELDS.filter((f) => {
    if (values[f] === undefined) return false;
    // An emptied time is left as it is (see itemChanges): nothing unsaved.
    if (f === "seen" && text(values.seen) === null) return false;
    const typed = changed.has(f) ? (changed.get(f) ?? null) : null;
    return typed !== savedItemValue(item, f);
  });
}

/** The report as its form shows the saved fields (the inverse of `reportFields`). */
export function reportValues(saved: ReportFields | undefined): ReportValues {
  const values: ReportValues = {};
  for (const [id, f] of REPORT_INPUTS) {
    const v = saved?.[f] ?? null;
    values[id] = v === null ? "" : typeof v === "boolean" ? (v ? "yes" : "no") : v;
  }
  for (const p of POLICE_CHOICES) values[`r-police-${p}`] = saved?.police === p;
  return values;
}

/** What "Save the report" sends for these values. */
export function reportFields(values: ReportValues): ReportFields {
  const v = (id: string) => text(values[id]);
  const continuing = v("r-continuing");
  return {
    role: v("r-role"),
    contact: v("r-contact"),
    addressed_to: v("r-addressed-to"),
    description: v("r-description"),
    responsible: v("r-responsible") as Responsible | null,
    witnesses: v("r-witnesses"),
    continuing: continuing === null ? null : continuing === "yes",
    platform_report: v("r-platform"),
    advice: v("r-advice"),
    informed: v("r-informed"),
    police: POLICE_CHOICES.find((p) => values[`r-police-${p}`] === true) ?? null,
    police_ref: v("r-police-ref"),
  };
}

/** The report fields whose typed value differs from what is saved, in form order. */
export function unsavedReportFields(saved: ReportFields | undefined, values: ReportValues): Array<keyof ReportFields> {
  const was = reportFields(reportValues(saved));
  const now = reportFields({ ...reportValues(saved), ...values });
  const order: Array<keyof ReportFields> = REPORT_INPUTS.map(([, f]) => f);
  order.splice(order.indexOf("police_ref"), 0, "police");
  return order.filter((f) => was[f] !== now[f]);
}

/** One thing with details not saved yet, as the message before sealing lists it. */
export interface UnsavedPart {
  /** `item` with its id, or the report. */
  kind: "item" | "report";
  itemId?: number;
  /** "Item 2 (screen-2.png)" or "The report". */
  name: string;
  /** What the person reads: "Item 2 (screen-2.png): where you saw it, who sent it". */
  text: string;
  /** The id of the first input with unsaved text, to take them to. */
  input: string;
}

/**
 * Everything with unsaved details: each item (numbered as listed, 1 first) whose typed
 * details differ from what is saved, then the report. `itemValues` gives what is typed
 * for an item (or null for nothing); items whose bytes were removed have no details
 * form and are left out.
 */
export function findUnsaved(
  items: Item[],
  itemValues: (item: Item) => ItemValues | null,
  report: ReportFields | undefined,
  typedReport: ReportValues | null,
): UnsavedPart[] {
  const parts: UnsavedPart[] = [];
  items.forEach((item, i) => {
    if (item.removed) return;
    const values = itemValues(item);
    if (values === null) return;
    const fields = unsavedItemFields(item, values);
    const first = fields[0];
    if (first === undefined) return;
    const name = `Item ${i + 1} (${item.original_name})`;
    parts.push({
      kind: "item",
      itemId: item.id,
      name,
      text: `${name}: ${fields.map((f) => ITEM_WORDS[f]).join(", ")}`,
      input: `item-${item.id}-${first}`,
    });
  });
  if (typedReport !== null) {
    const fields = unsavedReportFields(report, typedReport);
    const first = fields[0];
    if (first !== undefined) {
      const input = first === "police" ? "r-police-yes" : (REPORT_INPUTS.find(([, f]) => f === first)?.[0] ?? "r-description");
      const name = "The report";
      parts.push({ kind: "report", name, text: `${name}: ${fields.map((f) => REPORT_WORDS[f]).join(", ")}`, input });
    }
  }
  return parts;
}
