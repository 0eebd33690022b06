import * as puppeteer from "puppeteer-core";
import {
  ProtocolError,
  TimeoutError as PuppeteerTimeoutError,
  type ElementHandle,
  type Page,
} from "puppeteer-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  DriverError,
  PageAccessError,
  SelectorNotFoundError,
} from "../../src/driver/errors.js";
import { Locator } from "../../src/driver/locate.js";
import { SELECTORS } from "../../src/driver/selectors.js";
import { createLogger } from "../../src/log.js";

/*
 * The locator against a fake page whose in-page functions run on a tiny fake document: which
 * candidate wins, the clicks, and above all what a failure says (nothing matched, the job was
 * stopped, the page was closed or stopped answering, a CDP error), with the cause kept.
 */

class FakeElement {
  clicks = 0;
  constructor(
    readonly css: string,
    readonly textContent: string,
    private readonly attributes: Record<string, string> = {},
  ) {}
  getAttribute(name: string): string | null {
    return this.attributes[name] ?? null;
  }
  /** A fake element "matches" exactly the selector it was put under. */
  matches(css: string): boolean {
    return css === this.css;
  }
  click(): void {
    this.clicks += 1;
  }
}

class FakeDocument {
  readonly elements: FakeElement[] = [];
  add(css: string, text = "", attributes: Record<string, string> = {}): FakeElement {
    const element = new FakeElement(css, text, attributes);
    this.elements.push(element);
    return element;
  }
  querySelector(css: string): FakeElement | null {
    return this.elements.find((e) => e.css === css) ?? null;
  }
  querySelectorAll(css: string): FakeElement[] {
    return this.elements.filter((e) => e.css === css);
  }
}

type Fn = (...args: never[]) => unknown;

/** What the fake page does with a call: answer from the document, hang, or throw. */
type Mode = { kind: "answer" } | { kind: "hang" } | { kind: "throw"; error: unknown };

class FakePage {
  readonly document = new FakeDocument();
  mode: Mode = { kind: "answer" };
  closed = false;
  disposed = 0;

  private async call<T>(run: () => T): Promise<T> {
    if (this.mode.kind === "hang") return new Promise<T>(() => undefined);
    if (this.mode.kind === "throw") throw this.mode.error;
    const previous = (globalThis as { document?: unknown }).document;
    (globalThis as { document?: unknown }).document = this.document;
    try {
      return run();
    } finally {
      (globalThis as { document?: unknown }).document = previous;
    }
  }

  handle(element: FakeElement): ElementHandle<Element> {
    const handle = {
      asElement: () => handle,
      evaluate: (fn: Fn, ...args: unknown[]) =>
        this.call(() => (fn as (...a: unknown[]) => unknown)(element, ...args)),
      dispose: async () => {
        this.disposed += 1;
      },
    };
    return handle as unknown as ElementHandle<Element>;
  }

  isClosed(): boolean {
    return this.closed;
  }

  evaluate(fn: Fn, ...args: unknown[]): Promise<unknown> {
    return this.call(() => (fn as (...a: unknown[]) => unknown)(...args));
  }

  /** A handle on what the function returns: an element's, or one on nothing. */
  async evaluateHandle(fn: Fn, ...args: unknown[]): Promise<unknown> {
    const found = (await this.evaluate(fn, ...args)) as FakeElement | null;
    if (found) return this.handle(found);
    return { asElement: () => null, dispose: async () => undefined };
  }

  async $(css: string): Promise<ElementHandle<Element> | null> {
    const element = await this.call(() => this.document.querySelector(css));
    return element ? this.handle(element) : null;
  }

  /** Polls the function like puppeteer does, with its TimeoutError and its abort (the signal's reason). */
  waitForFunction(
    fn: Fn,
    options: { timeout: number; signal?: AbortSignal },
    ...args: unknown[]
  ): Promise<ElementHandle<Element>> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = async () => {
        if (options.signal?.aborted) return reject(options.signal.reason);
        try {
          const found = (await this.call(() =>
            (fn as (...a: unknown[]) => unknown)(...args),
          )) as FakeElement | null;
          if (found) return resolve(this.handle(found));
        } catch (err) {
          return reject(err);
        }
        if (Date.now() - started >= options.timeout)
          return reject(new PuppeteerTimeoutError(`Waiting failed: ${options.timeout}ms exceeded`));
        setTimeout(() => void poll(), 5);
      };
      if (this.mode.kind === "hang") {
        // A frozen renderer: nothing answers, only puppeteer's own timer fires.
        setTimeout(
          () => reject(new PuppeteerTimeoutError(`Waiting failed: ${options.timeout}ms exceeded`)),
          options.timeout,
        );
        options.signal?.addEventListener("abort", () => reject(options.signal!.reason), {
          once: true,
        });
        return;
      }
      void poll();
    });
  }
}

const PROMPT = SELECTORS.promptTextarea.candidates.map((c) => c.css);
const RUN = SELECTORS.runButton.candidates.map((c) => c.css);
const quiet = createLogger("error");

let page: FakePage;
const locator = () => new Locator(page as unknown as Page, quiet);
const failureOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.unreachable("expected a failure"),
    (err: unknown) => err,
  );

describe("the locator", () => {
  afterEach(() => {
    delete (globalThis as { document?: unknown }).document;
  });

  it("takes the first candidate that matches, and says which generation the page is", async () => {
    page = new FakePage();
    const first2025 = SELECTORS.promptTextarea.candidates.findIndex((c) => c.ui === "2025");
    page.document.add(PROMPT[first2025]!);
    page.document.add(PROMPT[first2025 + 1]!);
    const locate = locator();
    expect(await locate.has("promptTextarea")).toBe(true);
    expect(locate.generation()).toBe("2025");
    const handle = await locate.get("promptTextarea", { timeoutMs: 1_000 });
    expect(await handle.evaluate((e) => (e as unknown as FakeElement).css)).toBe(PROMPT[first2025]);
  });

  it("waits for an element that appears later", async () => {
    page = new FakePage();
    setTimeout(() => page.document.add(PROMPT[0]!), 30);
    const locate = locator();
    await locate.get("promptTextarea", { timeoutMs: 5_000 });
    expect(locate.generation()).toBe("2026-08");
  });

  it("clicks through the DOM and lets go of the handle", async () => {
    page = new FakePage();
    const run = page.document.add(RUN[1]!);
    await locator().click("runButton", { timeoutMs: 1_000 });
    expect(run.clicks).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(page.disposed).toBe(1);
  });

  it("clicks an optional element only when it is there", async () => {
    page = new FakePage();
    const locate = locator();
    expect(await locate.clickIfPresent("dialogConfirm")).toBe(false);
    const confirm = page.document.add(SELECTORS.dialogConfirm.candidates[0]!.css);
    expect(await locate.clickIfPresent("dialogConfirm")).toBe(true);
    expect(confirm.clicks).toBe(1);
  });

  it("reads, counts and picks items of a list by text or attribute", async () => {
    page = new FakePage();
    const option = SELECTORS.levelOption.candidates[0]!.css;
    const chip = SELECTORS.stopChipRemove.candidates[0]!.css;
    page.document.add(option, " Low ");
    const high = page.document.add(option, "High");
    page.document.add(chip, "x", { "aria-label": "Remove END" });
    const hash = page.document.add(chip, "x", { "aria-label": "Remove ###" });
    const locate = locator();
    expect(await locate.values("levelOption")).toEqual(["Low", "High"]);
    expect(await locate.values("stopChipRemove", "aria-label")).toEqual([
      "Remove END",
      "Remove ###",
    ]);
    expect(await locate.count("levelOption")).toBe(2);
    expect(await locate.count("chatTurn")).toBe(0);
    expect(await locate.values("turnError")).toEqual([]);
    expect(await locate.clickWhere("levelOption", "high")).toBe(true);
    expect(high.clicks).toBe(1);
    expect(await locate.clickWhere("levelOption", "medium")).toBe(false);
    expect(await locate.clickWhere("stopChipRemove", "Remove ###", "aria-label")).toBe(true);
    expect(hash.clicks).toBe(1);
  });

  it("reports a miss on a page that answers: the concept, what it anchors to, every selector tried", async () => {
    page = new FakePage();
    const err = await failureOf(locator().get("runButton", { timeoutMs: 50 }));
    expect(err).toBeInstanceOf(SelectorNotFoundError);
    const miss = err as SelectorNotFoundError;
    expect(miss.code).toBe("upstream_error");
    expect(miss.retryable).toBe(true);
    expect(miss.message).toContain("Run button");
    expect(miss.message).toContain(SELECTORS.runButton.anchors);
    for (const css of RUN) expect(miss.message).toContain(`'${css}'`);
    expect(miss.cause).toBeInstanceOf(PuppeteerTimeoutError);
  });

  it("takes an element that appeared just as the wait ran out instead of calling it missing", async () => {
    page = new FakePage();
    const original = page.waitForFunction.bind(page);
    page.waitForFunction = (fn, options, ...args) =>
      original(fn, options, ...args)
        .catch(() => undefined)
        .then(() => {
          page.document.add(RUN[0]!);
          throw new PuppeteerTimeoutError("Waiting failed: 50ms exceeded");
        });
    const handle = await locator().get("runButton", { timeoutMs: 50 });
    expect(await handle.evaluate((e) => (e as unknown as FakeElement).css)).toBe(RUN[0]);
  });

  it("does not call a page that stopped answering a missing selector", async () => {
    page = new FakePage();
    page.mode = { kind: "hang" };
    const err = await failureOf(locator().get("runButton", { timeoutMs: 50 }));
    expect(err).toBeInstanceOf(PageAccessError);
    expect(err).not.toBeInstanceOf(SelectorNotFoundError);
    expect((err as Error).message).toContain("the page stopped responding");
    expect((err as Error).message).toContain("Run button");
    expect((err as Error).cause).toBeInstanceOf(PuppeteerTimeoutError);
  });

  it("says the page was closed, keeping puppeteer's error as the cause", async () => {
    page = new FakePage();
    const TargetCloseError = (
      puppeteer as unknown as { TargetCloseError: new (message: string) => Error }
    ).TargetCloseError;
    const closed = new TargetCloseError("Protocol error (Runtime.callFunctionOn): Target closed");
    page.mode = { kind: "throw", error: closed };
    for (const attempt of [
      locator().get("runButton", { timeoutMs: 1_000 }),
      locator().find("runButton"),
      locator().has("newChat"),
    ]) {
      const err = await failureOf(attempt);
      expect(err).toBeInstanceOf(PageAccessError);
      expect((err as Error).message).toContain("the page was closed");
      expect((err as Error).cause).toBe(closed);
    }
    // A page known to be closed says so whatever the error looked like.
    page.closed = true;
    page.mode = {
      kind: "throw",
      error: new Error("Session closed. Most likely the page has been closed."),
    };
    expect(((await failureOf(locator().find("runButton"))) as Error).message).toContain(
      "the page was closed",
    );
  });

  it("names a DevTools protocol failure as such", async () => {
    page = new FakePage();
    const cdp = new ProtocolError("Protocol error (Runtime.evaluate): Internal error");
    page.mode = { kind: "throw", error: cdp };
    const err = await failureOf(locator().click("newChat", { timeoutMs: 1_000 }));
    expect(err).toBeInstanceOf(PageAccessError);
    expect((err as Error).message).toContain("DevTools protocol failed");
    expect((err as Error).cause).toBe(cdp);
  });

  it("ends a wait on abort as cancelled, whatever the signal's reason is", async () => {
    page = new FakePage();
    const controller = new AbortController();
    const waiting = failureOf(
      locator().get("runButton", { timeoutMs: 10_000, signal: controller.signal }),
    );
    controller.abort("client disconnected");
    const err = await waiting;
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as DriverError).code).toBe("cancelled");
    expect((err as Error).message).toContain("client disconnected");
    expect((err as Error).cause).toBe("client disconnected");
  });

  it("sees nothing, rather than failing, while the document is being replaced", async () => {
    page = new FakePage();
    page.mode = {
      kind: "throw",
      error: new Error("Execution context was destroyed, most likely because of a navigation."),
    };
    const locate = locator();
    expect(await locate.find("promptTextarea")).toBeNull();
    expect(await locate.has("promptTextarea")).toBe(false);
    expect(await locate.values("turnError")).toEqual([]);
    expect(await locate.count("chatTurn")).toBe(0);
  });
});
