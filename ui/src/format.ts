// Plain-English renderings of the core's values. Pure functions, tested in format.test.ts.

import type { CaseSummary } from "./generated/CaseSummary";

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * "25 November 2026 at 14:32:05 (UTC+01:00)" from the core's local stamp
 * (`2026-11-25T14:32:05.123+01:00`). The wall-clock time is taken from the string as
 * recorded, never re-computed in the viewer's time zone, and the offset is always
 * shown. Anything unexpected is shown as it is.
 */
export function formatLocal(local: string): string {
  const m = LOCAL_TIME.exec(local);
  if (!m) return local;
  const [, year, month, day, hh, mm, ss, offset] = m;
  const monthName = MONTHS[Number(month) - 1];
  if (monthName === undefined) return local;
  const zone = offset === "Z" ? "UTC" : `UTC${offset}`;
  return `${Number(day)} ${monthName} ${year} at ${hh}:${mm}:${ss} (${zone})`;
}

/** The first 8 hex digits of a SHA-256 and an ellipsis: enough to tell items apart. */
export function shortHash(sha256: string): string {
  return sha256.length > 8 ? `${sha256.slice(0, 8)}…` : sha256;
}

/** "1 item", "3 items". */
export function countItems(n: number): string {
  return n === 1 ? "1 item" : `${n} items`;
}

/** Where a record stands, in words, for the list of records. */
export function caseState(
  c: Pick<CaseSummary, "state"> &
    Partial<Pick<CaseSummary, "last_sealed" | "handed_over" | "changed_since_seal" | "receipt">>,
): string {
  if (c.state === "open") return "Open: not sealed yet";
  if (c.changed_since_seal) return "Changed since it was sealed: seal it again";
  if (c.receipt) return c.receipt;
  if (c.state === "sent" && c.handed_over) return `Given to your designated person on ${formatLocal(c.handed_over)}`;
  return c.last_sealed ? `Sealed on ${formatLocal(c.last_sealed)}, not given yet` : "Sealed, not given yet";
}

/**
 * A rectangle dragged on a picture shown at `shown` size, in the picture's own pixels
 * (`natural` size): [x, y, width, height], clamped to the picture, whichever way the
 * drag went.
 */
export function toImageRect(
  a: { x: number; y: number },
  b: { x: number; y: number },
  shown: { w: number; h: number },
  natural: { w: number; h: number },
): [number, number, number, number] {
  const sx = natural.w / Math.max(shown.w, 1);
  const sy = natural.h / Math.max(shown.h, 1);
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const x1 = clamp(Math.min(a.x, b.x) * sx, natural.w);
  const y1 = clamp(Math.min(a.y, b.y) * sy, natural.h);
  const x2 = clamp(Math.max(a.x, b.x) * sx, natural.w);
  const y2 = clamp(Math.max(a.y, b.y) * sy, natural.h);
  return [Math.round(x1), Math.round(y1), Math.round(x2 - x1), Math.round(y2 - y1)];
}

/** What kind of thing an item is, in words: "A picture", "An e-mail", "A file". */
export function kindInWords(mediaType: string): string {
  if (mediaType.startsWith("image/")) return "A picture";
  if (mediaType.startsWith("video/")) return "A video";
  if (mediaType === "message/rfc822") return "An e-mail";
  if (mediaType === "application/pdf") return "A PDF document";
  if (mediaType.startsWith("text/")) return "Some text";
  return "A file";
}

/** The locale dates are shown in: the system's when it names a country, else en-GB (the
 *  app's audience; a C or POSIX locale names none). */
export function displayLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): string {
  const first = languages.find((l) => /^[a-z]{2,3}-[A-Z]{2}/.test(l));
  return first ?? "en-GB";
}

/**
 * "1 Dec 2026, 14:02" from a local stamp or a date-and-time as typed
 * ("2026-12-01T14:02"), in the wall-clock time recorded (never moved into the viewer's
 * zone), in the person's locale's order. Anything unexpected is shown as it is.
 */
export function whenInWords(value: string, locale = displayLocale()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return value;
  const [, y, mo, d, hh, mm] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm)));
  if (Number.isNaN(date.getTime())) return value;
  try {
    return new Intl.DateTimeFormat(locale, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "UTC",
    }).format(date);
  } catch {
    return value;
  }
}
