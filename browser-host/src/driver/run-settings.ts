import { plainJobRequest, type ImageAspectRatio, type JobRequest } from "@aistudio-edge/shared";
import { isImageModel } from "../models.js";
import type { ThinkingLevel } from "../wire/generate-content-request.js";
import type { ModelInfo } from "../wire/list-models.js";
import type { Json } from "../wire/struct-value.js";

/*
 * The run settings a job wants, resolved against the model's limits and features (ListModels):
 * one value per control, so two jobs can be compared and only the differences applied. Values
 * a job leaves unset fall back to the model's defaults, so a job never inherits the settings of
 * the job before it.
 */

export interface RunSettings {
  temperature: number;
  topP: number;
  maxOutputTokens: number;
  stop: string[];
  thinking:
    | { kind: "none" }
    | { kind: "budget"; on: boolean; manual: boolean; budget: number }
    | { kind: "level"; level: ThinkingLevel };
  functions: Array<{ name: string; description?: string; parameters?: { [key: string]: Json } }>;
  googleSearch: boolean;
  /** The URL context tool: the model reads the pages the prompt links to. */
  urlContext: boolean;
  /** The code execution tool: the model writes Python and runs it in Google's sandbox. */
  codeExecution: boolean;
  schema: { [key: string]: Json } | null;
  systemInstruction: string;
  /** Image models: the aspect ratio select; null is the page's own "Auto". Always null for others. */
  aspectRatio: ImageAspectRatio | null;
}

const LEVEL_NAMES: Record<number, ThinkingLevel> = {
  1: "low",
  2: "medium",
  3: "high",
  4: "minimal",
};

function budgetFor(
  effort: NonNullable<JobRequest["reasoningEffort"]>,
  min: number,
  max: number,
): number {
  const wanted = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: max }[
    effort
  ];
  return Math.max(min, Math.min(max, wanted));
}

function levelFor(
  effort: JobRequest["reasoningEffort"],
  available: ThinkingLevel[],
  fallback: ThinkingLevel,
): ThinkingLevel {
  if (effort === undefined) return fallback;
  const order: ThinkingLevel[] = ["minimal", "low", "medium", "high"];
  const wanted: ThinkingLevel =
    effort === "none" || effort === "minimal" ? "minimal" : effort === "xhigh" ? "high" : effort;
  if (available.includes(wanted)) return wanted;
  // The nearest available level above, else below (3 Pro has only low and high).
  const at = order.indexOf(wanted);
  return (
    order.slice(at).find((l) => available.includes(l)) ??
    [...order.slice(0, at)].reverse().find((l) => available.includes(l)) ??
    fallback
  );
}

/**
 * A token budget as a thinking effort, for models that take a level instead of a budget: the
 * level whose budget (`budgetFor`) it reaches; 0 the lowest there is.
 */
export function effortForBudget(budget: number): NonNullable<JobRequest["reasoningEffort"]> {
  if (budget === 0) return "minimal";
  if (budget <= 1024) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

export function resolveSettings(
  request: JobRequest,
  model: ModelInfo,
  systemInstruction: string,
): RunSettings {
  const limit = model.outputLimit ?? 65536;
  const d = model.thinking.descriptor ?? [];
  let thinking: RunSettings["thinking"] = { kind: "none" };
  if (model.thinking.supported && model.thinking.level) {
    const available = (Array.isArray(d[6]) ? (d[6] as number[]) : [1, 3])
      .map((c) => LEVEL_NAMES[c])
      .filter((l): l is ThinkingLevel => l !== undefined);
    thinking = {
      kind: "level",
      level: levelFor(
        request.thinkingBudget !== undefined
          ? effortForBudget(request.thinkingBudget)
          : request.reasoningEffort,
        available,
        LEVEL_NAMES[typeof d[5] === "number" ? d[5] : 3] ?? "high",
      ),
    };
  } else if (model.thinking.supported && model.thinking.budget) {
    const canDisable = d[3] !== 0;
    const min = typeof d[2] === "number" ? d[2] : 0;
    const max = typeof d[1] === "number" ? d[1] : 24576;
    const effort = request.reasoningEffort;
    const budget = request.thinkingBudget;
    if (budget !== undefined)
      // An exact budget (Anthropic's budget_tokens, Gemini's thinkingBudget) wins over an effort;
      // 0 is off where the model can turn thinking off, else its least.
      thinking =
        budget === 0 && canDisable
          ? { kind: "budget", on: false, manual: false, budget: 0 }
          : {
              kind: "budget",
              on: true,
              manual: true,
              budget: Math.max(Math.max(min, 1), Math.min(max, budget)),
            };
    else if (effort === undefined)
      thinking = {
        kind: "budget",
        on: true,
        manual: false,
        budget: typeof d[0] === "number" ? d[0] : 8192,
      };
    else if (effort === "none" && canDisable)
      thinking = { kind: "budget", on: false, manual: false, budget: 0 };
    else
      thinking = {
        kind: "budget",
        on: true,
        manual: true,
        budget: budgetFor(effort === "none" ? "minimal" : effort, Math.max(min, 1), max),
      };
  }
  let schema: RunSettings["schema"] = null;
  if (request.responseFormat.type === "json_schema")
    schema = (request.responseFormat.schema as { [key: string]: Json } | undefined) ?? {
      type: "object",
    };
  else if (request.responseFormat.type === "json_object") schema = { type: "object" };
  return {
    temperature: request.temperature ?? model.defaults.temperature ?? 1,
    topP: request.topP ?? model.defaults.topP ?? 0.95,
    maxOutputTokens: Math.min(request.maxOutputTokens ?? limit, limit),
    stop: [...new Set(request.stop.filter((s) => s !== ""))],
    thinking,
    functions:
      request.toolChoice === "none"
        ? []
        : request.tools.map((t) => ({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            ...(t.parameters ? { parameters: t.parameters as { [key: string]: Json } } : {}),
          })),
    googleSearch: request.googleSearch,
    // Optional in the job: a door that never sets them means off.
    urlContext: request.urlContext ?? false,
    codeExecution: request.codeExecution ?? false,
    schema,
    systemInstruction,
    aspectRatio: isImageModel(model.id) ? (request.imageAspectRatio ?? null) : null,
  };
}

/**
 * The settings a fresh chat shows for a model: what a job that asks for nothing resolves to,
 * except where the page's default differs from "off". Google Search grounding is on by default
 * for Gemini 3 models (facts §1.2, §9), so a job that did not ask for it must turn it off there;
 * assuming "off" would send such a job grounded. Taking it as on where it may not be costs one
 * read of the switch (already off: no click). Image models have no Search switch (their run
 * settings hold the aspect ratio instead): off for them. URL context and code execution are off
 * on a fresh chat for every model (facts §1.2, §9 name no default for them), so the resolved
 * "off" stands.
 */
export function defaultSettings(model: ModelInfo): RunSettings {
  return {
    ...resolveSettings(plainJobRequest({ model: model.id }), model, ""),
    googleSearch: /^(models\/)?gemini-3/.test(model.id) && !isImageModel(model.id),
  };
}

/** The controls whose value differs, in the order they are applied. */
export function changedSettings(
  current: RunSettings | null,
  wanted: RunSettings,
  unsure: ReadonlyArray<keyof RunSettings> = [],
): Array<keyof RunSettings> {
  const keys = Object.keys(wanted) as Array<keyof RunSettings>;
  if (current === null) return keys;
  return keys.filter(
    (k) => unsure.includes(k) || JSON.stringify(current[k]) !== JSON.stringify(wanted[k]),
  );
}
