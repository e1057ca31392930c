// A stand-in for the designated person's commands, for the pages' unit tests (never
// imported by the app).
import { BackendError, type EmailView, type Item, PART_BYTES } from "../../backend";
import type { Account, BundleView, DslBackend, DslState, Received, StatusLine } from "../../dslBackend";
import { fakeCase, fakeItem, settle } from "../../testing";

export const STAMP = { utc: "2026-11-25T14:40:00.000Z", local: "2026-11-25T14:40:00.000+00:00", zone: "Europe/London" };
export const SHA = "ab".repeat(32);
export const FP = "3F2A 91C0 1234 ABCD";

export function item(over: Partial<Item> = {}): Item {
  const basics = { id: 1, sha256: "cd".repeat(32), size: 10, media_type: "text/plain", original_name: "a.txt" };
  return fakeItem({ ...basics, source: "file", captured: STAMP, ...over });
}

export function received(over: Partial<Received> = {}): Received {
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
    status: "received",
    status_note: null,
    state: "intact",
    referred_to: [],
    ...over,
  };
}

export function view(over: Partial<BundleView> = {}, trusted = true): BundleView {
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

export class FakeDsl implements DslBackend {
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
  async setStatus(caseRef: string, status: string, note: string | null, to: string[]): Promise<StatusLine[]> {
    this.statuses.push({ at: STAMP.local, status, note, referred_to: [] });
    this.calls.push(`status ${caseRef} ${status}${to.length > 0 ? ` to ${to.join(",")}` : ""}`);
    return this.statuses;
  }
  async history(): Promise<StatusLine[]> {
    return this.statuses;
  }
  async receipt(sha: string, caseRef: string, passphrase: string, folder: string): Promise<string> {
    this.calls.push(`receipt ${sha.slice(0, 4)} ${caseRef} ${passphrase} ${folder}`);
    return `${folder}/EK-1-receipt.evidence-receipt`;
  }
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
  async chooseFolder(): Promise<string | null> {
    return "/media/usb";
  }
  async printForm(sha: string, fill: boolean): Promise<void> {
    this.calls.push(`print ${sha.slice(0, 4)} ${fill}`);
  }
  async saveShare(): Promise<string | null> {
    return "/media/usb/Mrs D. Lead - key for staff.txt";
  }
  emails: Record<string, EmailView> = {};
  async emailView(_sha: string, path: string): Promise<EmailView> {
    const v = this.emails[path];
    if (!v) throw new BackendError("not_an_email", "It is not an e-mail.");
    return v;
  }
}

