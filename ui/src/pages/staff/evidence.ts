// Step 1, Evidence: keep what happened (capture the screen, a window or a part of it; add
// files; paste), and see what is kept. Each capture goes straight on to describing it.

import { type Item, type Progress, toBackendError } from "../../backend";
import { el, wireFilePicking } from "../../dom";
import { type DropMessage, type DroppedFile, showDragOver } from "../../drop";
import { fillThumbnail } from "../../picture";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { type Problem, button, buttonLink, link, p } from "../../base/ui";
import { kindInWords, whenInWords } from "../../format";
import { loadRecord } from "./record";
import { RegionChooser } from "./region";

/** One line saying what is known of an item: where, who from, when seen. */
export function itemSummary(item: Item): string {
  const parts = [
    item.site ? `Where: ${item.site}` : "Where: not recorded",
    item.from.handle || item.from.email ? `From: ${item.from.handle ?? item.from.email}` : null,
    item.seen ? `Seen: ${whenInWords(item.seen)}` : null,
  ];
  return parts.filter((x) => x !== null).join(" · ");
}

/** An item in a list: picture (blurred), name, what is known, and a link to describe it. */
export function itemCard(s: Session, item: Item, n: number, to: string, urls: string[]): HTMLLIElement {
  const doc = s.doc;
  const thumb = el(doc, "div", { class: "thumb thumb--loading" });
  if (item.removed) {
    thumb.className = "thumb thumb--none";
    thumb.append(el(doc, "span", { text: "Not kept" }));
  } else {
    s.backend.itemThumbnail(item.id).then(
      (png) => {
        const url = fillThumbnail(doc, thumb, png, item.original_name, s.showPictures(), (showing) => void s.openViewer(item, showing));
        if (url) urls.push(url);
      },
      () => fillThumbnail(doc, thumb, new Uint8Array(0), item.original_name, false, () => undefined),
    );
  }
  const status = item.removed
    ? el(doc, "p", { class: "item__status item__status--removed", "data-testid": "item-removed", text: "Removed as a possible indecent image of a child. Only its record remains." })
    : item.withdrawn
      ? el(doc, "p", { class: "item__status", "data-testid": "item-withdrawn", text: `Withdrawn: ${item.withdrawn.reason}. It is kept.` })
      : null;
  return el(
    doc,
    "li",
    { class: item.withdrawn ? "item item--withdrawn" : "item", "data-item-id": String(item.id) },
    thumb,
    el(
      doc,
      "div",
      { class: "item__body" },
      el(doc, "h3", { class: "item__name" }, `${n}. `, item.original_name),
      el(doc, "p", { class: "item__kind", text: kindInWords(item.media_type) }),
      el(doc, "p", { class: "item__site", "data-testid": "item-summary", text: itemSummary(item) }),
      status,
      item.removed ? null : link(doc, item.withdrawn ? "See it" : item.site ? "Change the details" : "Describe it", to, "item-describe"),
    ),
  );
}

export function evidencePage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const items = await s.backend.listItems(caseId);
    await s.setup();
    const urls: string[] = [];
    const describe = (item: Item, flash: string) =>
      s.router.go(`record/${caseId}/item/${item.id}`, { title: flash });

    const captureButton = button(doc, "Capture the screen", "capture-screen");
    captureButton.addEventListener("click", () =>
      void (async () => {
        captureButton.disabled = true;
        s.router.busy("Taking a picture of your screen…");
        try {
          const item = await s.backend.captureScreen(caseId);
          await describe(item, `Screenshot kept as “${item.original_name}”.`);
        } catch (e) {
          s.router.problems([{ text: toBackendError(e).message }]);
        } finally {
          captureButton.disabled = false;
        }
      })(),
    );
    const region = new RegionChooser(s, caseId, (item) => void describe(item, `Kept as “${item.original_name}”.`));
    const regionButton = button(doc, "Part of the screen", "capture-region-open", "secondary");
    regionButton.addEventListener("click", () => void region.open());
    const fileInput = el(doc, "input", { type: "file", multiple: "", hidden: "", "data-testid": "file-input", "aria-label": "Choose files to keep" });
    const addFiles = button(doc, "Add files", "add-files", "secondary");
    const paste = button(doc, "Paste", "paste", "secondary");
    paste.addEventListener("click", () =>
      void s.act(async () => {
        const item = await s.backend.captureClipboard(caseId);
        await describe(item, `Kept what you copied as “${item.original_name}”.`);
      }),
    );
    const dropZone = el(
      doc,
      "div",
      { class: "add-files", id: "drop-zone", "data-testid": "drop-zone" },
      addFiles,
      paste,
      fileInput,
      el(doc, "span", { class: "hint", text: "or drop files here" }),
    );

    /** Keep each file, one after another, saying how far it has got; each refusal named. */
    const keepEach = async (files: Array<{ name: string; keep: (progress: Progress) => Promise<Item> }>) => {
      const problems: Problem[] = [];
      const kept: Item[] = [];
      for (const [i, f] of files.entries()) {
        const doing = `Keeping ${f.name} (${i + 1} of ${files.length})`;
        s.router.busy(`${doing}…`);
        // Said in steps of 10 %, so that a screen reader is not told every part.
        let said = -1;
        try {
          kept.push(await f.keep((done, total) => {
            const tenth = total > 0 ? Math.floor((done * 10) / total) * 10 : -1;
            if (tenth < 0 || tenth === said) return;
            said = tenth;
            s.router.busy(`${doing}: ${tenth} %…`);
          }));
        } catch (e) {
          problems.push({ text: `${f.name}: ${toBackendError(e).message}` });
        }
      }
      const only = kept[0];
      if (problems.length === 0 && kept.length === 1 && only) {
        await describe(only, `Kept “${only.original_name}”.`);
        return;
      }
      await s.router.redraw(kept.length > 0 && problems.length === 0 ? { title: kept.length === 1 ? "1 file kept." : `${kept.length} files kept.`, text: "Describe each one: where you saw it, and who it came from." } : undefined);
      if (problems.length > 0) s.router.problems(problems);
    };
    wireFilePicking(addFiles, fileInput, (files) =>
      void keepEach(files.map((f) => ({ name: f.name, keep: (progress) => s.backend.captureUpload(caseId, f, progress) }))),
    );
    const dropProgress = new Map<string, Progress>();
    const onDrop = (message: DropMessage) => {
      showDragOver(dropZone, message);
      if (message.kind === "progress") dropProgress.get(message.token)?.(message.done, message.total);
      if (message.kind === "drop" && message.files.length > 0) {
        void keepEach(
          message.files.map((f: DroppedFile) => ({
            name: f.name,
            keep: async (progress: Progress) => {
              dropProgress.set(f.token, progress);
              try {
                return await s.backend.captureDrop(caseId, f.token);
              } finally {
                dropProgress.delete(f.token);
              }
            },
          })),
        );
      }
    };

    s.onDrop = onDrop;

    const list = el(
      doc,
      "ul",
      { class: "item-list", "data-testid": "item-list", "data-case-id": caseId },
      ...items.map((item, i) => itemCard(s, item, i + 1, href(`record/${caseId}/item/${item.id}`), urls)),
    );
    // Every item kept says where it was seen: the Details step has nothing to ask.
    const live = items.filter((i) => !i.removed && !i.withdrawn);
    const described = live.length > 0 && live.every((i) => i.site !== null);
    const body: Node[] = [
      p(doc, "Keep each message, post or page. Nothing kept is ever deleted."),
      el(
        doc,
        "div",
        { class: "capture" },
        captureButton,
        link(doc, "A window", href(`record/${caseId}/window`), "capture-window-open"),
        regionButton,
      ),
      dropZone,
      el(doc, "div", { "data-slot": "messages" }),
      items.length > 0 ? el(doc, "h2", { text: "Kept in this record" }) : p(doc, "Nothing is kept in this record yet.", { class: "empty", "data-testid": "no-items" }),
      list,
      el(doc, "div", { class: "actions" }, buttonLink(doc, "Continue", href(`record/${caseId}/${described ? "report" : "details"}`), "continue")),
      el(
        doc,
        "p",
        { class: "quiet-links" },
        link(doc, "This may be an indecent image of a child", href(`record/${caseId}/safeguard`), "iioc-open"),
        " · ",
        link(doc, "The record's log", href(`record/${caseId}/log`), "log-open"),
        " · ",
        link(doc, "Your records", href(""), "home"),
      ),
    ];
    return {
      title: "Evidence",
      caption: rec.summary.title,
      steps: rec.steps("evidence"),
      back: href(""),
      body: () => body,
      // Where the person goes next: capture, with nothing kept yet; Continue, once every
      // item says where it was seen (the banner above says what was just done).
      shown: () => {
        const target = items.length === 0 ? "capture-screen" : described ? "continue" : null;
        const node = target ? doc.querySelector<HTMLElement>(`[data-testid="${target}"]`) : null;
        // Focused where it can be seen: the page scrolls to it if it is below the fold.
        (node ?? doc.querySelector<HTMLElement>(":scope #page > .banner") ?? doc.getElementById("page-title"))?.focus();
      },
      leave: () => {
        // The page drawn in its place (this page again, after a redraw) may have set its
        // own already: the router leaves the old page once the new one is made.
        if (s.onDrop === onDrop) s.onDrop = null;
        region.close();
        for (const u of urls) URL.revokeObjectURL(u);
      },
    };
  };
}
