import type { ElementHandle, HTTPResponse, Page } from "puppeteer-core";
import type { Logger } from "../log.js";
import { decodeListModels, type ModelInfo } from "../wire/list-models.js";
import { AuthExpiredError, DriverError } from "./errors.js";
import { Locator } from "./locate.js";
import type { RunSettings } from "./run-settings.js";
import type { SelectorName } from "./selectors.js";
import { waitFor } from "./wait.js";

/*
 * The page actions of the AI Studio chat, one method per thing a person would do. Values are
 * set the way Angular notices them (value, then `input` and `change` events); every wait is a
 * condition with the page timeout and the job's AbortSignal.
 */

/**
 * Clicks through the DOM rather than with the mouse: lanes are background tabs, and a mouse
 * click waits for a rendered frame that a hidden tab may never produce.
 */
async function press(handle: ElementHandle<Element>): Promise<void> {
  await handle.evaluate((e) => (e as HTMLElement).click());
}

export interface PageErrors {
  callout: string | null;
  toast: string | null;
  turnError: string | null;
}

export class AiStudioPage {
  readonly locate: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.locate = new Locator(page, log);
  }

  private opts(signal?: AbortSignal) {
    return { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
  }

  /** True on Google's sign-in page (or a region block), wherever the redirect led. */
  async signInReason(): Promise<string | null> {
    const url = new URL(this.page.url());
    if (url.hostname === "accounts.google.com" || /\/(ServiceLogin|v3\/signin|signin\/)/.test(url.pathname)) return `sign-in page ${url.origin}${url.pathname}`;
    const title = await this.page.title().catch(() => "");
    if (/Available regions|not available/i.test(title) || url.pathname.includes("access-restricted")) return `region block: "${title}"`;
    if (/^Sign in/i.test(title)) return `page titled "${title}"`;
    return null;
  }

  /**
   * Opens the chat page (with `?model=` when given) and returns the model list the page loaded.
   * A sign-in redirect is reported within the wait, not after the page timeout.
   */
  async load(model: string | null, signal?: AbortSignal): Promise<ModelInfo[]> {
    const target = `${this.baseUrl}/prompts/new_chat${model ? `?model=${encodeURIComponent(model)}` : ""}`;
    const listModels = this.page
      .waitForResponse((r: HTTPResponse) => r.request().method() === "POST" && r.url().endsWith(".MakerSuiteService/ListModels"), { timeout: this.timeoutMs })
      .then((r) => r.text())
      .catch(() => null);
    await this.page.goto(target, { waitUntil: "domcontentloaded", timeout: this.timeoutMs });
    const outcome = await waitFor(
      async () => {
        const signIn = await this.signInReason();
        if (signIn) return { signIn };
        // Looked up through the locator, which also records which UI generation this page is.
        const prompt = await this.locate.find("promptTextarea");
        if (!prompt) return null;
        await prompt.dispose();
        return { signIn: null };
      },
      { what: "the AI Studio chat page", ...this.opts(signal), intervalMs: 100 },
    );
    if (outcome.signIn) throw new AuthExpiredError(outcome.signIn);
    const text = await listModels;
    if (text === null) throw new DriverError("upstream_error", "The page did not load its model list (ListModels).", true);
    return decodeListModels(text).models;
  }

  async currentModel(signal?: AbortSignal): Promise<string> {
    const el = await this.locate.get("modelName", this.opts(signal));
    const text = (await el.evaluate((e) => e.textContent ?? "")).trim();
    await el.dispose();
    return text.replace(/^models\//, "");
  }

  /** Turns temporary chat on (chats are then not saved to Drive). */
  async ensureTemporaryChat(signal?: AbortSignal): Promise<void> {
    if (await this.locate.find("temporaryIndicator")) return;
    const more = await this.locate.find("moreActions");
    if (more) {
      await press(more);
      await more.dispose();
    }
    const toggle = await this.locate.get("temporaryToggle", this.opts(signal));
    await press(toggle);
    await toggle.dispose();
    await waitFor(async () => (await this.locate.find("temporaryIndicator")) !== null, { what: "temporary chat to turn on", ...this.opts(signal) });
  }

  /** Clears the chat through New chat and its "Discard and continue" dialog; a fresh page needs nothing. */
  async newChat(signal?: AbortSignal): Promise<void> {
    const turns = await this.page.$$eval("ms-chat-turn", (els) => els.length);
    if (turns === 0) return;
    const button = await this.locate.get("newChat", this.opts(signal));
    await press(button);
    await button.dispose();
    await waitFor(
      async () => {
        const confirm = await this.locate.find("dialogConfirm");
        if (confirm) {
          await press(confirm);
          await confirm.dispose();
        }
        return (await this.page.$$eval("ms-chat-turn", (els) => els.length)) === 0;
      },
      { what: "the chat to clear", ...this.opts(signal) },
    );
  }

  /** Sets an input the way Angular's forms see it, and commits it. */
  private async setValue(name: SelectorName, value: string, signal?: AbortSignal): Promise<void> {
    const el = await this.locate.get(name, this.opts(signal));
    await el.evaluate((e, v) => {
      const input = e as HTMLInputElement | HTMLTextAreaElement;
      input.value = v;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.dispatchEvent(new Event("blur", { bubbles: true }));
    }, value);
    await el.dispose();
  }

  private async switchState(name: SelectorName): Promise<{ on: boolean; disabled: boolean } | null> {
    const el = await this.locate.find(name);
    if (!el) return null;
    const state = await el.evaluate((e) => ({ on: e.getAttribute("aria-checked") === "true", disabled: e.hasAttribute("disabled") || e.getAttribute("aria-disabled") === "true" }));
    await el.dispose();
    return state;
  }

  /** Sets a switch; a switch that is missing or disabled for this model is left alone. */
  private async setSwitch(name: SelectorName, on: boolean, signal?: AbortSignal): Promise<void> {
    const state = (await this.switchState(name)) ?? (await this.locate.get(name, this.opts(signal)).then(() => this.switchState(name)));
    if (!state || state.disabled || state.on === on) return;
    const el = await this.locate.get(name, this.opts(signal));
    await press(el);
    await el.dispose();
    await waitFor(async () => (await this.switchState(name))?.on === on, { what: `the ${name} switch to turn ${on ? "on" : "off"}`, ...this.opts(signal) });
  }

  private async ensureSettingsOpen(signal?: AbortSignal): Promise<void> {
    if (await this.locate.find("runSettings")) return;
    const toggle = await this.locate.get("runSettingsToggle", this.opts(signal));
    await press(toggle);
    await toggle.dispose();
    await this.locate.get("runSettings", this.opts(signal));
  }

  private async editInDialog(open: SelectorName, json: unknown, signal?: AbortSignal): Promise<void> {
    const button = await this.locate.get(open, this.opts(signal));
    await press(button);
    await button.dispose();
    await this.setValue("declarationsEditor", JSON.stringify(json, null, 2), signal);
    const save = await this.locate.get("declarationsSave", this.opts(signal));
    await press(save);
    await save.dispose();
    await waitFor(async () => (await this.locate.find("declarationsEditor")) === null, { what: "the dialog to accept the JSON", ...this.opts(signal) });
  }

  /** Applies the given controls of `wanted`. */
  async applySettings(wanted: RunSettings, keys: Array<keyof RunSettings>, signal?: AbortSignal): Promise<void> {
    if (keys.length === 0) return;
    await this.ensureSettingsOpen(signal);
    for (const key of keys) {
      switch (key) {
        case "temperature":
          await this.setValue("temperature", String(wanted.temperature), signal);
          break;
        case "topP":
          await this.setValue("topP", String(wanted.topP), signal);
          break;
        case "maxOutputTokens":
          await this.setValue("maxTokens", String(wanted.maxOutputTokens), signal);
          break;
        case "stop":
          await this.setStopSequences(wanted.stop, signal);
          break;
        case "thinking":
          await this.setThinking(wanted.thinking, signal);
          break;
        case "functions":
          await this.setSwitch("functionCalling", wanted.functions.length > 0, signal);
          if (wanted.functions.length > 0) await this.editInDialog("functionEdit", wanted.functions, signal);
          break;
        case "googleSearch":
          await this.setSwitch("googleSearch", wanted.googleSearch, signal);
          break;
        case "schema":
          await this.setSwitch("structuredOutput", wanted.schema !== null, signal);
          if (wanted.schema !== null) await this.editInDialog("schemaEdit", wanted.schema, signal);
          break;
        case "systemInstruction":
          await this.setSystemInstruction(wanted.systemInstruction, signal);
          break;
      }
    }
  }

  private async setStopSequences(wanted: string[], signal?: AbortSignal): Promise<void> {
    const current = await this.page.$$eval('mat-chip button[aria-label^="Remove "]', (els) => els.map((e) => e.getAttribute("aria-label")!.slice("Remove ".length)));
    for (const stop of current.filter((s) => !wanted.includes(s))) {
      await this.page.$eval(`mat-chip button[aria-label=${JSON.stringify(`Remove ${stop}`)}]`, (e) => (e as HTMLElement).click());
    }
    for (const stop of wanted.filter((s) => !current.includes(s))) {
      const input = await this.locate.get("stopInput", this.opts(signal));
      await input.evaluate((e, v) => {
        (e as HTMLInputElement).value = v;
        e.dispatchEvent(new Event("input", { bubbles: true }));
        e.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      }, stop);
      await input.dispose();
    }
    await waitFor(
      async () => {
        const now = await this.page.$$eval('mat-chip button[aria-label^="Remove "]', (els) => els.map((e) => e.getAttribute("aria-label")!.slice("Remove ".length)));
        return now.length === wanted.length && wanted.every((s) => now.includes(s));
      },
      { what: "the stop sequences to be set", ...this.opts(signal) },
    );
  }

  private async setThinking(thinking: RunSettings["thinking"], signal?: AbortSignal): Promise<void> {
    if (thinking.kind === "none") return;
    if (thinking.kind === "level") {
      const select = await this.locate.get("thinkingLevel", this.opts(signal));
      const shown = (await select.evaluate((e) => e.textContent ?? "")).trim().toLowerCase();
      if (shown === thinking.level) return void (await select.dispose());
      await press(select);
      await select.dispose();
      await this.locate.get("levelOption", this.opts(signal));
      const picked = await this.page.$$eval('[role="listbox"] [role="option"]', (els, level) => {
        const option = els.find((e) => (e.textContent ?? "").trim().toLowerCase() === level) as HTMLElement | undefined;
        option?.click();
        return option !== undefined;
      }, thinking.level);
      if (!picked) throw new DriverError("invalid_request", `This model has no thinking level '${thinking.level}'.`, false);
      return;
    }
    await this.setSwitch("thinkingToggle", thinking.on, signal);
    if (!thinking.on) return;
    await this.setSwitch("manualBudgetToggle", thinking.manual, signal);
    if (thinking.manual) await this.setValue("budgetInput", String(thinking.budget), signal);
  }

  private async setSystemInstruction(text: string, signal?: AbortSignal): Promise<void> {
    let field = await this.locate.find("systemInstructions");
    if (!field) {
      const open = await this.locate.get("systemInstructionsOpen", this.opts(signal));
      await press(open);
      await open.dispose();
      field = await this.locate.get("systemInstructions", this.opts(signal));
    }
    await field.evaluate((e, v) => {
      (e as HTMLTextAreaElement).value = v;
      e.dispatchEvent(new Event("input", { bubbles: true }));
      e.dispatchEvent(new Event("change", { bubbles: true }));
    }, text);
    await field.dispose();
    const close = await this.locate.find("dialogClose");
    if (close) {
      await press(close);
      await close.dispose();
    }
  }

  /** Puts the prompt in through the textarea (value + `input`), fast even for a megabyte. */
  async fillPrompt(text: string, signal?: AbortSignal): Promise<void> {
    const css = await this.locate.css("promptTextarea", this.opts(signal));
    await this.page.$eval(
      css,
      (e, v) => {
        const t = e as HTMLTextAreaElement;
        t.value = v;
        t.dispatchEvent(new Event("input", { bubbles: true }));
      },
      text,
    );
    const run = await this.locate.css("runButton", this.opts(signal));
    await waitFor(() => this.page.$eval(run, (b) => !b.hasAttribute("disabled") && b.getAttribute("aria-disabled") !== "true"), {
      what: "the Run button to enable",
      ...this.opts(signal),
    });
  }

  async clickRun(signal?: AbortSignal): Promise<void> {
    const run = await this.locate.get("runButton", this.opts(signal));
    await press(run);
    // Not awaited: once Run is pressed the page may stop answering (a frozen renderer never
    // confirms the release), and nothing may wait on it unbounded from here on.
    void run.dispose().catch(() => undefined);
  }

  /** Run and Stop are one button: "Stop" in its text (2026) or the `stoppable` class (2025). */
  async isGenerating(): Promise<boolean> {
    const run = await this.locate.find("runButton");
    if (!run) return false;
    const generating = await run.evaluate((b) => (b.textContent ?? "").includes("Stop") || b.classList.contains("stoppable") || b.getAttribute("aria-label") === "Stop generating");
    await run.dispose();
    return generating;
  }

  /** Presses Stop if the page is generating and waits until it is idle. */
  async stop(signal?: AbortSignal): Promise<void> {
    if (!(await this.isGenerating())) return;
    await this.clickRun(signal);
    await waitFor(async () => !(await this.isGenerating()), { what: "generation to stop", ...this.opts(signal) });
  }

  async errors(): Promise<PageErrors> {
    const text = async (name: SelectorName) => {
      const el = await this.locate.find(name);
      if (!el) return null;
      const value = (await el.evaluate((e) => e.textContent ?? "")).trim();
      await el.dispose();
      return value;
    };
    const turnErrors = await this.page.$$eval('[data-turn-role="Model"] .model-error', (els) => els.map((e) => (e.textContent ?? "").trim()));
    return { callout: await text("errorCallout"), toast: await text("toastError"), turnError: turnErrors.at(-1) ?? null };
  }
}
