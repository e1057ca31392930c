// The staff member's app: every page and its address. The first run asks "Who are you?",
// then set-up; after that the home page lists the records.

import type { Backend } from "../../backend";
import { href, Router } from "../../base/router";
import { Session } from "../../base/session";
import { checkPage } from "./check";
import { detailsPage } from "./details";
import { evidencePage } from "./evidence";
import { folderPage } from "./folder";
import { homePage, newRecordPage } from "./home";
import { indecentItemPage, itemPage, withdrawPage } from "./item";
import { logPage } from "./log";
import { reportPage } from "./report";
import { safeguardPage } from "./safeguard";
import { sealPage } from "./seal";
import { sealedPage } from "./sealed";
import { newKeyPage, removePersonPage, settingsPage } from "./settings";
import { aboutYouPage, compareFingerprintPage, designatedPage, keyPage, whoPage } from "./setup";
import { windowPage } from "./window";

export function staffApp(doc: Document, backend: Backend, mount: HTMLElement): Session {
  const s = new Session(doc, backend);
  s.router = new Router(
    doc,
    mount,
    [
      ["", homePage(s)],
      ["who", whoPage(s)],
      ["setup/you", aboutYouPage(s, "setup/key")],
      ["setup/key", keyPage(s, "setup/designated")],
      ["setup/designated", designatedPage(s, "setup/designated/check", href("setup/key"))],
      ["setup/designated/check/:name", compareFingerprintPage(s, "", "setup/designated")],
      ["new", newRecordPage(s)],
      ["record/:id", evidencePage(s)],
      ["record/:id/evidence", evidencePage(s)],
      ["record/:id/window", windowPage(s)],
      ["record/:id/item/:item", itemPage(s, "evidence")],
      ["record/:id/item/:item/withdraw", withdrawPage(s)],
      ["record/:id/item/:item/indecent", indecentItemPage(s)],
      ["record/:id/details", detailsPage(s)],
      ["record/:id/details/:item", itemPage(s, "details")],
      ["record/:id/report", reportPage(s, "what")],
      ["record/:id/report/done", reportPage(s, "done")],
      ["record/:id/report/you", reportPage(s, "you")],
      ["record/:id/check", checkPage(s)],
      ["record/:id/folder", folderPage(s)],
      ["record/:id/seal", sealPage(s)],
      ["record/:id/sealed", sealedPage(s)],
      ["record/:id/log", logPage(s)],
      ["record/:id/safeguard", safeguardPage(s)],
      ["settings", settingsPage(s)],
      ["settings/capture", settingsPage(s, "capture")],
      ["settings/move", settingsPage(s, "move")],
      ["settings/you", aboutYouPage(s, "settings", href("settings"))],
      ["settings/new-key", newKeyPage(s)],
      ["settings/designated", designatedPage(s, "settings/designated/check", href("settings"), "Settings")],
      ["settings/designated/check/:name", compareFingerprintPage(s, "settings", "settings/designated")],
      ["settings/remove/:name", removePersonPage(s)],
    ],
  );
  return s;
}
