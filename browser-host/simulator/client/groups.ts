import { h } from "./h.js";
import { readPreferences, writePreference } from "./state.js";

/*
 * 2026-08 run-settings groups (facts §9 "Run settings groups"): "Tools" and "Advanced settings"
 * are collapsed by default and their controls are not in the DOM until expanded. A click on the
 * header row, its title or its button toggles; the state is the `aiStudioUserPreference` keys
 * `areToolsOpen` / `isAdvancedOpen`, which peers also write before loading the page (§2).
 */

export interface SettingsGroup {
  title: string;
  buttonLabel: string;
  preference: "areToolsOpen" | "isAdvancedOpen";
}

export const TOOLS_GROUP: SettingsGroup = {
  title: "Tools",
  buttonLabel: "Expand or collapse tools",
  preference: "areToolsOpen",
};
export const ADVANCED_GROUP: SettingsGroup = {
  title: "Advanced settings",
  buttonLabel: "Expand or collapse advanced settings",
  preference: "isAdvancedOpen",
};
const GROUPS = [TOOLS_GROUP, ADVANCED_GROUP];

/** Open only when the preference says so: a fresh profile has both closed. */
export const isGroupOpen = (group: SettingsGroup) => readPreferences()[group.preference] === true;

/** The group: its header, and its controls only while open. */
export function settingsGroup(
  group: SettingsGroup,
  className: string,
  controls: () => Array<HTMLElement | null>,
): HTMLElement {
  const open = isGroupOpen(group);
  const header = h(
    "div",
    { class: "settings-item group-header" },
    h("p", { class: "group-title" }, group.title),
    h(
      "button",
      {
        class: "ms-button-icon expand-button",
        "aria-label": group.buttonLabel,
        "aria-expanded": String(open),
      },
      h("span", { class: "material-symbols-outlined" }, open ? "expand_less" : "expand_more"),
    ),
  );
  return h(
    "div",
    { class: `settings-group ${className}` },
    header,
    open ? h("div", { class: "group-content" }, ...controls()) : null,
  );
}

/**
 * Toggles a group on a click anywhere in its header. Registered in the capture phase, after the
 * overlay guard, so an open overlay still swallows the click first.
 */
export function installGroupToggles(rerender: () => void): void {
  document.addEventListener(
    "click",
    (event) => {
      const header = (event.target as Element).closest?.("ms-run-settings .group-header");
      if (!header) return;
      const label = header.querySelector("button")?.getAttribute("aria-label");
      const group = GROUPS.find((g) => g.buttonLabel === label);
      if (!group) return;
      // The header's button is a button: the page's general click handler must not see it too.
      event.stopImmediatePropagation();
      writePreference(group.preference, !isGroupOpen(group));
      rerender();
    },
    true,
  );
}
