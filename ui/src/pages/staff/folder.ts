// Where the sealed file is saved: a folder typed or chosen with the system's chooser, or a
// USB stick plugged in, offered by name. Back to Check with the choice.

import { el } from "../../dom";
import { href, type Page, type PageMaker } from "../../base/router";
import type { Session } from "../../base/session";
import { actions, button, field, folderInput, form } from "../../base/ui";
import { loadRecord } from "./record";

export function folderPage(s: Session): PageMaker {
  return async (params): Promise<Page> => {
    const doc = s.doc;
    const caseId = params.id ?? "";
    const rec = await loadRecord(s, caseId);
    const setup = await s.setup();
    const was = s.sealChoices.get(caseId);
    const { input: folder, chooser: choose } = folderInput(doc, was?.folder ?? setup.default_folder, "s-folder", (start) => s.backend.chooseFolder(start), (what) => s.act(what));
    // A USB stick plugged in is offered by name: one press puts it in the field.
    const sticks = await s.backend.removableFolders().catch(() => [] as string[]);
    const offers = sticks.map((stick) => {
      const b = button(doc, `USB stick: ${stick.split("/").pop() ?? stick}`, "s-folder-usb", "secondary");
      b.addEventListener("click", () => {
        folder.value = stick;
        folder.focus();
      });
      return b;
    });
    const use = () => {
      const f = folder.value.trim();
      if (f === "") return s.router.problems([{ text: "Choose where to save it", field: "s-folder" }]);
      s.sealChoices.set(caseId, { to: was?.to ?? "", folder: f });
      void s.router.go(`record/${caseId}/check`);
    };
    return {
      title: "Where should it be saved?",
      caption: rec.summary.title,
      back: href(`record/${caseId}/check`),
      body: () => [
        form(
          doc,
          "folder-form",
          use,
          field(doc, "s-folder", "Folder", folder, "On this computer, or a USB stick.", el(doc, "div", { class: "file-choose" }, choose, ...offers)),
          actions(doc, button(doc, "Use this folder", "s-folder-use", "primary", "submit")),
        ),
      ],
      shown: () => folder.focus(),
    };
  };
}
