import { bareModelId, type HostModel } from "@aistudio-edge/shared";
import type { ModelInfo } from "./wire/list-models.js";

/** The chat models of a ListModels answer, as the host announces them to the pool. */
export function hostModels(models: ModelInfo[]): HostModel[] {
  return models
    .filter(
      (m) =>
        m.methods.includes("generateContent") &&
        /^(gemini|gemma)/.test(bareModelId(m.id)) &&
        !/tts|image|audio/.test(m.id),
    )
    .map((m) => ({
      id: bareModelId(m.id),
      displayName: m.displayName,
      ...(m.inputLimit !== null ? { inputTokenLimit: m.inputLimit } : {}),
      ...(m.outputLimit !== null ? { outputTokenLimit: m.outputLimit } : {}),
      thinking: m.thinking.level ? "level" : m.thinking.budget ? "budget" : "none",
    }));
}
