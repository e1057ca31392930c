// Pictures of evidence, shared by the staff member's and the designated person's screens:
// a thumbnail blurred until "Show", and the full-size view (blurred until shown unless the
// person chose otherwise). The PNG bytes come from the core, already size-limited.
import { byId, el } from "./dom";

/** Fill `box` with a preview of `png` (or "No preview" when empty): blurred unless
 * `shown`, a Show/Hide toggle, and a "Full size" button calling `onFull`. Returns the
 * object URL made, for the caller to release. */
export function fillThumbnail(
  doc: Document,
  box: HTMLElement,
  png: Uint8Array,
  name: string,
  shown: boolean,
  onFull: (showing: boolean) => void,
  fullTestId = "open-full",
): string | null {
  if (png.length === 0) {
    box.className = "thumb thumb--none";
    box.replaceChildren(el(doc, "span", { text: "No preview" }));
    return null;
  }
  // Copy into a fresh ArrayBuffer-backed array, which is what Blob accepts.
  const url = URL.createObjectURL(new Blob([new Uint8Array(png)], { type: "image/png" }));
  const img = el(doc, "img", {
    class: shown ? "thumb__img" : "thumb__img thumb__img--hidden",
    src: url,
    alt: `Preview of ${name}`,
  });
  const toggle = el(doc, "button", {
    type: "button",
    class: "button button--secondary thumb__toggle",
    "aria-pressed": String(shown),
    text: shown ? "Hide" : "Show",
  });
  const full = el(doc, "button", {
    type: "button",
    class: "button button--secondary thumb__toggle",
    "data-testid": fullTestId,
    text: "Full size",
  });
  // The full-size view opens as the thumbnail is: shown if the person chose to look.
  full.addEventListener("click", () => onFull(!img.classList.contains("thumb__img--hidden")));
  toggle.addEventListener("click", () => {
    const showing = img.classList.toggle("thumb__img--hidden") === false;
    toggle.setAttribute("aria-pressed", String(showing));
    toggle.textContent = showing ? "Hide" : "Show";
  });
  box.className = "thumb";
  // The frame clips the blur, so it does not bleed over the text beside it.
  box.replaceChildren(el(doc, "div", { class: "thumb__frame" }, img), toggle, full);
  return url;
}

/** The full-size view: one dialog for the whole page. */
export class Viewer {
  private readonly doc: Document;
  private url: string | null = null;

  constructor(doc: Document) {
    this.doc = doc;
    byId(doc, "viewer-show").addEventListener("click", () => {
      const img = byId(doc, "viewer-img");
      const showing = img.classList.toggle("viewer__img--hidden") === false;
      byId(doc, "viewer-show").setAttribute("aria-pressed", String(showing));
      byId(doc, "viewer-show").textContent = showing ? "Hide" : "Show";
    });
    byId(doc, "viewer-close").addEventListener("click", () => {
      const dialog = byId<HTMLDialogElement>(doc, "viewer");
      if (typeof dialog.close === "function") dialog.close();
      else dialog.removeAttribute("open");
    });
  }

  /** Show `png` full size under the title `name`, blurred unless `shown`. */
  open(png: Uint8Array, name: string, shown: boolean): void {
    const doc = this.doc;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(new Blob([new Uint8Array(png)], { type: "image/png" }));
    const img = byId<HTMLImageElement>(doc, "viewer-img");
    img.src = this.url;
    img.alt = `${name}, full size`;
    img.classList.toggle("viewer__img--hidden", !shown);
    const toggle = byId(doc, "viewer-show");
    toggle.setAttribute("aria-pressed", String(shown));
    toggle.textContent = shown ? "Hide" : "Show";
    byId(doc, "viewer-title").textContent = name;
    const dialog = byId<HTMLDialogElement>(doc, "viewer");
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    byId(doc, "viewer-close").focus();
  }
}
