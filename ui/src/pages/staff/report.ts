// Step 3, the report: the questions of the school's E-safety incident-logging form, on
// short pages ("What happened", "What has been done"; "About you" from Check). Each page's
// answers are kept as a draft as they are typed and saved by its Continue; the person's
// role, school contact and designated person come from set-up the first time.

import type { Case, ReportFields } from "../../backend";
import { el } from "../../dom";
import { dropReportDraftKeys, keepReportDraft, reportDraft } from "../../base/drafts";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, inset, p, radios, textArea, textInput } from "../../base/ui";
import { type ReportValues, reportFields, reportValues } from "../../unsaved";
import { loadRecord } from "./record";

type Part = "what" | "done" | "you";

/** The report's text inputs on each page: input id, label, hint, rows (0: one line). */
const TEXTS: Record<Part, Array<[string, string, string | undefined, number]>> = {
  what: [["r-description", "In your own words", "Quote the words used where you can.", 5]],
  done: [
    ["r-witnesses", "Others involved, or witnesses", undefined, 0],
    ["r-platform", "Reported to the site or app? When, and its reference", undefined, 0],
    ["r-advice", "Advice you have asked for", undefined, 0],
    ["r-informed", "Others you have told", undefined, 0],
  ],
  you: [
    ["r-role", "Your role at school", undefined, 0],
    ["r-contact", "Your school e-mail or phone", "Not a personal one: the school's policy asks for school contacts only.", 0],
    ["r-addressed-to", "Your designated safeguarding person", undefined, 0],
  ],
};

const TITLES: Record<Part, string> = { what: "What happened", done: "What has been done so far", you: "About you, on the form" };

/** Every input id a page holds (its texts, and its choices). */
function idsOf(part: Part): string[] {
  const ids = TEXTS[part].map(([id]) => id);
  if (part === "what") ids.push("r-responsible");
  if (part === "done") ids.push("r-continuing", "r-police-yes", "r-police-no", "r-police-undecided", "r-police-ref");
  return ids;
}

/** The person's details from set-up, for the report's "about you" when not answered yet. */
async function fromSetup(s: Session, saved: ReportFields): Promise<ReportValues> {
  const setup = await s.setup();
  const v: ReportValues = {};
  if (saved.role === null && setup.profile.role) v["r-role"] = setup.profile.role;
  if (saved.contact === null && setup.profile.contact) v["r-contact"] = setup.profile.contact;
  const dsl = setup.recipients[0];
  if (saved.addressed_to === null && dsl) v["r-addressed-to"] = dsl.name;
  return v;
}

export function reportPage(s: Session, part: Part): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const c: Case = await s.backend.getCase(caseId);
    const saved = reportValues(c.report);
    const draft = reportDraft(doc, caseId) ?? {};
    const prefill = part === "you" ? await fromSetup(s, c.report) : {};
    const shown: ReportValues = { ...saved, ...prefill, ...draft };
    const str = (id: string) => (typeof shown[id] === "string" ? (shown[id] as string) : "");

    const inputs = TEXTS[part].map(([id, label, hint, rows]) => {
      const input = rows > 0 ? textArea(doc, id, str(id), rows, { "data-testid": id }) : textInput(doc, id, str(id), { "data-testid": id });
      return field(doc, id, label, input, hint);
    });
    const choices: HTMLElement[] = [];
    if (part === "what") {
      choices.push(
        radios(doc, "r-responsible", "Who do you believe is responsible?", [
          { value: "pupil", label: "A pupil" },
          { value: "parent", label: "A parent or carer" },
          { value: "colleague", label: "A colleague" },
          { value: "unknown", label: "I don't know" },
          { value: "other", label: "Someone else" },
        ], str("r-responsible") || null),
      );
    }
    if (part === "done") {
      const going = radios(doc, "r-continuing", "Is it still going on?", [
        { value: "yes", label: "Yes" },
        { value: "no", label: "No" },
      ], str("r-continuing") || null);
      going.classList.add("fieldset--inline");
      choices.push(going);
      const police = ["yes", "no", "undecided"].find((v) => shown[`r-police-${v}`] === true) ?? null;
      const set = radios(doc, "r-police", "Do you want to report this to the police?", [
        { value: "yes", label: "Yes" },
        { value: "no", label: "No" },
        { value: "undecided", label: "I have not decided yet" },
      ], police, "It is your choice.");
      set.classList.add("fieldset--inline");
      // The report's own input ids, so drafts and Check's links find them.
      for (const input of Array.from(set.querySelectorAll<HTMLInputElement>("input"))) {
        const old = input.id;
        input.id = `r-police-${input.value}`;
        set.querySelector(`label[for="${old}"]`)?.setAttribute("for", input.id);
      }
      choices.push(set, field(doc, "r-police-ref", "Police reference, if they have been told", textInput(doc, "r-police-ref", str("r-police-ref"), { "data-testid": "r-police-ref" })));
    }
    const values = (): ReportValues => {
      const v: ReportValues = {};
      for (const id of idsOf(part)) {
        const input = f.querySelector<HTMLInputElement>(`#${id}`);
        if (id.startsWith("r-police-") && id !== "r-police-ref") v[id] = input?.checked === true;
        else if (id === "r-responsible" || id === "r-continuing") v[id] = f.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`)?.value ?? "";
        else v[id] = input?.value ?? "";
      }
      return v;
    };
    const next = part === "what" ? `record/${caseId}/report/done` : `record/${caseId}/check`;
    const submit = async () =>
      s.act(async () => {
        const now = values();
        const fromYou = part === "you" ? {} : await fromSetup(s, c.report);
        await s.backend.updateReport(caseId, reportFields({ ...saved, ...fromYou, ...now }));
        dropReportDraftKeys(doc, caseId, idsOf(part));
        await s.router.go(next, part === "done" || part === "you" ? { title: "Your answers are saved." } : undefined);
      });
    const f = form(doc, "report-form", () => void submit(), ...inputs, ...choices, actions(doc, button(doc, part === "you" ? "Save" : "Continue", "report-save", "primary", "submit")));
    f.addEventListener("input", () => keepReportDraft(doc, caseId, values()));
    f.addEventListener("change", () => keepReportDraft(doc, caseId, values()));
    const hasDraft = idsOf(part).some((id) => draft[id] !== undefined && draft[id] !== saved[id]);
    return {
      title: TITLES[part],
      caption: rec.summary.title,
      steps: rec.steps("report"),
      back: href(part === "done" ? `record/${caseId}/report` : part === "you" ? `record/${caseId}/check` : `record/${caseId}/details`),
      body: () => [
        part === "what" ? p(doc, "Answer what you can.") : null,
        hasDraft ? inset(doc, "Your unsaved answers were kept. Continue to save them.") : null,
        f,
      ],
      shown: () => f.querySelector<HTMLElement>("input, textarea")?.focus(),
    };
  };
}

/** For Check: the answers as the person reads them, in the form's order. */
export const ANSWERS: Array<[keyof ReportFields, string, Part]> = [
  ["description", "What happened", "what"],
  ["responsible", "Who is responsible", "what"],
  ["witnesses", "Others involved", "done"],
  ["continuing", "Still going on", "done"],
  ["platform_report", "Reported to the site or app", "done"],
  ["advice", "Advice asked for", "done"],
  ["informed", "Others told", "done"],
  ["police", "Report to the police", "done"],
  ["police_ref", "Police reference", "done"],
  ["role", "Your role", "you"],
  ["contact", "Your school contact", "you"],
  ["addressed_to", "Your designated person", "you"],
];

/** A saved answer in words. */
export function answerInWords(f: keyof ReportFields, v: ReportFields[keyof ReportFields]): string {
  if (v === null || v === undefined || v === "") return "Not answered";
  if (f === "continuing") return v === true ? "Yes" : "No";
  if (f === "police") return v === "yes" ? "Yes" : v === "no" ? "No" : "Not decided yet";
  if (f === "responsible") {
    const words: Record<string, string> = { pupil: "A pupil", parent: "A parent or carer", colleague: "A colleague", unknown: "Not known", other: "Someone else" };
    return words[String(v)] ?? String(v);
  }
  return String(v);
}

