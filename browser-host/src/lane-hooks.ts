import type { Page } from "puppeteer-core";
import type { Lane } from "./lane.js";

/** What the host lets a lane do with a new page and how it hears of a crash. */
export interface LaneHooks {
  /** Called on every new page before it loads AI Studio (profile identity, storage). */
  prepare(page: Page): Promise<void>;
  /** Called when the page crashed while idle, so the host can rebuild it. */
  onCrash(lane: Lane): void;
}

export const NO_HOOKS: LaneHooks = { prepare: async () => undefined, onCrash: () => undefined };
