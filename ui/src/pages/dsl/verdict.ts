// The verdict's title: who sealed it and when, or what is wrong, in one sentence.

import type { BundleView } from "../../dslBackend";
import { whenInWords } from "../../format";

/** "Intact, sealed by …" or what is wrong, for the verdict's title. */
export function verdictTitle(v: BundleView): string {
  const r = v.report;
  const s = r.signer;
  // A trusted key is named as it was trusted, never by the name the bundle claims.
  const who = s ? `${(s.trusted && s.trusted_as) || s.name} (key ${s.fingerprint})` : "someone unknown";
  const when = v.sealed_local ? ` on ${whenInWords(v.sealed_local)}` : "";
  if (r.findings.length === 0) return `Intact, sealed by ${who}${when}.`;
  if (s?.signature_valid && r.findings.every((f) => f.kind === "untrusted_key")) {
    return `Signed by a key you have not seen before: ${who}${when}. Nothing in it was changed since it was sealed, but check the key before you rely on it.`;
  }
  const n = r.findings.length;
  return `NOT intact: ${n === 1 ? "1 problem" : `${n} problems`} found. Do not rely on this file; ask ${s?.name ?? "the member of staff"} for it again.`;
}

