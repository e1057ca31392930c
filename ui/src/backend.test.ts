import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, test, vi } from "vitest";
import { BackendError, FALLBACK_MESSAGE, PART_BYTES, TauriBackend, sendFile, toBackendError } from "./backend";

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
  type Call = { cmd: string; args: unknown; headers: unknown };
  /** A fake IPC that records each call; `fail` makes that command reject. */
  function fakeIpc(fail?: string): { seen: Call[]; call: never } {
    const seen: Call[] = [];
    const call = (async (cmd: string, args?: unknown, options?: { headers?: unknown }) => {
      seen.push({ cmd, args, headers: options?.headers });
      if (cmd === fail) throw { code: "io", message: "The disk is full. Nothing was saved." };
      if (cmd === "upload_begin") return "u1";
      return { id: 3 };
    }) as never;
    return { seen, call };
  }

  test("a file passes in parts of 8 MiB, raw bytes in order, then is kept under its name", async () => {
    const { seen, call } = fakeIpc();
    const bytes = new Uint8Array(2 * PART_BYTES + 5).map((_, i) => i % 251);
    const progress: Array<[number, number]> = [];
    await new TauriBackend(call).captureUpload("EK-1", new File([bytes], "Zoë's clip \u202e.mp4"), (a, b) =>
      progress.push([a, b]),
    );
    expect(seen.map((c) => c.cmd)).toEqual(["upload_begin", "upload_part", "upload_part", "upload_part", "capture_upload"]);
    const parts = seen.filter((c) => c.cmd === "upload_part");
    for (const p of parts) expect(p.headers).toEqual({ "x-ek-upload": "u1" });
    // Joined in order, they are the file (compared byte by byte without a huge diff).
    const joined = new Uint8Array(bytes.length);
    let at = 0;
    for (const p of parts) {
      joined.set(p.args as Uint8Array, at);
      at += (p.args as Uint8Array).length;
    }
    expect(at).toBe(bytes.length);
    expect(joined.findIndex((b, i) => b !== bytes[i])).toBe(-1);
    expect(parts.map((p) => (p.args as Uint8Array).length)).toEqual([PART_BYTES, PART_BYTES, 5]);
    expect(seen.at(-1)?.args).toEqual({ caseId: "EK-1", upload: "u1", name: "Zoë's clip \u202e.mp4", size: bytes.length });
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  test("a part that fails gives up the file in the app and says why", async () => {
    const { seen, call } = fakeIpc("upload_part");
    const err = await new TauriBackend(call)
      .captureUpload("EK-1", new File([new Uint8Array(10)], "a.png"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).message).toBe("The disk is full. Nothing was saved.");
    expect(seen.map((c) => c.cmd)).toEqual(["upload_begin", "upload_part", "upload_cancel"]);
    expect(seen.at(-1)?.args).toEqual({ upload: "u1" });
  });

  test("a file that cannot be read is said in a sentence, and nothing is kept", async () => {
    const { seen, call } = fakeIpc();
    const gone = new File([new Uint8Array(10)], "gone.png");
    Object.defineProperty(gone, "slice", { value: () => ({ arrayBuffer: () => Promise.reject(new Error("NotReadableError")) }) });
    const err = await sendFile(call, gone).catch((e: unknown) => e);
    expect((err as BackendError).code).toBe("source_unreadable");
    expect((err as BackendError).message).toContain("could not be read");
    expect(seen.map((c) => c.cmd)).toEqual(["upload_begin", "upload_cancel"]);
  });
});
