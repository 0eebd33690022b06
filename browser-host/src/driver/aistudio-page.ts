import {
  TimeoutError as PuppeteerTimeoutError,
  type HTTPResponse,
  type Page,
} from "puppeteer-core";
import type { Logger } from "../log.js";
import { decodeListModels, type ModelInfo } from "../wire/list-models.js";
import { AuthExpiredError, DriverError } from "./errors.js";
import { Locator } from "./locate.js";
import type { SelectorCatalog } from "./selector-overrides.js";
import { SELECTORS, type SelectorName } from "./selectors.js";
import { SettingsPanel } from "./settings-panel.js";
import { waitFor } from "./wait.js";
import { bareModelId } from "@aistudio-edge/shared";

/*
 * The AI Studio chat page, one method per thing a person would do there: load it, start a new
 * or temporary chat, put the prompt in, Run and Stop, read the errors it shows. The run
 * settings panel is `settings`. Every wait is a condition with the page timeout and the job's
 * AbortSignal.
 */

/** Where the page shows a failure in words. */
const ERROR_PLACES: SelectorName[] = ["errorCallout", "toastError", "turnError"];

export interface PageErrors {
  callout: string | null;
  toast: string | null;
  turnError: string | null;
}

export class AiStudioPage {
  readonly locate: Locator;
  readonly settings: SettingsPanel;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    catalog: SelectorCatalog = SELECTORS,
  ) {
    this.locate = new Locator(page, log, catalog);
    this.settings = new SettingsPanel(this.locate, timeoutMs);
  }

  private opts(signal?: AbortSignal) {
    return { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
  }

  /** True on Google's sign-in page (or a region block), wherever the redirect led. */
  async signInReason(): Promise<string | null> {
    const url = new URL(this.page.url());
    if (
      url.hostname === "accounts.google.com" ||
      /\/(ServiceLogin|v3\/signin|signin\/)/.test(url.pathname)
    )
      return `sign-in page ${url.origin}${url.pathname}`;
    const title = await this.page.title().catch(() => "");
    if (
      /Available regions|not available/i.test(title) ||
      url.pathname.includes("access-restricted")
    )
      return `region block: "${title}"`;
    if (/^Sign in/i.test(title)) return `page titled "${title}"`;
    return null;
  }

  /**
   * Opens the chat page (with `?model=` when given) and returns the model list the page loaded.
   * A sign-in redirect is reported within the wait, not after the page timeout.
   */
  async load(model: string | null, signal?: AbortSignal): Promise<ModelInfo[]> {
    const target = `${this.baseUrl}/prompts/new_chat${model ? `?model=${encodeURIComponent(model)}` : ""}`;
    // Settled either way at once, so a failure is not unhandled while the page loads; kept as the cause.
    const listModels = this.page
      .waitForResponse(
        (r: HTTPResponse) =>
          r.request().method() === "POST" && r.url().endsWith(".MakerSuiteService/ListModels"),
        { timeout: this.timeoutMs },
      )
      .then((r) => r.text())
      .then(
        (text) => ({ text }),
        (error: unknown) => ({ error }),
      );
    await this.page.goto(target, { waitUntil: "domcontentloaded", timeout: this.timeoutMs });
    const outcome = await waitFor(
      async () => {
        const signIn = await this.signInReason();
        if (signIn) return { signIn };
        // Looked up through the locator, which also records which UI generation this page is.
        return (await this.locate.has("promptTextarea")) ? { signIn: null } : null;
      },
      { what: "the AI Studio chat page", ...this.opts(signal), intervalMs: 100 },
    );
    if (outcome.signIn) throw new AuthExpiredError(outcome.signIn);
    const models = await listModels;
    if ("error" in models)
      throw new DriverError(
        "upstream_error",
        "The page did not load its model list (ListModels).",
        true,
        { cause: models.error },
      );
    return decodeListModels(models.text).models;
  }

  async currentModel(signal?: AbortSignal): Promise<string> {
    const el = await this.locate.get("modelName", this.opts(signal));
    try {
      return bareModelId((await el.evaluate((e) => e.textContent ?? "")).trim());
    } finally {
      await el.dispose();
    }
  }

  /** Turns temporary chat on (chats are then not saved to Drive). */
  async ensureTemporaryChat(signal?: AbortSignal): Promise<void> {
    if (await this.locate.has("temporaryIndicator")) return;
    // The toggle usually sits in the More actions menu; where it is in the toolbar, no menu is needed.
    await this.locate.clickIfPresent("moreActions");
    await this.locate.click("temporaryToggle", this.opts(signal));
    await waitFor(() => this.locate.has("temporaryIndicator"), {
      what: "temporary chat to turn on",
      ...this.opts(signal),
    });
  }

  /** Clears the chat through New chat and its "Discard and continue" dialog; a fresh page needs nothing. */
  async newChat(signal?: AbortSignal): Promise<void> {
    if ((await this.locate.count("chatTurn")) === 0) return;
    await this.locate.click("newChat", this.opts(signal));
    await waitFor(
      async () => {
        await this.locate.clickIfPresent("dialogConfirm");
        return (await this.locate.count("chatTurn")) === 0;
      },
      { what: "the chat to clear", ...this.opts(signal) },
    );
  }

  /** Puts the prompt in through the textarea (value + `input`), fast even for a megabyte. */
  async fillPrompt(text: string, signal?: AbortSignal): Promise<void> {
    const box = await this.locate.get("promptTextarea", this.opts(signal));
    try {
      await box.evaluate((e, v) => {
        const t = e as HTMLTextAreaElement;
        t.value = v;
        t.dispatchEvent(new Event("input", { bubbles: true }));
      }, text);
    } finally {
      await box.dispose();
    }
    await waitFor(() => this.runEnabled(), {
      what: "the Run button to enable",
      ...this.opts(signal),
    });
  }

  private async runEnabled(): Promise<boolean> {
    const run = await this.locate.find("runButton");
    if (!run) return false;
    try {
      return await run.evaluate(
        (b) => !b.hasAttribute("disabled") && b.getAttribute("aria-disabled") !== "true",
      );
    } finally {
      await run.dispose();
    }
  }

  /** Presses Run (or Stop: one button). The click does not wait on the page's handle release. */
  async clickRun(signal?: AbortSignal): Promise<void> {
    await this.locate.click("runButton", this.opts(signal));
  }

  /** Run and Stop are one button: "Stop" in its text (2026) or the `stoppable` class (2025). */
  async isGenerating(): Promise<boolean> {
    const run = await this.locate.find("runButton");
    if (!run) return false;
    try {
      return await run.evaluate(
        (b) =>
          (b.textContent ?? "").includes("Stop") ||
          b.classList.contains("stoppable") ||
          b.getAttribute("aria-label") === "Stop generating",
      );
    } finally {
      await run.dispose();
    }
  }

  /** Presses Stop if the page is generating and waits until it is idle. */
  async stop(signal?: AbortSignal): Promise<void> {
    if (!(await this.isGenerating())) return;
    await this.clickRun(signal);
    await waitFor(async () => !(await this.isGenerating()), {
      what: "generation to stop",
      ...this.opts(signal),
    });
  }

  /** The failure texts the page shows now: the callout, the first toast, the last turn error. */
  async errors(): Promise<PageErrors> {
    const callout = await this.locate.values("errorCallout");
    const toast = await this.locate.values("toastError");
    const turnErrors = await this.locate.values("turnError");
    return {
      callout: callout[0] ?? null,
      toast: toast[0] ?? null,
      turnError: turnErrors.at(-1) ?? null,
    };
  }

  /**
   * Gives the page up to `timeoutMs` to render its own message for a failure (or to leave for
   * sign-in) before the errors are read. One in-page wait with puppeteer's own deadline, so a
   * frozen renderer cannot hold it. False when nothing showed: the failure is then classified
   * from the network answer alone, which decides first anyway.
   */
  async errorShown(timeoutMs: number): Promise<boolean> {
    const places = ERROR_PLACES.map((name) => this.locate.candidates(name));
    try {
      await this.page.waitForFunction(
        (lists: string[][]) =>
          lists.some((list) => list.some((css) => document.querySelector(css) !== null)) ||
          /signin/i.test(location.pathname),
        { timeout: timeoutMs, polling: 100 },
        places,
      );
      return true;
    } catch (err) {
      if (!(err instanceof PuppeteerTimeoutError))
        this.log.debug("could not wait for the page's error message", {
          error: (err as Error).message,
        });
      return false;
    }
  }
}
