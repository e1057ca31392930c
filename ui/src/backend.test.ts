import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, test, vi } from "vitest";
import { BackendError, FALLBACK_MESSAGE, TauriBackend, toBackendError } from "./backend";

afterEach(() => {
  clearMocks();
  vi.restoreAllMocks();
});

/** Record every IPC call and answer from `answers` by command name. */
function recordCalls(answers: Record<string, unknown>): Array<{ cmd: string; args: unknown }> {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return answers[cmd];
  });
  return calls;
}

describe("TauriBackend", () => {
  test("calls each command by its Rust name with camelCase arguments", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const calls = recordCalls({
      list_cases: [],
      create_case: { id: "EK-1" },
      list_items: [],
      capture_screen: { id: 7 },
      item_thumbnail: png.buffer,
    });
    const b = new TauriBackend();

    await b.listCases();
    await b.createCase("Posts in the parents' group", "A. Teacher");
    await b.listItems("EK-1");
    await b.captureScreen("EK-1");
    const bytes = await b.itemThumbnail(7);

    expect(calls.map((c) => c.cmd)).toEqual([
      "list_cases",
      "create_case",
      "list_items",
      "capture_screen",
      "item_thumbnail",
    ]);
    expect(calls[1]?.args).toEqual({ title: "Posts in the parents' group", staff: "A. Teacher" });
    expect(calls[2]?.args).toEqual({ caseId: "EK-1" });
    expect(calls[3]?.args).toEqual({ caseId: "EK-1" });
    expect(calls[4]?.args).toEqual({ itemId: 7 });
    expect(Array.from(bytes)).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  test("an empty thumbnail answer is zero bytes", async () => {
    recordCalls({ item_thumbnail: new ArrayBuffer(0) });
    expect((await new TauriBackend().itemThumbnail(1)).length).toBe(0);
  });

  test("a {code, message} rejection becomes a BackendError with both", async () => {
    mockIPC(() => {
      throw { code: "unknown_case", message: "There is no case EK-9 in this store." };
    });
    const err = await new TauriBackend().listItems("EK-9").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: "unknown_case", message: "There is no case EK-9 in this store." });
  });

  test("a bare-string rejection (Tauri's own) shows a plain sentence, not the raw text", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    mockIPC(() => {
      throw "capture_screen not allowed. Permissions associated with this command: []";
    });
    const err = await new TauriBackend().captureScreen("EK-1").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "internal", message: FALLBACK_MESSAGE });
  });
});

describe("toBackendError", () => {
  test("keeps a BackendError as it is", () => {
    const e = new BackendError("no_screen", "No screen could be captured.");
    expect(toBackendError(e)).toBe(e);
  });

  test("refuses half-shaped objects", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(toBackendError({ code: 3, message: "x" }).code).toBe("internal");
    expect(toBackendError({ code: "io", message: "" }).message).toBe(FALLBACK_MESSAGE);
    expect(toBackendError(null).code).toBe("internal");
  });
});

describe("uploads", () => {
  test("a file goes as raw bytes, its case and name URI-encoded in headers", async () => {
    const seen: Array<{ cmd: string; args: unknown; headers: unknown }> = [];
    const b = new TauriBackend(
      (async (cmd: string, args?: unknown, options?: { headers?: unknown }) => {
        seen.push({ cmd, args, headers: options?.headers });
        return { id: 3 };
      }) as never,
    );
    const bytes = new Uint8Array([0, 255, 10]);
    await b.captureUpload("EK-1", "Zoë's chat \u202e.txt", bytes);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.cmd).toBe("capture_upload");
    expect(seen[0]?.args).toBe(bytes);
    expect(seen[0]?.headers).toEqual({
      "x-ek-case": "EK-1",
      "x-ek-name": "Zo%C3%AB's%20chat%20%E2%80%AE.txt",
    });
  });
});
