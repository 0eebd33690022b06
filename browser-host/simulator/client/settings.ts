import { aspectRatioSetting } from "./aspect-ratio.js";
import { h, slideToggle } from "./h.js";
import { renderSettings0826 } from "./settings-2026-08.js";
import { imageModelSelected, readPreferences, type AppState } from "./state.js";
import { thinkingSetting } from "./thinking-setting.js";

/*
 * The run settings panel (facts §1.2 "Run settings panel"): model card, system instructions
 * card (2026), temperature and top-P sliders with number inputs, thinking controls by the
 * model's features, tools, max output tokens and stop sequences. Rebuilt whenever the model
 * changes, as the real panel re-renders for the new model's capabilities.
 */

function slider(state: AppState, kind: "temperature" | "topP"): HTMLElement {
  const max = kind === "temperature" ? 2 : 1;
  const step = kind === "temperature" ? 0.05 : 0.01;
  const value = String(state[kind]);
  const label = kind === "temperature" ? "Temperature" : "Top P";
  const range = h("input", { type: "range", min: 0, max, step, value, "aria-label": label });
  if (state.ui === "2025") {
    return h(
      "div",
      {
        "data-test-id":
          kind === "temperature" ? "temperatureSliderContainer" : "topPSliderContainer",
        class: "setting",
      },
      h("h3", {}, label),
      h("mat-slider", {}, range),
      h("input", {
        type: "number",
        class: "slider-input",
        min: 0,
        max,
        step,
        value,
        "data-setting": kind,
      }),
    );
  }
  return h(
    "div",
    { class: "setting" },
    h("h3", {}, label),
    h(
      "ms-slider",
      {},
      range,
      h("input", {
        type: "number",
        class: "slider-number-input",
        min: 0,
        max,
        step,
        value,
        "aria-valuemin": 0,
        "aria-valuemax": max,
        "data-setting": kind,
      }),
    ),
  );
}

function tools(state: AppState): HTMLElement {
  const open = readPreferences().areToolsOpen !== false;
  const toggle = h(
    "button",
    { class: "expander", "aria-label": "Expand or collapse tools", "aria-expanded": String(open) },
    "Tools",
  );
  if (!open) return h("div", { class: "tools-section" }, toggle);
  // Image models have no structured output, function calling or Google Search.
  const text = !imageModelSelected(state);
  return h(
    "div",
    { class: "tools-section" },
    toggle,
    text &&
      h(
        "div",
        { "data-test-id": "structuredOutputTooltip", class: "tool" },
        slideToggle("Structured output", state.structuredOutput),
        h(
          "button",
          { class: "edit-schema-button", "aria-disabled": String(!state.structuredOutput) },
          "Edit JSON schema",
        ),
      ),
    h(
      "div",
      { "data-test-id": "codeExecutionTooltip", class: "tool" },
      slideToggle("Code execution", state.codeExecution),
    ),
    text &&
      h(
        "div",
        { "data-test-id": "functionCallingTooltip", class: "tool" },
        slideToggle("Function calling", state.functionCalling),
        h(
          "button",
          {
            class: "edit-function-declarations-button",
            "aria-label": "Edit function declarations",
            "aria-disabled": String(!state.functionCalling),
          },
          "Edit",
        ),
      ),
    text &&
      h(
        "div",
        { "data-test-id": "searchAsAToolTooltip", class: "tool" },
        slideToggle("Grounding with Google Search", state.googleSearch),
      ),
    h(
      "div",
      { class: "tool" },
      h("button", {
        role: "switch",
        type: "button",
        class: `mdc-switch ${state.urlContext ? "mdc-switch--selected" : "mdc-switch--unselected"}`,
        "aria-label": "Browse the url context",
        "aria-checked": String(state.urlContext),
      }),
      h("label", {}, "URL context"),
    ),
  );
}

/** Re-renders the run settings panel (when it is open) for this page's generation. */
export function renderSettings(state: AppState): void {
  const host = document.querySelector<HTMLElement>("ms-run-settings");
  if (!host) return;
  if (state.ui === "2026-08") return renderSettings0826(host, state);
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  const modelCard =
    state.ui === "2025"
      ? h(
          "ms-model-selector-v3",
          {},
          h(
            "button",
            { class: "model-selector" },
            h("span", { class: "model-title" }, model?.displayName ?? state.model),
            h("span", { "data-test-id": "model-name", class: "model-subtitle" }, state.model),
          ),
        )
      : h(
          "button",
          { class: "model-selector-card", "data-test-model-selector-card": true },
          h("span", { class: "title" }, model?.displayName ?? state.model),
          h("span", { "data-test-id": "model-name", class: "subtitle" }, state.model),
        );

  const children: Array<HTMLElement | null> = [
    h("h2", {}, "Run settings"),
    modelCard,
    state.ui === "2026"
      ? h(
          "button",
          { class: "system-instructions-card", "data-test-system-instructions-card": true },
          h("span", { class: "title" }, "System instructions"),
          h(
            "span",
            { class: "subtitle" },
            state.systemInstruction === ""
              ? "Optional tone and style instructions for the model"
              : state.systemInstruction.slice(0, 80),
          ),
        )
      : null,
    h(
      "ms-token-count",
      {},
      h(
        "span",
        { class: "token-count-container" },
        `${(state.tokenCount ?? 0).toLocaleString("en-US")} / ${(model?.inputLimit ?? 1048576).toLocaleString("en-US")}`,
      ),
    ),
    slider(state, "temperature"),
    thinkingSetting(state),
    aspectRatioSetting(state),
    tools(state),
    h(
      "div",
      { class: "setting advanced" },
      h("h3", {}, "Advanced settings"),
      slider(state, "topP"),
      h(
        "label",
        {},
        "Output length",
        h("input", {
          type: "number",
          "aria-label": "Maximum output tokens",
          value: state.maxOutputTokens,
          min: 1,
          max: model?.outputLimit ?? 65536,
          "data-setting": "maxOutputTokens",
        }),
      ),
      h(
        "div",
        { class: "stop-sequences" },
        h(
          "label",
          {},
          "Add stop sequence",
          h("input", { type: "text", "aria-label": "Add stop token", placeholder: "Add stop..." }),
        ),
        h(
          "mat-chip-set",
          {},
          ...state.stopSequences.map((s) =>
            h(
              "mat-chip",
              { class: "mat-mdc-chip" },
              h("span", { class: "chip-text" }, s),
              h("button", { "aria-label": `Remove ${s}`, class: "chip-remove" }, "×"),
            ),
          ),
        ),
      ),
    ),
  ];
  host.replaceChildren(...children.filter((c): c is HTMLElement => c !== null));
}
