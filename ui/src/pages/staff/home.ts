// Home: the person's records, the one primary action (start a new record), and where to
// find help. First run goes to "Who are you?" instead; set-up left half done says so.

import { el } from "../../dom";
import { caseState, countItems } from "../../format";
import { href, type Page, type PageMaker } from "../../base/router";
import { type Session, setupComplete } from "../../base/session";
import { actions, banner, button, buttonLink, field, form, link, p, textInput, valueOf } from "../../base/ui";
import { helplines } from "./support";

export function homePage(s: Session): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    if (setup.profile.name === null && setup.profile.mode === null && setup.signing_fingerprint === null) {
      await s.router.go("who");
      return { title: "Welcome to Evidence Kit", body: () => [] };
    }
    const cases = await s.backend.listCases();
    const receipt = el(doc, "input", { type: "file", accept: ".evidence-receipt,.txt,.json", hidden: "", "data-testid": "receipt-input", "aria-label": "Choose a receipt to open" });
    const openReceipt = button(doc, "Open a receipt", "receipt-open", "secondary");
    openReceipt.addEventListener("click", () => receipt.click());
    receipt.addEventListener("change", () => {
      const file = receipt.files?.[0];
      receipt.value = "";
      if (!file) return;
      void s.act(async () => {
        const got = await s.backend.openReceipt(new Uint8Array(await file.arrayBuffer()));
        await s.router.redraw({ title: "Receipt recorded.", text: got.words });
      });
    });
    const list = el(
      doc,
      "ul",
      { class: "record-list", "data-testid": "case-list" },
      ...cases.map((c) =>
        el(
          doc,
          "li",
          { class: "record", "data-case-id": c.id },
          el(doc, "a", { class: "record__title", href: href(`record/${c.id}/evidence`), "data-case-id": c.id, text: c.title }),
          el(doc, "p", { class: "record__meta", text: `${countItems(c.items)} · ${caseState(c)}`, "data-testid": "case-state" }),
        ),
      ),
    );
    const modeSwitch = button(doc, "I am the designated person", "mode-switch", "secondary");
    const body: Node[] = [];
    if (!setupComplete(setup)) {
      body.push(
        el(
          doc,
          "div",
          { class: "banner banner--info", "data-testid": "setup-missing" },
          el(doc, "p", { class: "banner__title", text: "Setting up is not finished" }),
          el(doc, "p", {}, "You can keep evidence now, but you need your key and your designated person before you can seal it. ", link(doc, "Finish setting up", href(setup.profile.name === null ? "setup/you" : setup.signing_fingerprint === null ? "setup/key" : "setup/designated"), "setup-open")),
        ),
      );
    } else if (setup.profile.school === null) {
      body.push(banner(doc, "info", "Your school's name is missing", "It goes on the form you hand in. Add it in Settings."));
    }
    body.push(
      p(doc, "You're doing the right thing by keeping a record.", { class: "lede" }),
      el(doc, "div", { "data-slot": "messages" }),
      el(doc, "div", { class: "actions" }, buttonLink(doc, "Start a new record", href("new"), "new-case")),
    );
    if (cases.length > 0) body.push(list);
    body.push(
      el(
        doc,
        "div",
        { class: "actions actions--quiet" },
        openReceipt,
        receipt,
        link(doc, "Settings", href("settings"), "settings-open"),
        modeSwitch,
      ),
      helplines(doc),
    );
    modeSwitch.addEventListener("click", () =>
      void s.act(async () => {
        await s.backend.setMode("dsl");
        doc.defaultView?.location.reload();
      }),
    );
    return { title: "Your records", body: () => body };
  };
}

/** Start a new record: a few words about what happened. */
export function newRecordPage(s: Session): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    const title = textInput(doc, "title", null, { "data-testid": "new-case-title" });
    const staff = textInput(doc, "staff", setup.profile.name, { autocomplete: "name", "data-testid": "new-case-staff" });
    const askName = setup.profile.name === null;
    const submit = async () => {
      const problems = [];
      if (valueOf(title) === null) problems.push({ text: "Enter a few words about what happened", field: "new-case-title" });
      if (valueOf(staff) === null) problems.push({ text: "Enter your name", field: "new-case-staff" });
      if (problems.length > 0) {
        s.router.problems(problems);
        return;
      }
      await s.act(async () => {
        const c = await s.backend.createCase(valueOf(title) ?? "", valueOf(staff) ?? "");
        await s.backend.setCurrentCase(c.id).catch(() => undefined);
        await s.router.go(`record/${c.id}/evidence`, { title: "Record started." });
      });
    };
    const f = form(
      doc,
      "new-case",
      () => void submit(),
      field(doc, "new-case-title", "What happened, in a few words?", title),
      askName ? field(doc, "new-case-staff", "Your name", staff) : null,
      actions(doc, button(doc, "Start the record", "new-case-submit", "primary", "submit")),
    );
    if (!askName) {
      staff.hidden = true;
      f.append(staff);
    }
    return { title: "Start a new record", back: href(""), body: () => [f], shown: () => title.focus() };
  };
}
