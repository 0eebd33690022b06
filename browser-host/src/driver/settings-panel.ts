import { DriverError, SelectorNotFoundError } from "./errors.js";
import type { Locator } from "./locate.js";
import type { RunSettings } from "./run-settings.js";
import type { SelectorName } from "./selectors.js";
import { waitFor } from "./wait.js";

/*
 * The run settings panel of the chat page: one method per control a job can ask for. Values
 * are set the way Angular notices them (value, then `input` and `change` events); every wait
 * is a condition with the page timeout and the job's AbortSignal.
 */

const REMOVE = "Remove ";

const SETTING_NAMES: Record<keyof RunSettings, string> = {
  temperature: "temperature",
  topP: "top-P",
  maxOutputTokens: "max output tokens",
  stop: "stop sequences",
  thinking: "thinking",
  functions: "function calling",
  googleSearch: "Google Search",
  schema: "structured output",
  systemInstruction: "system instructions",
};

/**
 * A setting the job asked for whose control the page does not have: the UI changed. The job
 * fails naming the control (not retried: every lane sees the same page), rather than running
 * with a setting silently missing.
 */
async function uiChanged(what: string, apply: () => Promise<void>): Promise<void> {
  try {
    await apply();
  } catch (err) {
    if (!(err instanceof SelectorNotFoundError)) throw err;
    throw new DriverError(
      "upstream_ui_changed",
      `The job needs ${what}, but AI Studio's page does not have it: ${err.message} A SELECTORS_FILE override can point the driver at the new control.`,
      false,
      { cause: err },
    );
  }
}

export class SettingsPanel {
  constructor(
    private readonly locate: Locator,
    private readonly timeoutMs: number,
  ) {}

  private opts(signal?: AbortSignal) {
    return { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
  }

  /** Applies the given controls of `wanted`, in the order given. */
  async apply(
    wanted: RunSettings,
    keys: Array<keyof RunSettings>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (keys.length === 0) return;
    await uiChanged("the run settings panel", () => this.ensureOpen(signal));
    for (const key of keys)
      await uiChanged(`the ${SETTING_NAMES[key]} control`, () =>
        this.applyOne(wanted, key, signal),
      );
  }

  private async applyOne(
    wanted: RunSettings,
    key: keyof RunSettings,
    signal?: AbortSignal,
  ): Promise<void> {
    {
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
          if (wanted.functions.length > 0)
            await this.editInDialog("functionEdit", wanted.functions, signal);
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

  private async ensureOpen(signal?: AbortSignal): Promise<void> {
    if (await this.locate.has("runSettings")) return;
    await this.locate.click("runSettingsToggle", this.opts(signal));
    await this.locate.wait("runSettings", this.opts(signal));
  }

  /** Sets an input the way Angular's forms see it, and commits it. */
  private async setValue(name: SelectorName, value: string, signal?: AbortSignal): Promise<void> {
    const el = await this.locate.get(name, this.opts(signal));
    try {
      await el.evaluate((e, v) => {
        const input = e as HTMLInputElement | HTMLTextAreaElement;
        input.value = v;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        input.dispatchEvent(new Event("blur", { bubbles: true }));
      }, value);
    } finally {
      await el.dispose();
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
        disabled: e.hasAttribute("disabled") || e.getAttribute("aria-disabled") === "true",
      }));
    } finally {
      await el.dispose();
    }
  }

  /** Sets a switch; a switch that is disabled for this model is left alone. */
  private async setSwitch(name: SelectorName, on: boolean, signal?: AbortSignal): Promise<void> {
    let state = await this.switchState(name);
    if (!state) {
      // Not rendered yet: wait for it (a miss is an error naming the switch).
      await this.locate.wait(name, this.opts(signal));
      state = await this.switchState(name);
    }
    if (!state || state.disabled || state.on === on) return;
    await this.locate.click(name, this.opts(signal));
    await waitFor(async () => (await this.switchState(name))?.on === on, {
      what: `the ${name} switch to turn ${on ? "on" : "off"}`,
      ...this.opts(signal),
    });
  }

  private async editInDialog(
    open: SelectorName,
    json: unknown,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.locate.click(open, this.opts(signal));
    await this.setValue("declarationsEditor", JSON.stringify(json, null, 2), signal);
    await this.locate.click("declarationsSave", this.opts(signal));
    await waitFor(async () => !(await this.locate.has("declarationsEditor")), {
      what: "the dialog to accept the JSON",
      ...this.opts(signal),
    });
  }

  /** The stop sequences set now, read from their chips' remove buttons. */
  private async stopSequences(): Promise<string[]> {
    return (await this.locate.values("stopChipRemove", "aria-label"))
      .filter((l) => l.startsWith(REMOVE))
      .map((l) => l.slice(REMOVE.length));
  }

  private async setStopSequences(wanted: string[], signal?: AbortSignal): Promise<void> {
    const current = await this.stopSequences();
    for (const stop of current.filter((s) => !wanted.includes(s)))
      await this.locate.clickWhere("stopChipRemove", `${REMOVE}${stop}`, "aria-label");
    for (const stop of wanted.filter((s) => !current.includes(s))) {
      const input = await this.locate.get("stopInput", this.opts(signal));
      try {
        await input.evaluate((e, v) => {
          (e as HTMLInputElement).value = v;
          e.dispatchEvent(new Event("input", { bubbles: true }));
          e.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
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
    if (thinking.kind === "level") {
      const select = await this.locate.get("thinkingLevel", this.opts(signal));
      let shown: string;
      try {
        shown = (await select.evaluate((e) => e.textContent ?? "")).trim().toLowerCase();
      } finally {
        await select.dispose();
      }
      if (shown === thinking.level) return;
      await this.locate.click("thinkingLevel", this.opts(signal));
      await this.locate.wait("levelOption", this.opts(signal));
      if (!(await this.locate.clickWhere("levelOption", thinking.level)))
        throw new DriverError(
          "upstream_ui_changed",
          `AI Studio's thinking-level control offers no '${thinking.level}' for this model.`,
          false,
        );
      return;
    }
    await this.setSwitch("thinkingToggle", thinking.on, signal);
    if (!thinking.on) return;
    await this.setSwitch("manualBudgetToggle", thinking.manual, signal);
    if (thinking.manual) await this.setValue("budgetInput", String(thinking.budget), signal);
  }

  private async setSystemInstruction(text: string, signal?: AbortSignal): Promise<void> {
    if (!(await this.locate.has("systemInstructions")))
      await this.locate.click("systemInstructionsOpen", this.opts(signal));
    const field = await this.locate.get("systemInstructions", this.opts(signal));
    try {
      await field.evaluate((e, v) => {
        (e as HTMLTextAreaElement).value = v;
        e.dispatchEvent(new Event("input", { bubbles: true }));
        e.dispatchEvent(new Event("change", { bubbles: true }));
      }, text);
    } finally {
      await field.dispose();
    }
    await this.locate.clickIfPresent("dialogClose");
  }
}
