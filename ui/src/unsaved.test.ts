import { describe, expect, test } from "vitest";
import type { IncidentReport } from "./backend";
import { fakeItem } from "./testing";
import { findUnsaved, itemChanges, reportFields, reportValues, unsavedItemFields, unsavedReportFields } from "./unsaved";

const STAMP = { utc: "2026-11-25T10:32:05.123Z", local: "2026-11-25T10:32:05.123+00:00", zone: "Europe/London" };
const item = (id: number, over = {}) =>
  fakeItem({ id, sha256: "ab".repeat(32), size: 1, media_type: "image/png", original_name: `screen-${id}.png`, source: "screen", captured: STAMP, ...over });
const REPORT: IncidentReport = {
  role: "Year 4 teacher", contact: null, addressed_to: null, description: "A post about me.", responsible: "parent",
  witnesses: null, continuing: true, platform_report: null, advice: null, informed: null,
  police: "undecided", police_ref: null, police_decided: null, indecent_images: [],
};

describe("an item's details", () => {
  test("a field typed differently from what is saved is unsaved; spaces around it are not", () => {
    const it = item(1, { site: "Facebook", from: { handle: "@a", email: null, phone: null, profile: null } });
    expect(unsavedItemFields(it, { site: "Facebook", from_handle: "@a", url: "", note: "", seen: "" })).toEqual([]);
    expect(unsavedItemFields(it, { site: " Facebook  " })).toEqual([]);
    expect(unsavedItemFields(it, { site: "WhatsApp", from_handle: "@b" })).toEqual(["site", "from_handle"]);
    expect(unsavedItemFields(it, { site: "" })).toEqual(["site"]); // clearing it is a change too
  });

  test("'when you saw it' starts empty: only a time typed into it is unsaved", () => {
    const it = item(1, { seen: "2026-11-24T21:05:00Z" });
    expect(unsavedItemFields(it, { seen: "" })).toEqual([]);
    expect(unsavedItemFields(it, { seen: "2026-11-24T22:00" })).toEqual(["seen"]);
  });

  test("a draft's missing fields are taken as saved", () => {
    expect(unsavedItemFields(item(1, { note: "kept" }), {})).toEqual([]);
  });

  test("what it saves is what 'Save details' sends", () => {
    expect(itemChanges({ site: " WhatsApp ", url: "", seen: "", from_handle: "@x", note: "" })).toEqual([
      ["site", "WhatsApp"], ["url", null], ["from_handle", "@x"], ["note", null],
    ]);
    expect(itemChanges({ seen: "2026-11-24T22:00" })).toContainEqual(["seen", "2026-11-24T22:00"]);
  });
});

describe("the report", () => {
  test("the saved report, as the form shows it, saves back unchanged", () => {
    const { police_decided: _, indecent_images: __, ...fields } = REPORT;
    expect(reportFields(reportValues(REPORT))).toEqual(fields);
    expect(unsavedReportFields(REPORT, reportValues(REPORT))).toEqual([]);
  });

  test("changed text, choices and the police answer are each named", () => {
    const typed = { ...reportValues(REPORT), "r-description": "A post about me, again.", "r-continuing": "no", "r-police-undecided": false, "r-police-no": true };
    expect(unsavedReportFields(REPORT, typed)).toEqual(["description", "continuing", "police"]);
  });

  test("a report never saved: only what was typed is unsaved", () => {
    expect(unsavedReportFields(undefined, { "r-description": "Posted tonight.", "r-role": "  " })).toEqual(["description"]);
  });
});

describe("findUnsaved", () => {
  test("numbers items as listed, names the file and each field in words, then the report", () => {
    const items = [item(7), item(8), item(9, { removed: { at: STAMP, reason: "possible indecent image" } })];
    const typed: Record<number, Record<string, string>> = {
      7: { site: "" },
      8: { site: "WhatsApp", seen: "2026-11-24T22:00", from_handle: "@x", note: "Sent at night", url: "https://example.com/p" },
      9: { site: "never shown" },
    };
    const parts = findUnsaved(items, (it) => typed[it.id] ?? null, REPORT, { "r-description": "Changed." });
    expect(parts.map((p) => [p.name, p.text, p.input])).toEqual([
      [
        "Item 2 (screen-8.png)",
        "Item 2 (screen-8.png): where you saw it, its web address, when you saw it, who sent it, your note",
        "item-8-site",
      ],
      ["The report", "The report: what happened", "r-description"],
    ]);
  });

  test("nothing typed, nothing unsaved", () => {
    expect(findUnsaved([item(1)], () => null, REPORT, null)).toEqual([]);
  });
});
