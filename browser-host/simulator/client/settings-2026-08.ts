import { aspectRatioSetting } from "./aspect-ratio.js";
import { ADVANCED_GROUP, settingsGroup, TOOLS_GROUP } from "./groups.js";
import { h, slideToggle } from "./h.js";
import { selectedPreset } from "./si-presets.js";
import { imageModelSelected, type AppState } from "./state.js";
import { thinkingSetting } from "./thinking-setting.js";
import { conflictsOf, type Tool } from "./tool-conflicts.js";

/*
 * The 2026-08 run settings panel (facts §9). Outside the groups: the model card in
 * `ms-model-selector` (display name and id as text, no `data-test-id="model-name"`), the system
 * instructions card, `ms-token-count span.v3-token-count-value`, temperature and thinking. In the
 * collapsed groups: the tools (Tools) and top-P, output length and stop sequences (Advanced).
 */

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * A Material slider: the range input and a text number box, both with the aria-label, the range
 * first, so a bare `input[aria-label="Temperature"]` finds the range (facts §9 "Temperature /
 * Top-P": `inputmode="decimal"`, no `type="number"`, role spinbutton). Both commit on `change`;
 * the range snaps to its step, as a native range does.
 */
function slider(
  label: string,
  setting: "temperature" | "topP",
  value: number,
  max: number,
  step: number,
  container: Record<string, string>,
): HTMLElement {
  return h(
    "div",
    { class: "settings-item slider-setting", ...container },
    h("p", { class: "setting-title" }, label),
    h(
      "ms-slider",
      {},
      h(
        "mat-slider",
        {},
        h("input", {
          type: "range",
          min: 0,
          max,
          step,
          value,
          "aria-label": label,
          "data-setting": setting,
        }),
      ),
      h("input", {
        type: "text",
        inputmode: "decimal",
        role: "spinbutton",
        class: "slider-number-input",
        autocomplete: "off",
        value,
        "aria-label": label,
        "aria-valuemin": 0,
        "aria-valuemax": max,
        "aria-valuenow": value,
        "data-setting": setting,
      }),
    ),
  );
}

/** One tool row: tooltip host, switch (disabled with a hint while it conflicts), extra button. */
function tool(
  tooltip: string,
  label: string,
  checked: boolean,
  conflict: string | null,
  extra: HTMLElement | null = null,
): HTMLElement {
  return h(
    "div",
    {
      "data-test-id": tooltip,
      class: "tool settings-item",
      ...(conflict ? { mattooltip: conflict } : {}),
    },
    slideToggle(label, checked, {}, conflict !== null),
    extra,
    conflict ? h("p", { class: "tool-hint mat-mdc-form-field-hint" }, conflict) : null,
  );
}

function tools(state: AppState): Array<HTMLElement | false> {
  const c: Record<Tool, string | null> = conflictsOf(state);
  // Image models have no structured outputs, function calling or Google Search.
  const text = !imageModelSelected(state);
  return [
    text &&
      tool(
        "structuredOutputTooltip",
        "Structured outputs",
        state.structuredOutput,
        c.structuredOutput,
        h(
          "button",
          {
            class: "edit-schema-button ms-button-borderless",
            "aria-label": "Edit JSON schema",
            "aria-disabled": String(!state.structuredOutput),
          },
          "Edit",
        ),
      ),
    tool("codeExecutionTooltip", "Code execution", state.codeExecution, c.codeExecution),
    text &&
      tool(
        "functionCallingTooltip",
        "Function calling",
        state.functionCalling,
        c.functionCalling,
        h(
          "button",
          {
            class: "edit-function-declarations-button ms-button-borderless",
            "aria-label": "Edit function declarations",
            "aria-disabled": String(!state.functionCalling),
          },
          "Edit",
        ),
      ),
    text &&
      tool(
        "searchAsAToolTooltip",
        "Grounding with Google Search",
        state.googleSearch,
        c.googleSearch,
      ),
    h(
      "div",
      {
        "data-test-id": "browseAsAToolTooltip",
        class: "tool settings-item",
        ...(c.urlContext ? { mattooltip: c.urlContext } : {}),
      },
      h("button", {
        role: "switch",
        type: "button",
        class: `mdc-switch ${state.urlContext ? "mdc-switch--selected" : "mdc-switch--unselected"}${c.urlContext ? " mdc-switch--disabled" : ""}`,
        "aria-label": "Browse the url context",
        "aria-checked": String(state.urlContext),
        disabled: c.urlContext !== null,
      }),
      h("label", {}, "URL context"),
      c.urlContext ? h("p", { class: "tool-hint mat-mdc-form-field-hint" }, c.urlContext) : null,
    ),
  ];
}

/** Stop sequences (facts §9): `ms-stop-sequence-input input#chip-input`, chips `mat-chip-row`. */
function stopSequences(state: AppState): HTMLElement {
  return h(
    "ms-stop-sequence-input",
    { class: "settings-item" },
    h("p", { class: "setting-title" }, "Stop sequences"),
    h(
      "mat-chip-grid",
      { role: "grid", class: "mat-mdc-chip-grid" },
      ...state.stopSequences.map((s) =>
        h(
          "mat-chip-row",
          { class: "mat-mdc-chip-row", role: "row" },
          h("span", { class: "mat-mdc-chip-action-label" }, s),
          h(
            "button",
            { class: "mat-mdc-chip-remove chip-remove", "aria-label": `Remove ${s}` },
            "×",
          ),
        ),
      ),
      h("input", {
        id: "chip-input",
        type: "text",
        class: "mat-mdc-chip-input",
        "aria-label": "Add stop sequence",
        placeholder: "Add stop token",
      }),
    ),
  );
}

function advanced(state: AppState): HTMLElement[] {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  const limit = model?.outputLimit ?? 65536;
  return [
    slider("Top P", "topP", state.topP, 1, 0.01, {
      mattooltip: "Probability threshold for top-p sampling",
    }),
    h(
      "div",
      { class: "settings-item" },
      h("p", { class: "setting-title" }, "Output length"),
      h("input", {
        type: "text",
        inputmode: "numeric",
        role: "spinbutton",
        autocomplete: "off",
        value: state.maxOutputTokens,
        "aria-label": "Maximum output tokens",
        "aria-valuemin": 1,
        "aria-valuemax": limit,
        "aria-valuenow": state.maxOutputTokens,
        "data-setting": "maxOutputTokens",
      }),
    ),
    stopSequences(state),
  ];
}

export function renderSettings0826(host: HTMLElement, state: AppState): void {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  const preset = selectedPreset();
  const thinking = thinkingSetting(state);
  const children: Array<HTMLElement | null> = [
    h("h2", {}, "Run settings"),
    h(
      "ms-model-selector",
      {},
      h(
        "button",
        { class: "model-selector-card" },
        h("span", { class: "title" }, model?.displayName ?? state.model),
        h("span", { class: "subtitle" }, state.model),
      ),
    ),
    h(
      "button",
      { class: "system-instructions-card", "data-test-system-instructions-card": true },
      h("span", { class: "title" }, "System instructions"),
      h(
        "span",
        { class: "subtitle" },
        preset ? preset.name : "Optional tone and style instructions for the model",
      ),
    ),
    h(
      "ms-token-count",
      {},
      h("span", { class: "v3-token-count-value" }, fmt(state.tokenCount ?? 0)),
      h("span", { class: "v3-token-count-limit" }, ` / ${fmt(model?.inputLimit ?? 1048576)}`),
    ),
    slider(
      "Temperature",
      "temperature",
      state.temperature,
      model?.defaults.maxTemperature ?? 2,
      0.05,
      {
        "data-test-id": "temperatureSliderContainer",
      },
    ),
    // Top level, beside temperature: no group to expand first.
    aspectRatioSetting(state),
    thinking && model?.thinking.level ? h("ms-thinking-level-setting", {}, thinking) : thinking,
    settingsGroup(TOOLS_GROUP, "tools-group", () =>
      tools(state).filter((t): t is HTMLElement => t !== false),
    ),
    settingsGroup(ADVANCED_GROUP, "advanced-group", () => advanced(state)),
  ];
  host.replaceChildren(...children.filter((c): c is HTMLElement => c !== null));
}
