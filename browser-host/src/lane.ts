import type { Browser, BrowserContext, Page } from "puppeteer-core";
import type { JobFrame } from "@aistudio-edge/shared";
import { AiStudioPage } from "./driver/aistudio-page.js";
import { runCountJob } from "./driver/count-job.js";
import { openChat, runJob, type JobSink, type PageState } from "./driver/job-runner.js";
import { StreamCapture } from "./driver/stream-capture.js";
import type { HostConfig } from "./config.js";
import type { Logger } from "./log.js";
import type { ModelInfo } from "./wire/list-models.js";
import { journal, saveSnapshot, type PageJournal } from "./snapshots.js";
import { withTimeout } from "./driver/wait.js";
import { DriverError } from "./driver/errors.js";
import type { Locator } from "./driver/locate.js";
import type { SelectorCatalog } from "./driver/selector-overrides.js";
import { SELECTORS, type SelectorName } from "./driver/selectors.js";

/*
 * A lane: one page on the chat, one job at a time. A page that crashed, or whose job ended in
 * a way that leaves it in doubt, is replaced before the lane takes another job. A lane is
 * reserved from the moment a job is given to it until everything that job left to do is done
 * (its failure snapshot included), and the host reports it busy for all of that time.
 */

/** What the host lets a lane do with a new page and how it hears of a crash. */
export interface LaneHooks {
  /** Called on every new page before it loads AI Studio (profile identity, storage). */
  prepare(page: Page): Promise<void>;
  /** Called when the page crashed while idle, so the host can rebuild it. */
  onCrash(lane: Lane): void;
}

export const NO_HOOKS: LaneHooks = { prepare: async () => undefined, onCrash: () => undefined };

export class Lane {
  page: Page | null = null;
  private context: BrowserContext | null = null;
  private ui: AiStudioPage | null = null;
  private capture: StreamCapture | null = null;
  private readonly state: PageState = { models: [], applied: "defaults", unsure: [] };
  busy = false;
  healthy = false;
  /** Console and RPC traffic of the current page, for failure snapshots. */
  journal: PageJournal | null = null;
  /** Set when the page must be rebuilt before the next job. */
  private stale = true;

  constructor(
    readonly index: number,
    private readonly config: HostConfig,
    private readonly log: Logger,
    private readonly hooks: LaneHooks = NO_HOOKS,
    /** The selectors to drive the page with: the built-ins, or SELECTORS_FILE's ahead of them. */
    private readonly catalog: SelectorCatalog = SELECTORS,
  ) {}

  /** Which candidate last matched for a concept on this lane's page, and from which source. */
  matchedSelector(name: SelectorName): ReturnType<Locator["matched"]> {
    return this.ui?.locate.matched(name) ?? null;
  }

  get models(): ModelInfo[] {
    return this.state.models;
  }

  /**
   * Opens (or reopens) the lane's page on the chat with temporary chat on, in a browser context
   * of its own: lanes never share a renderer process, so a page that froze takes only its own
   * lane down, and disposing of the context ends even a renderer that no longer answers.
   */
  async open(browser: Browser): Promise<void> {
    // A frozen page may never answer a close: do not wait on it for long.
    if (this.context) await withTimeout(this.context.close(), 5_000, undefined);
    this.healthy = false;
    this.context = await browser.createBrowserContext();
    const page = await withTimeout(this.context.newPage(), this.config.PAGE_TIMEOUT_MS, null);
    if (!page)
      throw new DriverError("upstream_error", "Chromium did not open a new page in time.", true);
    this.page = page;
    this.journal = journal(page);
    page.on("error", (err) => {
      // The renderer crashed: the page is gone for good.
      this.log.error("page crashed", { lane: this.index, error: err.message });
      this.healthy = false;
      this.stale = true;
      if (!this.busy) this.hooks.onCrash(this);
    });
    await this.hooks.prepare(page);
    const cdp = await page.createCDPSession();
    this.capture = await StreamCapture.attach(cdp);
    this.ui = new AiStudioPage(
      page,
      this.config.AISTUDIO_URL,
      this.config.PAGE_TIMEOUT_MS,
      this.log.child({ lane: this.index }),
      this.catalog,
      { acceptTerms: this.config.ACCEPT_TERMS },
    );
    await openChat(this.ui, this.state, null);
    this.stale = false;
    this.healthy = true;
    this.log.info("lane ready", {
      lane: this.index,
      model: await this.ui.currentModel(this.state.models),
      ui: this.ui.locate.generation(),
    });
  }

  /** Whether the lane can take a job now. */
  get free(): boolean {
    return this.healthy && !this.busy;
  }

  /** Takes the lane for one job; false when it is not free. */
  reserve(): boolean {
    if (!this.free) return false;
    this.busy = true;
    return true;
  }

  /** Gives the lane back after its job and anything the job left to do. */
  release(): void {
    this.busy = false;
    if (this.stale && !this.healthy) this.hooks.onCrash(this);
  }

  /**
   * Runs a job on a reserved lane (a lane that was not reserved is reserved here, for tests and
   * tools that drive one lane directly).
   */
  async run(
    browser: Browser,
    job: JobFrame,
    sink: JobSink,
    signal: AbortSignal,
    /** The bytes of the job's attachments, in the job's attachment order. */
    files: readonly Uint8Array[] = [],
  ): Promise<void> {
    const reservedHere = !this.busy;
    this.busy = true;
    try {
      if (this.stale || !this.page || this.page.isClosed() || !(await this.responsive()))
        await this.open(browser);
      // A count-only job shares the page and the context; it only never presses Run.
      const run = job.request.countTokens === true ? runCountJob : runJob;
      await run(
        {
          page: this.ui!,
          capture: this.capture!,
          state: this.state,
          stallTimeoutMs: this.config.STALL_TIMEOUT_MS,
          pageTimeoutMs: this.config.PAGE_TIMEOUT_MS,
          lenient: this.config.SETTINGS_MODE === "lenient",
          log: this.log.child({ lane: this.index, jobId: job.jobId }),
        },
        job,
        sink,
        signal,
        files,
      );
    } catch (err) {
      // After a failure the page's state is unknown: start the next job on a fresh one.
      this.stale = true;
      throw err;
    } finally {
      if (reservedHere) this.busy = false;
    }
  }

  /** Saves what a failed job left on the page (screenshot, DOM, console, RPC log) for debugging. */
  async snapshot(
    options: { dir: string; keep: number; log: Logger },
    jobId: string,
    error: { code: string; message: string },
  ): Promise<string | null> {
    return saveSnapshot(options, jobId, this.page, this.journal, error);
  }

  /**
   * Whether the page's main thread still answers. A renderer can freeze after its answer has
   * fully arrived through the network (which does not need the page), so a job can succeed
   * on a page that no longer works; the next job must not start on it.
   */
  private async responsive(): Promise<boolean> {
    const ok = await withTimeout(
      this.page!.evaluate(() => true),
      2_000,
      false,
    );
    if (!ok)
      this.log.warn("the lane's page stopped responding; replacing it", { lane: this.index });
    return ok;
  }

  async close(): Promise<void> {
    if (this.context) await withTimeout(this.context.close(), 5_000, undefined);
    this.healthy = false;
  }
}
