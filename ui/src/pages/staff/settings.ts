// Settings, reachable any time: your details, your key (and a new one if the passphrase is
// forgotten), your designated people (add, remove), the capture shortcut, pictures blurred
// or not, the text size, and how to move to a new computer.

import { toBackendError } from "../../backend";
import { el } from "../../dom";
import { href, part, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { setTextSize, textSize } from "../../base/textsize";
import { actions, button, field, form, link, p, radios, summaryList, textInput, warning } from "../../base/ui";

/** Settings, in three short pages: the people and the key (`main`), capturing and
 *  pictures (`capture`), moving to a new computer (`move`). */
export function settingsPage(s: Session, which: "main" | "capture" | "move" = "main"): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.refresh();
    const pr = setup.profile;
    const or = (v: string | null) => v ?? "Not given";
    const shortcut = textInput(doc, "shortcut", pr.shortcut ?? "CommandOrControl+Shift+E", { spellcheck: "false", "data-testid": "p-shortcut" });
    const saveShortcut = button(doc, "Use this shortcut", "p-shortcut-save", "secondary", "submit");
    const shortcutForm = form(
      doc,
      "shortcut-form",
      () =>
        void (async () => {
          try {
            const set = await s.backend.setShortcut(shortcut.value.trim());
            s.router.done(`The capture shortcut is now ${set}.`);
          } catch (e) {
            s.router.problems([{ text: toBackendError(e).message, field: "p-shortcut" }]);
          }
        })(),
      field(doc, "p-shortcut", "Capture shortcut", shortcut, "Press it anywhere to capture your whole screen into the record you have open. For example CommandOrControl+Shift+E."),
      el(doc, "div", { class: "actions" }, saveShortcut),
    );
    const pictures = radios(doc, "p-show", "Pictures of the evidence", [
      { value: "blur", label: "Blurred until I choose to look" },
      { value: "show", label: "Shown straight away" },
    ], pr.show_previews ? "show" : "blur");
    pictures.addEventListener("change", () =>
      void s.act(async () => {
        const show = pictures.querySelector<HTMLInputElement>("input:checked")?.value === "show";
        await s.backend.saveProfile({ ...pr, show_previews: show });
        await s.refresh();
        s.router.done(show ? "Pictures are shown straight away." : "Pictures are blurred until you choose to look.");
      }),
    );
    const size = radios(doc, "text-size", "Text size", [
      { value: "100", label: "Normal" },
      { value: "125", label: "Larger" },
      { value: "150", label: "Larger still" },
      { value: "200", label: "Twice as large" },
    ], String(textSize(doc)), "Ctrl and + or − change it anywhere; Ctrl and 0 puts it back.");
    size.addEventListener("change", () => {
      const v = Number(size.querySelector<HTMLInputElement>("input:checked")?.value ?? 100);
      setTextSize(doc, v);
    });
    const people = setup.recipients.map((r) => ({
      key: r.name,
      value: `Fingerprint ${r.fingerprint}`,
      change: { to: href(`settings/remove/${part(r.name)}`), what: `or remove ${r.name}` },
      testid: "dsl-person",
    }));
    const move = [
      p(doc, "Copy these two folders to the same places on the new computer, with Evidence Kit closed on both:"),
      el(
        doc,
        "ul",
        { class: "list", "data-testid": "move-folders" },
        el(doc, "li", {}, "Your evidence: ", el(doc, "code", { text: setup.store_folder ?? "the Evidence Kit folder in your documents" })),
        el(doc, "li", {}, "Your keys: ", el(doc, "code", { text: setup.keys_folder })),
      ),
      p(doc, "If you cannot copy your keys, make a new key on the new computer and tell your designated person its fingerprint."),
    ];
    if (which === "capture") {
      return { title: "Capturing and pictures", caption: "Settings", back: href("settings"), body: () => [el(doc, "div", { "data-slot": "messages" }), shortcutForm, pictures, size] };
    }
    if (which === "move") {
      return { title: "Moving to a new computer", caption: "Settings", back: href("settings"), body: () => move };
    }
    return {
      title: "Settings",
      back: href(""),
      body: () => [
        el(doc, "div", { "data-slot": "messages" }),
        el(doc, "h2", { text: "About you" }),
        summaryList(doc, [
          { key: "Name", value: or(pr.name), change: { to: href("settings/you"), what: "your name" } },
          { key: "Role", value: or(pr.role), change: { to: href("settings/you"), what: "your role" } },
          { key: "School", value: pr.school ?? "Not given: the form will say “not recorded”", change: { to: href("settings/you"), what: "your school" }, testid: "settings-school" },
          { key: "School e-mail", value: or(pr.contact), change: { to: href("settings/you"), what: "your school e-mail" } },
        ]),
        el(doc, "h2", { text: "Your key" }),
        setup.signing_fingerprint
          ? summaryList(doc, [{ key: "Fingerprint", value: setup.signing_fingerprint, testid: "settings-key" }])
          : p(doc, "You have not made your key yet."),
        el(doc, "p", {}, setup.signing_fingerprint ? link(doc, "I have forgotten my passphrase", href("settings/new-key"), "forgotten") : link(doc, "Make your key", href("setup/key"), "make-key")),
        el(doc, "h2", { text: "Your designated safeguarding people" }),
        people.length > 0 ? summaryList(doc, people, "dsl-list") : p(doc, "None added yet."),
        el(doc, "p", {}, link(doc, "Add a designated person", href("settings/designated"), "add-dsl")),
        el(
          doc,
          "p",
          { class: "quiet-links" },
          link(doc, "Capturing and pictures", href("settings/capture"), "settings-capture"),
          " · ",
          link(doc, "Moving to a new computer", href("settings/move"), "settings-move"),
        ),
      ],
    };
  };
}

/** "I have forgotten my passphrase": a new key; what was sealed before stays valid. */
export function newKeyPage(s: Session): PageMaker {
  return async (): Promise<Page> => {
    const doc = s.doc;
    const setup = await s.setup();
    const a = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "k-pass" });
    const b = el(doc, "input", { type: "password", autocomplete: "new-password", "data-testid": "k-pass2" });
    const dsl = setup.recipients[0]?.name ?? "your designated person";
    const submit = async () => {
      if (a.value !== b.value) {
        s.router.problems([{ text: "The two passphrases are not the same", field: "k-pass2" }]);
        return;
      }
      try {
        const fp = await s.backend.replaceSigningKey(a.value);
        a.value = "";
        b.value = "";
        await s.refresh();
        await s.router.go("settings", { title: "Your new key is made.", text: `Its fingerprint is ${fp}. Tell ${dsl} this fingerprint, so that they recognise what you seal from now on.` });
      } catch (e) {
        s.router.problems([{ text: toBackendError(e).message, field: "k-pass" }]);
      }
    };
    return {
      title: "Make a new key",
      back: href("settings"),
      body: () => [
        p(doc, "Nobody can find a forgotten passphrase, but you can make a new key with a new passphrase."),
        el(
          doc,
          "ul",
          { class: "list" },
          el(doc, "li", { text: "Everything you sealed before stays valid: your designated person can still check it." }),
          el(doc, "li", { text: "Your evidence is not affected." }),
          el(doc, "li", { text: `Tell ${dsl} the new fingerprint, which you will see next.` }),
        ),
        form(
          doc,
          "new-key-form",
          () => void submit(),
          field(doc, "k-pass", "New passphrase", a, "At least 8 characters. A few words you will remember are best."),
          field(doc, "k-pass2", "The same passphrase again", b),
          actions(doc, button(doc, "Make my new key", "k-replace", "primary", "submit")),
        ),
      ],
      shown: () => a.focus(),
    };
  };
}

/** Remove a designated person: asks first; their key is kept aside, never deleted. */
export function removePersonPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const name = params.name ?? "";
    const yes = button(doc, `Remove ${name}`, "remove-dsl", "warning");
    yes.addEventListener("click", () =>
      void s.act(async () => {
        await s.backend.removeRecipient(name);
        await s.refresh();
        await s.router.go("settings", { title: `${name} is removed.`, text: "You can no longer seal for them. Files you sealed for them before still open with their key." });
      }),
    );
    return {
      title: `Remove ${name}?`,
      back: href("settings"),
      body: () => [
        warning(doc, `You will not be able to seal for ${name} any more.`),
        p(doc, "Files you sealed for them before are not affected."),
        actions(doc, yes, link(doc, "Cancel", href("settings"), "cancel")),
      ],
    };
  };
}
