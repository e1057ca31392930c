// The designated person's home: the sealed files received, each in one of three states,
// and the one primary action (open a sealed file). First run: their keys.

import { el, wireFilePicking } from "../../dom";
import type { Progress } from "../../backend";
import { type DropMessage, showDragOver } from "../../drop";
import { href, type Page, type PageMaker } from "../../base/router";
import { actions, button, field, form, link, p, textInput, valueOf } from "../../base/ui";
import { whenInWords } from "../../format";
import { type DslSession, LIST_WORDS, listState } from "./context";
import { openBundle } from "./open";

export function dslHomePage(s: DslSession): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const state = await s.refresh();
    if (state.identity_fingerprint === null || state.signing_fingerprint === null) {
      await s.router.go("dsl/keys");
      return { title: "Your keys", body: () => [] };
    }
    const rows = await s.backend.list();
    const input = el(doc, "input", { type: "file", accept: ".evidence,.age", hidden: "", "data-testid": "dsl-input", "aria-label": "Choose a sealed file to open" });
    const open = button(doc, "Open a sealed file", "dsl-open");
    const take = (name: string, keep: (progress: Progress) => Promise<string>) => void openBundle(s, name, keep);
    wireFilePicking(open, input, (files) => {
      const [file] = files;
      if (file) take(file.name, (progress) => s.backend.take(file, progress));
    });
    const zone = el(doc, "div", { class: "add-files", "data-testid": "dsl-drop" }, open, input, el(doc, "span", { class: "hint", text: "or drop it here" }));
    const onDrop = (message: DropMessage): void => {
      showDragOver(zone, message);
      if (message.kind !== "drop") return;
      const [file] = message.files;
      if (file) take(file.name, () => s.backend.takeDrop(file.token));
    };
    s.onDrop = onDrop;
    const list = el(
      doc,
      "ul",
      { class: "record-list", "data-testid": "inbox-list" },
      ...rows.map((r) => {
        const st = listState(r);
        return el(
          doc,
          "li",
          { class: "record", "data-sha": r.sha256 },
          el(doc, "a", { class: "record__title", href: href(`dsl/bundle/${r.sha256}`), text: r.case_ref ? `Record ${r.case_ref}` : r.file }),
          el(doc, "p", { class: "record__meta", text: `From ${r.staff ?? r.signer ?? "someone unknown"}, received ${whenInWords(r.received)}` }),
          el(
            doc,
            "p",
            { class: `state state--${st}`, "data-testid": "inbox-state", "data-state": st },
            LIST_WORDS[st],
            r.replay ? " · an older copy" : "",
            r.conflict ? " · differs from a copy on file" : "",
            st === "not_intact" ? "" : r.status ? ` · ${r.status[0]?.toUpperCase()}${r.status.slice(1)}` : "",
          ),
        );
      }),
    );
    return {
      title: "Sealed files received",
      body: () => [
        p(doc, "Staff give you sealed files of evidence. Each is checked before you see anything in it."),
        zone,
        el(doc, "div", { "data-slot": "messages" }),
        rows.length > 0 ? list : p(doc, "None yet.", { class: "empty", "data-testid": "dsl-none" }),
        el(
          doc,
          "p",
          { class: "quiet-links" },
          link(doc, "What to give staff", href("dsl/share"), "dsl-share-open"),
          " · ",
          link(doc, "Accounts named in the records", href("dsl/accounts"), "dsl-accounts-open"),
          " · ",
          link(doc, "Export the register", href("dsl/export"), "dsl-csv-open"),
        ),
      ],
      leave: () => {
        // The next page is drawn before this one leaves: only our own handler goes.
        if (s.onDrop === onDrop) s.onDrop = null;
      },
    };
  };
}

/** Their keys: one name, one passphrase for both (opening files and signing receipts). */
export function dslKeysPage(s: DslSession): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const state = await s.refresh();
    const name = textInput(doc, "name", state.name, { autocomplete: "name", "data-testid": "dsl-name" });
    const a = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "dsl-pass" });
    const b = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "dsl-pass2" });
    const submit = async () => {
      if (valueOf(name) === null) return s.router.problems([{ text: "Enter your name", field: "dsl-name" }]);
      if (a.value !== b.value) return s.router.problems([{ text: "The two passphrases are different. Type them again.", field: "dsl-pass2" }]);
      await s.act(async () => {
        await s.backend.dslSetup(valueOf(name) ?? "", a.value);
        a.value = "";
        b.value = "";
        await s.router.go("dsl/share", { title: "Your keys are made.", text: "Give staff the text below, so that only you can open what they seal." });
      }, "dsl-pass");
    };
    return {
      title: "Your keys",
      body: () => [
        p(doc, "Staff seal their evidence so that only you can open it, and you sign a receipt for each file you receive. One passphrase protects both keys on this computer."),
        form(
          doc,
          "dsl-setup",
          () => void submit(),
          field(doc, "dsl-name", "Your name", name),
          field(doc, "dsl-pass", "Passphrase", a, "At least 8 characters. Nobody can find it for you if it is lost."),
          field(doc, "dsl-pass2", "The same passphrase again", b),
          actions(doc, button(doc, "Make my keys", "dsl-setup-submit", "primary", "submit")),
        ),
      ],
      shown: () => name.focus(),
    };
  };
}
