// What the staff member's pages share: the backend, the router, and what was last read of
// the set-up (profile, key, designated people). Pages read the store afresh when drawn, so
// nothing here goes stale for long; the set-up is read again after each change to it.

import { type Backend, type Item, type SetupState, toBackendError } from "../backend";
import { Viewer } from "../picture";
import type { DropMessage } from "../drop";
import type { Router } from "./router";

export class Session {
  readonly doc: Document;
  readonly backend: Backend;
  router!: Router;
  private setupRead: SetupState | null = null;
  /** Files dropped on the window go to the page on screen, if it takes them. */
  onDrop: ((message: DropMessage) => void) | null = null;
  /** What each record's Check chose (who it goes to, where it is saved), for Seal. */
  readonly sealChoices = new Map<string, { to: string; folder: string }>();
  /** The last file sealed, per record, for "What happens next". */
  readonly sealed = new Map<string, import("../backend").SealedView>();

  constructor(doc: Document, backend: Backend) {
    this.doc = doc;
    this.backend = backend;
  }

  /** The set-up, read once and then kept until `refresh`. */
  async setup(): Promise<SetupState> {
    if (this.setupRead === null) this.setupRead = await this.backend.setupState();
    return this.setupRead;
  }

  /** Read the set-up again (after it changed). */
  async refresh(): Promise<SetupState> {
    this.setupRead = null;
    return this.setup();
  }

  /** Whether pictures are shown straight away (else blurred until "Show"). */
  showPictures(): boolean {
    return this.setupRead?.profile.show_previews === true;
  }

  private viewer: Viewer | null = null;

  /** The full-size view of an image item, shown if `showing` (or if the person chose so). */
  async openViewer(item: Item, showing = false): Promise<void> {
    await this.act(async () => {
      const png = await this.backend.itemPreview(item.id);
      this.viewer ??= new Viewer(this.doc);
      this.viewer.open(png, item.original_name, showing || this.showPictures());
    });
  }

  /** Run an action of a page: its error, if any, shown beside the action. */
  async act(what: () => Promise<void>): Promise<void> {
    try {
      await what();
    } catch (e) {
      this.router.problems([{ text: toBackendError(e).message }]);
    }
  }
}

/** Set-up is complete when the person, their key and a designated person are known. */
export function setupComplete(s: SetupState): boolean {
  return s.profile.name !== null && s.signing_fingerprint !== null && s.recipients.length > 0;
}
