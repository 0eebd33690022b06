import type { ElementHandle, Page } from "puppeteer-core";
import type { Logger } from "../log.js";
import { SelectorNotFoundError } from "./errors.js";
import { SELECTORS, type SelectorName } from "./selectors.js";

/*
 * Finds a concept's element by trying its candidates in order inside the page, and remembers
 * which candidate won so the log says which UI generation the page is (once, and again if it
 * changes).
 */

export class Locator {
  private readonly winners = new Map<SelectorName, string>();

  constructor(
    private readonly page: Page,
    private readonly log: Logger,
  ) {}

  private note(name: SelectorName, css: string): void {
    if (this.winners.get(name) === css) return;
    this.winners.set(name, css);
    const candidate = SELECTORS[name].candidates.find((c) => c.css === css);
    this.log.debug("selector matched", { selector: name, css, ui: candidate?.ui, seen: candidate?.seen });
  }

  /** The index of the first candidate present now, or -1. */
  private async firstPresent(name: SelectorName): Promise<number> {
    return this.page.evaluate((list: string[]) => list.findIndex((css) => document.querySelector(css) !== null), SELECTORS[name].candidates.map((c) => c.css));
  }

  /** The element now, or null: for optional parts of the page. */
  async find(name: SelectorName): Promise<ElementHandle<Element> | null> {
    const index = await this.firstPresent(name);
    if (index < 0) return null;
    const css = SELECTORS[name].candidates[index]!.css;
    this.note(name, css);
    return this.page.$(css);
  }

  /** Waits for the element; a miss names the concept and every selector tried. */
  async get(name: SelectorName, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ElementHandle<Element>> {
    const spec = SELECTORS[name];
    const list = spec.candidates.map((c) => c.css);
    try {
      const found = await this.page.waitForFunction(
        (candidates: string[]) => {
          const i = candidates.findIndex((css) => document.querySelector(css) !== null);
          return i >= 0 ? i + 1 : 0;
        },
        { timeout: options.timeoutMs, polling: 50, ...(options.signal ? { signal: options.signal } : {}) },
        list,
      );
      const css = list[((await found.jsonValue()) as number) - 1]!;
      await found.dispose();
      this.note(name, css);
      const handle = await this.page.$(css);
      if (handle) return handle;
    } catch (err) {
      if (options.signal?.aborted) throw err;
    }
    throw new SelectorNotFoundError(spec.name, spec.anchors, list);
  }

  /** The UI generation the prompt box matched, for the log ("2026", "2025" or "unknown"). */
  generation(): string {
    const css = this.winners.get("promptTextarea");
    return SELECTORS.promptTextarea.candidates.find((c) => c.css === css)?.ui ?? "unknown";
  }

  /** The css that matched last for a concept (for in-page code that needs the same element). */
  async css(name: SelectorName, options: { timeoutMs: number; signal?: AbortSignal }): Promise<string> {
    await (await this.get(name, options)).dispose();
    return this.winners.get(name)!;
  }
}
