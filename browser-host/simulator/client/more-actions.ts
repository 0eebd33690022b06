import { openPane } from "./dialogs.js";
import { $, h } from "./h.js";
import type { AppState } from "./state.js";
import { uiNames } from "./ui-names.js";

/*
 * The "View more actions" menu and temporary chat (facts §1.2 "Temporary chat", §9). Before
 * 2026-08 the item closes the menu, is `ms-button-active` when on and the header shows
 * `ms-incognito-mode-indicator`. In 2026-08 the on-state is only `[data-test-incognito-checkmark]`
 * inside the item, and a click leaves the menu open over the page until Escape or its backdrop.
 */

function temporaryItem(state: AppState): HTMLElement {
  const latest = state.ui === "2026-08";
  return h(
    "button",
    {
      class: `mat-mdc-menu-item${state.temporary && !latest ? " ms-button-active" : ""}`,
      role: "menuitem",
      "aria-label": uiNames(state).temporaryChatLabel,
      "data-test-incognito-toggle": true,
    },
    "Temporary chat",
    state.temporary
      ? h(
          "span",
          {
            "data-test-incognito-checkmark": true,
            class: latest ? "material-symbols-outlined" : "",
          },
          latest ? "check" : " ✓",
        )
      : null,
  );
}

export function openMoreActions(state: AppState): void {
  openPane(
    "menu",
    h(
      "div",
      { class: "mat-mdc-menu-panel", role: "menu" },
      temporaryItem(state),
      h("button", { class: "mat-mdc-menu-item", role: "menuitem" }, "Get code"),
    ),
  );
}

/** Before 2026-08: toggles and shows the header indicator (the caller closes the menu). */
export function setTemporary(state: AppState, on: boolean): void {
  state.temporary = on;
  $(".incognito-slot")!.replaceChildren(
    on
      ? h(
          "ms-incognito-mode-indicator",
          {},
          h("span", { "data-test-id": "main-text" }, "Temporary chat"),
        )
      : "",
  );
}

/** 2026-08: toggles and redraws the item in place; the menu stays open. */
export function toggleTemporaryInMenu(state: AppState, item: Element): void {
  state.temporary = !state.temporary;
  item.replaceWith(temporaryItem(state));
}
