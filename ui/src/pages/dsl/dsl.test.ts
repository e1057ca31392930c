import { beforeEach, describe, expect, test } from "vitest";
import { $ } from "../../testing";
import { dslApp, openLaunchFile } from "./app";
import type { DslSession } from "./context";
import { FP, FakeDsl, SHA, item, received, view } from "./fakeDsl";
import { verdictTitle } from "./verdict";
import { whenInWords } from "../../format";

let backend: FakeDsl;
let s: DslSession;

async function open(path: string): Promise<void> {
  s?.router.stop();
  document.body.innerHTML = '<main id="page"></main><dialog id="viewer"><h2 id="viewer-title"></h2><img id="viewer-img" /><button id="viewer-show"></button><button id="viewer-close"></button></dialog>';
  window.location.hash = `#/${path}`;
  s = dslApp(document, backend, $("#page"));
  await s.router.start();
}
const flush = async () => {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await s.router.settled();
  }
};
const title = () => $('[data-testid="page-title"]').textContent;
const type = (sel: string, v: string) => {
  $<HTMLInputElement>(sel).value = v;
};
const problems = () => Array.from(document.querySelectorAll('[data-testid="error-summary-list"] li'), (li) => li.textContent);

async function chooseBundle(): Promise<void> {
  const input = $<HTMLInputElement>('[data-testid="dsl-input"]');
  Object.defineProperty(input, "files", { value: [new File(["bundle"], "EK-1.evidence.age")], configurable: true });
  input.dispatchEvent(new Event("change"));
  await flush();
}

beforeEach(() => {
  backend = new FakeDsl();
});

describe("the verdict", () => {
  test("intact: who sealed it, their key, when", () => {
    expect(verdictTitle(view())).toBe(`Intact, sealed by A. Teacher (key ${FP}) on ${whenInWords("2026-11-25T14:40:00.000+00:00")}.`);
  });
  test("a key not seen before is said so; anything changed is NOT intact", () => {
    expect(verdictTitle(view({}, false))).toContain("a key you have not seen before: A. Teacher");
    const v = view();
    v.report.findings = [{ kind: "altered", file: "data/003.png", offset: 1204, message: "data/003.png was changed after sealing." }];
    expect(verdictTitle(v)).toMatch(/^NOT intact: 1 problem found/);
  });
});

describe("the designated person's pages", () => {
  test("first use: their keys, then What to give staff", async () => {
    backend.state = { ...backend.state, identity_fingerprint: null, signing_fingerprint: null, share_text: null };
    await open("dsl");
    expect(title()).toBe("Your keys");
    type('[data-testid="dsl-name"]', "Mrs D. Lead");
    type('[data-testid="dsl-pass"]', "a good passphrase");
    type('[data-testid="dsl-pass2"]', "a good passphrasf");
    $<HTMLFormElement>('[data-testid="dsl-setup"]').requestSubmit();
    await flush();
    expect(problems()).toEqual(["The two passphrases are different. Type them again."]);
    type('[data-testid="dsl-pass2"]', "a good passphrase");
    $<HTMLFormElement>('[data-testid="dsl-setup"]').requestSubmit();
    await flush();
    expect(title()).toBe("What to give staff");
    expect($('[data-testid="dsl-share"]').textContent).toBe("age1new");
  });

  test("open: the verdict first, then the key to check; trusting it turns it green", async () => {
    await open("dsl");
    await chooseBundle();
    expect(backend.calls).toContain("take EK-1.evidence.age");
    expect(title()).toBe("Posts about me");
    expect($('[data-testid="dsl-verdict"]').dataset.intact).toBe("false");
    // Nothing says "Received and checked" above a verdict that is not green.
    expect(document.querySelector('[data-testid="done"]')).toBeNull();
    expect($('[data-testid="dsl-trust-fp"]').textContent).toBe(FP);
    $('[data-testid="dsl-trust-button"]').click();
    await flush();
    expect($('[data-testid="dsl-verdict"]').dataset.intact).toBe("true");
    expect($('[data-testid="done-title"]').textContent).toBe("You now trust A. Teacher's key.");
    // The page's order: verdict, then the evidence, then what to do.
    const order = Array.from(document.querySelectorAll('[data-testid="dsl-verdict"], [data-testid="dsl-items"], [data-testid="dsl-status-open"]'), (n) => n.getAttribute("data-testid"));
    expect(order).toEqual(["dsl-verdict", "dsl-items", "dsl-status-open"]);
  });

  test("the list says one of three states, and a tampered copy never takes the record's status", async () => {
    backend.rows = [
      received({ sha256: "a".repeat(64), intact: true, status: "referred" }),
      received({ sha256: "b".repeat(64), intact: false, status: "referred", state: "intact_key_not_checked" }),
      received({ sha256: "c".repeat(64), intact: false, status: null, state: "not_intact" }),
    ];
    await open("dsl");
    const states = Array.from(document.querySelectorAll('[data-testid="inbox-state"]'), (n) => n.textContent);
    expect(states).toEqual(["Intact · Referred", "Intact — key not checked yet · Referred", "NOT intact"]);
  });

  test("an encrypted file asks for the passphrase on its own page; a wrong one is said beside the field", async () => {
    backend.locked = true;
    await open("dsl");
    await chooseBundle();
    expect(title()).toBe("It is encrypted to you");
    type('[data-testid="dsl-unlock-pass"]', "wrong");
    $<HTMLFormElement>('[data-testid="dsl-unlock"]').requestSubmit();
    await flush();
    expect(problems()).toEqual(["That passphrase does not open your designated-person key."]);
    expect($("#dsl-unlock-pass-field").classList.contains("field--error")).toBe(true);
    type('[data-testid="dsl-unlock-pass"]', "right passphrase");
    $<HTMLFormElement>('[data-testid="dsl-unlock"]').requestSubmit();
    await flush();
    expect(title()).toBe("Posts about me");
  });

  test("referred to: the choices go to the register", async () => {
    backend.opened = view({}, true);
    await open(`dsl/bundle/${SHA}/status`);
    $<HTMLInputElement>('[data-testid="dsl-status-referred"]').checked = true;
    $('[data-testid="dsl-status-form"]').dispatchEvent(new Event("change"));
    expect($('[data-testid="dsl-referred"]').hidden).toBe(false);
    $<HTMLInputElement>('[data-testid="dsl-to-headteacher"]').checked = true;
    $<HTMLInputElement>('[data-testid="dsl-to-other"]').checked = true;
    type('[data-testid="dsl-to-other-text"]', "The trust's HR adviser");
    $<HTMLFormElement>('[data-testid="dsl-status-form"]').requestSubmit();
    await flush();
    expect(backend.calls).toContain("status EK-1 referred to headteacher,other:The trust's HR adviser");
    expect(title()).toBe("Posts about me");
  });

  test("a receipt needs the passphrase; Print the form prints in a private folder", async () => {
    backend.opened = view({}, true);
    await open(`dsl/bundle/${SHA}`);
    $('[data-testid="dsl-print"]').click();
    await flush();
    expect(backend.calls).toContain(`print ${SHA.slice(0, 4)} true`);
    await open(`dsl/bundle/${SHA}/receipt`);
    $<HTMLFormElement>('[data-testid="dsl-receipt-form"]').requestSubmit();
    await flush();
    expect(problems()).toEqual(["Enter your passphrase to sign the receipt"]);
    type('[data-testid="dsl-receipt-pass"]', "pw");
    $<HTMLFormElement>('[data-testid="dsl-receipt-form"]').requestSubmit();
    await flush();
    expect($('[data-testid="done"]').textContent).toContain("Give this file to A. Teacher");
  });

  test("names, notes and sites from a file are text, never HTML; a removed item is said", async () => {
    backend.opened = view({
      items: [
        { path: "data/001-a.txt", item: item({ original_name: "<img src=x onerror=alert(1)>", note: "<script>x</script>" }), image: false, problems: [] },
        { path: "data/002-b.png", item: item({ id: 2, original_name: "b.png", removed: { at: { utc: "", local: "", zone: "" }, reason: "possible indecent image" } }), image: true, problems: [] },
      ],
      removed_items: 1,
    }, true);
    await open(`dsl/bundle/${SHA}`);
    expect(document.querySelector("img[src=x]")).toBeNull();
    expect(document.querySelector("script")).toBeNull();
    expect($('[data-testid="dsl-count"]').textContent).toContain("1 item, and 1 removed as a possible indecent image");
  });

  test("a file dropped after the list was drawn again is still taken", async () => {
    await open("dsl");
    await s.router.redraw();
    await flush();
    // The page drawn again takes drops; the one it replaced left only its own handler.
    expect(s.onDrop).not.toBeNull();
  });

  test("a file the app was opened on is opened at once", async () => {
    backend.launch = SHA;
    backend.opened = view({}, true);
    await open("dsl");
    await openLaunchFile(s);
    await flush();
    expect(title()).toBe("Posts about me");
    expect($('[data-testid="done-title"]').textContent).toBe("Received and checked.");
  });
});
