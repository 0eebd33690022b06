import type { ModelInfo } from "../../src/wire/list-models.js";
import { closeOverlays, dialog } from "./dialogs.js";
import { h } from "./h.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * The model picker (facts §1.2 "Model selector", §7, §9 "Model picker"). 2025: a carousel of
 * `ms-model-carousel-row`; 2026: a "Select a model" dialog of `.model-row[data-model-id]`;
 * 2026-08: a "Model selection" dialog with `input[aria-label="Search"]` and `.content-button`
 * cards that carry the display name and id only as text, no data attribute to match on.
 */

/** 2026 and 2025: the rows; the page's click handler applies a picked row's model. */
export function openModelPicker(state: AppState): void {
  const search = h("input", {
    type: "text",
    placeholder: "Search for a model",
    "aria-label": "Search for a model",
  });
  const list = h("div", { class: "model-list", role: "listbox" });
  const fill = () => {
    const q = (search as HTMLInputElement).value.toLowerCase();
    list.replaceChildren(
      ...state.models
        .filter((m) => m.id.includes(q) || m.displayName.toLowerCase().includes(q))
        .map((m) =>
          h(
            state.ui === "2025" ? "ms-model-carousel-row" : "button",
            {
              class: `model-row${m.id === `models/${state.model}` ? " selected" : ""}`,
              "data-model-id": m.id,
              role: "option",
            },
            h("span", { class: "model-title" }, m.displayName),
            h("span", { class: "model-subtitle" }, m.id.replace(/^models\//, "")),
          ),
        ),
    );
  };
  search.addEventListener("input", fill);
  fill();
  dialog(
    "Select a model",
    h(state.ui === "2025" ? "ms-model-carousel" : "div", { class: "model-picker" }, search, list),
    [h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Close")],
  );
}

/** 2026-08: the "Model selection" dialog; a card's click picks its model and closes. */
export function openModelSelection(state: AppState, pick: (model: ModelInfo) => void): void {
  const search = h("input", {
    type: "text",
    placeholder: "Search for a model",
    "aria-label": "Search",
  }) as HTMLInputElement;
  const list = h("div", { class: "model-list", role: "list" });
  const card = (m: ModelInfo) => {
    const el = h(
      "button",
      { class: `content-button${m.id === `models/${state.model}` ? " selected" : ""}` },
      h("span", { class: "model-title" }, m.displayName),
      h("span", { class: "model-subtitle" }, m.id.replace(/^models\//, "")),
    );
    el.addEventListener("click", () => {
      closeOverlays("dialog");
      pick(m);
    });
    return el;
  };
  const fill = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const text = (m: ModelInfo) => `${m.displayName} ${m.id}`.toLowerCase();
    list.replaceChildren(
      ...state.models.filter((m) => words.every((w) => text(m).includes(w))).map(card),
    );
  };
  search.addEventListener("input", fill);
  fill();
  dialog(
    "Model selection",
    h("div", { class: "model-picker" }, search, list),
    [h("button", { class: "ms-button-borderless", "data-test-close-button": true }, "Close")],
    uiNames(state).dialogTag,
  );
}
