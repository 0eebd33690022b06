import {
  TimeoutError as PuppeteerTimeoutError,
  type HTTPResponse,
  type Page,
} from "puppeteer-core";
import type { Logger } from "../log.js";
import { decodeListModels, type ModelInfo } from "../wire/list-models.js";
import { AuthExpiredError, DriverError, TimeoutError } from "./errors.js";
import { CountWatch } from "./count-watch.js";
import { Locator } from "./locate.js";
import type { SelectorCatalog } from "./selector-overrides.js";
import { SELECTORS, type SelectorName } from "./selectors.js";
import { SettingsPanel } from "./settings-panel.js";
import { Uploader, type UploadFile } from "./uploads.js";
import { waitFor, withTimeout } from "./wait.js";
import { bareModelId } from "@aistudio-edge/shared";

/*
 * The AI Studio chat page, one method per thing a person would do there: load it, start a new
 * or temporary chat, put the prompt in, Run and Stop, read the errors it shows. The run
 * settings panel is `settings`. Every wait is a condition with the page timeout and the job's
 * AbortSignal.
 */

/**
 * esbuild (tsx, the host's runtime) wraps named functions in `__name(…)` to keep their names,
 * and that helper does not exist in the page, where puppeteer runs our page functions from their
 * source text: a page function with a named inner function would throw there. The page gets a
 * harmless stand-in before any of its scripts run.
 */
const KEEP_NAMES_SHIM = "globalThis.__name = globalThis.__name || function (f) { return f; };";

/** Where the page shows a failure in words. */
const ERROR_PLACES: SelectorName[] = ["errorCallout", "toastError", "turnError", "pageAlert"];

/** A prompt this long makes the page count tokens for a noticeable time, during which Run is ignored. */
const LONG_PROMPT_CHARS = 8_000;
/**
 * How long after the prompt changes the page gets to start counting it (it waits for typing to
 * pause first). A page that counts only on Run (2026) never does; that is learnt once per load.
 */
const COUNT_STARTS_MS = 1_500;
/**
 * How long a press of Run gets to show (the request leaves or the button turns to Stop) before
 * it is pressed again. Short: the 2026-08 page also ignores Run while it counts a short prompt
 * (a few hundred ms after the text changes), and an ignored press costs nothing.
 */
const RUN_TAKES_MS = 150;
/** A read of a page that may have frozen on Run (the page is then left to the stall watchdog). */
const QUICK_READ_MS = 1_000;

export interface PageErrors {
  callout: string | null;
  toast: string | null;
  turnError: string | null;
}

export class AiStudioPage {
  readonly locate: Locator;
  readonly settings: SettingsPanel;
  private readonly uploader: Uploader;
  private shimmed = false;
  private readonly counts: CountWatch;
  /** Whether this page counts tokens as the prompt changes (2026-08) or only on Run; null: unknown yet. */
  private countsOnInput: boolean | null = null;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    catalog: SelectorCatalog = SELECTORS,
    options: { acceptTerms?: boolean } = {},
  ) {
    this.locate = new Locator(page, log, catalog, options.acceptTerms ?? true);
    this.settings = new SettingsPanel(this.locate, timeoutMs, log);
    this.uploader = new Uploader(page, this.locate, timeoutMs, log);
    this.counts = new CountWatch(page);
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
    if (!this.shimmed) {
      await this.page.evaluateOnNewDocument(KEEP_NAMES_SHIM);
      this.shimmed = true;
    }
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
    this.settings.reset();
    this.countsOnInput = null;
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

  /**
   * The model the page shows. The 2026 page has an element holding just the id; the 2026-08
   * card shows the display name and the id together, so its text is matched against the models
   * the page listed, part by part (a part that is an id, else one that is a display name).
   */
  async currentModel(models: ModelInfo[], signal?: AbortSignal): Promise<string> {
    const el = await this.locate.get("modelName", this.opts(signal));
    let parts: string[];
    try {
      // Each innermost element's text on its own: "Gemini 2.5 Flash" and "gemini-2.5-flash"
      // in two spans read as one word through textContent.
      parts = await el.evaluate((e) => {
        const leaves = [e, ...e.querySelectorAll("*")].filter((d) => d.children.length === 0);
        return leaves.map((d) => (d.textContent ?? "").replace(/\s+/g, " ").trim());
      });
    } finally {
      await el.dispose();
    }
    parts = parts.filter((p) => p !== "");
    const ids = new Map(models.map((m) => [bareModelId(m.id), m]));
    const byId = parts.map((p) => bareModelId(p)).find((p) => ids.has(p));
    if (byId) return byId;
    const byName = models.find((m) =>
      parts.some((p) => p.toLowerCase() === m.displayName.trim().toLowerCase()),
    );
    if (byName) return bareModelId(byName.id);
    return bareModelId(parts.join(" "));
  }

  /**
   * Chooses a model through the model selection dialog, as a person does: for a page where
   * `?model=` and the stored preference no longer select it. True when the page shows it after.
   */
  async pickModel(model: string, models: ModelInfo[], signal?: AbortSignal): Promise<boolean> {
    await this.locate.clickUntil(
      "modelPicker",
      () => this.locate.has("modelOption"),
      "the model selection dialog to open",
      this.opts(signal),
    );
    const search = await this.locate.find("modelSearch");
    if (search) {
      try {
        await search.evaluate((e, v) => {
          (e as HTMLInputElement).value = v;
          e.dispatchEvent(new Event("input", { bubbles: true }));
        }, model);
      } finally {
        await search.dispose();
      }
    }
    const picked = await waitFor(
      () => this.locate.clickWhere("modelOption", model, undefined, true),
      {
        what: `the model '${model}' in the model selection dialog`,
        timeoutMs: Math.min(this.timeoutMs, 5_000),
        ...(signal ? { signal } : {}),
      },
    ).catch((err: unknown) => {
      if (err instanceof TimeoutError) return false;
      throw err;
    });
    if (!picked) {
      await this.locate.overlays.clear(null, signal);
      return false;
    }
    return waitFor(async () => (await this.currentModel(models, signal)) === model, {
      what: `the page to show '${model}'`,
      timeoutMs: Math.min(this.timeoutMs, 5_000),
      ...(signal ? { signal } : {}),
    }).catch((err: unknown) => {
      if (err instanceof TimeoutError) return false;
      throw err;
    });
  }

  /**
   * Turns temporary chat on (chats are then not saved to Drive). The toggle sits in the More
   * actions menu; in 2026-08 its state shows only as a checkmark in that menu, and the menu stays
   * open after the toggle, over the page, until it is closed. A page without the toggle (one peer
   * saw it removed) is logged and left as it is: the job can still run.
   */
  async ensureTemporaryChat(signal?: AbortSignal): Promise<void> {
    if (await this.locate.has("temporaryIndicator")) return;
    try {
      // Where the toggle is in the toolbar, no menu is needed.
      const toggle =
        (await this.locate.has("temporaryToggle")) ||
        ((await this.locate.has("moreActions")) &&
          (await this.locate
            .clickUntil(
              "moreActions",
              () => this.locate.has("temporaryToggle"),
              "the temporary chat toggle",
              { timeoutMs: Math.min(this.timeoutMs, 5_000), ...(signal ? { signal } : {}) },
            )
            .then(
              () => true,
              (err: unknown) => {
                if (err instanceof TimeoutError) return false;
                throw err;
              },
            )));
      if (!toggle) {
        this.log.warn("AI Studio shows no temporary chat toggle; chats may be saved to Drive");
        return;
      }
      const on = () =>
        this.locate
          .has("temporaryChecked")
          .then(async (c) => c || this.locate.has("temporaryIndicator"));
      if (!(await on())) {
        await this.locate.clickUntil(
          "temporaryToggle",
          on,
          "temporary chat to turn on",
          this.opts(signal),
        );
      }
    } finally {
      // The menu must not stay open: its backdrop swallows the next clicks.
      if (!signal?.aborted) await this.locate.overlays.clear(null, signal);
    }
  }

  /**
   * Whether the freshly loaded chat shows no system instructions. The 2026-08 page keeps them as
   * named presets in local storage, so a reload can bring back the text of an earlier job (of
   * another client): only the card's empty-state wording, or an empty field, counts as blank.
   * Anything else makes the next job set the field, whatever it asks for.
   */
  async systemInstructionsBlank(): Promise<boolean> {
    const field = await this.locate.find("systemInstructions");
    if (field) {
      try {
        return (await field.evaluate((e) => (e as HTMLTextAreaElement).value)).trim() === "";
      } finally {
        await field.dispose();
      }
    }
    const [card] = await this.locate.values("systemInstructionsOpen");
    // No control at all: there is nothing to leak, and a job that asks for one fails on it.
    if (card === undefined) return true;
    const text = card.replace(/\s+/g, " ").trim();
    return (
      /^system instructions$/i.test(text) || /optional tone and style instructions/i.test(text)
    );
  }

  /** Clears the chat through New chat and its "Discard and continue" dialog; a fresh page needs nothing. */
  async newChat(signal?: AbortSignal): Promise<void> {
    if ((await this.locate.count("chatTurn")) === 0) return;
    await this.locate.clickUntil(
      "newChat",
      async () =>
        (await this.locate.has("dialogConfirm")) || (await this.locate.count("chatTurn")) === 0,
      "the New chat dialog",
      this.opts(signal),
    );
    await waitFor(
      async () => {
        // By its text: another dialog's primary button ("Try …") must not be pressed instead.
        if (!(await this.locate.clickWhere("dialogConfirm", "Discard and continue")))
          await this.locate.clickWhere("dialogConfirm", "Continue");
        return (await this.locate.count("chatTurn")) === 0;
      },
      { what: "the chat to clear", ...this.opts(signal) },
    );
  }

  /**
   * Puts the prompt in through the textarea (value + `input`), fast even for a megabyte. A long
   * prompt is then counted by the page, which ignores Run until the count settles: wait for it.
   */
  async fillPrompt(text: string, signal?: AbortSignal): Promise<void> {
    const filled = Date.now();
    await this.typePrompt(text, signal);
    await waitFor(() => this.runEnabled(), {
      what: "the Run button to enable",
      ...this.opts(signal),
    });
    // A page known to count on input is waited for always; an unknown one for long prompts.
    if (
      this.countsOnInput === true ||
      (this.countsOnInput === null && text.length >= LONG_PROMPT_CHARS)
    )
      await this.tokenCountSettled(filled, signal);
  }

  /** Sets the prompt box's text as typing would (value + `input`), nothing more. */
  private async typePrompt(text: string, signal?: AbortSignal): Promise<void> {
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
  }

  /**
   * Puts `text` in the prompt box (beside the files it holds) and returns the page's own count
   * of it: the total of a CountTokens call made after it that counted this text, read once no
   * count is running. Matching by content matters: the page counts on every change, and a call
   * queued before the text went in may still leave after it. Null when the page counts only on
   * Run (2026; remembered for this load, as for `tokenCountSettled`) or its answer was
   * unreadable. Run is never pressed.
   */
  async countPrompt(text: string, signal?: AbortSignal): Promise<number | null> {
    const since = Date.now();
    await this.typePrompt(text, signal);
    const wanted = text.trim();
    const outcome = await waitFor(
      async () => {
        if (this.counts.running) return null;
        for (const call of this.counts.endedSince(since)) {
          if ((await call.texts()).some((t) => t.trim() === wanted))
            return { counted: true, total: await call.total() };
        }
        // Nothing counted it, and nothing has started for a while: the page will not.
        if (Date.now() - Math.max(since, this.counts.lastStart) > COUNT_STARTS_MS)
          return { counted: false, total: null };
        return null;
      },
      { what: "the page to count the prompt's tokens", intervalMs: 25, ...this.opts(signal) },
    );
    if (outcome.counted) this.countsOnInput = true;
    else if (this.counts.lastStart < since && this.countsOnInput === null) {
      this.countsOnInput = false;
      this.log.debug("the page does not count tokens as the prompt changes");
    }
    return outcome.total;
  }

  /**
   * Empties the prompt box of its files (each preview's "Remove media") and its text: for a job
   * that leaves its prompt unsent (a count), so the next job starts on an empty box.
   */
  async clearPrompt(signal?: AbortSignal): Promise<void> {
    await waitFor(
      async () => {
        if ((await this.locate.count("mediaRemove")) === 0) return true;
        await this.locate.click("mediaRemove", this.opts(signal));
        return false;
      },
      { what: "the prompt's files to be removed", ...this.opts(signal) },
    );
    await this.typePrompt("", signal);
  }

  /**
   * Puts the job's files into the prompt, each until its preview shows (a refused one fails
   * with AttachmentRefusedError), then lets the page count them: Run is ignored until it has.
   */
  async attach(files: readonly UploadFile[], signal?: AbortSignal): Promise<void> {
    if (files.length === 0) return;
    const since = Date.now();
    await this.uploader.upload(files, signal);
    if (this.countsOnInput !== false) await this.tokenCountSettled(since, signal);
  }

  /**
   * Waits until the page has counted the prompt put in at `since`: a CountTokens call started
   * after it and none still running (read from the network, so the same count by chance does
   * not matter). A page that starts none within COUNT_STARTS_MS counts only on Run: that is
   * remembered for this load, and Run is then confirmed by `pressRun` alone.
   */
  async tokenCountSettled(since: number, signal?: AbortSignal): Promise<boolean> {
    const outcome = await waitFor(
      () => {
        if (this.counts.settledSince(since)) return "counted";
        if (this.counts.lastStart < since && Date.now() - since > COUNT_STARTS_MS) return "none";
        return null;
      },
      { what: "the page to count the prompt's tokens", intervalMs: 25, ...this.opts(signal) },
    );
    if (outcome === "counted") this.countsOnInput = true;
    else if (this.countsOnInput === null) {
      this.countsOnInput = false;
      this.log.debug("the page does not count tokens as the prompt changes");
    }
    return outcome === "counted";
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

  /**
   * Presses Run until the page takes it: the request leaves (`sent`) or the button turns to
   * Stop. A page still counting tokens ignores a press without a sign, so an ignored press is
   * repeated — never while generating, where the same button would stop the answer.
   */
  async pressRun(sent: () => boolean, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    // A page that stopped answering after a press is not pressed again: the stall watchdog decides.
    const taken = async () =>
      sent() || ((await withTimeout(this.isGenerating(), QUICK_READ_MS, null)) ?? true);
    for (let press = 1; ; press++) {
      if (press > 1 && (await taken())) return;
      await this.clickRun(signal);
      const took = await waitFor(taken, {
        what: "the page to take Run",
        timeoutMs: Math.max(0, Math.min(RUN_TAKES_MS, deadline - Date.now())),
        ...(signal ? { signal } : {}),
      }).catch((err: unknown) => {
        if (err instanceof TimeoutError) return false;
        throw err;
      });
      if (took) return;
      if (Date.now() >= deadline)
        throw new DriverError(
          "upstream_error",
          `AI Studio ignored Run ${press} times in ${Math.round(this.timeoutMs / 1000)}s.`,
          true,
        );
      this.log.debug("Run was not taken; pressing again", { press });
    }
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
    const alerts = (await this.locate.values("pageAlert")).filter((t) => t !== "");
    return {
      callout: callout[0] ?? alerts[0] ?? null,
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
