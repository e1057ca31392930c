import { beforeEach, describe, expect, test } from "vitest";
import { match, part } from "../../base/router";
import { displayLocale, whenInWords } from "../../format";
import { $, fakeSummary } from "../../testing";
import { staffApp } from "./app";
import { FakeBackend, STAMP, item } from "./fakeBackend";
import type { Session } from "../../base/session";

let backend: FakeBackend;
let s: Session;

/** The app on a fresh page, at address `path`. */
async function open(path: string): Promise<void> {
  s?.router.stop();
  document.body.innerHTML = '<main id="page"></main><dialog id="viewer"><h2 id="viewer-title"></h2><img id="viewer-img" /><button id="viewer-show"></button><button id="viewer-close"></button></dialog>';
  window.location.hash = `#/${path}`;
  s = staffApp(document, backend, $("#page"));
  await s.router.start();
}

const title = () => $('[data-testid="page-title"]').textContent;
const type = (sel: string, v: string) => {
  const i = $<HTMLInputElement>(sel);
  i.value = v;
  i.dispatchEvent(new Event("input", { bubbles: true }));
};
/** Let the action's promises, and any page it goes to, finish. */
const flush = async () => {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await s.router.settled();
  }
};
const submit = async (sel: string) => {
  $<HTMLFormElement>(sel).requestSubmit();
  await flush();
};
const click = async (sel: string) => {
  $(sel).click();
  await flush();
};
const problems = () => Array.from(document.querySelectorAll('[data-testid="error-summary-list"] li'), (li) => li.textContent);

beforeEach(() => {
  localStorage.clear();
  backend = new FakeBackend();
  backend.cases = [fakeSummary({ id: "EK-1", title: "Posts about me", staff: "A. Teacher", created: STAMP, items: 1, withdrawn: 0 })];
  backend.items = { "EK-1": [item(5, { original_name: "Screenshot 1 Dec 2026 14.02.png" })] };
});

describe("addresses", () => {
  test("a pattern's parts are matched and a typed name in them is decoded", () => {
    expect(match("record/:id/item/:item", "record/EK-1/item/5")).toEqual({ id: "EK-1", item: "5" });
    expect(match("record/:id", "record/EK-1/item")).toBeNull();
    expect(match("settings/remove/:name", `settings/remove/${part("Mrs D/Lead #2")}`)).toEqual({ name: "Mrs D/Lead #2" });
  });
});

describe("first run", () => {
  test("asks who you are once, then about you, your key and your designated person, one page each", async () => {
    backend.setup.profile.name = null;
    backend.setup.signing_fingerprint = null;
    backend.setup.recipients = [];
    await open("");
    expect(title()).toBe("Who are you?");
    expect(document.activeElement).toBe($('[data-testid="who-staff"]'));
    await click('[data-testid="who-staff"]');
    expect(backend.modes).toEqual(["staff"]);
    expect(title()).toBe("About you");

    await submit('[data-testid="about-you"]');
    expect(problems()).toEqual(["Enter your name", "Enter your school's name"]);
    // Each field is marked, its message beside it.
    expect($("#p-school-field").classList.contains("field--error")).toBe(true);
    type('[data-testid="p-name"]', "A. Teacher");
    type('[data-testid="p-school"]', "Hill Top Primary");
    await submit('[data-testid="about-you"]');
    expect(backend.setup.profile.school).toBe("Hill Top Primary");
    expect(title()).toBe("Your key");
    // No message from the page before lingers.
    expect(document.querySelector('[data-testid="error-summary"]')).toBeNull();

    type('[data-testid="k-pass"]', "correct horse");
    type('[data-testid="k-pass2"]', "correct horsf");
    await submit('[data-testid="key-form"]');
    expect(problems()).toEqual(["The two passphrases are not the same"]);
    type('[data-testid="k-pass2"]', "correct horse");
    await submit('[data-testid="key-form"]');
    expect(title()).toBe("Your designated safeguarding person");
    expect($('[data-testid="done"]').textContent).toContain("Your key is made.");

    type('[data-testid="d-name"]', "Mrs D. Lead");
    type('[data-testid="d-key"]', "age1abcdxyz");
    await submit('[data-testid="dsl-form"]');
    expect(title()).toBe("Check Mrs D. Lead's fingerprint");
    expect($('[data-testid="d-fingerprint"]').textContent).toBe("FP ABCD");
    await click('[data-testid="fp-same"]');
    expect(title()).toBe("Your records");
    expect($('[data-testid="done-title"]').textContent).toBe("Mrs D. Lead is added.");
  });

  test("a fingerprint that differs: the key is not kept", async () => {
    await open("setup/designated");
    type('[data-testid="d-name"]', "Mr E. Other");
    type('[data-testid="d-key"]', "age1zzzz");
    await submit('[data-testid="dsl-form"]');
    await click('[data-testid="fp-different"]');
    expect(backend.removed).toEqual(["Mr E. Other"]);
    expect(title()).toBe("Your designated safeguarding person");
  });

  test("another key under a name already added: asks before replacing it", async () => {
    backend.setup.recipients = [{ name: "Mrs D. Lead", fingerprint: "FP OLD1" }];
    await open("settings/designated");
    type('[data-testid="d-name"]', "Mrs D. Lead");
    type('[data-testid="d-key"]', "age1new2");
    await submit('[data-testid="dsl-form"]');
    expect(problems()[0]).toContain("already has a key");
    expect(backend.setup.recipients).toEqual([{ name: "Mrs D. Lead", fingerprint: "FP OLD1" }]);
    await click('[data-testid="d-replace"]');
    expect(backend.setup.recipients).toEqual([{ name: "Mrs D. Lead", fingerprint: "FP NEW2" }]);
    expect(title()).toBe("Check Mrs D. Lead's fingerprint");
  });
});

describe("a record, page by page", () => {
  test("start a record: it opens at Evidence with a banner, the step indicator at step 1", async () => {
    await open("new");
    type('[data-testid="new-case-title"]', "Messages in the group");
    await submit('[data-testid="new-case"]');
    expect(backend.created).toEqual([["Messages in the group", "A. Teacher"]]);
    expect(title()).toBe("Evidence");
    expect($('[data-testid="caption"]').textContent).toBe("Messages in the group");
    expect($('[aria-current="step"]').textContent).toBe("Evidence");
    expect($('[data-testid="done-title"]').textContent).toBe("Record started.");
  });

  test("a capture goes straight on to describing it; saved details show on the evidence page", async () => {
    await open("record/EK-1/evidence");
    await click('[data-testid="capture-screen"]');
    expect(title()).toBe("2. screen-1.png");
    expect($('[data-testid="done-title"]').textContent).toContain("Screenshot kept");
    expect(document.activeElement).toBe($('[data-testid="item-site"]'));
    type('[data-testid="item-site"]', "Facebook");
    type('[data-testid="item-from"]', "Angry Parent 99");
    type('[data-testid="item-seen"]', "1");
    type('[data-testid="item-seen-month"]', "12");
    type('[data-testid="item-seen-year"]', "2026");
    type('[data-testid="item-seen-time"]', "14.02");
    await submit('[data-testid="item-details-form"]');
    expect(backend.updates.at(-1)).toEqual([2, [["site", "Facebook"], ["url", null], ["from_handle", "Angry Parent 99"], ["note", null], ["seen", "2026-12-01T14:02"]]]);
    expect(title()).toBe("Evidence");
    const summary = document.querySelectorAll('[data-testid="item-summary"]')[1]?.textContent;
    expect(summary).toBe(`Where: Facebook · From: Angry Parent 99 · Seen: ${whenInWords("2026-12-01T14:02")}`);
  });

  test("details typed and not saved are kept, and Check stops for them until they are saved", async () => {
    await open("record/EK-1/item/5");
    type('[data-testid="item-site"]', "WhatsApp");
    // The window closes; a new one opens at Check.
    await open("record/EK-1/check");
    expect($('[data-testid="seal-unsaved-title"]').textContent).toBe("You have details you have not saved yet");
    expect($('[data-testid="seal-unsaved-list"]').textContent).toContain("Item 1 (Screenshot 1 Dec 2026 14.02.png): where you saw it");
    expect(document.querySelector('[data-testid="check-continue"]')).toBeNull();
    await click('[data-testid="seal-unsaved-save"]');
    expect(backend.updates.at(-1)?.[1]).toContainEqual(["site", "WhatsApp"]);
    expect(localStorage.getItem("evidence-kit-draft:item:EK-1:5")).toBeNull();
    expect(document.querySelector('[data-testid="seal-unsaved"]')).toBeNull();
    expect($('[data-testid="done-title"]').textContent).toBe("Your details are saved.");
    expect(document.querySelector('[data-testid="check-continue"]')).not.toBeNull();
  });

  test("Seal stops again for text typed since Check (in another window, say)", async () => {
    await open("record/EK-1/check");
    await click('[data-testid="check-continue"]');
    expect(title()).toBe("Seal this record");
    localStorage.setItem("evidence-kit-draft:report:EK-1", JSON.stringify({ "r-description": "They posted my address." }));
    type('[data-testid="s-pass"]', "correct horse");
    await submit('[data-testid="seal-form"]');
    expect(backend.sealed).toEqual([]);
    expect(title()).toBe("Check before you seal");
    expect($('[data-testid="seal-unsaved-list"]').textContent).toContain("The report: what happened");
  });

  test("the report's first save fills role, contact and designated person from set-up", async () => {
    backend.setup.profile.role = "Class teacher";
    backend.setup.profile.contact = "a.teacher@school.example";
    await open("record/EK-1/report");
    type('[data-testid="r-description"]', "Posts about me.");
    await submit('[data-testid="report-form"]');
    const sent = backend.reports.at(-1)?.[1];
    expect(sent?.description).toBe("Posts about me.");
    expect(sent?.role).toBe("Class teacher");
    expect(sent?.contact).toBe("a.teacher@school.example");
    expect(sent?.addressed_to).toBe("Mrs D. Lead");
    expect(title()).toBe("What has been done so far");
  });

  test("sealing: a wrong passphrase is said beside the field; then What happens next", async () => {
    await open("record/EK-1/check");
    await click('[data-testid="check-continue"]');
    type('[data-testid="s-pass"]', "wrong one");
    await submit('[data-testid="seal-form"]');
    expect(problems()).toEqual(["That passphrase is not right."]);
    expect($("#s-pass-field").classList.contains("field--error")).toBe(true);
    type('[data-testid="s-pass"]', "correct horse");
    await submit('[data-testid="seal-form"]');
    expect(backend.sealed).toEqual([["EK-1", "Mrs D. Lead", "/home/a/Documents/Evidence Kit", "correct horse"]]);
    expect(title()).toBe("Your record is sealed");
    expect($('[data-testid="sealed-name"]').textContent).toBe("EK-1.evidence.age");
    await click('[data-testid="form-print"]');
    expect(backend.printed).toEqual(["EK-1"]);
    await click('[data-testid="handed-over"]');
    expect(backend.handed).toEqual([["EK-1", "Mrs D. Lead"]]);
    expect(document.querySelector('[data-testid="handed-over"]')).toBeNull();
  });

  test("an indecent image: removing its picture asks first, then What to do now; a note is taken once", async () => {
    await open("record/EK-1/item/5");
    await click('[data-testid="item-indecent"]');
    expect(title()).toBe("Remove it from Evidence Kit?");
    expect(backend.items["EK-1"]?.[0]?.removed).toBeUndefined();
    await click('[data-testid="item-indecent-confirm"]');
    expect(backend.items["EK-1"]?.[0]?.removed).toBeDefined();
    expect(title()).toBe("What to do now");
    await submit('[data-testid="iioc-form"]');
    expect(backend.notes).toEqual([["EK-1", null]]);
    expect(document.querySelector('[data-testid="iioc-record"]')).toBeNull();
    expect($('[data-testid="done-title"]').textContent).toBe("Noted in this record. Nothing was captured.");
  });

  test("an e-mail shows as text, and its From and Date fill who and when", async () => {
    backend.items["EK-1"] = [
      item(7, {
        media_type: "message/rfc822",
        original_name: "message.eml",
        email: { from: "Angry <angry@example.org>", to: "me@school.example", date: "2026-11-30T21:15:00+00:00", subject: "You", message_id: null },
      }),
    ];
    backend.emails[7] = { from: "Angry <angry@example.org>", to: "me@school.example", date: "2026-11-30T21:15:00+00:00", subject: "You", body: "<script>alert(1)</script> hello", cut: false };
    await open("record/EK-1/item/7");
    expect($('[data-testid="email-body"]').textContent).toBe("<script>alert(1)</script> hello");
    expect(document.querySelector("script")).toBeNull();
    expect($<HTMLInputElement>('[data-testid="item-from"]').value).toBe("Angry <angry@example.org>");
    expect($<HTMLInputElement>('[data-testid="item-seen-month"]').value).toBe("11");
    expect($<HTMLInputElement>('[data-testid="item-seen-year"]').value).toBe("2026");
    // On this computer's clock, where the typed time is read: the same moment as the Date.
    const at = new Date("2026-11-30T21:15:00+00:00");
    expect($<HTMLInputElement>('[data-testid="item-seen"]').value).toBe(String(at.getDate()));
    expect($<HTMLInputElement>('[data-testid="item-seen-time"]').value).toBe(`${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`);
  });

  test("an e-mail's Date from another time zone fills when on this computer's clock", async () => {
    const date = "2026-11-30T23:45:00+05:30";
    backend.items["EK-1"] = [item(8, { media_type: "message/rfc822", original_name: "far.eml", email: { from: "far@example.org", to: null, date, subject: null, message_id: null } })];
    backend.emails[8] = { from: "far@example.org", to: null, date, subject: null, body: "hi", cut: false };
    await open("record/EK-1/item/8");
    const v = (t: string) => Number($<HTMLInputElement>(`[data-testid="${t}"]`).value.replace(":", ""));
    const hhmm = v("item-seen-time");
    const typed = new Date(v("item-seen-year"), v("item-seen-month") - 1, v("item-seen"), Math.floor(hhmm / 100), hhmm % 100);
    expect(typed.getTime()).toBe(Date.parse(date));
  });
});

describe("the item's date", () => {
  test("a date that is not real is said beside the field, and nothing is saved", async () => {
    await open("record/EK-1/item/5");
    type('[data-testid="item-seen"]', "31");
    type('[data-testid="item-seen-month"]', "2");
    type('[data-testid="item-seen-year"]', "2026");
    await submit('[data-testid="item-details-form"]');
    expect(problems()).toEqual(["Enter a real date, for example 27 3 2026"]);
    expect(backend.updates).toEqual([]);
    expect($("#item-5-seen-field").classList.contains("field--error")).toBe(true);
  });

  test("Evidence's Continue goes straight to the report once every item says where", async () => {
    backend.items["EK-1"] = [item(5, { site: "Facebook" })];
    await open("record/EK-1/evidence");
    expect($('[data-testid="continue"]').getAttribute("href")).toBe("#/record/EK-1/report");
    backend.items["EK-1"] = [item(5)];
    await open("record/EK-1/evidence");
    expect($('[data-testid="continue"]').getAttribute("href")).toBe("#/record/EK-1/details");
  });
});

describe("check", () => {
  test("a USB stick plugged in is offered by name, and chosen in one press", async () => {
    backend.usb = ["/media/a/KINGSTON"];
    await open("record/EK-1/check");
    await click('[data-testid="s-folder-change"]');
    expect(title()).toBe("Where should it be saved?");
    await click('[data-testid="s-folder-usb"]');
    expect($<HTMLInputElement>('[data-testid="s-folder"]').value).toBe("/media/a/KINGSTON");
    await submit('[data-testid="folder-form"]');
    expect(title()).toBe("Check before you seal");
    expect($('[data-testid="s-folder-shown"]').textContent).toBe("/media/a/KINGSTON");
    await click('[data-testid="check-continue"]');
    expect(title()).toBe("Seal this record");
    expect(document.body.textContent).toContain("It is saved in /media/a/KINGSTON.");
  });
});

describe("settings", () => {
  test("removing a designated person asks first", async () => {
    await open("settings/move");
    expect($('[data-testid="move-folders"]').textContent).toContain("/home/a/.config/evidence-kit");
    await open("settings");
    await click('[data-testid="dsl-person"] a');
    expect(title()).toBe("Remove Mrs D. Lead?");
    await click('[data-testid="remove-dsl"]');
    expect(backend.removed).toEqual(["Mrs D. Lead"]);
    expect(title()).toBe("Settings");
  });

  test("a forgotten passphrase: a new key, and the new fingerprint to tell the designated person", async () => {
    await open("settings/new-key");
    type('[data-testid="k-pass"]', "a new passphrase");
    type('[data-testid="k-pass2"]', "a new passphrase");
    await submit('[data-testid="new-key-form"]');
    expect(title()).toBe("Settings");
    expect($('[data-testid="done"]').textContent).toContain("9999 8888 7777 6666");
    expect($('[data-testid="done"]').textContent).toContain("Tell Mrs D. Lead");
  });
});

describe("dates", () => {
  test("day, month, year and time in the person's locale; en-GB when the locale names no country", () => {
    expect(displayLocale(["C", "en"])).toBe("en-GB");
    expect(displayLocale(["en-US"])).toBe("en-US");
    expect(whenInWords("2026-12-01T14:02:00.123+00:00", "en-GB")).toBe("1 Dec 2026, 14:02");
    expect(whenInWords("not a time", "en-GB")).toBe("not a time");
  });
});
