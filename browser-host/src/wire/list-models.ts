/*
 * ListModels (facts §5): `[[entry, …]]`, entry [0] id "models/…", [3] display name, [5] input
 * limit, [6] output limit, [7] methods, [8]/[9]/[10] default temperature/topP/topK, [27] max
 * temperature, [64] feature flags (25 thinking, 35 budget, 52 level), [71] thinking descriptor.
 */

export interface ModelInfo {
  id: string;
  displayName: string;
  inputLimit: number | null;
  outputLimit: number | null;
  methods: string[];
  defaults: {
    temperature: number | null;
    topP: number | null;
    topK: number | null;
    maxTemperature: number | null;
  };
  thinking: { supported: boolean; budget: boolean; level: boolean; descriptor: unknown[] | null };
}

export const FEATURE_THINKING = 25;
export const FEATURE_THINKING_BUDGET = 35;
export const FEATURE_THINKING_LEVEL = 52;

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

export function decodeModelEntry(entry: unknown): ModelInfo | null {
  if (!Array.isArray(entry) || typeof entry[0] !== "string") return null;
  const features = Array.isArray(entry[64]) ? (entry[64] as unknown[]) : [];
  return {
    id: entry[0],
    displayName: typeof entry[3] === "string" ? entry[3] : entry[0],
    inputLimit: num(entry[5]),
    outputLimit: num(entry[6]),
    methods: Array.isArray(entry[7])
      ? entry[7].filter((m): m is string => typeof m === "string")
      : [],
    defaults: {
      temperature: num(entry[8]),
      topP: num(entry[9]),
      topK: num(entry[10]),
      maxTemperature: num(entry[27]),
    },
    thinking: {
      supported: features.includes(FEATURE_THINKING),
      budget: features.includes(FEATURE_THINKING_BUDGET),
      level: features.includes(FEATURE_THINKING_LEVEL),
      descriptor: Array.isArray(entry[71]) ? entry[71] : null,
    },
  };
}

/** Decodes a ListModels body; a `)]}'` anti-XSSI line is stripped when present. */
export function decodeListModels(text: string): { xssiPrefix: boolean; models: ModelInfo[] } {
  const xssiPrefix = text.trimStart().startsWith(")]}'");
  const body: unknown = JSON.parse(xssiPrefix ? text.trimStart().slice(4) : text);
  const list = Array.isArray(body) && Array.isArray(body[0]) ? body[0] : [];
  return {
    xssiPrefix,
    models: list.map(decodeModelEntry).filter((m): m is ModelInfo => m !== null),
  };
}
