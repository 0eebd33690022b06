import { bareModelId, type HostModel } from "@aistudio-edge/shared";
import type { ModelInfo } from "./wire/list-models.js";

/**
 * The models of a ListModels answer that answer through the chat page, as the host announces
 * them to the pool: Gemini and Gemma chat models, and the Gemini image models ("nano banana"),
 * which answer in the same chat with images beside their text. Speech, live-audio models and
 * Imagen/Veo (other pages, other RPCs) are left out.
 */
export function hostModels(models: ModelInfo[]): HostModel[] {
  return models
    .filter(
      (m) =>
        m.methods.includes("generateContent") &&
        /^(gemini|gemma)/.test(bareModelId(m.id)) &&
        !/tts|audio|live/.test(m.id),
    )
    .map((m) => ({
      id: bareModelId(m.id),
      displayName: m.displayName,
      ...(m.inputLimit !== null ? { inputTokenLimit: m.inputLimit } : {}),
      ...(m.outputLimit !== null ? { outputTokenLimit: m.outputLimit } : {}),
      thinking: m.thinking.level ? "level" : m.thinking.budget ? "budget" : "none",
      ...(isImageModel(m.id) ? { imageOutput: true } : {}),
    }));
}

/** Gemini's image models carry "image" in their id (gemini-2.5-flash-image, gemini-3-pro-image-preview). */
export const isImageModel = (id: string): boolean => /-image\b/.test(bareModelId(id));
