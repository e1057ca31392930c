// Opening a sealed file: kept (hashed as it arrives), checked, then shown: its verdict
// first. An encrypted one waits for the passphrase on its own page.

import { type Progress, toBackendError } from "../../backend";
import type { BundleView } from "../../dslBackend";
import type { DslSession } from "./context";

/** What to say when a sealed file cannot be opened, with the next step. */
export function openProblem(s: DslSession, code: string, message: string): string {
  if (code === "wrong_identity") {
    return `${message} It was sealed for another designated person. Ask the member of staff to add your key (the text in “What to give staff”) and seal it again for you.`;
  }
  return message;
}

/** Keep the file `name` (`keep` returns its SHA-256), then check it and go to its page. */
export async function openBundle(s: DslSession, name: string, keep: (progress: Progress) => Promise<string>): Promise<void> {
  s.router.busy(`Receiving ${name}…`);
  let sha: string;
  try {
    sha = await keep((done, total) => {
      if (total > 0) s.router.busy(`Receiving ${name}: ${Math.floor((done * 100) / total)} %…`);
    });
  } catch (e) {
    const err = toBackendError(e);
    s.router.problems([{ text: err.message }]);
    return;
  }
  s.router.busy(`Checking ${name}…`);
  await show(s, sha, null);
}

/** Check the kept file `sha` (with `passphrase` for an encrypted one) and show it. */
export async function show(s: DslSession, sha: string, passphrase: string | null): Promise<void> {
  let v: BundleView;
  try {
    v = await s.backend.open(sha, passphrase);
  } catch (e) {
    const err = toBackendError(e);
    if (err.code === "identity_locked") {
      await s.router.go(`dsl/unlock/${sha}`);
      return;
    }
    if (err.code === "wrong_identity_passphrase") {
      s.router.problems([{ text: err.message, field: "dsl-unlock-pass" }]);
      return;
    }
    s.router.problems([{ text: openProblem(s, err.code, err.message) }]);
    return;
  }
  s.views.set(sha, v);
  // "Received and checked" only beside a good verdict, never above a red one.
  const intact = v.report.findings.length === 0;
  await s.router.go(`dsl/bundle/${sha}`, intact ? { title: v.duplicate ? "Received before; checked again." : "Received and checked." } : undefined);
}
