// Ctrl+plus, Ctrl+minus and Ctrl+0 make the app's text larger, smaller, or as it was; the
// size is remembered. The whole layout is in rem, so it grows with the text, and it turns
// into one column when there is no room for two (style.css).

const KEY = "evidence-kit-text-size";
const SIZES = [100, 110, 125, 150, 175, 200];

function stored(doc: Document): number {
  try {
    const v = Number(doc.defaultView?.localStorage.getItem(KEY));
    return SIZES.includes(v) ? v : 100;
  } catch {
    return 100;
  }
}

function apply(doc: Document, size: number): void {
  doc.documentElement.style.fontSize = size === 100 ? "" : `${size}%`;
  try {
    doc.defaultView?.localStorage.setItem(KEY, String(size));
  } catch {
    // Not remembered; the size still applies to this window.
  }
}

/** The text size now (100 = normal). */
export function textSize(doc: Document): number {
  return stored(doc);
}

/** Set the text size to the nearest size offered, and remember it. */
export function setTextSize(doc: Document, size: number): number {
  const nearest = SIZES.reduce((a, b) => (Math.abs(b - size) < Math.abs(a - size) ? b : a));
  apply(doc, nearest);
  return nearest;
}

/** Apply the remembered size and listen for the keys. */
export function wireTextSize(doc: Document): void {
  apply(doc, stored(doc));
  doc.addEventListener("keydown", (ev) => {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
    const now = SIZES.indexOf(stored(doc));
    let next: number | undefined;
    if (ev.key === "+" || ev.key === "=") next = SIZES[Math.min(now + 1, SIZES.length - 1)];
    else if (ev.key === "-" || ev.key === "_") next = SIZES[Math.max(now - 1, 0)];
    else if (ev.key === "0") next = 100;
    if (next === undefined) return;
    ev.preventDefault();
    apply(doc, next);
  });
}
