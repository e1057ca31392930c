// A tiny element builder. Text goes in through `textContent` only, never `innerHTML`:
// titles, names and file names are typed by people (or chosen by whoever sent the
// abuse) and must never be parsed as HTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? doc.createTextNode(child) : child);
  }
  return node;
}

/** The element with this id; a missing one is a bug in index.html, so say which. */
export function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const node = doc.getElementById(id);
  if (!node) throw new Error(`index.html has no element #${id}`);
  return node as T;
}

/**
 * A button that opens a hidden file input: it hands the chosen files to `onFiles`. The
 * input is emptied after each choice, so choosing the same file again works. (Files
 * dropped on the window reach the page another way: see `drop.ts`.)
 */
export function wireFilePicking(button: HTMLElement, input: HTMLInputElement, onFiles: (files: File[]) => void): void {
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const files = Array.from(input.files ?? []);
    input.value = "";
    if (files.length > 0) onFiles(files);
  });
}
