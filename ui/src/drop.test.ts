import { describe, expect, test } from "vitest";
import { refuseOtherDrops } from "./drop";

describe("what is dragged onto the page", () => {
  test("a link or text dropped anywhere is never opened by the web view", () => {
    refuseOtherDrops(document);
    for (const type of ["dragover", "drop"]) {
      const ev = new Event(type, { bubbles: true, cancelable: true });
      document.body.dispatchEvent(ev);
      expect(ev.defaultPrevented, type).toBe(true);
    }
  });
});
