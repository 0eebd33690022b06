import type { FilePart, ThinkingLevel, Turn } from "../../src/wire/generate-content-request.js";
import type { ModelInfo } from "../../src/wire/list-models.js";
import type { Json } from "../../src/wire/struct-value.js";
import type { Rename } from "../boot-config.js";
import { isImageModel } from "../media-rules.js";
import type { Generation } from "./ui-names.js";

/** A file in the prompt box: uploading (no part yet) or ready, with the part Run will send. */
export interface Attachment {
  key: number;
  name: string;
  mimeType: string;
  size: number;
  status: "pending" | "ready";
  part: FilePart | null;
}

/** The page's own model of the world: what Run sends is read from here, never from the DOM. */
export interface AppState {
  ui: Generation;
  rename: Rename | null;
  models: ModelInfo[];
  model: string;
  /** The prompt as the app knows it: updated by `input` events only, as Angular's binding is. */
  prompt: string;
  systemInstruction: string;
  temperature: number;
  topP: number;
  topK: number;
  maxOutputTokens: number;
  stopSequences: string[];
  thinkingOn: boolean;
  manualBudget: boolean;
  budget: number;
  level: ThinkingLevel;
  structuredOutput: boolean;
  schema: { [key: string]: Json } | null;
  codeExecution: boolean;
  functionCalling: boolean;
  functions: Array<{ name: string; description?: string; parameters?: { [key: string]: Json } }>;
  googleSearch: boolean;
  urlContext: boolean;
  temporary: boolean;
  turns: Turn[];
  running: XMLHttpRequest | null;
  previousResponseId: string | null;
  /** The last CountTokens total shown in `ms-token-count`. */
  tokenCount: number | null;
  /** The files in the prompt box, in chip order. */
  attachments: Attachment[];
  /** Image models' aspect ratio, e.g. "16:9"; null is "Auto". */
  aspectRatio: string | null;
}

/** Whether the selected model makes images (it gets the aspect ratio and loses some tools). */
export const imageModelSelected = (state: AppState) => isImageModel(state.model);

const PREF_KEY = "aiStudioUserPreference";

export function readPreferences(): Record<string, unknown> {
  try {
    const value = JSON.parse(localStorage.getItem(PREF_KEY) ?? "{}");
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

export function writePreference(key: string, value: unknown): void {
  localStorage.setItem(PREF_KEY, JSON.stringify({ ...readPreferences(), [key]: value }));
}

export const LEVEL_NAMES: Record<number, ThinkingLevel> = {
  1: "low",
  2: "medium",
  3: "high",
  4: "minimal",
};
export const levelLabel = (level: ThinkingLevel) => level[0]!.toUpperCase() + level.slice(1);

/** Applies a model's defaults (ListModels §5) the way the page does when the model changes. */
export function applyModelDefaults(state: AppState, model: ModelInfo): void {
  state.model = model.id.replace(/^models\//, "");
  state.temperature = model.defaults.temperature ?? 1;
  state.topP = model.defaults.topP ?? 0.95;
  state.topK = model.defaults.topK ?? 64;
  state.maxOutputTokens = model.outputLimit ?? 8192;
  const d = model.thinking.descriptor ?? [];
  state.thinkingOn = model.thinking.supported && d[4] !== 1;
  state.manualBudget = false;
  state.budget = typeof d[0] === "number" ? d[0] : 8192;
  state.level = LEVEL_NAMES[typeof d[5] === "number" ? d[5] : 3] ?? "high";
  // Google Search grounding is on by default for Gemini 3 models (facts §1.2, Feb 2026), not for
  // the image models, which have no such switch.
  state.googleSearch = model.id.includes("gemini-3") && !isImageModel(model.id);
  state.aspectRatio = null;
}
