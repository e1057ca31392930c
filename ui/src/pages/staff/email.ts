// An e-mail kept as evidence, shown as text: its From, To, Date and Subject, and its
// plain-text body (the core turns an HTML-only message into text; nothing is ever parsed
// as HTML here, and nothing in it is fetched or run).

import type { Item } from "../../backend";
import { el } from "../../dom";
import type { Session } from "../../base/session";
import { summaryList } from "../../base/ui";
import { whenInWords } from "../../format";

export async function emailView(s: Session, item: Item): Promise<HTMLElement> {
  const doc = s.doc;
  let view: { from: string | null; to: string | null; date: string | null; subject: string | null; body: string; cut: boolean };
  try {
    view = await s.backend.emailView(item.id);
  } catch {
    const h = item.email;
    view = { from: h?.from ?? null, to: h?.to ?? null, date: h?.date ?? null, subject: h?.subject ?? null, body: "", cut: false };
  }
  const or = (v: string | null) => v ?? "not given";
  return el(
    doc,
    "section",
    { class: "email", "data-testid": "email", "aria-label": "The e-mail" },
    summaryList(doc, [
      { key: "From", value: or(view.from), testid: "email-from" },
      { key: "To", value: or(view.to) },
      { key: "Date", value: view.date ? whenInWords(view.date) : "not given" },
      { key: "Subject", value: or(view.subject), testid: "email-subject" },
    ]),
    el(doc, "pre", { class: "email__body", "data-testid": "email-body", tabindex: "0", text: view.body === "" ? "(No text to show.)" : view.body }),
    view.cut ? el(doc, "p", { class: "hint", text: "The rest of it is not shown here; it is all kept." }) : null,
  );
}
