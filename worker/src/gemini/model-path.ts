import { ApiError } from "../errors.js";
import { ModelNameSchema } from "../models/model-names.js";

/*
 * Google's method URLs put the method after a colon in the model's path segment
 * (`models/gemini-2.5-flash:streamGenerateContent`). Hono's router cannot split a segment at a
 * colon, so the route takes the whole rest of the path and it is split here, at the last colon
 * (a model name may hold colons of its own).
 */

export const GEMINI_METHODS = ["generateContent", "streamGenerateContent", "countTokens"] as const;
export type GeminiMethod = (typeof GEMINI_METHODS)[number];

const isMethod = (name: string): name is GeminiMethod =>
  (GEMINI_METHODS as readonly string[]).includes(name);

/** Google's answer to a model or method it does not have. */
export function unknownModel(model: string): ApiError {
  return new ApiError(
    "model_not_found",
    `models/${model.slice(0, 128)} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    { param: "model" },
  );
}

/** The model name of a path (`gemini-2.5-flash`), or 404 for one no model can have. */
export function modelOfPath(spec: string): string {
  if (!ModelNameSchema.safeParse(spec).success) throw unknownModel(spec);
  return spec;
}

/** `<model>:<method>` → both; 404 for a method this door does not have. */
export function methodOfPath(
  spec: string,
  httpMethod: string,
): { model: string; method: GeminiMethod } {
  const colon = spec.lastIndexOf(":");
  const method = colon > 0 ? spec.slice(colon + 1) : "";
  if (!isMethod(method))
    throw new ApiError(
      "not_found",
      `No route ${httpMethod} /v1beta/models/${spec.slice(0, 160)}: the methods here are ${GEMINI_METHODS.join(", ")}.`,
    );
  return { model: modelOfPath(spec.slice(0, colon)), method };
}
