import { describe, expect, test } from "vitest";
import { caseState, countItems, formatLocal, shortHash, toImageRect } from "./format";

describe("formatLocal", () => {
  test("keeps the recorded wall-clock time and shows its offset", () => {
    expect(formatLocal("2026-07-01T13:00:00.000+01:00")).toBe("1 July 2026 at 13:00:00 (UTC+01:00)");
    expect(formatLocal("2026-11-25T09:05:07.123+00:00")).toBe("25 November 2026 at 09:05:07 (UTC+00:00)");
    expect(formatLocal("2026-11-25T09:05:07Z")).toBe("25 November 2026 at 09:05:07 (UTC)");
  });

  test("shows anything unexpected as it is", () => {
    expect(formatLocal("yesterday")).toBe("yesterday");
    expect(formatLocal("2026-13-01T00:00:00+00:00")).toBe("2026-13-01T00:00:00+00:00");
  });
});

test("shortHash and countItems", () => {
  expect(shortHash("a".repeat(64))).toBe("aaaaaaaa…");
  expect(countItems(1)).toBe("1 item");
  expect(countItems(0)).toBe("0 items");
});

describe("caseState", () => {
  test("each state reads as a sentence", () => {
    expect(caseState({ state: "open" })).toBe("Open: not sealed yet");
    expect(caseState({ state: "sealed", last_sealed: "2026-11-25T14:40:00.000+00:00" })).toBe(
      "Sealed on 25 November 2026 at 14:40:00 (UTC+00:00), not given yet",
    );
    expect(caseState({ state: "sent", handed_over: "2026-11-26T09:00:00.000+00:00" })).toBe(
      "Given to your designated person on 26 November 2026 at 09:00:00 (UTC+00:00)",
    );
    expect(caseState({ state: "sent", handed_over: "x", changed_since_seal: true })).toBe(
      "Changed since it was sealed: seal it again",
    );
    expect(caseState({ state: "sent", handed_over: "x", receipt: "Received and verified by D on 26 Nov." })).toBe(
      "Received and verified by D on 26 Nov.",
    );
  });
});

describe("toImageRect", () => {
  test("scales a drag on the shown picture to the screen's pixels, either direction, clamped", () => {
    const shown = { w: 800, h: 450 };
    const natural = { w: 1920, h: 1080 };
    expect(toImageRect({ x: 100, y: 50 }, { x: 300, y: 150 }, shown, natural)).toEqual([240, 120, 480, 240]);
    expect(toImageRect({ x: 300, y: 150 }, { x: 100, y: 50 }, shown, natural)).toEqual([240, 120, 480, 240]);
    expect(toImageRect({ x: -20, y: -5 }, { x: 900, y: 500 }, shown, natural)).toEqual([0, 0, 1920, 1080]);
  });
});
