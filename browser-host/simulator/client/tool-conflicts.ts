import type { AppState } from "./state.js";

/*
 * 2026-08 tool conflicts (facts §9 "Function calling vs tools"): with Google Search (on by
 * default for Gemini 3), URL context or code execution on, Function calling and Structured
 * outputs are disabled; with either of those on, the three tools are. The page says why in a
 * hint beside the switch; a disabled switch ignores clicks.
 */

export type Tool =
  "structuredOutput" | "codeExecution" | "functionCalling" | "googleSearch" | "urlContext";

/** Why each tool's switch is disabled now, or null where it is usable. */
export function conflictsOf(state: AppState): Record<Tool, string | null> {
  const activeTools = state.googleSearch || state.urlContext || state.codeExecution;
  const callsOrSchema = state.functionCalling || state.structuredOutput;
  const blockedBy = (name: string) =>
    callsOrSchema ? `${name} is not compatible with function calling or structured outputs` : null;
  return {
    functionCalling: activeTools
      ? "Function calling is not compatible with the current active tools"
      : null,
    structuredOutput: activeTools
      ? "Structured outputs is not compatible with the current active tools"
      : null,
    googleSearch: blockedBy("Grounding with Google Search"),
    urlContext: blockedBy("URL context"),
    codeExecution: blockedBy("Code execution"),
  };
}

/**
 * After a model change: its default Google Search must not switch on beside function calling
 * or structured outputs, which the page would otherwise have to disable while on.
 */
export function keepToolsCompatible(state: AppState): void {
  if (state.functionCalling || state.structuredOutput) state.googleSearch = false;
}
