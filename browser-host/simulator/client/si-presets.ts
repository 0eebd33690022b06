import { closeOverlays, dialog, openPane } from "./dialogs.js";
import { h } from "./h.js";
import { readPreferences, writePreference, type AppState } from "./state.js";

/*
 * 2026-08 system instructions (facts §9 "System instructions": named presets "saved in local
 * storage"). The presets are `localStorage.systemInstructionsConfigs`, a JSON list of
 * `{name, text}`; the selected one's name is `aiStudioUserPreference
 * .selectedSystemInstructionsConfigName` (§2). The text in the dialog belongs to the selected
 * preset: typing with none selected creates one. A page load or a new chat starts with the
 * selected preset's text, so instructions outlive reloads and chats: a driver that assumes a
 * fresh chat has none sends someone else's.
 */

export const PRESETS_KEY = "systemInstructionsConfigs";
const SELECTED = "selectedSystemInstructionsConfigName";

interface Preset {
  name: string;
  text: string;
}

export function loadPresets(): Preset[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(PRESETS_KEY) ?? "[]");
    return Array.isArray(value)
      ? value.filter((p): p is Preset => typeof p?.name === "string" && typeof p?.text === "string")
      : [];
  } catch {
    // A broken entry is as good as none; the page starts a new list.
    return [];
  }
}

const savePresets = (presets: Preset[]) =>
  localStorage.setItem(PRESETS_KEY, JSON.stringify(presets));

export function selectedPreset(): Preset | null {
  const name = readPreferences()[SELECTED];
  return typeof name === "string" ? (loadPresets().find((p) => p.name === name) ?? null) : null;
}

function select(name: string | null): void {
  writePreference(SELECTED, name);
}

function createPreset(): Preset {
  const presets = loadPresets();
  let n = presets.length + 1;
  while (presets.some((p) => p.name === `System instructions ${n}`)) n++;
  const preset = { name: `System instructions ${n}`, text: "" };
  savePresets([...presets, preset]);
  select(preset.name);
  return preset;
}

/** Saves the text to the selected preset, creating one when none is selected. */
function saveText(text: string): Preset {
  const current = selectedPreset() ?? createPreset();
  savePresets(loadPresets().map((p) => (p.name === current.name ? { ...p, text } : p)));
  return { ...current, text };
}

function deleteSelected(): void {
  const current = selectedPreset();
  if (current) savePresets(loadPresets().filter((p) => p.name !== current.name));
  select(null);
}

/** The dialog: preset select, New and Delete, the text of the selected preset, Close. */
export function openPresetsDialog(state: AppState, tag: string, changed: () => void): void {
  const textarea = h("textarea", {
    "aria-label": "System instructions",
    rows: 8,
    placeholder: "Optional tone and style instructions for the model",
  }) as HTMLTextAreaElement;
  const value = h("span", { class: "mat-mdc-select-value-text" });
  const picker = h(
    "mat-select",
    {
      role: "combobox",
      "aria-label": "Select system instructions",
      "aria-expanded": "false",
      tabindex: 0,
    },
    value,
  );
  const remove = h(
    "button",
    { class: "ms-button-borderless", "aria-label": "Delete system instructions" },
    "Delete",
  );
  const create = h(
    "button",
    { class: "ms-button-borderless", "aria-label": "Create new system instructions" },
    "New",
  );
  const show = () => {
    const preset = selectedPreset();
    value.textContent = preset?.name ?? "No instructions selected";
    textarea.value = preset?.text ?? "";
    remove.toggleAttribute("disabled", preset === null);
    state.systemInstruction = textarea.value;
    changed();
  };
  textarea.addEventListener("input", () => {
    const created = selectedPreset() === null;
    value.textContent = saveText(textarea.value).name;
    remove.removeAttribute("disabled");
    state.systemInstruction = textarea.value;
    if (created) changed();
  });
  create.addEventListener("click", () => (createPreset(), show()));
  remove.addEventListener("click", () => (deleteSelected(), show()));
  picker.addEventListener("click", () => {
    picker.setAttribute("aria-expanded", "true");
    const option = (label: string, pick: () => void) => {
      const el = h(
        "mat-option",
        { role: "option" },
        h("span", { class: "mdc-list-item__primary-text" }, label),
      );
      el.addEventListener("click", () => {
        pick();
        picker.setAttribute("aria-expanded", "false");
        closeOverlays("listbox");
        show();
      });
      return el;
    };
    openPane(
      "listbox",
      h(
        "div",
        { role: "listbox", class: "mat-mdc-select-panel" },
        ...loadPresets().map((p) => option(p.name, () => select(p.name))),
        option("Create new instruction", () => createPreset()),
      ),
    );
  });
  dialog(
    "System instructions",
    h(
      "ms-system-instructions",
      {},
      h("div", { class: "preset-row" }, picker, create, remove),
      textarea,
    ),
    [
      h(
        "button",
        {
          class: "ms-button-borderless",
          "data-test-close-button": true,
          "aria-label": "Close panel",
        },
        "Close",
      ),
    ],
    tag,
  );
  show();
}
