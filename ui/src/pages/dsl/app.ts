// The designated person's app: every page and its address.

import type { DslBackend } from "../../dslBackend";
import { Router } from "../../base/router";
import { emailPage, logPage, receiptPage, statusPage, unlockPage } from "./actions";
import { bundlePage } from "./bundle";
import { DslSession } from "./context";
import { dslHomePage, dslKeysPage } from "./home";
import { accountsPage, exportPage, sharePage } from "./more";
import { show } from "./open";

export function dslApp(doc: Document, backend: DslBackend, mount: HTMLElement): DslSession {
  const s = new DslSession(doc, backend);
  s.router = new Router(
    doc,
    mount,
    [
      ["dsl", dslHomePage(s)],
      ["dsl/keys", dslKeysPage(s)],
      ["dsl/share", sharePage(s)],
      ["dsl/accounts", accountsPage(s)],
      ["dsl/export", exportPage(s)],
      ["dsl/unlock/:sha", unlockPage(s)],
      ["dsl/bundle/:sha", bundlePage(s)],
      ["dsl/bundle/:sha/status", statusPage(s)],
      ["dsl/bundle/:sha/receipt", receiptPage(s)],
      ["dsl/bundle/:sha/log", logPage(s)],
      ["dsl/bundle/:sha/item/:path", emailPage(s)],
    ],
    "dsl",
  );
  return s;
}

/** The sealed file the app was opened on (from a file manager), if any: kept and shown. */
export async function openLaunchFile(s: DslSession): Promise<void> {
  try {
    const sha = await s.backend.takeLaunchFile();
    if (sha) await show(s, sha, null);
  } catch (e) {
    s.router.problems([{ text: e instanceof Error ? e.message : String(e) }]);
  }
}
