import type { HTTPRequest, Page } from "puppeteer-core";
import { countedTexts, decodeCountTokens } from "../wire/count-tokens.js";

/*
 * The page's token counting as the network sees it. The page calls CountTokens on its own
 * whenever the prompt changes (2026-08) or on Run (2026); a driver waits for those counts to
 * settle before Run (the page ignores Run meanwhile), and a count-only job reads its answer
 * from the call that counted its prompt.
 */

const COUNT_TOKENS_RPC = ".MakerSuiteService/CountTokens";

/** How many of the page's latest CountTokens calls are kept for a count job to pick from. */
const COUNT_CALLS_KEPT = 16;

/**
 * One CountTokens call: when it left, and whether it has ended. What it counted and answered is
 * read from the browser only when a count job asks, so that real runs, whose page counts on
 * every change, pay nothing for it.
 */
class CountCall {
  ended = false;
  private texts_: Promise<string[]> | null = null;
  private total_: Promise<number | null> | null = null;

  constructor(
    readonly request: HTTPRequest,
    readonly startedAt: number,
  ) {}

  /** The texts the call counted (none when its body cannot be read). */
  texts(): Promise<string[]> {
    this.texts_ ??= this.request.fetchPostData().then(
      (body) => (body === undefined ? [] : countedTexts(body)),
      () => [],
    );
    return this.texts_;
  }

  /** The total it answered; null for a failed call, an error or an unreadable body. */
  total(): Promise<number | null> {
    this.total_ ??= (async () => {
      const response = this.request.response();
      if (!response || response.status() !== 200) return null;
      return decodeCountTokens(await response.text().catch(() => ""));
    })();
    return this.total_;
  }
}

/**
 * The page's CountTokens calls as the network sees them: whether a count is still running, and
 * the latest few calls (a count-only job reads its total from one of them).
 */
export class CountWatch {
  started = 0;
  finished = 0;
  lastStart = 0;
  private readonly calls = new Map<HTTPRequest, CountCall>();

  constructor(page: Page) {
    const counts = (r: HTTPRequest) => r.method() === "POST" && r.url().endsWith(COUNT_TOKENS_RPC);
    page.on("request", (r) => {
      if (!counts(r)) return;
      this.started += 1;
      this.lastStart = Date.now();
      this.calls.set(r, new CountCall(r, this.lastStart));
      // Oldest first in a Map: drop from the front.
      for (const old of this.calls.keys()) {
        if (this.calls.size <= COUNT_CALLS_KEPT) break;
        this.calls.delete(old);
      }
    });
    const ended = (r: HTTPRequest) => {
      if (!counts(r)) return;
      this.finished += 1;
      const call = this.calls.get(r);
      if (call) call.ended = true;
    };
    page.on("requestfinished", ended);
    page.on("requestfailed", ended);
  }

  get running(): boolean {
    return this.finished < this.started;
  }

  /** Counted since `since`, and nothing left running. */
  settledSince(since: number): boolean {
    return this.lastStart >= since && !this.running;
  }

  /** The calls that started at or after `since` and have ended, latest first. */
  endedSince(since: number): CountCall[] {
    return [...this.calls.values()].filter((c) => c.startedAt >= since && c.ended).reverse();
  }
}
