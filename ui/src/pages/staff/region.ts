// "Part of the screen": the screen is grabbed (held by the app, not kept), shown in a
// dialog blurred like every picture of evidence, and the person drags over the part to
// keep (or types its position). Only that part is ever stored.

import { type Item, toBackendError } from "../../backend";
import { el } from "../../dom";
import { toImageRect } from "../../format";
import { href } from "../../base/router";
import type { Session } from "../../base/session";
import { button } from "../../base/ui";

type Rect = [number, number, number, number];

export class RegionChooser {
  private readonly s: Session;
  private readonly caseId: string;
  private readonly kept: (item: Item) => void;
  private dialog: HTMLDialogElement | null = null;
  private size: [number, number] = [0, 0];
  private rect: Rect | null = null;
  private url: string | null = null;

  constructor(s: Session, caseId: string, kept: (item: Item) => void) {
    this.s = s;
    this.caseId = caseId;
    this.kept = kept;
  }

  async open(): Promise<void> {
    try {
      this.size = await this.s.backend.beginRegion();
      const png = await this.s.backend.regionPreview();
      this.build(png);
    } catch (e) {
      this.s.router.problems([{ text: toBackendError(e).message }]);
    }
  }

  close(): void {
    if (this.dialog) {
      if (typeof this.dialog.close === "function") this.dialog.close();
      this.dialog.remove();
      this.dialog = null;
    }
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }

  private build(png: Uint8Array): void {
    const doc = this.s.doc;
    this.close();
    this.url = URL.createObjectURL(new Blob([new Uint8Array(png)], { type: "image/png" }));
    const shown = this.s.showPictures();
    const img = el(doc, "img", { class: shown ? "region__img" : "region__img region__img--hidden", src: this.url, alt: "Your screen", "data-testid": "region-img" });
    const box = el(doc, "div", { class: "region__box", hidden: "" });
    const frame = el(doc, "div", { class: "region__frame", "data-testid": "region-frame" }, img, box);
    const show = button(doc, shown ? "Hide" : "Show", "region-show", "secondary");
    show.setAttribute("aria-pressed", String(shown));
    show.addEventListener("click", () => {
      const now = img.classList.toggle("region__img--hidden") === false;
      show.textContent = now ? "Hide" : "Show";
      show.setAttribute("aria-pressed", String(now));
    });
    const num = (id: string, label: string, min: string) =>
      [el(doc, "label", { for: id, text: label }), el(doc, "input", { id, "data-testid": id, type: "number", min, step: "1" })] as const;
    const fields = [num("region-x", "From the left", "0"), num("region-y", "From the top", "0"), num("region-w", "Width", "1"), num("region-h", "Height", "1")];
    const keep = button(doc, "Keep this part", "region-keep");
    const cancel = button(doc, "Cancel", "region-cancel", "secondary");
    const iioc = el(doc, "a", { class: "link link--warning", href: href(`record/${this.caseId}/safeguard`), "data-testid": "region-iioc", text: "This may be an indecent image of a child" });
    iioc.addEventListener("click", () => {
      this.s.backend.cancelRegion().catch(() => undefined);
      this.close();
    });
    const dialog = el(
      doc,
      "dialog",
      { class: "viewer region", "data-testid": "region", "aria-labelledby": "region-title" },
      el(doc, "h2", { id: "region-title", text: "Drag over the part you want to keep" }),
      el(doc, "div", { class: "actions" }, keep, cancel, show),
      frame,
      el(
        doc,
        "details",
        { class: "details" },
        el(doc, "summary", { text: "Type its exact position instead" }),
        el(doc, "div", { class: "region__numbers" }, ...fields.flat()),
      ),
      el(doc, "p", {}, iioc),
    );
    this.dialog = dialog;
    doc.body.append(dialog);
    const input = (id: string) => dialog.querySelector<HTMLInputElement>(`#${id}`);
    const set = (r: Rect) => {
      const [sw, sh] = this.size;
      const x = Math.min(Math.max(0, Math.round(r[0])), Math.max(sw - 1, 0));
      const y = Math.min(Math.max(0, Math.round(r[1])), Math.max(sh - 1, 0));
      const w = Math.min(Math.max(0, Math.round(r[2])), sw - x);
      const h = Math.min(Math.max(0, Math.round(r[3])), sh - y);
      this.rect = [x, y, w, h];
      for (const [id, v] of [["region-x", x], ["region-y", y], ["region-w", w], ["region-h", h]] as const) {
        const i = input(id);
        if (i) i.value = String(v);
      }
      keep.disabled = w < 2 || h < 2;
      const shownW = img.getBoundingClientRect().width;
      if (shownW > 0 && sw > 0) {
        const k = shownW / sw;
        box.hidden = false;
        box.style.left = `${x * k}px`;
        box.style.top = `${y * k}px`;
        box.style.width = `${w * k}px`;
        box.style.height = `${h * k}px`;
      }
    };
    set([0, 0, this.size[0], this.size[1]]);
    for (const id of ["region-x", "region-y", "region-w", "region-h"]) {
      input(id)?.addEventListener("input", () => {
        const n = (f: string) => Number(input(f)?.value) || 0;
        set([n("region-x"), n("region-y"), n("region-w"), n("region-h")]);
      });
    }
    let start: { x: number; y: number } | null = null;
    const at = (ev: MouseEvent) => {
      const r = img.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    const draw = (a: { x: number; y: number }, b: { x: number; y: number }) => {
      const r = img.getBoundingClientRect();
      set(toImageRect(a, b, { w: r.width, h: r.height }, { w: this.size[0], h: this.size[1] }));
    };
    frame.addEventListener("mousedown", (ev) => {
      ev.preventDefault();
      start = at(ev);
    });
    frame.addEventListener("mousemove", (ev) => {
      if (start) draw(start, at(ev));
    });
    frame.addEventListener("mouseup", (ev) => {
      if (start) draw(start, at(ev));
      start = null;
    });
    keep.addEventListener("click", () =>
      void (async () => {
        if (this.rect === null) return;
        try {
          const item = await this.s.backend.captureRegion(this.caseId, this.rect);
          this.close();
          this.kept(item);
        } catch (e) {
          this.close();
          this.s.router.problems([{ text: toBackendError(e).message }]);
        }
      })(),
    );
    cancel.addEventListener("click", () => {
      this.s.backend.cancelRegion().catch(() => undefined);
      this.close();
    });
    dialog.addEventListener("cancel", () => this.s.backend.cancelRegion().catch(() => undefined));
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    keep.focus();
  }
}
