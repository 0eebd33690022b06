import type { RequestSpec } from "../../src/wire/generate-content-request.js";
import { botguardToken } from "./rpc.js";
import type { AppState } from "./state.js";

/*
 * What Run sends, read from the page's state only (never the DOM): the chat so far and every run
 * setting, encoded by the real wire encoder (facts §3.2). Thinking follows the model's features:
 * a level for Gemini 3, a budget (−1 = auto, 0 = off) for 2.5, nothing for models without it.
 */

function thinkingConfig(state: AppState): RequestSpec["thinking"] {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  if (!model?.thinking.supported) return null;
  if (model.thinking.level) return { includeThoughts: true, budget: null, level: state.level };
  if (!state.thinkingOn) return { includeThoughts: false, budget: 0, level: null };
  return { includeThoughts: true, budget: state.manualBudget ? state.budget : -1, level: null };
}

export function buildSpec(state: AppState): RequestSpec {
  return {
    model: state.model,
    contents: state.turns.map((t) => ({ ...t })),
    systemInstruction: state.systemInstruction.trim() === "" ? null : state.systemInstruction,
    stopSequences: [...state.stopSequences],
    maxOutputTokens: state.maxOutputTokens,
    temperature: state.temperature,
    topP: state.topP,
    topK: state.topK,
    responseMimeType: state.structuredOutput ? "application/json" : null,
    responseSchema: state.structuredOutput ? state.schema : null,
    thinking: thinkingConfig(state),
    tools: {
      googleSearch: state.googleSearch,
      codeExecution: state.codeExecution,
      urlContext: state.urlContext,
      functions: state.functionCalling ? state.functions : [],
    },
    token: botguardToken(),
    previousResponseId: null,
    timeZone: state.googleSearch ? Intl.DateTimeFormat().resolvedOptions().timeZone : null,
  };
}
