import {
  ConnectionClosedError,
  ProtocolError,
  TimeoutError as PuppeteerTimeoutError,
  type ElementHandle,
  type Page,
} from "puppeteer-core";
import type { Logger } from "../log.js";
import {
  AbortedError,
  DriverError,
  PageAccessError,
  SelectorNotFoundError,
  TimeoutError,
} from "./errors.js";
import { Overlays } from "./overlays.js";
import type { SelectorCatalog } from "./selector-overrides.js";
import { SELECTORS, type SelectorName, type SelectorSpec } from "./selectors.js";
import { waitFor } from "./wait.js";

/*
 * Finds a concept's element by trying its candidates in order inside the page, and remembers
 * which candidate won so the log says which UI generation the page is (once, and again if it
 * changes). Every failure says what it was: nothing matched (SelectorNotFoundError), the job
 * was stopped (AbortedError), or the page could not be asked (PageAccessError, with the CDP
 * error as its cause).
 */

/** How long a page that let a wait run out gets to show it still answers. */
const PROBE_MS = 2_000;
/** How long a click gets to show its effect before it counts as swallowed and is repeated. */
const EFFECT_MS = 1_000;

/**
 * Clicks through the DOM rather than with the mouse: lanes are background tabs, and a mouse
 * click waits for a rendered frame that a hidden tab may never produce.
 */
export async function press(handle: ElementHandle<Element>): Promise<void> {
  await handle.evaluate((e) => (e as HTMLElement).click());
}

/**
 * Lets go of a handle without waiting: after a click the page may stop answering (a frozen
 * renderer never confirms a release), and nothing depends on the release having happened.
 */
function release(handle: ElementHandle<Element>): void {
  void handle.dispose().catch(() => undefined);
}

/** A document being replaced (navigation) has no elements to report, rather than failing. */
function isNavigating(err: unknown): boolean {
  return (
    err instanceof Error &&
    /Execution context was destroyed|Cannot find context with specified id/.test(err.message)
  );
}

/** Why a call into the page failed, in words for the error message (the error itself is the cause). */
export function pageFailureReason(err: unknown, pageClosed: boolean): string {
  if (err instanceof ConnectionClosedError) return "the connection to Chromium was lost";
  // TargetCloseError is not in puppeteer's public types; its name is its class name.
  if (pageClosed || (err instanceof ProtocolError && err.name === "TargetCloseError"))
    return "the page was closed";
  if (err instanceof ProtocolError) return `Chromium's DevTools protocol failed (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

type WaitOptions = { timeoutMs: number; signal?: AbortSignal };

export class Locator {
  private readonly winners = new Map<SelectorName, string>();
  /** The overlay step every click goes through first. */
  readonly overlays: Overlays;

  constructor(
    private readonly page: Page,
    private readonly log: Logger,
    private readonly catalog: SelectorCatalog = SELECTORS,
    acceptTerms = true,
  ) {
    this.overlays = new Overlays(page, log, acceptTerms);
  }

  /** Clears what could swallow a click on `handle`, then clicks it through the DOM. */
  private async clearAndPress(handle: ElementHandle<Element>, signal?: AbortSignal): Promise<void> {
    await this.overlays.clear(handle, signal);
    await press(handle);
  }

  /** The candidates of a concept, in the order they are tried (overrides first). */
  candidates(name: SelectorName): string[] {
    return this.list(name);
  }

  /** The miss for a concept, without waiting (for a control already known to be missing). */
  notFound(name: SelectorName): SelectorNotFoundError {
    const spec = this.catalog[name];
    return new SelectorNotFoundError(spec.name, spec.anchors, this.list(name));
  }

  /** Which candidate last matched for a concept, and where it comes from (for self-checks and logs). */
  matched(name: SelectorName): { css: string; source: "built-in" | "override" } | null {
    const css = this.winners.get(name);
    if (css === undefined) return null;
    const candidate = this.catalog[name].candidates.find((c) => c.css === css);
    return { css, source: candidate?.source ?? "built-in" };
  }

  private note(name: SelectorName, css: string): void {
    if (this.winners.get(name) === css) return;
    this.winners.set(name, css);
    const candidate = this.catalog[name].candidates.find((c) => c.css === css);
    this.log.debug("selector matched", {
      selector: name,
      css,
      ui: candidate?.ui,
      seen: candidate?.seen,
      source: candidate?.source ?? "built-in",
    });
  }

  private list(name: SelectorName): string[] {
    return this.catalog[name].candidates.map((c) => c.css);
  }

  /** A failed call into the page as a driver error; the original stays as the cause. */
  private failure(spec: SelectorSpec, err: unknown, signal?: AbortSignal): DriverError {
    if (signal?.aborted)
      return new AbortedError(String(signal.reason ?? "aborted"), { cause: err });
    if (err instanceof DriverError) return err;
    return new PageAccessError(spec.name, pageFailureReason(err, this.page.isClosed()), {
      cause: err,
    });
  }

  /** Runs a read of the page, turning its failures into driver errors; a navigation reads as `empty`. */
  private async read<T>(name: SelectorName, empty: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isNavigating(err)) return empty;
      throw this.failure(this.catalog[name], err);
    }
  }

  /** The index of the first candidate present now, or -1. */
  private firstPresent(name: SelectorName): Promise<number> {
    return this.read(name, -1, () =>
      this.page.evaluate(
        (list: string[]) => list.findIndex((css) => document.querySelector(css) !== null),
        this.list(name),
      ),
    );
  }

  /** Whether the concept is on the page now (no handle to release). */
  async has(name: SelectorName): Promise<boolean> {
    const index = await this.firstPresent(name);
    if (index >= 0) this.note(name, this.list(name)[index]!);
    return index >= 0;
  }

  /** The element now, or null: for optional parts of the page. */
  async find(name: SelectorName): Promise<ElementHandle<Element> | null> {
    const index = await this.firstPresent(name);
    if (index < 0) return null;
    const css = this.list(name)[index]!;
    this.note(name, css);
    return this.read(name, null, () => this.page.$(css));
  }

  /**
   * Waits for the element. A wait that runs out on a page that still answers is a miss, naming
   * the concept and every selector tried; on a page that does not answer it is a PageAccessError.
   */
  async get(name: SelectorName, options: WaitOptions): Promise<ElementHandle<Element>> {
    const spec = this.catalog[name];
    const list = this.list(name);
    try {
      // The element itself comes back, so it cannot vanish between finding and taking it.
      const found = await this.page.waitForFunction(
        (candidates: string[]) => {
          for (const css of candidates) {
            const element = document.querySelector(css);
            if (element) return element;
          }
          return null;
        },
        {
          timeout: options.timeoutMs,
          polling: 50,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        list,
      );
      const element = found.asElement() as ElementHandle<Element>;
      try {
        // The first candidate the element matches is the one that found it: an earlier one
        // matched nothing, or its element would have come back instead.
        const index = await element.evaluate(
          (e, candidates) => candidates.findIndex((css) => e.matches(css)),
          list,
        );
        this.note(name, list[Math.max(0, index)]!);
        return element;
      } catch (err) {
        release(element);
        throw err;
      }
    } catch (err) {
      if (err instanceof PuppeteerTimeoutError && !options.signal?.aborted)
        return this.lastLook(name, spec, list, err);
      throw this.failure(spec, err, options.signal);
    }
  }

  /**
   * After a wait ran out, one bounded look tells the cases apart: the element is there now (it
   * appeared as the wait gave up), the page answers without it (a miss), or the page does not
   * answer at all (not a selector problem).
   */
  private async lastLook(
    name: SelectorName,
    spec: SelectorSpec,
    list: string[],
    timeout: PuppeteerTimeoutError,
  ): Promise<ElementHandle<Element>> {
    if (this.page.isClosed())
      throw new PageAccessError(spec.name, "the page was closed", { cause: timeout });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<"silent">(
      (resolve) => (timer = setTimeout(() => resolve("silent"), PROBE_MS)),
    );
    const look = this.find(name);
    const seen = await Promise.race([look, silent]).finally(() => clearTimeout(timer));
    if (seen === "silent") {
      void look.then(
        (late) => late && release(late),
        () => undefined,
      );
      throw new PageAccessError(
        spec.name,
        `the page stopped responding (no answer within ${PROBE_MS} ms)`,
        { cause: timeout },
      );
    }
    if (seen) return seen;
    throw new SelectorNotFoundError(spec.name, spec.anchors, list, { cause: timeout });
  }

  /** Waits until the concept is on the page. */
  async wait(name: SelectorName, options: WaitOptions): Promise<void> {
    release(await this.get(name, options));
  }

  /** Waits for the element and clicks it (a DOM click, see `press`). */
  async click(name: SelectorName, options: WaitOptions): Promise<void> {
    const handle = await this.get(name, options);
    try {
      await this.clearAndPress(handle, options.signal);
    } catch (err) {
      throw this.failure(this.catalog[name], err, options.signal);
    } finally {
      release(handle);
    }
  }

  /**
   * Clicks the element until `effect` holds: a click an overlay swallowed (one that appeared
   * after the overlay step looked) shows no effect, so the overlays are cleared again and the
   * element is clicked again. The effect is read before every repeat, so a click that took late
   * is not undone by a second one.
   */
  async clickUntil(
    name: SelectorName,
    effect: () => Promise<boolean>,
    what: string,
    options: WaitOptions,
  ): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    const signal = options.signal ? { signal: options.signal } : {};
    for (let press = 1; ; press++) {
      await this.click(name, { timeoutMs: Math.max(1, left()), ...signal });
      const took = await waitFor(effect, {
        what,
        timeoutMs: Math.min(EFFECT_MS, left()),
        ...signal,
      }).catch((err: unknown) => {
        if (err instanceof TimeoutError) return false;
        throw err;
      });
      if (took || (await effect())) return;
      if (left() === 0) throw new TimeoutError(what, options.timeoutMs);
      this.log.debug("a click showed no effect; clicking again", { selector: name, press });
    }
  }

  /** Clicks the element if it is there now; true when it was. For optional parts of the page. */
  async clickIfPresent(name: SelectorName): Promise<boolean> {
    const handle = await this.find(name);
    return handle ? this.pressAndRelease(name, handle) : false;
  }

  /** Clicks a found element (after the overlay step) and lets go of it; true once clicked. */
  private async pressAndRelease(
    name: SelectorName,
    handle: ElementHandle<Element>,
  ): Promise<boolean> {
    try {
      await this.clearAndPress(handle);
      return true;
    } catch (err) {
      throw this.failure(this.catalog[name], err);
    } finally {
      release(handle);
    }
  }

  /**
   * Clicks the first of the concept's elements whose text (or `attribute`) equals `value`,
   * ignoring case and surrounding space; false when none does. For lists such as options and
   * chips, whose items are told apart by their text. With `part`, an element matches when one
   * of its innermost elements has that text (a card showing a name and an id).
   */
  async clickWhere(
    name: SelectorName,
    value: string,
    attribute?: string,
    part = false,
  ): Promise<boolean> {
    const found = await this.read(name, null, () =>
      this.page.evaluateHandle(
        (candidates: string[], wanted: string, attr: string | null, inner: boolean) => {
          const css = candidates.find((c) => document.querySelector(c) !== null);
          if (css === undefined) return null;
          const norm = (s: string | null) => (s ?? "").trim().toLowerCase();
          const want = norm(wanted);
          const key = (e: Element) => norm(attr === null ? e.textContent : e.getAttribute(attr));
          const hit = (e: Element) =>
            key(e) === want ||
            (inner &&
              [...e.querySelectorAll("*")].some(
                (d) => d.children.length === 0 && norm(d.textContent) === want,
              ));
          return [...document.querySelectorAll(css)].find(hit) ?? null;
        },
        this.list(name),
        value,
        attribute ?? null,
        part,
      ),
    );
    const handle = found?.asElement() as ElementHandle<Element> | null | undefined;
    if (!handle) {
      if (found) release(found as unknown as ElementHandle<Element>);
      return false;
    }
    return this.pressAndRelease(name, handle);
  }

  /**
   * The trimmed text (or `attribute`) of every element of the concept, in document order; the
   * elements are those of the first candidate that matches anything.
   */
  async values(name: SelectorName, attribute?: string): Promise<string[]> {
    return this.read(name, [], () =>
      this.page.evaluate(
        (candidates: string[], attr: string | null) => {
          const css = candidates.find((c) => document.querySelector(c) !== null);
          if (css === undefined) return [];
          return [...document.querySelectorAll(css)].map((e) =>
            ((attr === null ? e.textContent : e.getAttribute(attr)) ?? "").trim(),
          );
        },
        this.list(name),
        attribute ?? null,
      ),
    );
  }

  /** How many elements of the concept are on the page now. */
  async count(name: SelectorName): Promise<number> {
    return this.read(name, 0, () =>
      this.page.evaluate((candidates: string[]) => {
        const css = candidates.find((c) => document.querySelector(c) !== null);
        return css === undefined ? 0 : document.querySelectorAll(css).length;
      }, this.list(name)),
    );
  }

  /** The UI generation the prompt box matched, for the log ("2026", "2025" or "unknown"). */
  generation(): string {
    const css = this.winners.get("promptTextarea");
    return this.catalog.promptTextarea.candidates.find((c) => c.css === css)?.ui ?? "unknown";
  }
}
