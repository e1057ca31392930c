import { beforeEach, describe, expect, test, vi } from "vitest";
import { BackendError, type Item, PART_BYTES } from "./backend";
import { DslApp, verdictTitle } from "./dsl";
import type {
  Account,
  BundleView,
  DslBackend,
  DslState,
  Received,
  StatusLine,
} from "./dslBackend";
import { $, fakeCase, fakeItem, loadPage, settle } from "./testing";

const STAMP = { utc: "2026-11-25T14:40:00.000Z", local: "2026-11-25T14:40:00.000+00:00", zone: "Europe/London" };
const SHA = "ab".repeat(32);
const FP = "3F2A 91C0 1234 ABCD";

function item(over: Partial<Item> = {}): Item {
  const basics = { id: 1, sha256: "cd".repeat(32), size: 10, media_type: "text/plain", original_name: "a.txt" };
  return fakeItem({ ...basics, source: "file", captured: STAMP, ...over });
}

function received(over: Partial<Received> = {}): Received {
  return {
    sha256: SHA,
    file: "EK-1.evidence.age",
    case_ref: "EK-1",
    staff: "A. Teacher",
    signer: "A. Teacher",
    signer_fingerprint: FP,
    sealed: STAMP.utc,
    received: "2026-11-25T15:00:00.000+00:00",
    intact: true,
    findings: [],
    replay: false,
    bundle_id: null,
    tagmanifest_sha256: null,
    conflict: null,
    state: "intact",
    status: "received",
    status_note: null,
    referred_to: [],
    ...over,
  };
}

function view(over: Partial<BundleView> = {}, trusted = true): BundleView {
  return {
    received: received(),
    duplicate: false,
    report: {
      file: "x",
      sha256: SHA,
      size: 100,
      encrypted: true,
      facts: null,
      signer: { name: "A. Teacher", key_id: "X", fingerprint: FP, signature_valid: true, trusted, trusted_as: null, trusted_file: null },
      items: 1,
      payload_bytes: 10,
      findings: trusted
        ? []
        : [{ kind: "untrusted_key", file: "signer.pub", offset: null, message: "Signed by a key you do not trust yet." }],
      notes: [],
      case: null,
    },
    case: fakeCase({ id: "EK-1", title: "Posts about me", staff: "A. Teacher", created: STAMP }),
    sealed_local: STAMP.local,
    items: [{ path: "data/001-a.txt", item: item(), image: false, problems: [] }],
    timeline: [{ at: STAMP.local, actor: "A. Teacher", text: "Record \"Posts about me\" was started.", clock_anomaly: false }],
    can_trust: !trusted,
    folder: "/x",
    unpack_problem: null,
    timeline_more: 0,
    removed_items: 0,
    ...over,
  };
}

class FakeDsl implements DslBackend {
  state: DslState = {
    name: "Mrs D. Lead",
    identity_fingerprint: "AAAA BBBB",
    protected: true,
    unlocked: false,
    signing_fingerprint: "CCCC DDDD",
    share_text: "Seal evidence to: age1xyz",
    default_folder: "/home/d/Documents/Evidence Kit",
    mode: "dsl",
    launch_file: false,
  };
  opened: BundleView = view({}, false);
  locked = false;
  rows: Received[] = [];
  statuses: StatusLine[] = [];
  calls: string[] = [];
  launch: string | null = null;

  async dslState(): Promise<DslState> {
    return this.state;
  }
  async setMode(mode: "staff" | "dsl"): Promise<void> {
    this.calls.push(`mode ${mode}`);
  }
  async dslSetup(name: string, passphrase: string): Promise<DslState> {
    if (passphrase.length < 8) throw new BackendError("weak_passphrase", "Choose a passphrase of at least 8 characters.");
    this.state = { ...this.state, name, identity_fingerprint: "AAAA", signing_fingerprint: "BBBB", share_text: "age1new" };
    return this.state;
  }
  async take(file: File, onProgress?: (sent: number, total: number) => void): Promise<string> {
    this.calls.push(`take ${file.name}`);
    // As the real one reports it: after each part of 8 MiB.
    for (let at = 0; at < file.size; at += PART_BYTES) {
      await settle();
      onProgress?.(Math.min(at + PART_BYTES, file.size), file.size);
    }
    await settle();
    return SHA;
  }
  async takeDrop(token: string): Promise<string> {
    this.calls.push(`take drop ${token}`);
    await settle();
    return SHA;
  }
  async takeLaunchFile(): Promise<string | null> {
    return this.launch;
  }
  async open(sha: string, passphrase: string | null): Promise<BundleView> {
    this.calls.push(`open ${sha.slice(0, 4)} ${passphrase ?? "-"}`);
    if (this.locked && passphrase === null) {
      throw new BackendError("identity_locked", "Your designated-person key is protected by a passphrase: enter it to open encrypted bundles.");
    }
    if (this.locked && passphrase !== "right passphrase") {
      throw new BackendError("wrong_identity_passphrase", "That passphrase does not open your designated-person key.");
    }
    this.rows = [this.opened.received];
    return this.opened;
  }
  async trust(): Promise<BundleView> {
    this.opened = view({}, true);
    return this.opened;
  }
  async picture(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  async list(): Promise<Received[]> {
    return this.rows;
  }
  async setStatus(caseRef: string, status: string, note: string | null): Promise<StatusLine[]> {
    this.statuses.push({ at: STAMP.local, status, note, referred_to: [] });
    this.calls.push(`status ${caseRef} ${status}`);
    return this.statuses;
  }
  async history(): Promise<StatusLine[]> {
    return this.statuses;
  }
  async receipt(sha: string, caseRef: string, passphrase: string, folder: string): Promise<string> {
    this.calls.push(`receipt ${sha.slice(0, 4)} ${caseRef} ${passphrase} ${folder}`);
    return `${folder}/EK-1-receipt.evidence-receipt`;
  }
  async form(_sha: string, fill: boolean, folder: string): Promise<string> {
    this.calls.push(`form ${fill}`);
    return `${folder}/EK-1-form.pdf`;
  }
  async openForm(): Promise<void> {}
  async accounts(): Promise<Account[]> {
    return [
      {
        kind: "username",
        shown: "<b>@bully</b>",
        value: "@bully",
        cases: ["EK-1", "EK-2"],
        mentions: [{ case_ref: "EK-1", item_id: 1, item_name: "a.txt", seen: STAMP.local }],
        first_seen: STAMP.local,
        last_seen: STAMP.local,
      },
    ];
  }
  async exportCsv(folder: string): Promise<string> {
    return `${folder}/register.csv`;
  }
}

async function chooseBundle(): Promise<void> {
  const input = $<HTMLInputElement>("#dsl-input");
  const file = new File(["bundle"], "EK-1.evidence.age");
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  input.dispatchEvent(new Event("change"));
  await settle();
  await settle();
}

let backend: FakeDsl;

beforeEach(() => {
  loadPage();
  backend = new FakeDsl();
});

describe("the page", () => {
  test("every id is used once (a repeated id sends clicks to the wrong element)", () => {
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(repeated).toEqual([]);
  });
});

describe("the verdict", () => {
  test("intact: who sealed it, their key, when", () => {
    expect(verdictTitle(view())).toBe(
      `Intact, sealed by A. Teacher (key ${FP}) on 25 November 2026 at 14:40:00 (UTC+00:00).`,
    );
  });

  test("a trusted key is named as it was trusted, not by the name the bundle claims", () => {
    const v = view();
    v.report.signer = { ...v.report.signer!, name: "Mr B. Colleague", trusted_as: "A. Teacher" };
    expect(verdictTitle(v)).toMatch(/^Intact, sealed by A. Teacher \(key /);
    // An untrusted key has no trusted name: it is shown as it claims, marked new.
    expect(verdictTitle(view({}, false))).toContain("a key you have not seen before: A. Teacher");
  });

  test("a key not seen before is said so", () => {
    expect(verdictTitle(view({}, false))).toContain("a key you have not seen before: A. Teacher");
  });

  test("anything changed: not intact, and what to do", () => {
    const v = view();
    v.report.findings = [
      { kind: "altered", file: "data/003-screenshot-03.png", offset: 1204, message: "data/003-screenshot-03.png was changed after sealing (byte 1,204 differs)." },
    ];
    expect(verdictTitle(v)).toMatch(/^NOT intact: 1 problem found/);
  });
});

describe("the designated person's screens", () => {
  test("open, see the verdict, compare and trust the key, turn green", async () => {
    await new DslApp(document, backend).start();
    expect($("#staff").hidden).toBe(true);
    expect($("#dsl").hidden).toBe(false);
    expect($("#dsl-setup").hidden).toBe(true);
    expect($("#dsl-share").textContent).toContain("age1xyz");
    await chooseBundle();
    expect(backend.calls).toContain("take EK-1.evidence.age");
    expect($("#dsl-verdict").className).toContain("verdict--bad");
    expect($("#dsl-trust").hidden).toBe(false);
    expect($("#dsl-trust-fp").textContent).toBe(FP);
    $("#dsl-trust-button").click();
    await settle();
    await settle();
    expect($("#dsl-verdict").className).toContain("verdict--ok");
    expect($("#dsl-verdict-title").textContent).toMatch(/^Intact, sealed by A. Teacher/);
    expect($("#dsl-trust").hidden).toBe(true);
    expect($("#inbox-list").textContent).toContain("Case EK-1");
  });

  test("a bundle dropped on the window is kept by its token and opened; only the first of a drop", async () => {
    backend.opened = view({}, true);
    const app = new DslApp(document, backend);
    await app.start();
    app.onDrop({ kind: "enter" });
    expect($("#dsl-drop").classList.contains("add-files--over")).toBe(true);
    app.onDrop({
      kind: "drop",
      files: [
        { token: "tok-1", name: "EK-1.evidence", size: 6 },
        { token: "tok-2", name: "EK-2.evidence", size: 6 },
      ],
    });
    expect($("#dsl-drop").classList.contains("add-files--over")).toBe(false);
    await vi.waitFor(() => expect($("#dsl-verdict-title").textContent).toMatch(/^Intact, sealed by A. Teacher/));
    expect(backend.calls.filter((c) => c.startsWith("take"))).toEqual(["take drop tok-1"]);
    expect(backend.calls).toContain(`open ${SHA.slice(0, 4)} -`);
  });

  test("a bundle claiming a seal on file whose contents differ is said so", async () => {
    const warning = "This bundle claims to be the same seal as one received on 25 November 2026 (EK-1.evidence.age), but its contents differ: one of them is not what was sealed.";
    backend.opened = view({ received: received({ intact: false, conflict: warning }) });
    await new DslApp(document, backend).start();
    await chooseBundle();
    expect($("#dsl-facts").textContent).toContain(warning);
  });

  test("names, notes and sites from a bundle are text, never HTML", async () => {
    backend.opened = view({
      items: [
        {
          path: "data/001-x",
          item: item({ original_name: "<img src=x onerror=alert(1)>.txt", note: "<script>bad()</script>", site: "<b>site</b>" }),
          image: false,
          problems: [],
        },
      ],
    });
    await new DslApp(document, backend).start();
    await chooseBundle();
    expect($("#dsl-items").querySelector("img")).toBeNull();
    expect($("#dsl-items").querySelector("script")).toBeNull();
    expect($("#dsl-items").textContent).toContain("<img src=x onerror=alert(1)>.txt");
    expect($("#dsl-items").textContent).toContain("Where: <b>site</b>");
  });

  test("an encrypted bundle asks for the passphrase, and a wrong one is said so", async () => {
    backend.locked = true;
    await new DslApp(document, backend).start();
    await chooseBundle();
    expect($("#dsl-unlock").hidden).toBe(false);
    $<HTMLInputElement>("#dsl-unlock-pass").value = "wrong";
    $<HTMLFormElement>("#dsl-unlock").requestSubmit();
    await settle();
    expect($("#error-summary").hidden).toBe(false);
    expect($("#error-summary").textContent).toContain("does not open");
    $<HTMLInputElement>("#dsl-unlock-pass").value = "right passphrase";
    $<HTMLFormElement>("#dsl-unlock").requestSubmit();
    await settle();
    await settle();
    expect($("#dsl-unlock").hidden).toBe(true);
    expect($<HTMLInputElement>("#dsl-unlock-pass").value).toBe("");
    expect($("#dsl-bundle").hidden).toBe(false);
  });

  test("status, form and receipt go to the backend; a receipt needs the passphrase", async () => {
    backend.opened = view();
    await new DslApp(document, backend).start();
    await chooseBundle();
    $<HTMLSelectElement>("#dsl-status").value = "referred";
    $<HTMLInputElement>("#dsl-note").value = "LADO, 26 Nov";
    $("#dsl-status-save").click();
    await settle();
    expect(backend.calls).toContain("status EK-1 referred");
    expect($("#dsl-history").textContent).toContain("Referred. LADO, 26 Nov");
    $("#dsl-print").click();
    await settle();
    await settle();
    expect(backend.calls).toContain("form true");
    expect($("#dsl-done").textContent).toContain("EK-1-form.pdf");
    $("#dsl-receipt").click();
    await settle();
    expect($("#error-summary").textContent).toContain("Enter your passphrase to sign the receipt");
    $<HTMLInputElement>("#dsl-receipt-pass").value = "pass phrase";
    $("#dsl-receipt").click();
    await settle();
    expect(backend.calls).toContain("receipt abab EK-1 pass phrase /home/d/Documents/Evidence Kit");
    expect($("#dsl-done").textContent).toContain("Give this file to A. Teacher");
    expect($<HTMLInputElement>("#dsl-receipt-pass").value).toBe("");
  });

  test("first use: keys made behind a passphrase typed twice", async () => {
    backend.state = { ...backend.state, identity_fingerprint: null, signing_fingerprint: null, share_text: null, name: null };
    await new DslApp(document, backend).start();
    expect($("#dsl-setup").hidden).toBe(false);
    $<HTMLInputElement>("#dsl-name").value = "Mrs D. Lead";
    $<HTMLInputElement>("#dsl-pass").value = "one passphrase";
    $<HTMLInputElement>("#dsl-pass2").value = "another";
    $<HTMLFormElement>("#dsl-setup").requestSubmit();
    await settle();
    expect($("#error-summary").textContent).toContain("The two passphrases are different");
    $<HTMLInputElement>("#dsl-pass2").value = "one passphrase";
    $<HTMLFormElement>("#dsl-setup").requestSubmit();
    await settle();
    await settle();
    expect($("#dsl-setup").hidden).toBe(true);
    expect($("#dsl-share").textContent).toBe("age1new");
  });

  test("the accounts named across cases are listed, as text", async () => {
    await new DslApp(document, backend).start();
    $("#dsl-accounts-open").click();
    await settle();
    const rows = document.querySelectorAll('[data-testid="dsl-account"]');
    expect(rows.length).toBe(1);
    expect(rows[0]?.textContent).toContain("<b>@bully</b>");
    expect(rows[0]?.querySelector("b")).toBeNull();
    expect(rows[0]?.textContent).toContain("EK-1, EK-2");
  });

  test("a large bundle says how far it has got, in steps of 10 %", async () => {
    await new DslApp(document, backend).start();
    const seen: string[] = [];
    const watch = new MutationObserver(() => seen.push($("#status").textContent ?? ""));
    watch.observe($("#status"), { childList: true, characterData: true, subtree: true });
    const input = $<HTMLInputElement>("#dsl-input");
    const big = new File(["x"], "huge.evidence");
    Object.defineProperty(big, "size", { value: 5 * PART_BYTES });
    Object.defineProperty(input, "files", { value: [big], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(seen.at(-1)).toBe("Received and checked."));
    watch.disconnect();
    expect(seen.slice(0, 7)).toEqual([
      "Receiving huge.evidence…",
      "Receiving huge.evidence: 20 %…",
      "Receiving huge.evidence: 40 %…",
      "Receiving huge.evidence: 60 %…",
      "Receiving huge.evidence: 80 %…",
      "Receiving huge.evidence: saving and checking…",
      "Checking huge.evidence…",
    ]);
    expect(seen.at(-1)).toBe("Received and checked.");
  });

  test("a bundle the app was opened on is opened at once", async () => {
    backend.launch = SHA;
    backend.opened = view();
    await new DslApp(document, backend).start();
    expect(backend.calls).toContain("open abab -");
    expect($("#dsl-verdict-title").textContent).toMatch(/^Intact/);
  });
});
