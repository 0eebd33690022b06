import { dialog } from "./dialogs.js";
import { $, h } from "./h.js";
import { openPresetsDialog } from "./si-presets.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * System instructions (facts §1.2 "System instructions", §9). 2025: the toolbar button toggles
 * an inline `ms-system-instructions` textarea; 2026: the card opens a dialog with the textarea;
 * 2026-08: the card opens the presets dialog (si-presets.ts). The page's input handler keeps
 * the text in its state.
 */

export function openSystemInstructions(state: AppState, changed: () => void): void {
  if (state.ui === "2026-08") return openPresetsDialog(state, uiNames(state).dialogTag, changed);
  const textarea = h("textarea", {
    "aria-label": "System instructions",
    rows: 8,
    placeholder: "Optional tone and style instructions for the model",
  }) as HTMLTextAreaElement;
  textarea.value = state.systemInstruction;
  if (state.ui === "2025") {
    const slot = $(".system-instructions-slot")!;
    if (slot.firstChild) slot.replaceChildren();
    else slot.replaceChildren(h("ms-system-instructions", {}, textarea));
    return;
  }
  dialog("System instructions", h("div", { class: "system-instructions-panel" }, textarea), [
    h(
      "button",
      {
        class: "ms-button-borderless",
        "data-test-close-button": true,
        "aria-label": "Close panel",
      },
      "Close",
    ),
  ]);
}
