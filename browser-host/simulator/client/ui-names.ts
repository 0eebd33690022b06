/*
 * What differs between the two UI generations the simulator reproduces (facts §1.2 and §7).
 * The 2026 names are the current site's; the 2025 ones are those peers' drivers still carry as
 * fallbacks. Only names live here; behaviour is the same.
 */

export type Generation = "2026" | "2025";

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
}

export const UI_NAMES: Record<Generation, UiNames> = {
  "2026": {
    promptHost: "ms-prompt-box",
    textareaLabel: "Enter a prompt",
    textareaPlaceholder: "Start typing a prompt",
    runHost: "ms-run-button",
    newChatLabel: "New chat",
    discardConfirmText: "Discard and continue",
    temporaryChatLabel: "Toggle temporary chat",
    thoughtHost: "ms-thought-chunk",
    thoughtHeader: "Thoughts",
  },
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
  },
};
