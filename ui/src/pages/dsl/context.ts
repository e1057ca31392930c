// What the designated person's pages share: their backend, the router, their keys' state
// as last read, and the bundle last opened (so its pages do not check it again).

import { toBackendError } from "../../backend";
import type { DropMessage } from "../../drop";
import type { BundleView, DslBackend, DslState } from "../../dslBackend";
import { Viewer } from "../../picture";
import type { Router } from "../../base/router";

export class DslSession {
  readonly doc: Document;
  readonly backend: DslBackend;
  router!: Router;
  state: DslState | null = null;
  /** Bundles opened in this session, by SHA-256. */
  readonly views = new Map<string, BundleView>();
  onDrop: ((message: DropMessage) => void) | null = null;
  private viewer: Viewer | null = null;

  constructor(doc: Document, backend: DslBackend) {
    this.doc = doc;
    this.backend = backend;
  }

  async refresh(): Promise<DslState> {
    this.state = await this.backend.dslState();
    return this.state;
  }

  async act(what: () => Promise<void>, field?: string): Promise<void> {
    try {
      await what();
    } catch (e) {
      this.router.problems([field ? { text: toBackendError(e).message, field } : { text: toBackendError(e).message }]);
    }
  }

  /** The full-size view: always blurred until the person chooses to look. */
  openViewer(png: Uint8Array, name: string): void {
    this.viewer ??= new Viewer(this.doc);
    this.viewer.open(png, name, false);
  }
}

/** The three states of a sealed file received, as the register says them. */
export type { ListState } from "../../generated/ListState";
import type { ListState } from "../../generated/ListState";

export function listState(r: { state: ListState }): ListState {
  return r.state;
}

export const LIST_WORDS: Record<ListState, string> = {
  intact: "Intact",
  intact_key_not_checked: "Intact — key not checked yet",
  not_intact: "NOT intact",
};
