// The designated person's other pages: what to give staff (Copy, Save as a file), the
// accounts named across records, and the register exported for a spreadsheet.

import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import { actions, button, field, folderInput, form, p, textInput } from "../../base/ui";
import { whenInWords } from "../../format";
import type { DslSession } from "./context";

export function sharePage(s: DslSession): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const state = await s.refresh();
    const text = state.share_text ?? "";
    const copy = button(doc, "Copy", "dsl-share-copy", "secondary");
    copy.addEventListener("click", () =>
      void s.act(async () => {
        await doc.defaultView?.navigator.clipboard.writeText(text);
        s.router.done("Copied.", "Paste it into an e-mail or message to staff.");
      }),
    );
    const save = button(doc, "Save as a file", "dsl-share-save", "secondary");
    save.addEventListener("click", () =>
      void s.act(async () => {
        const where = await s.backend.saveShare();
        if (where !== null) s.router.done("Saved.", `It is ${where}. Give this file to staff.`);
      }),
    );
    return {
      title: "What to give staff",
      back: href("dsl"),
      body: () => [
        p(doc, "Give this text to each member of staff. Their Evidence Kit uses it so that only you can open what they seal, and so that they can check your receipts."),
        el(doc, "pre", { class: "share__text", "data-testid": "dsl-share", tabindex: "0", "aria-label": "The text to give staff", text: text }),
        p(doc, `When they add it, they will see your fingerprint: ${state.identity_fingerprint ?? ""}. If they ask, read it to them.`, { "data-testid": "dsl-share-fp" }),
        el(doc, "div", { "data-slot": "messages" }),
        el(doc, "div", { class: "actions" }, copy, save),
      ],
    };
  };
}

export function accountsPage(s: DslSession): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const all = await s.backend.accounts();
    return {
      title: "Accounts named in the records",
      back: href("dsl"),
      body: () => [
        p(doc, "Who the evidence says it came from, across every record you have received: the same account in several records is one row."),
        all.length === 0
          ? p(doc, "None yet.", { class: "empty", "data-testid": "dsl-accounts-none" })
          : el(
              doc,
              "table",
              { class: "accounts", "data-testid": "dsl-accounts-table" },
              el(doc, "thead", {}, el(doc, "tr", {}, ...["Account", "Kind", "Records", "Seen", "First and last"].map((h) => el(doc, "th", { scope: "col", text: h })))),
              el(
                doc,
                "tbody",
                {},
                ...all.map((a) =>
                  el(
                    doc,
                    "tr",
                    { "data-testid": "dsl-account" },
                    el(doc, "th", { scope: "row", text: a.shown }),
                    el(doc, "td", { text: a.kind }),
                    el(doc, "td", { text: a.cases.join(", ") }),
                    el(doc, "td", { text: a.mentions.map((m) => `${m.case_ref} item ${m.item_id}`).join("; ") }),
                    el(doc, "td", { text: `${whenInWords(a.first_seen)} to ${whenInWords(a.last_seen)}` }),
                  ),
                ),
              ),
            ),
      ],
    };
  };
}

export function exportPage(s: DslSession): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const state = s.state ?? (await s.refresh());
    const { input: folder, chooser: choose } = folderInput(doc, state.default_folder, "dsl-folder", (start) => s.backend.chooseFolder(start), (what) => s.act(what));
    return {
      title: "Export the register",
      back: href("dsl"),
      body: () => [
        p(doc, "Every sealed file received, with its state and what you have recorded, as a spreadsheet file (CSV)."),
        form(
          doc,
          "dsl-export",
          () =>
            void s.act(async () => {
              const path = await s.backend.exportCsv(folder.value.trim());
              s.router.done("The register is saved.", `It is ${path}; it opens in a spreadsheet.`);
            }, "dsl-folder"),
          field(doc, "dsl-folder", "Save it in this folder", folder, undefined, el(doc, "div", { class: "file-choose" }, choose)),
          actions(doc, button(doc, "Export", "dsl-csv", "primary", "submit")),
        ),
      ],
    };
  };
}
