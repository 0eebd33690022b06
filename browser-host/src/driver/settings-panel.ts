import type { ElementHandle } from "puppeteer-core";
import type { Logger } from "../log.js";
import { DriverError, SelectorNotFoundError } from "./errors.js";
import type { Locator } from "./locate.js";
import type { RunSettings } from "./run-settings.js";
import type { SelectorName } from "./selectors.js";
import { waitFor } from "./wait.js";

/*
 * The run settings panel of the chat page: one method per control a job can ask for. Values
 * are set the way Angular notices them (value, then `input` and `change` events) and read back;
 * a control inside a collapsed group (Tools, Advanced settings: facts §9) is found by opening
 * the group. Tool switches are applied in an order the page accepts: conflicting tools off
 * first, because the 2026-08 page disables Function calling and Structured outputs while Google
 * Search, URL context or code execution is on. Every wait is a condition with the page timeout
 * and the job's AbortSignal.
 */

const REMOVE = "Remove ";

export type SettingKey = keyof RunSettings;

/** What the operator calls each setting, and what the client called it in its request. */
export const SETTING_NAMES: Record<SettingKey, { control: string; param: string }> = {
  temperature: { control: "temperature", param: "temperature" },
  topP: { control: "top-P", param: "top_p" },
  maxOutputTokens: { control: "max output tokens", param: "max_tokens" },
  stop: { control: "stop sequences", param: "stop" },
  thinking: { control: "thinking", param: "reasoning_effort" },
  functions: { control: "function calling", param: "tools" },
  googleSearch: { control: "Google Search", param: "web_search_options" },
  // Each door names these tools its own way: these are the Gemini API's names (tools[].urlContext).
  urlContext: { control: "URL context", param: "tools.url_context" },
  codeExecution: { control: "code execution", param: "tools.code_execution" },
  schema: { control: "structured output", param: "response_format" },
  systemInstruction: { control: "system instructions", param: "system message" },
  aspectRatio: { control: "aspect ratio", param: "size" },
};

/** What the aspect ratio select shows when no ratio is chosen. */
const AUTO_RATIO = "Auto";

/**
 * A setting the job asked for that the page would not take: its control is missing (the UI
 * changed), disabled, or shows another value after being set. Not retried: every lane sees the
 * same page. `combination` marks a setting the page refuses only together with another one the
 * job also asked for (a client error, not a page change).
 */
export class SettingError extends DriverError {
  override readonly name = "SettingError";
  constructor(
    readonly setting: SettingKey,
    message: string,
    combination = false,
    options?: ErrorOptions,
  ) {
    super(combination ? "upstream_unsupported" : "upstream_ui_changed", message, false, options);
  }
}

/** How the settings were applied: in lenient mode, the ones the page would not take. */
export interface ApplyResult {
  dropped: SettingKey[];
}

/**
 * The built-in tools, which share the page's conflicts: while one of them is on, function
 * calling and structured output are disabled, and while either of those is on, they are.
 */
const BUILT_IN_TOOLS = ["googleSearch", "urlContext", "codeExecution"] as const;
type BuiltInTool = (typeof BUILT_IN_TOOLS)[number];
const CONFLICTING_TOOLS: SelectorName[] = [...BUILT_IN_TOOLS];

const isBuiltInTool = (key: string): key is BuiltInTool =>
  (BUILT_IN_TOOLS as readonly string[]).includes(key);

/** Whether the job wants a switch setting on; null for a setting that is not a switch. */
function wantedOnFor(key: SettingKey, wanted: RunSettings): boolean | null {
  if (key === "functions") return wanted.functions.length > 0;
  if (key === "schema") return wanted.schema !== null;
  if (isBuiltInTool(key)) return wanted[key];
  return null;
}

/** The order a plan runs in: tools going off, then values, then tools going on. */
function phase(key: SettingKey, wanted: RunSettings): number {
  const on = wantedOnFor(key, wanted);
  if (on === null) return 1;
  if (!on) return 0;
  // Function calling and structured output before the built-in tools: the page refuses them
  // while one is on. A job that wants both kinds finds the second switch disabled, and setTool
  // reports that as the combination it is.
  return isBuiltInTool(key) ? 3 : 2;
}

export function applyOrder(keys: SettingKey[], wanted: RunSettings): SettingKey[] {
  return [...keys].sort((a, b) => phase(a, wanted) - phase(b, wanted));
}

export class SettingsPanel {
  /** Controls found missing since the page loaded: a lenient job does not wait for them again. */
  private readonly missing = new Set<SelectorName>();

  constructor(
    private readonly locate: Locator,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  private opts(signal?: AbortSignal) {
    return { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
  }

  /** A new page load: what was missing on the old one may be there now. */
  reset(): void {
    this.missing.clear();
  }

  /**
   * Applies the given controls of `wanted`. Strict (the default): the first setting the page
   * will not take fails the job naming its control. Lenient: it is skipped, logged and reported.
   */
  async apply(
    wanted: RunSettings,
    keys: SettingKey[],
    options: { lenient: boolean; signal?: AbortSignal },
  ): Promise<ApplyResult> {
    const dropped: SettingKey[] = [];
    if (keys.length === 0) return { dropped };
    const { signal } = options;
    try {
      await this.ensureOpen(signal);
    } catch (err) {
      if (!(err instanceof SelectorNotFoundError)) throw err;
      const error = new SettingError(
        keys[0]!,
        `The job needs the run settings panel, but AI Studio's page does not have it: ${err.message}`,
        false,
        { cause: err },
      );
      if (!options.lenient) throw error;
      this.log.warn("run settings dropped", { settings: keys.join(","), reason: error.message });
      return { dropped: [...keys] };
    }
    for (const key of applyOrder(keys, wanted)) {
      try {
        await this.applyOne(wanted, key, signal);
      } catch (err) {
        const error = this.asSettingError(key, err);
        if (!error || !options.lenient || error.code === "upstream_unsupported") throw error ?? err;
        dropped.push(key);
        this.log.warn("run setting dropped (lenient mode)", {
          setting: SETTING_NAMES[key].param,
          reason: error.message,
        });
      }
    }
    return { dropped };
  }

  /** A control that was not found becomes a SettingError naming the setting; others pass. */
  private asSettingError(key: SettingKey, err: unknown): SettingError | null {
    if (err instanceof SettingError) return err;
    if (err instanceof SelectorNotFoundError)
      return new SettingError(
        key,
        `The job needs the ${SETTING_NAMES[key].control} control, but AI Studio's page does not have it: ${err.message} A SELECTORS_FILE override can point the driver at the new control.`,
        false,
        { cause: err },
      );
    return null;
  }

  private async applyOne(wanted: RunSettings, key: SettingKey, signal?: AbortSignal) {
    switch (key) {
      case "temperature":
        return this.setNumber("temperature", key, wanted.temperature, signal);
      case "topP":
        return this.setNumber("topP", key, wanted.topP, signal);
      case "maxOutputTokens":
        return this.setNumber("maxTokens", key, wanted.maxOutputTokens, signal);
      case "stop":
        return this.setStopSequences(wanted.stop, signal);
      case "thinking":
        return this.setThinking(wanted.thinking, signal);
      case "functions":
        await this.setTool(
          "functions",
          "functionCalling",
          wanted.functions.length > 0,
          wanted,
          signal,
        );
        if (wanted.functions.length > 0)
          await this.editInDialog("functionEdit", wanted.functions, signal);
        return;
      case "googleSearch":
      case "urlContext":
      case "codeExecution":
        // Each tool's setting and its switch share one name.
        return this.setTool(key, key, wanted[key], wanted, signal);
      case "schema":
        await this.setTool("schema", "structuredOutput", wanted.schema !== null, wanted, signal);
        if (wanted.schema !== null) await this.editInDialog("schemaEdit", wanted.schema, signal);
        return;
      case "systemInstruction":
        return this.setSystemInstruction(wanted.systemInstruction, signal);
      case "aspectRatio":
        // Only image models have the control; "Auto" is what a page without it does anyway.
        if (wanted.aspectRatio === null && !(await this.locate.has("aspectRatio"))) return;
        return this.setSelect(
          "aspectRatio",
          "aspectRatioOption",
          "aspectRatio",
          wanted.aspectRatio ?? AUTO_RATIO,
          signal,
        );
    }
  }

  async ensureOpen(signal?: AbortSignal): Promise<void> {
    if (await this.locate.has("runSettings")) return;
    await this.locate.clickUntil(
      "runSettingsToggle",
      () => this.locate.has("runSettings"),
      "the run settings panel to open",
      this.opts(signal),
    );
  }

  /** Opens every collapsed settings group; returns how many it opened. */
  async expandGroups(signal?: AbortSignal): Promise<number> {
    let opened = 0;
    // Each click re-renders the panel: look again after each, a bounded number of times.
    for (let i = 0; i < 6 && (await this.locate.clickIfPresent("collapsedGroup")); i++) {
      opened += 1;
      if (signal?.aborted) break;
    }
    return opened;
  }

  /**
   * A control of the panel: there now, or after opening the collapsed groups, or a miss naming
   * it. A control found missing once on this page is not waited for again.
   */
  async control(name: SelectorName, signal?: AbortSignal): Promise<ElementHandle<Element>> {
    const now = await this.locate.find(name);
    if (now) return now;
    if (this.missing.has(name)) throw this.locate.notFound(name);
    await this.expandGroups(signal);
    try {
      return await this.locate.get(name, this.opts(signal));
    } catch (err) {
      if (err instanceof SelectorNotFoundError) this.missing.add(name);
      throw err;
    }
  }

  /** Sets a number box the way Angular's forms see it, commits it, and reads it back. */
  private async setNumber(
    name: SelectorName,
    setting: SettingKey,
    value: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const shown = await this.fill(name, String(value), signal);
    // A box may group digits ("65,536") as the token count does.
    if (Number(shown.replace(/,/g, "")) !== value)
      throw new SettingError(
        setting,
        `AI Studio's ${SETTING_NAMES[setting].control} box shows '${shown}' after the driver set it to ${value}: the page did not take the value.`,
      );
  }

  /** Puts a value in an input (value, input, change, blur) and returns what it shows after. */
  private async fill(name: SelectorName, value: string, signal?: AbortSignal): Promise<string> {
    const el = await this.control(name, signal);
    try {
      await el.evaluate((e, v) => {
        const input = e as HTMLInputElement | HTMLTextAreaElement;
        input.focus();
        input.value = v;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        input.dispatchEvent(new Event("blur", { bubbles: true }));
      }, value);
    } finally {
      await el.dispose();
    }
    // The panel may re-render on change: read the control as it is now.
    const after = await this.control(name, signal);
    try {
      return await after.evaluate((e) => (e as HTMLInputElement).value);
    } finally {
      await after.dispose();
    }
  }

  private async switchState(
    name: SelectorName,
  ): Promise<{ on: boolean; disabled: boolean } | null> {
    const el = await this.locate.find(name);
    if (!el) return null;
    try {
      return await el.evaluate((e) => ({
        on: e.getAttribute("aria-checked") === "true",
        disabled:
          e.hasAttribute("disabled") ||
          e.getAttribute("aria-disabled") === "true" ||
          e.classList.contains("mdc-switch--disabled"),
      }));
    } finally {
      await el.dispose();
    }
  }

  /** Reads a switch, opening its group first if it is not rendered. */
  private async readSwitch(
    name: SelectorName,
    signal?: AbortSignal,
  ): Promise<{ on: boolean; disabled: boolean }> {
    const now = await this.switchState(name);
    if (now) return now;
    await (await this.control(name, signal)).dispose();
    const state = await this.switchState(name);
    if (!state) throw this.locate.notFound(name);
    return state;
  }

  /** Turns a switch on or off and waits until it shows so; a disabled switch is an error. */
  private async setSwitch(
    name: SelectorName,
    on: boolean,
    setting: SettingKey,
    signal?: AbortSignal,
  ): Promise<void> {
    const state = await this.readSwitch(name, signal);
    if (state.on === on) return;
    if (state.disabled)
      throw new SettingError(
        setting,
        `The job needs AI Studio's ${SETTING_NAMES[setting].control} switch ${on ? "on" : "off"}, but the page has it disabled for this model.`,
      );
    await this.locate.clickUntil(
      name,
      async () => (await this.switchState(name))?.on === on,
      `the ${SETTING_NAMES[setting].control} switch to turn ${on ? "on" : "off"}`,
      this.opts(signal),
    );
  }

  /**
   * A tool switch. Turning one on that the page has disabled because another tool is on: the
   * tools the job does not want are turned off first; one the job wants too is a combination
   * the page does not offer, reported as such.
   */
  private async setTool(
    setting: SettingKey,
    name: SelectorName,
    on: boolean,
    wanted: RunSettings,
    signal?: AbortSignal,
  ): Promise<void> {
    const state = await this.readSwitch(name, signal);
    if (state.on === on) return;
    if (state.disabled && on) {
      const blockers = await this.blockersOf(name);
      const needed = blockers.filter((b) => this.wantedOn(b, wanted));
      if (needed.length > 0)
        throw new SettingError(
          setting,
          `AI Studio's page does not allow ${SETTING_NAMES[setting].control} together with ${needed.map((b) => this.label(b)).join(" and ")} for this model, and the request asks for both.`,
          true,
        );
      for (const blocker of blockers)
        await this.setSwitch(blocker, false, this.settingOf(blocker), signal);
    }
    await this.setSwitch(name, on, setting, signal);
  }

  /** The switches that are on now and may be what disables `name`. */
  private async blockersOf(name: SelectorName): Promise<SelectorName[]> {
    const candidates: SelectorName[] =
      name === "functionCalling" || name === "structuredOutput"
        ? CONFLICTING_TOOLS
        : ["functionCalling", "structuredOutput"];
    const on: SelectorName[] = [];
    for (const c of candidates) if ((await this.switchState(c))?.on) on.push(c);
    return on;
  }

  private wantedOn(name: SelectorName, wanted: RunSettings): boolean {
    return wantedOnFor(this.settingOf(name), wanted) === true;
  }

  /** The setting a blocking switch belongs to (blockers are tool, FC and schema switches only). */
  private settingOf(name: SelectorName): SettingKey {
    if (name === "functionCalling") return "functions";
    if (name === "structuredOutput") return "schema";
    if (isBuiltInTool(name)) return name;
    throw new Error(`${name} is not a tool switch`);
  }

  private label(name: SelectorName): string {
    return SETTING_NAMES[this.settingOf(name)].control;
  }

  /** Pastes JSON into a declarations or schema dialog and saves; the dialog's refusal is the error. */
  private async editInDialog(
    open: SelectorName,
    json: unknown,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.locate.clickUntil(
      open,
      () => this.locate.has("declarationsEditor"),
      "the declarations dialog to open",
      this.opts(signal),
    );
    await this.fill("declarationsEditor", JSON.stringify(json, null, 2), signal);
    await this.locate.clickUntil(
      "declarationsSave",
      async () =>
        !(await this.locate.has("declarationsEditor")) ||
        (await this.locate.values("dialogError")).some((t) => t !== ""),
      "the dialog to take the JSON",
      this.opts(signal),
    );
    const outcome = await waitFor(
      async () => {
        if (!(await this.locate.has("declarationsEditor"))) return { ok: true as const };
        const [refusal] = await this.locate.values("dialogError");
        return refusal ? { ok: false as const, refusal } : null;
      },
      { what: "the dialog to accept the JSON", ...this.opts(signal) },
    );
    if (!outcome.ok) {
      await this.locate.clickIfPresent("dialogClose");
      throw new SettingError(
        open === "functionEdit" ? "functions" : "schema",
        `AI Studio's ${open === "functionEdit" ? "function declarations" : "structured output"} dialog refused the JSON: ${outcome.refusal}`,
      );
    }
  }

  /** The stop sequences set now, read from their chips' remove buttons. */
  private async stopSequences(): Promise<string[]> {
    return (await this.locate.values("stopChipRemove", "aria-label"))
      .filter((l) => l.startsWith(REMOVE))
      .map((l) => l.slice(REMOVE.length));
  }

  private async setStopSequences(wanted: string[], signal?: AbortSignal): Promise<void> {
    // The field first: it opens the group the chips live in.
    await (await this.control("stopInput", signal)).dispose();
    const current = await this.stopSequences();
    for (const stop of current.filter((s) => !wanted.includes(s)))
      await this.locate.clickWhere("stopChipRemove", `${REMOVE}${stop}`, "aria-label");
    for (const stop of wanted.filter((s) => !current.includes(s))) {
      const input = await this.control("stopInput", signal);
      try {
        await input.evaluate((e, v) => {
          (e as HTMLInputElement).focus();
          (e as HTMLInputElement).value = v;
          e.dispatchEvent(new Event("input", { bubbles: true }));
          e.dispatchEvent(
            new KeyboardEvent("keydown", {
              key: "Enter",
              code: "Enter",
              keyCode: 13,
              bubbles: true,
            }),
          );
        }, stop);
      } finally {
        await input.dispose();
      }
    }
    await waitFor(
      async () => {
        const now = await this.stopSequences();
        return now.length === wanted.length && wanted.every((s) => now.includes(s));
      },
      { what: "the stop sequences to be set", ...this.opts(signal) },
    );
  }

  private async setThinking(
    thinking: RunSettings["thinking"],
    signal?: AbortSignal,
  ): Promise<void> {
    if (thinking.kind === "none") return;
    if (thinking.kind === "level")
      return this.setSelect("thinkingLevel", "levelOption", "thinking", thinking.level, signal);
    await this.setSwitch("thinkingToggle", thinking.on, "thinking", signal);
    if (!thinking.on) return;
    await this.setSwitch("manualBudgetToggle", thinking.manual, "thinking", signal);
    if (!thinking.manual) return;
    const shown = await this.fill("budgetInput", String(thinking.budget), signal);
    if (Number(shown.replace(/,/g, "")) !== thinking.budget)
      throw new SettingError(
        "thinking",
        `AI Studio's thinking budget box shows '${shown}' after the driver set it to ${thinking.budget}.`,
      );
  }

  /**
   * Chooses an option of a drop-down (a mat-select and its list in the overlay) by its text and
   * reads the choice back from what the select shows.
   */
  private async setSelect(
    select: SelectorName,
    option: SelectorName,
    setting: SettingKey,
    value: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const want = value.toLowerCase();
    const shown = async () => {
      const el = await this.control(select, signal);
      try {
        return (await el.evaluate((e) => e.textContent ?? "")).trim().toLowerCase();
      } finally {
        await el.dispose();
      }
    };
    if ((await shown()) === want) return;
    await this.locate.clickUntil(
      select,
      () => this.locate.has(option),
      `the ${SETTING_NAMES[setting].control} list to open`,
      this.opts(signal),
    );
    if (!(await this.locate.clickWhere(option, value))) {
      await this.locate.overlays.clear(null, signal);
      throw new SettingError(
        setting,
        `AI Studio's ${SETTING_NAMES[setting].control} control offers no '${value}' for this model.`,
      );
    }
    await waitFor(async () => (await shown()) === want, {
      what: `the ${SETTING_NAMES[setting].control} to show '${value}'`,
      ...this.opts(signal),
    });
  }

  private async openSystemInstructions(signal?: AbortSignal): Promise<void> {
    if (await this.locate.has("systemInstructions")) return;
    await this.locate.clickUntil(
      "systemInstructionsOpen",
      () => this.locate.has("systemInstructions"),
      "the system instructions field to show",
      this.opts(signal),
    );
  }

  /** The system instructions field's text now, opening it if needed (for read-back and checks). */
  async readSystemInstruction(signal?: AbortSignal): Promise<string> {
    await this.openSystemInstructions(signal);
    const field = await this.locate.get("systemInstructions", this.opts(signal));
    try {
      return await field.evaluate((e) => (e as HTMLTextAreaElement).value);
    } finally {
      await field.dispose();
    }
  }

  private async setSystemInstruction(text: string, signal?: AbortSignal): Promise<void> {
    await this.openSystemInstructions(signal);
    const field = await this.locate.get("systemInstructions", this.opts(signal));
    let shown: string;
    try {
      shown = await field.evaluate((e, v) => {
        const t = e as HTMLTextAreaElement;
        t.value = v;
        t.dispatchEvent(new Event("input", { bubbles: true }));
        t.dispatchEvent(new Event("change", { bubbles: true }));
        return t.value;
      }, text);
    } finally {
      await field.dispose();
    }
    await this.locate.clickIfPresent("dialogClose");
    if (shown !== text)
      throw new SettingError(
        "systemInstruction",
        "AI Studio's system instructions field did not keep the text the driver put in it.",
      );
  }
}
