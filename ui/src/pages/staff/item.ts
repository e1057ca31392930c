// Details of one item: its picture (blurred) or e-mail, and where, when and from whom, with
// a note. Kept as a draft on every keystroke until saved; Check stops for what is unsaved.
// From here: withdraw it (kept, marked), or say it may be an indecent image of a child.

import { type Item, toBackendError } from "../../backend";
import { el } from "../../dom";
import { fillThumbnail } from "../../picture";
import { dropItemDraft, itemDraft, keepItemDraft } from "../../base/drafts";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, form, link, p, technical, textArea, textInput } from "../../base/ui";
import { kindInWords, whenInWords } from "../../format";
import { type ItemValues, itemChanges } from "../../unsaved";
import { loadRecord } from "./record";
import { emailView } from "./email";

const pad = (n: number) => String(n).padStart(2, "0");
const isoDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const isoTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** "Seen" as stored: a date, or a date and time ("2026-12-01T14:02"). */
function splitSeen(seen: string | null): [string, string] {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(seen ?? "");
  return m ? [m[1] ?? "", m[2] ?? ""] : ["", ""];
}

/** An e-mail's Date header ("…T14:02:00+00:00") as the form's date and time on this
 *  computer's clock, where a typed time is read (not the sender's clock). */
function fromMailDate(date: string | null): [string, string] {
  const at = new Date(date ?? "");
  return date === null || Number.isNaN(at.getTime()) ? ["", ""] : [isoDate(at), isoTime(at)];
}

export function itemPage(s: Session, from: "evidence" | "details"): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const itemId = Number(params.item);
    const rec = await loadRecord(s, caseId);
    const items = await s.backend.listItems(caseId);
    const index = items.findIndex((i) => i.id === itemId);
    const item = items[index];
    const back = href(`record/${caseId}/${from}`);
    if (!item) return { title: "That item is not in this record", back, body: () => [link(doc, "Back to the evidence", back, "continue")] };
    await s.setup();
    const urls: string[] = [];
    const id = (f: string) => `item-${item.id}-${f}`;
    const mail = item.media_type === "message/rfc822" ? await emailView(s, item) : null;
    const draft = itemDraft(doc, caseId, item.id);
    const [savedDate, savedTime] = splitSeen(item.seen);
    const [mailDate, mailTime] = item.seen === null ? fromMailDate(item.email?.date ?? null) : ["", ""];
    const sender = item.from.handle ?? (item.from.email === null ? (item.email?.from ?? null) : null);

    const site = textInput(doc, "site", item.site, { list: "recent-sites", "data-testid": "item-site" });
    const url = textInput(doc, "url", item.url, { type: "url", spellcheck: "false", "data-testid": "item-url" });
    // The GOV.UK date input: day, month and year as numbers typed (a native date picker
    // shows the order of the machine's locale, month first under C).
    const num = (name: string, testid: string, size: number) =>
      el(doc, "input", { type: "text", inputmode: "numeric", name, autocomplete: "off", spellcheck: "false", size: String(size), maxlength: String(size), class: `date-input__part date-input__part--${size}`, "data-testid": testid });
    const day = num("seen-day", "item-seen", 2);
    const month = num("seen-month", "item-seen-month", 2);
    const year = num("seen-year", "item-seen-year", 4);
    const time = el(doc, "input", { type: "text", inputmode: "numeric", name: "seen-time", autocomplete: "off", spellcheck: "false", size: "5", maxlength: "5", class: "date-input__part date-input__part--5", "data-testid": "item-seen-time" });
    const setDate = (iso: string) => {
      const [y, m, d] = iso.split("-");
      year.value = y ?? "";
      month.value = m ? String(Number(m)) : "";
      day.value = d ? String(Number(d)) : "";
    };
    setDate(savedDate || mailDate);
    time.value = savedTime || mailTime;
    /** The date typed as YYYY-MM-DD, "" when none, or null when it is not a real date. */
    const typedDate = (): string | null => {
      const [d, m, y] = [day.value.trim(), month.value.trim(), year.value.trim()];
      if (d === "" && m === "" && y === "") return "";
      if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
      const iso = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
      const check = new Date(`${iso}T12:00:00Z`);
      return !Number.isNaN(check.getTime()) && check.toISOString().startsWith(iso) ? iso : null;
    };
    const typedTime = (): string | null => {
      const t = time.value.trim().replace(".", ":");
      if (t === "") return "";
      const m = /^(\d{1,2}):(\d{2})$/.exec(t);
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
      return `${(m[1] ?? "").padStart(2, "0")}:${m[2] ?? ""}`;
    };
    const who = textInput(doc, "from_handle", sender, { "data-testid": "item-from" });
    const note = textArea(doc, "note", item.note, 2, { "data-testid": "item-note" });
    const recent = el(doc, "datalist", { id: "recent-sites" });
    s.backend.recentSites().then((sites) => recent.replaceChildren(...sites.map((x) => el(doc, "option", { value: x }))), () => undefined);

    const values = (): ItemValues => {
      const d = typedDate() ?? "";
      const t = typedTime() ?? "";
      return { site: site.value, url: url.value, seen: d === "" ? "" : t === "" ? d : `${d}T${t}`, from_handle: who.value, note: note.value };
    };
    if (draft !== null) {
      if (draft.site !== undefined) site.value = draft.site;
      if (draft.url !== undefined) url.value = draft.url;
      if (draft.from_handle !== undefined) who.value = draft.from_handle;
      if (draft.note !== undefined) note.value = draft.note;
      if (draft.seen !== undefined) {
        const [d, t] = splitSeen(draft.seen);
        setDate(d);
        time.value = t;
      }
    }
    const keep = () => keepItemDraft(doc, caseId, item.id, values());
    const pick = (label: string, testid: string, at: () => [string, string]) => {
      const b = button(doc, label, testid, "secondary");
      b.classList.add("button--small");
      b.addEventListener("click", () => {
        const [d, t] = at();
        setDate(d);
        time.value = t;
        keep();
        (t === "" ? time : day).focus();
      });
      return b;
    };
    const picks = el(
      doc,
      "div",
      { class: "picks", role: "group", "aria-label": "Quick choices for when you saw it" },
      pick("Just now", "seen-now", () => [isoDate(new Date()), isoTime(new Date())]),
      pick("Today", "seen-today", () => [isoDate(new Date()), ""]),
      pick("Yesterday", "seen-yesterday", () => {
        const d = new Date();
        d.setDate(d.getDate() - 1);
        return [isoDate(d), ""];
      }),
    );
    const save = async () => {
      const problems = [];
      if (typedDate() === null) problems.push({ text: "Enter a real date, for example 27 3 2026", field: id("seen") });
      if (typedTime() === null) problems.push({ text: "Enter the time as hours and minutes, for example 14:05", field: id("seen-time") });
      if (problems.length > 0) return s.router.problems(problems);
      await s.act(async () => {
        await s.backend.updateItem(item.id, itemChanges(values()));
        dropItemDraft(doc, caseId, item.id);
        await s.router.go(`record/${caseId}/${from}`, { title: `Details of “${item.original_name}” saved.` });
      });
    };
    const f = form(
      doc,
      "item-details-form",
      () => void save(),
      draft !== null ? p(doc, "Your unsaved details were kept. Save them to record them.", { class: "hint", "data-testid": "item-draft" }) : null,
      field(doc, id("site"), "Where did you see it?", site, "The site or app."),
      recent,
      el(
        doc,
        "fieldset",
        { class: "fieldset", id: `${id("when")}-field` },
        el(doc, "legend", { class: "fieldset__legend", text: "When did you see it?" }),
        el(
          doc,
          "div",
          { class: "date-input" },
          field(doc, id("seen"), "Day", day),
          field(doc, id("seen-month"), "Month", month),
          field(doc, id("seen-year"), "Year", year),
          field(doc, id("seen-time"), "Time, if known", time),
          picks,
        ),
      ),
      field(doc, id("from_handle"), "Who did it come from?", who, "Name or username, if known."),
      field(doc, id("url"), "Web address, if any", url),
      field(doc, id("note"), "A short note", note),
      actions(doc, button(doc, "Save details", "item-details-save", "primary", "submit")),
    );
    f.addEventListener("input", keep);

    const thumb = el(doc, "div", { class: "thumb thumb--large thumb--loading" });
    if (!mail) {
      s.backend.itemThumbnail(item.id).then(
        (png) => {
          const u = fillThumbnail(doc, thumb, png, item.original_name, s.showPictures(), (showing) => void s.openViewer(item, showing));
          if (u) urls.push(u);
        },
        () => fillThumbnail(doc, thumb, new Uint8Array(0), item.original_name, false, () => undefined),
      );
    }
    const tech = technical(
      doc,
      el(doc, "p", { text: `File type: ${item.media_type}. Size: ${item.size} bytes. Kept ${whenInWords(item.captured.local)} by ${item.captured_by}.` }),
      el(doc, "p", { text: "Its SHA-256 fingerprint, worked out from the file when it was kept. If even one dot of the file changed, this would change:" }),
      el(doc, "code", { class: "hash", "data-testid": "item-sha256", "data-sha256": item.sha256, text: item.sha256 }),
    );
    const side = item.withdrawn
      ? p(doc, `Withdrawn: ${item.withdrawn.reason}. It is kept, marked, and goes into the sealed file as withdrawn.`, { class: "item__status", "data-testid": "item-withdrawn" })
      : null;
    return {
      title: `${index + 1}. ${item.original_name}`,
      caption: rec.summary.title,
      steps: rec.steps(from === "details" ? "details" : "evidence"),
      back,
      body: () => [
        el(doc, "div", { class: "item-page" }, el(doc, "div", { class: "item-page__look" }, p(doc, kindInWords(item.media_type), { class: "item__kind" }), mail ?? thumb, tech), el(doc, "div", { class: "item-page__form" }, side, item.removed ? null : f)),
        el(
          doc,
          "p",
          { class: "quiet-links" },
          item.withdrawn || item.removed ? null : link(doc, "Withdraw this item", href(`record/${caseId}/item/${item.id}/withdraw`), "withdraw-open"),
          item.withdrawn || item.removed ? null : " · ",
          item.removed ? null : link(doc, "This may be an indecent image of a child", href(`record/${caseId}/item/${item.id}/indecent`), "item-indecent"),
        ),
      ],
      shown: () => (draft !== null ? f.querySelector<HTMLElement>("input")?.focus() : site.focus()),
      leave: () => {
        for (const u of urls) URL.revokeObjectURL(u);
      },
    };
  };
}

/** Withdraw an item: kept, marked, with the person's reason. */
export function withdrawPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const itemId = Number(params.item);
    const rec = await loadRecord(s, caseId);
    const item = (await s.backend.listItems(caseId)).find((i) => i.id === itemId);
    const back = href(`record/${caseId}/item/${itemId}`);
    const reason = textInput(doc, "reason", null, { "data-testid": "withdraw-reason" });
    const submit = async () => {
      const r = reason.value.trim();
      if (r === "") {
        s.router.problems([{ text: "Say why you are withdrawing it", field: "withdraw-reason" }]);
        return;
      }
      await s.act(async () => {
        await s.backend.withdrawItem(itemId, r);
        await s.router.go(`record/${caseId}/evidence`, { title: `“${item?.original_name ?? "The item"}” is withdrawn.`, text: "It is kept, marked, with your reason." });
      });
    };
    return {
      title: "Withdraw this item?",
      caption: rec.summary.title,
      back,
      body: () => [
        p(doc, `${item?.original_name ?? "This item"} will be marked as withdrawn, with your reason. Nothing is ever deleted: it stays in the record and in the sealed file, marked.`),
        form(doc, "withdraw-form", () => void submit(), field(doc, "withdraw-reason", "Why are you withdrawing it?", reason, "For example: I kept it twice by mistake."), actions(doc, button(doc, "Withdraw it", "withdraw-button", "warning", "submit"), link(doc, "Cancel", back, "cancel"))),
      ],
      shown: () => reason.focus(),
    };
  };
}

/** "This may be an indecent image of a child": asks before its bytes are removed. */
export function indecentItemPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const itemId = Number(params.item);
    const rec = await loadRecord(s, caseId);
    const back = href(`record/${caseId}/item/${itemId}`);
    const yes = button(doc, "Yes, remove it", "item-indecent-confirm", "warning");
    yes.addEventListener("click", () =>
      void (async () => {
        yes.disabled = true;
        try {
          await s.backend.removeIndecentItem(itemId);
          await s.router.go(`record/${caseId}/safeguard`, { title: "It is removed from Evidence Kit.", text: "Only its record remains. Do not copy or save it anywhere." });
        } catch (e) {
          yes.disabled = false;
          s.router.problems([{ text: toBackendError(e).message }]);
        }
      })(),
    );
    return {
      title: "Remove it from Evidence Kit?",
      caption: rec.summary.title,
      back,
      body: () => [
        p(doc, "The school's policy says such images are never kept, copied or looked into. If you say yes, the picture itself is removed from Evidence Kit at once. A record that it was here stays, so the police can be told what was seen."),
        p(doc, "This cannot be undone."),
        actions(doc, yes, link(doc, "No, go back", back, "cancel")),
      ],
    };
  };
}

/** Used by the viewer: an item's larger picture. */
export type { Item };
