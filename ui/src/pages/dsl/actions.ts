// What the designated person does with a sealed file, one page each: unlock it, record
// what they have done (with whom it was referred to), make a receipt for the member of
// staff, read what happened to it, read an e-mail in it.

import { toBackendError } from "../../backend";
import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import { actions, button, field, folderInput, form, link, p, radios, summaryList, textInput, valueOf } from "../../base/ui";
import { whenInWords } from "../../format";
import type { DslSession } from "./context";
import { show } from "./open";
import { verdictBox, viewOf } from "./bundle";

export function unlockPage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const pass = el(doc, "input", { type: "password", autocomplete: "current-password", "data-testid": "dsl-unlock-pass" });
    return {
      title: "It is encrypted to you",
      back: href("dsl"),
      body: () => [
        p(doc, "Enter your passphrase to open it. It is asked once while Evidence Kit is open."),
        form(
          doc,
          "dsl-unlock",
          () => {
            if (pass.value === "") return s.router.problems([{ text: "Enter your passphrase", field: "dsl-unlock-pass" }]);
            void show(s, sha, pass.value);
          },
          field(doc, "dsl-unlock-pass", "Your passphrase", pass),
          actions(doc, button(doc, "Open it", "dsl-unlock-submit", "primary", "submit")),
        ),
      ],
      shown: () => pass.focus(),
    };
  };
}

const STATUS_WORDS: Record<string, string> = { received: "Received", reviewed: "Reviewed", referred: "Referred", closed: "Closed" };
const REFERRED = [
  ["headteacher", "The headteacher"],
  ["chair-of-governors", "The chair of governors"],
  ["hr", "HR"],
  ["lado", "The local authority designated officer (LADO)"],
  ["police", "The police"],
  ["other", "Someone else"],
] as const;

export function statusPage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const v = await viewOf(s, sha);
    const ref = v?.received.case_ref ?? null;
    if (!v || !ref) return { title: "This file names no record", back: href(`dsl/bundle/${sha}`), body: () => [] };
    const history = await s.backend.history(ref);
    const status = radios(doc, "dsl-status", "Where is it now?", [
      { value: "received", label: "Received" },
      { value: "reviewed", label: "Reviewed" },
      { value: "referred", label: "Referred" },
      { value: "closed", label: "Closed" },
    ], v.received.status ?? "received");
    const boxes = el(
      doc,
      "fieldset",
      { class: "fieldset field", id: "dsl-referred-field", "data-testid": "dsl-referred" },
      el(doc, "legend", { class: "fieldset__legend", text: "Referred to (choose all that apply)" }),
      ...REFERRED.map(([value, label]) => {
        const input = el(doc, "input", { type: "checkbox", id: `dsl-to-${value}`, name: "to", value, "data-testid": `dsl-to-${value}` });
        return el(doc, "div", { class: "choice" }, input, el(doc, "label", { for: `dsl-to-${value}`, text: label }));
      }),
    );
    const other = textInput(doc, "other", null, { "data-testid": "dsl-to-other-text" });
    const note = textInput(doc, "note", null, { "data-testid": "dsl-note" });
    const showBoxes = () => {
      const referred = f.querySelector<HTMLInputElement>('input[name="dsl-status"]:checked')?.value === "referred";
      boxes.hidden = !referred;
      otherField.hidden = !referred;
    };
    const otherField = field(doc, "dsl-to-other-text", "Who else?", other);
    const submit = async () => {
      const chosen = f.querySelector<HTMLInputElement>('input[name="dsl-status"]:checked')?.value ?? "received";
      const to = chosen === "referred"
        ? Array.from(f.querySelectorAll<HTMLInputElement>('input[name="to"]:checked'), (i) => (i.value === "other" ? `other:${other.value.trim()}` : i.value))
        : [];
      if (to.includes("other:")) return s.router.problems([{ text: "Say who else it was referred to", field: "dsl-to-other-text" }]);
      await s.act(async () => {
        await s.backend.setStatus(ref, chosen, valueOf(note), to);
        const nv = await s.backend.open(sha, null).catch(() => null);
        if (nv) s.views.set(sha, nv);
        await s.router.go(`dsl/bundle/${sha}`, { title: `Record ${ref} is now ${(STATUS_WORDS[chosen] ?? chosen).toLowerCase()}.` });
      }, "dsl-note");
    };
    const f = form(doc, "dsl-status-form", () => void submit(), status, boxes, otherField, field(doc, "dsl-note", "A note (optional)", note, "For example, who you spoke to."), actions(doc, button(doc, "Save", "dsl-status-save", "primary", "submit")));
    f.addEventListener("change", showBoxes);
    showBoxes();
    return {
      title: "Record what you have done",
      caption: v.case?.title,
      back: href(`dsl/bundle/${sha}`),
      body: () => [
        f,
        history.length > 0 ? el(doc, "h2", { text: "So far" }) : null,
        el(doc, "ol", { class: "log-list", "data-testid": "dsl-history" }, ...history.map((l) => el(doc, "li", { text: `${whenInWords(l.at)}: ${STATUS_WORDS[l.status] ?? l.status}${l.note ? `. ${l.note}` : ""}` }))),
      ],
    };
  };
}

export function receiptPage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const v = await viewOf(s, sha);
    const ref = v?.received.case_ref ?? null;
    if (!v || !ref) return { title: "This file names no record", back: href(`dsl/bundle/${sha}`), body: () => [] };
    const state = s.state ?? (await s.refresh());
    const who = v.case?.staff ?? "the member of staff";
    const { input: folder, chooser: choose } = folderInput(doc, state.default_folder, "dsl-folder", (start) => s.backend.chooseFolder(start), (what) => s.act(what));
    const pass = el(doc, "input", { type: "password", autocomplete: "current-password", "data-testid": "dsl-receipt-pass" });
    const submit = async () => {
      if (pass.value === "") return s.router.problems([{ text: "Enter your passphrase to sign the receipt", field: "dsl-receipt-pass" }]);
      try {
        const path = await s.backend.receipt(sha, ref, pass.value, folder.value.trim());
        pass.value = "";
        s.router.done(
          "The receipt is saved.",
          v.received.intact
            ? `It is ${path}. Give this file to ${who}: their Evidence Kit shows the record as received and checked by you.`
            : `It is ${path}. It says this file did NOT verify: give it to ${who} and ask them to seal the record again and give you the new file.`,
        );
      } catch (e) {
        const err = toBackendError(e);
        pass.value = "";
        s.router.problems([{ text: err.message, field: err.code === "wrong_passphrase" ? "dsl-receipt-pass" : "dsl-folder" }]);
      }
    };
    return {
      title: v.received.intact ? `A receipt for ${who}` : `Tell ${who} it did not verify`,
      caption: v.case?.title,
      back: href(`dsl/bundle/${sha}`),
      body: () => [
        v.received.intact ? p(doc, `A receipt tells ${who} that you received the sealed file and checked it. It is signed with your key.`) : verdictBox(s, v),
        form(
          doc,
          "dsl-receipt-form",
          () => void submit(),
          field(doc, "dsl-folder", "Save it in this folder", folder, undefined, el(doc, "div", { class: "file-choose" }, choose)),
          field(doc, "dsl-receipt-pass", "Your passphrase", pass),
          actions(doc, button(doc, "Make the receipt", "dsl-receipt", "primary", "submit")),
        ),
      ],
      shown: () => pass.focus(),
    };
  };
}

export function logPage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const v = await viewOf(s, sha);
    if (!v) return { title: "What happened to it", back: href("dsl"), body: () => [] };
    return {
      title: "What happened to it",
      caption: v.case?.title,
      back: href(`dsl/bundle/${sha}`),
      body: () => [
        el(
          doc,
          "ol",
          { class: "log-list", "data-testid": "dsl-timeline" },
          ...v.timeline.map((l) => el(doc, "li", {}, el(doc, "time", { text: whenInWords(l.at) }), " · ", `${l.actor}: ${l.text}${l.clock_anomaly ? " (the computer's clock went backwards here)" : ""}`)),
          v.timeline_more > 0 ? el(doc, "li", { text: `…and ${v.timeline_more} later entries, not shown here.` }) : null,
        ),
      ],
    };
  };
}

export function emailPage(s: DslSession): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const sha = params.sha ?? "";
    const path = params.path ?? "";
    const v = await viewOf(s, sha);
    const vi = v?.items.find((i) => i.path === path);
    if (!v || !vi) return { title: "That item is not in this file", back: href(`dsl/bundle/${sha}`), body: () => [] };
    const view = await s.backend.emailView(sha, path);
    return {
      title: vi.item.original_name,
      caption: v.case?.title,
      back: href(`dsl/bundle/${sha}`),
      body: () => [
        summaryList(doc, [
          { key: "From", value: view.from ?? "not given" },
          { key: "To", value: view.to ?? "not given" },
          { key: "Date", value: view.date ? whenInWords(view.date) : "not given" },
          { key: "Subject", value: view.subject ?? "not given" },
        ]),
        el(doc, "pre", { class: "email__body", "data-testid": "email-body", tabindex: "0", text: view.body === "" ? "(No text to show.)" : view.body }),
        view.cut ? p(doc, "The rest of it is not shown here; it is all in the sealed file.", { class: "hint" }) : p(doc, ""),
        el(doc, "p", {}, link(doc, "Back to the evidence", href(`dsl/bundle/${sha}`), "back-to-bundle")),
      ],
    };
  };
}
