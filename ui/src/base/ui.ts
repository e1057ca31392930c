// The pieces pages are made of, after the GOV.UK Design System's components: a field with
// its label, hint and error; buttons (one primary per page); a summary list with "Change"
// links; the error summary and the notification banner; warning and inset text; "Technical
// details" for what a person need not read. Text goes in through textContent only (dom.ts).

import { el } from "../dom";

/** One line of an error summary; `field` is the id of the input it is about. */
export interface Problem {
  text: string;
  field?: string;
}

type Child = Node | string | null | undefined | false;

/** A paragraph. */
export function p(doc: Document, text: string, attrs: Record<string, string> = {}): HTMLParagraphElement {
  return el(doc, "p", { ...attrs, text });
}

/** A field: label, hint, the input itself (given, with its id), and room for an error. */
export function field(
  doc: Document,
  id: string,
  label: string,
  input: HTMLElement,
  hint?: string,
  extra?: Child,
): HTMLDivElement {
  input.id = id;
  if (hint) input.setAttribute("aria-describedby", `${id}-hint`);
  return el(
    doc,
    "div",
    { class: "field", id: `${id}-field` },
    el(doc, "label", { for: id, text: label }),
    hint ? el(doc, "p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    input,
    extra,
  );
}

/** A one-line text input. */
export function textInput(
  doc: Document,
  name: string,
  value: string | null,
  attrs: Record<string, string> = {},
): HTMLInputElement {
  const input = el(doc, "input", { type: "text", name, autocomplete: "off", spellcheck: "true", ...attrs });
  input.value = value ?? "";
  return input;
}

/** A text area. */
export function textArea(doc: Document, name: string, value: string | null, rows = 4, attrs: Record<string, string> = {}): HTMLTextAreaElement {
  const area = el(doc, "textarea", { name, rows: String(rows), spellcheck: "true", ...attrs });
  area.value = value ?? "";
  return area;
}

export type ButtonKind = "primary" | "secondary" | "warning";

/** A button; `type` submit for the one that sends its form. */
export function button(
  doc: Document,
  text: string,
  testid: string,
  kind: ButtonKind = "primary",
  type: "button" | "submit" = "button",
): HTMLButtonElement {
  const cls = kind === "primary" ? "button" : `button button--${kind}`;
  return el(doc, "button", { type, class: cls, "data-testid": testid, text });
}

/** A link that looks like a button (for "Continue" that only moves on). */
export function buttonLink(doc: Document, text: string, to: string, testid: string, kind: ButtonKind = "primary"): HTMLAnchorElement {
  const cls = kind === "primary" ? "button" : `button button--${kind}`;
  return el(doc, "a", { class: cls, href: to, role: "button", draggable: "false", "data-testid": testid, text });
}

/** A plain link. */
export function link(doc: Document, text: string, to: string, testid?: string): HTMLAnchorElement {
  return el(doc, "a", { class: "link", href: to, ...(testid ? { "data-testid": testid } : {}), text });
}

/** The row of actions at the foot of a form, with the page's message place above it. */
export function actions(doc: Document, ...children: Child[]): DocumentFragment {
  const frag = doc.createDocumentFragment();
  frag.append(el(doc, "div", { "data-slot": "messages" }), el(doc, "div", { class: "actions" }, ...children));
  return frag;
}

/** A form that calls `onSubmit` (Enter in a field sends it), with no browser checks. */
export function form(doc: Document, testid: string, onSubmit: () => void, ...children: Child[]): HTMLFormElement {
  const f = el(doc, "form", { novalidate: "", "data-testid": testid }, ...children);
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onSubmit();
  });
  return f;
}

/** One row of a summary list. */
export interface Row {
  key: string;
  value: Node | string;
  /** A "Change" link: where it goes, and what it changes (read out: "Change where you saw it"). */
  change?: { to: string; what: string; testid?: string };
  testid?: string;
}

/** A summary list (GOV.UK): key, value, and a "Change" link per row. */
export function summaryList(doc: Document, rows: Row[], testid?: string): HTMLDListElement {
  return el(
    doc,
    "dl",
    { class: "summary-list", ...(testid ? { "data-testid": testid } : {}) },
    ...rows.map((r) =>
      el(
        doc,
        "div",
        { class: "summary-list__row", ...(r.testid ? { "data-testid": r.testid } : {}) },
        el(doc, "dt", { class: "summary-list__key", text: r.key }),
        el(doc, "dd", { class: "summary-list__value" }, r.value),
        r.change
          ? el(
              doc,
              "dd",
              { class: "summary-list__actions" },
              el(
                doc,
                "a",
                { class: "link", href: r.change.to, ...(r.change.testid ? { "data-testid": r.change.testid } : {}) },
                "Change",
                el(doc, "span", { class: "visually-hidden", text: ` ${r.change.what}` }),
              ),
            )
          : null,
      ),
    ),
  );
}

/** The error summary (GOV.UK): "There is a problem" and a link to each field. */
export function errorSummary(doc: Document, problems: Problem[]): HTMLDivElement {
  return el(
    doc,
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1", "data-testid": "error-summary", "aria-labelledby": "page-error-title" },
    el(doc, "h2", { class: "error-summary__title", id: "page-error-title", text: "There is a problem" }),
    el(
      doc,
      "ul",
      { class: "error-summary__list", "data-testid": "error-summary-list" },
      ...problems.map((pr) => {
        if (!pr.field) return el(doc, "li", { text: pr.text });
        const target = pr.field;
        const a = el(doc, "a", { href: `#${target}`, text: pr.text });
        a.addEventListener("click", (ev) => {
          ev.preventDefault();
          doc.getElementById(target)?.focus();
        });
        return el(doc, "li", {}, a);
      }),
    ),
  );
}

/** A notification banner (GOV.UK): a success says what was done; info what to know. */
export function banner(doc: Document, kind: "success" | "info", title: string, text?: string): HTMLDivElement {
  return el(
    doc,
    "div",
    {
      class: `banner banner--${kind}`,
      role: kind === "success" ? "alert" : "region",
      tabindex: "-1",
      "data-testid": kind === "success" ? "done" : "banner",
      "aria-label": kind === "success" ? "Done" : "Important",
    },
    el(doc, "p", { class: "banner__title", "data-testid": "done-title", text: title }),
    text ? el(doc, "p", { class: "banner__text", text }) : null,
  );
}

/** Warning text (GOV.UK): "!" and a sentence the person must not miss. */
export function warning(doc: Document, text: string, testid?: string): HTMLDivElement {
  return el(
    doc,
    "div",
    { class: "warning", ...(testid ? { "data-testid": testid } : {}) },
    el(doc, "span", { class: "warning__icon", "aria-hidden": "true", text: "!" }),
    el(doc, "strong", { class: "warning__text" }, el(doc, "span", { class: "visually-hidden", text: "Warning: " }), text),
  );
}

/** Inset text (GOV.UK): a quote, an example, a thing to know. */
export function inset(doc: Document, ...children: Child[]): HTMLDivElement {
  return el(doc, "div", { class: "inset" }, ...children);
}

/** "Technical details": shut until asked for (hashes, file types). */
export function technical(doc: Document, ...children: Child[]): HTMLDetailsElement {
  return el(doc, "details", { class: "details", "data-testid": "technical" }, el(doc, "summary", { text: "Technical details" }), ...children);
}

/** Radios in a fieldset with a legend; returns the fieldset (its inputs named `name`). */
export function radios(
  doc: Document,
  name: string,
  legend: string,
  choices: Array<{ value: string; label: string; hint?: string }>,
  checked: string | null,
  hint?: string,
): HTMLFieldSetElement {
  return el(
    doc,
    "fieldset",
    { class: "fieldset field", id: `${name}-field`, "data-testid": name },
    el(doc, "legend", { class: "fieldset__legend", text: legend }),
    hint ? el(doc, "p", { class: "hint", text: hint }) : null,
    ...choices.map((c, i) => {
      const id = i === 0 ? name : `${name}-${c.value}`;
      const input = el(doc, "input", { type: "radio", name, id, value: c.value, "data-testid": `${name}-${c.value}` });
      input.checked = checked === c.value;
      return el(
        doc,
        "div",
        { class: "choice" },
        input,
        el(doc, "label", { for: id, text: c.label }),
        c.hint ? el(doc, "p", { class: "hint choice__hint", text: c.hint }) : null,
      );
    }),
  );
}

/** The value of the radio `name` chosen in `root`, or null. */
export function chosen(root: ParentNode, name: string): string | null {
  return root.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}

/** A trimmed value, or null when empty. */
export function valueOf(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null): string | null {
  const t = input?.value.trim() ?? "";
  return t === "" ? null : t;
}

/** A folder to save in: typed, or chosen with the system's folder chooser (`choose`, given
 *  the folder typed so far, answers the folder picked or null if the person cancelled; it
 *  runs inside the page's `act`, which says any error beside the action). Returns the input
 *  (its value is the folder) and the button, for the page's field. */
export function folderInput(
  doc: Document,
  value: string,
  testid: string,
  choose: (start: string) => Promise<string | null>,
  act: (what: () => Promise<void>) => Promise<void>,
): { input: HTMLInputElement; chooser: HTMLButtonElement } {
  const input = textInput(doc, "folder", value, { spellcheck: "false", "data-testid": testid });
  const chooser = button(doc, "Choose a folder", `${testid}-choose`, "secondary");
  chooser.addEventListener("click", () =>
    void act(async () => {
      const got = await choose(input.value);
      if (got !== null) input.value = got;
    }),
  );
  return { input, chooser };
}
