import { bareModelId, type JobRequest } from "@aistudio-edge/shared";
import { z } from "zod";

/*
 * What a model name a client sends stands for. Clients that accept only their own vendor's
 * names (Claude Code wants `claude-…`) reach a Gemini model through an alias; clients that cannot
 * send settings choose them by suffix: `-search` turns Google Search on, `-thinking-<level>` and
 * `-nothinking` set the thinking. An alias is looked up by the whole name first, so an alias may
 * itself end in what looks like a suffix; otherwise suffixes come off the end one at a time and
 * what remains is looked up again. An alias's target may carry suffixes of its own, but is not
 * looked up as an alias again (no chains, no loops).
 */

/** An alias name or a model id: what a URL path segment and a JSON string both carry safely. */
export const ModelNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/,
    "a model name is 1-128 letters, digits and . _ : + -",
  );

export const AliasMapSchema = z.record(ModelNameSchema, ModelNameSchema);
export type AliasMap = z.infer<typeof AliasMapSchema>;

/** The settings a name's suffixes select, in the job's own spelling. */
export type NameSettings = Pick<JobRequest, "googleSearch" | "reasoningEffort">;

export interface ResolvedModel {
  /** The AI Studio model id the job runs on. */
  model: string;
  /** The alias the name went through, if any. */
  alias?: string;
  settings: Partial<NameSettings>;
}

const SUFFIXES: Array<[RegExp, Partial<NameSettings>]> = [
  [/-search$/, { googleSearch: true }],
  [/-nothinking$/, { reasoningEffort: "none" }],
  [/-thinking-low$/, { reasoningEffort: "low" }],
  [/-thinking-medium$/, { reasoningEffort: "medium" }],
  [/-thinking-high$/, { reasoningEffort: "high" }],
];

/** Strips the known suffixes off the end; the innermost (leftmost) wins for the same setting. */
function stripSuffixes(name: string): { base: string; settings: Partial<NameSettings> } {
  let base = name;
  let settings: Partial<NameSettings> = {};
  for (let stripped = true; stripped;) {
    stripped = false;
    for (const [suffix, setting] of SUFFIXES) {
      const rest = base.replace(suffix, "");
      if (rest !== base && rest !== "") {
        base = rest;
        settings = { ...settings, ...setting };
        stripped = true;
        break;
      }
    }
  }
  return { base, settings };
}

export function resolveModelName(requested: string, aliases: AliasMap): ResolvedModel {
  const name = bareModelId(requested);
  const whole = aliases[name];
  if (whole !== undefined) {
    const target = stripSuffixes(bareModelId(whole));
    return { model: target.base, alias: name, settings: target.settings };
  }
  const { base, settings } = stripSuffixes(name);
  const aliased = aliases[base];
  if (aliased === undefined) return { model: base, settings };
  const target = stripSuffixes(bareModelId(aliased));
  // The name's own suffixes are the client's choice: they win over the alias target's.
  return { model: target.base, alias: base, settings: { ...target.settings, ...settings } };
}

/**
 * Applies a resolved name to a job: the model, and the settings its suffixes chose where the
 * request did not set them itself (a suffix stands in for a setting the client cannot send; one
 * it did send says more).
 */
export function withResolvedModel(request: JobRequest, resolved: ResolvedModel): JobRequest {
  const thinkingSet = request.reasoningEffort !== undefined || request.thinkingBudget !== undefined;
  return {
    ...request,
    model: resolved.model,
    ...(resolved.settings.googleSearch ? { googleSearch: true } : {}),
    ...(resolved.settings.reasoningEffort !== undefined && !thinkingSet
      ? { reasoningEffort: resolved.settings.reasoningEffort }
      : {}),
  };
}
