import { ASPECT_RATIOS } from "../media-rules.js";
import { openPane } from "./dialogs.js";
import { h } from "./h.js";
import { imageModelSelected, type AppState } from "./state.js";

/*
 * The image models' "Aspect ratio" select (facts §9 "Other run settings"), built as the Thinking
 * Level select is: `mat-select[role=combobox]` whose click opens a listbox pane of `mat-option`s
 * in the overlay container. "Auto" (null on the wire) first, then the ratios. The options carry
 * only their text: a driver picks one by what it says.
 */

export const AUTO = "Auto";
const LABEL = "Aspect ratio";

/** The setting for an image model; null for every other model. */
export function aspectRatioSetting(state: AppState): HTMLElement | null {
  if (!imageModelSelected(state)) return null;
  return h(
    "div",
    { class: "setting aspect-ratio settings-item" },
    h("h3", {}, LABEL),
    h(
      "mat-select",
      { role: "combobox", "aria-label": LABEL, "aria-expanded": "false", tabindex: 0 },
      h("span", { class: "mat-mdc-select-value-text" }, state.aspectRatio ?? AUTO),
    ),
  );
}

export function openAspectRatios(select: HTMLElement, state: AppState): void {
  select.setAttribute("aria-expanded", "true");
  openPane(
    "listbox",
    h(
      "div",
      { role: "listbox", class: "mat-mdc-select-panel", "aria-label": LABEL },
      ...[AUTO, ...ASPECT_RATIOS].map((ratio) =>
        h(
          "mat-option",
          { role: "option", "aria-selected": String(ratio === (state.aspectRatio ?? AUTO)) },
          h("span", { class: "mdc-list-item__primary-text" }, ratio),
        ),
      ),
    ),
  );
}

/** The ratio an option of the aspect-ratio listbox stands for, or undefined for another option. */
export function aspectRatioOf(option: Element): string | null | undefined {
  if (!option.closest(`[role="listbox"][aria-label="${LABEL}"]`)) return undefined;
  const text = option.textContent ?? "";
  return text === AUTO ? null : text;
}
