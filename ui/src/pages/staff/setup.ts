// First run, one question per page: who are you (staff or designated person), about you,
// your key, your designated person. The same pages change these later, from Settings.

import { el } from "../../dom";
import { toBackendError } from "../../backend";
import { href, part, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, link, p, textArea, textInput, valueOf } from "../../base/ui";

/** "Who are you?": asked once, on the first run; one press answers it. */
export function whoPage(s: Session): PageMaker {
  return (): Page => {
    const doc = s.doc;
    const choose = (who: "staff" | "dsl") =>
      s.act(async () => {
        await s.backend.setMode(who);
        if (who === "dsl") s.doc.defaultView?.location.reload();
        else await s.router.go("setup/you");
      });
    const staff = button(doc, "I am a member of staff", "who-staff");
    staff.addEventListener("click", () => void choose("staff"));
    const dsl = button(doc, "I am the designated safeguarding person, or a deputy", "who-dsl", "secondary");
    dsl.addEventListener("click", () => void choose("dsl"));
    return {
      title: "Who are you?",
      body: () => [el(doc, "div", { "data-slot": "messages" }), el(doc, "div", { class: "actions actions--stack" }, staff, dsl)],
      shown: () => staff.focus(),
    };
  };
}

/** About you: name, role, school, school e-mail. `next` is where Continue goes. */
export function aboutYouPage(s: Session, next: string, back?: string): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    const pr = setup.profile;
    const name = textInput(doc, "name", pr.name, { autocomplete: "name", "data-testid": "p-name" });
    const role = textInput(doc, "role", pr.role, { "data-testid": "p-role" });
    const school = textInput(doc, "school", pr.school, { autocomplete: "organization", "data-testid": "p-school" });
    const contact = textInput(doc, "contact", pr.contact, { type: "email", autocomplete: "email", spellcheck: "false", "data-testid": "p-contact" });
    const submit = async () => {
      const problems = [];
      if (valueOf(name) === null) problems.push({ text: "Enter your name", field: "p-name" });
      if (valueOf(school) === null) problems.push({ text: "Enter your school's name", field: "p-school" });
      if (problems.length > 0) {
        s.router.problems(problems);
        return;
      }
      await s.act(async () => {
        await s.backend.saveProfile({ ...pr, name: valueOf(name), role: valueOf(role), school: valueOf(school), contact: valueOf(contact) });
        await s.refresh();
        await s.router.go(next, next === "settings" ? { title: "Your details are saved." } : undefined);
      });
    };
    const f = form(
      doc,
      "about-you",
      () => void submit(),
      field(doc, "p-name", "Your name", name),
      field(doc, "p-role", "Your role at school", role),
      field(doc, "p-school", "Your school's name", school),
      field(doc, "p-contact", "Your school e-mail", contact, "Not a personal one."),
      actions(doc, button(doc, "Continue", "continue", "primary", "submit")),
    );
    return {
      title: "About you",
      caption: back ? "Settings" : "Step 1 of 3",
      back,
      body: () => [f],
      shown: () => name.focus(),
    };
  };
}

/** Your key: made once, with a passphrase (or shown when it exists). */
export function keyPage(s: Session, next: string): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    if (setup.signing_fingerprint !== null) {
      return {
        title: "Your key is ready",
        caption: "Step 2 of 3",
        back: href("setup/you"),
        body: () => [
          p(doc, "Its fingerprint, which your designated person will see on everything you seal:"),
          el(doc, "p", { class: "fingerprint", "data-testid": "key-fingerprint", text: setup.signing_fingerprint ?? "" }),
          actions(doc, el(doc, "a", { class: "button", href: href(next), "data-testid": "continue", text: "Continue" })),
          el(doc, "p", {}, link(doc, "I have forgotten my passphrase", href("settings/new-key"), "forgotten")),
        ],
      };
    }
    const a = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "k-pass" });
    const b = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "k-pass2" });
    const submit = async () => {
      if (a.value.length === 0) {
        s.router.problems([{ text: "Choose a passphrase", field: "k-pass" }]);
        return;
      }
      if (a.value !== b.value) {
        s.router.problems([{ text: "The two passphrases are not the same", field: "k-pass2" }]);
        return;
      }
      s.router.busy("Making your key…");
      const go = f.querySelector<HTMLButtonElement>("button[type=submit]");
      if (go) go.disabled = true;
      try {
        const fp = await s.backend.createSigningKey(a.value);
        a.value = "";
        b.value = "";
        await s.refresh();
        await s.router.go(next, { title: "Your key is made.", text: `Its fingerprint is ${fp}.` });
      } catch (e) {
        s.router.problems([{ text: toBackendError(e).message, field: "k-pass" }]);
      } finally {
        if (go) go.disabled = false;
      }
    };
    const f = form(
      doc,
      "key-form",
      () => void submit(),
      field(doc, "k-pass", "Passphrase", a, "At least 8 characters."),
      field(doc, "k-pass2", "The same passphrase again", b),
      actions(doc, button(doc, "Make my key", "k-create", "primary", "submit")),
    );
    return {
      title: "Your key",
      caption: "Step 2 of 3",
      back: href("setup/you"),
      body: () => [
        p(doc, "It signs what you seal. Nobody can recover a forgotten passphrase, but you can make a new key."),
        f,
      ],
      shown: () => a.focus(),
    };
  };
}

/** Your designated person: their name and the text (or file) they gave you. */
export function designatedPage(s: Session, next: string, back: string, caption = "Step 3 of 3"): PageMaker {
  return (): Page => {
    const doc = s.doc;
    const name = textInput(doc, "name", null, { autocomplete: "off", "data-testid": "d-name" });
    const text = textArea(doc, "key", null, 3, { spellcheck: "false", "data-testid": "d-key" });
    const file = el(doc, "input", { type: "file", accept: ".pub,.txt,text/plain", hidden: "", "data-testid": "d-file", "aria-label": "Choose the file they gave you" });
    const choose = button(doc, "Choose their file", "d-choose", "secondary");
    choose.addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      const f = file.files?.[0];
      file.value = "";
      if (!f) return;
      f.text().then(
        (t) => {
          text.value = t.trim();
          s.router.done(`${f.name} is read.`, "Check their name, then continue.", false);
        },
        () => s.router.problems([{ text: "That file could not be read. Paste their text instead.", field: "d-key" }]),
      );
    });
    const add = async (replace: boolean) => {
      const problems = [];
      if (valueOf(name) === null) problems.push({ text: "Enter their name", field: "d-name" });
      if (valueOf(text) === null) problems.push({ text: "Paste the text they gave you, or choose their file", field: "d-key" });
      if (problems.length > 0) {
        s.router.problems(problems);
        return;
      }
      try {
        const r = await s.backend.addRecipient(valueOf(name) ?? "", text.value, replace);
        await s.refresh();
        await s.router.go(`${next}/${part(r.name)}`);
      } catch (e) {
        const err = toBackendError(e);
        if (err.code === "recipient_exists" && !replace) {
          s.router.problems([{ text: err.message, field: "d-name" }]);
          const again = button(doc, "Replace their key", "d-replace", "warning");
          again.addEventListener("click", () => void add(true));
          doc.querySelector("[data-slot=messages]")?.append(
            p(doc, "Files you seal from now on go to the new key only. Files you sealed before still open with the old one."),
            again,
          );
          return;
        }
        s.router.problems([{ text: err.message, field: "d-key" }]);
      }
    };
    const f = form(
      doc,
      "dsl-form",
      () => void add(false),
      field(doc, "d-name", "Their name", name),
      field(doc, "d-key", "The text they gave you", text, "Paste it, or choose their file."),
      actions(doc, button(doc, "Continue", "d-add", "primary", "submit")),
    );
    // "Choose their file" sits before the box, so Tab goes from the box to Continue.
    text.before(el(doc, "div", { class: "file-choose" }, choose, file));
    return {
      title: "Your designated safeguarding person",
      caption,
      back,
      body: () => [p(doc, "Only they will be able to open what you seal."), f],
      shown: () => name.focus(),
    };
  };
}

/** Compare the fingerprint with them: the one step that proves it is really their key. */
export function compareFingerprintPage(s: Session, done: string, backTo: string): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    const back = href(backTo);
    const who = params.name ?? "";
    const r = setup.recipients.find((x) => x.name === who);
    if (!r) return { title: "That person is not added", back, body: () => [link(doc, "Add your designated person", back, "continue")] };
    const yes = button(doc, "Yes, it is the same", "fp-same");
    yes.addEventListener("click", () => void s.router.go(done, { title: `${r.name} is added.` }));
    const no = button(doc, "No, it is different", "fp-different", "secondary");
    no.addEventListener("click", () =>
      void s.act(async () => {
        await s.backend.removeRecipient(r.name);
        await s.refresh();
        await s.router.go(backTo, { title: `${r.name}'s key was not kept.`, text: "Ask them for their text again, in person if you can." });
      }),
    );
    return {
      title: `Check ${r.name}'s fingerprint`,
      back,
      body: () => [
        p(doc, `Ask ${r.name} to read theirs out. Is it this?`),
        el(doc, "p", { class: "fingerprint", "data-testid": "d-fingerprint", text: r.fingerprint }),
        actions(doc, yes, no),
      ],
      shown: () => yes.focus(),
    };
  };
}
