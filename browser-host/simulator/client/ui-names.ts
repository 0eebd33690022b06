import type { Rename, UiGeneration } from "../boot-config.js";

/*
 * The names that differ between the UI generations the simulator reproduces (facts §1.2, §7 and,
 * for 2026-08, §9). The 2026 names are the early-2026 site's; the 2025 ones are those peers'
 * drivers still carry as fallbacks. What 2026-08 also does differently (groups, overlays, token
 * counting, presets, …) lives in its own modules; only names live here.
 */

export type Generation = UiGeneration;

export interface UiNames {
  promptHost: string;
  textareaLabel: string;
  textareaPlaceholder: string;
  runHost: string;
  newChatLabel: string;
  discardConfirmText: string;
  temporaryChatLabel: string;
  thoughtHost: string;
  thoughtHeader: string;
  /** The dialog element: 2026-08 has the `mat-dialog-container` tag, the class stays (§9). */
  dialogTag: string;
  structuredOutputLabel: string;
}

const NAMES_2026: UiNames = {
  promptHost: "ms-prompt-box",
  textareaLabel: "Enter a prompt",
  textareaPlaceholder: "Start typing a prompt",
  runHost: "ms-run-button",
  newChatLabel: "New chat",
  discardConfirmText: "Discard and continue",
  temporaryChatLabel: "Toggle temporary chat",
  thoughtHost: "ms-thought-chunk",
  thoughtHeader: "Thoughts",
  dialogTag: "mat-mdc-dialog-container",
  structuredOutputLabel: "Structured output",
};

export const UI_NAMES: Record<Generation, UiNames> = {
  "2026-08": {
    ...NAMES_2026,
    dialogTag: "mat-dialog-container",
    structuredOutputLabel: "Structured outputs",
  },
  "2026": NAMES_2026,
  "2025": {
    promptHost: "ms-prompt-input-wrapper",
    textareaLabel: "Type something or pick one from prompt gallery",
    textareaPlaceholder: "Type something",
    runHost: "run-button",
    newChatLabel: "Clear chat",
    discardConfirmText: "Continue",
    temporaryChatLabel: "Temporary chat toggle",
    thoughtHost: "ms-thought-accordion",
    thoughtHeader: "Thoughts (experimental)",
    dialogTag: "mat-mdc-dialog-container",
    structuredOutputLabel: "Structured output",
  },
};

/** The names for this page: its generation's, with the renames the simulator was asked for. */
export function uiNames(page: { ui: Generation; rename: Rename | null }): UiNames {
  const names = UI_NAMES[page.ui];
  // The Run button's host renamed, so every built-in selector for it misses (override tests).
  return page.rename === "runButton" ? { ...names, runHost: "ms-submit-button" } : names;
}
