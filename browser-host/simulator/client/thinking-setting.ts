import { isImageModel } from "../media-rules.js";
import { h, slideToggle } from "./h.js";
import { levelLabel, LEVEL_NAMES, type AppState } from "./state.js";

/*
 * Thinking (facts §1.2 "Thinking"): Gemini 3 models get `mat-select[aria-label="Thinking Level"]`
 * with the levels ListModels [71][6] lists; 2.5 models a switch, a manual-budget switch and the
 * budget input, bounded by the descriptor [71] (default, max, min, can-disable).
 */

/** The thinking controls the model's features call for: a level select, or switches and a budget. */
export function thinkingSetting(state: AppState): HTMLElement | null {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  if (!model?.thinking.supported) return null;
  // The image models that think (feature 25) have neither a level nor a budget to set.
  if (isImageModel(model.id) && !model.thinking.level && !model.thinking.budget) return null;
  const d = model.thinking.descriptor ?? [];
  if (model.thinking.level) {
    const levels = (Array.isArray(d[6]) ? (d[6] as number[]) : [1, 3])
      .map((code) => LEVEL_NAMES[code]!)
      .filter(Boolean);
    return h(
      "div",
      { class: "setting thinking" },
      h("h3", {}, "Thinking level"),
      h(
        "mat-select",
        {
          role: "combobox",
          "aria-label": "Thinking Level",
          "aria-expanded": "false",
          "data-levels": levels.join(","),
          tabindex: 0,
        },
        h("span", { class: "mat-mdc-select-value-text" }, levelLabel(state.level)),
      ),
    );
  }
  const canDisable = d[3] !== 0;
  const min = typeof d[2] === "number" ? d[2] : 0;
  const max = typeof d[1] === "number" ? d[1] : 24576;
  return h(
    "div",
    { class: "setting thinking" },
    slideToggle(
      "Toggle thinking mode",
      state.thinkingOn,
      { "data-test-toggle": "enable-thinking" },
      !canDisable,
    ),
    state.thinkingOn
      ? slideToggle("Toggle thinking budget between auto and manual", state.manualBudget, {
          "data-test-toggle": "manual-budget",
        })
      : null,
    state.thinkingOn && state.manualBudget
      ? h(
          "div",
          { "data-test-id": "user-setting-budget-animation-wrapper" },
          h(
            "div",
            { "data-test-slider": true },
            h("input", {
              type: "number",
              min,
              max,
              value: state.budget,
              "aria-label": "Thinking budget",
              "data-setting": "budget",
            }),
          ),
        )
      : null,
  );
}
