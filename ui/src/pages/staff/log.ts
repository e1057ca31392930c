// What has happened to a record: every entry of its custody log in words, oldest first.

import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { p, technical } from "../../base/ui";
import { whenInWords } from "../../format";
import { loadRecord } from "./record";

export function logPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const lines = await s.backend.custodyLog(caseId);
    return {
      title: "What has happened to this record",
      caption: rec.summary.title,
      back: href(`record/${caseId}/evidence`),
      body: () => [
        p(doc, "Everything done to it is written here as it happens, and nothing here can be changed or taken away."),
        el(
          doc,
          "ol",
          { class: "log-list", "data-testid": "log-list" },
          ...lines.map((l) =>
            el(
              doc,
              "li",
              { class: "log-line", "data-seq": String(l.seq) },
              el(doc, "time", { datetime: l.at, text: whenInWords(l.at) }),
              " · ",
              el(doc, "span", { class: "log-line__actor", text: l.actor }),
              ": ",
              el(doc, "span", { class: "log-line__text", text: l.text }),
              l.clock_anomaly ? el(doc, "strong", { text: " (this computer's clock had been set back)" }) : null,
            ),
          ),
        ),
        lines.some((l) => l.technical)
          ? technical(
              doc,
              el(doc, "ul", { class: "list", "data-testid": "log-technical" }, ...lines.filter((l) => l.technical).map((l) => el(doc, "li", { text: `Entry ${l.seq}: ${l.technical ?? ""}` }))),
            )
          : null,
      ],
    };
  };
}
