import type { RequestSpec } from "../../src/wire/generate-content-request.js";
import { botguardToken } from "./rpc.js";
import { imageModelSelected, type AppState } from "./state.js";

/*
 * What Run sends, read from the page's state only (never the DOM): the chat so far and every run
 * setting, encoded by the real wire encoder (facts §3.2). Thinking follows the model's features:
 * a level for Gemini 3, a budget (−1 = auto, 0 = off) for 2.5, nothing for models without it.
 * The turns carry their files (the last one the prompt box's). An image model asks for IMAGE and
 * TEXT (config [14]) with the aspect ratio and "1K" (config [26]), and never sends the tools it
 * has no switch for (structured output, function calling, Google Search).
 */

function thinkingConfig(state: AppState): RequestSpec["thinking"] {
  const model = state.models.find((m) => m.id === `models/${state.model}`);
  if (!model?.thinking.supported) return null;
  // Thinks, with nothing to set (the thinking image models): thoughts on, the model's defaults.
  if (!model.thinking.level && !model.thinking.budget)
    return { includeThoughts: true, budget: null, level: null };
  if (model.thinking.level) return { includeThoughts: true, budget: null, level: state.level };
  if (!state.thinkingOn) return { includeThoughts: false, budget: 0, level: null };
  return { includeThoughts: true, budget: state.manualBudget ? state.budget : -1, level: null };
}

export function buildSpec(state: AppState): RequestSpec {
  const image = imageModelSelected(state);
  const structured = state.structuredOutput && !image;
  const search = state.googleSearch && !image;
  return {
    model: state.model,
    contents: state.turns.map((t) => ({ ...t })),
    systemInstruction: state.systemInstruction.trim() === "" ? null : state.systemInstruction,
    stopSequences: [...state.stopSequences],
    maxOutputTokens: state.maxOutputTokens,
    temperature: state.temperature,
    topP: state.topP,
    topK: state.topK,
    responseMimeType: structured ? "application/json" : null,
    responseSchema: structured ? state.schema : null,
    thinking: thinkingConfig(state),
    tools: {
      googleSearch: search,
      codeExecution: state.codeExecution,
      urlContext: state.urlContext,
      functions: state.functionCalling && !image ? state.functions : [],
    },
    token: botguardToken(),
    previousResponseId: null,
    timeZone: search ? Intl.DateTimeFormat().resolvedOptions().timeZone : null,
    ...(image
      ? { responseModalities: ["IMAGE", "TEXT"], aspectRatio: state.aspectRatio, imageSize: "1K" }
      : {}),
  };
}
