import { modelResourceName } from "@aistudio-edge/shared";
import { z } from "zod";
import { decodeBase64, encodeBase64 } from "../base64.js";
import { ApiError } from "../errors.js";
import { standardBase64 } from "./media-sources.js";
import type { ListedModel } from "../models/model-list.js";

/*
 * The model list in Google's shape (`GET /v1beta/models`, `GET /v1beta/models/{model}`): `Model`
 * resources named `models/<id>`, in pages of `pageSize` with an opaque `nextPageToken`, which
 * @google/genai's pager follows. The token is the last listed id (base64url), so a page starts
 * after it even when the list changed in between. Token limits and whether the model thinks
 * come from the page's own ListModels, through the hosts; what nobody reported (sampling
 * defaults, a host's missing limits) is left out, as Google leaves out what it does not know.
 */

export interface GeminiModel {
  name: string;
  baseModelId: string;
  version: string;
  displayName: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods: string[];
  thinking?: boolean;
}

/** Google numbers versions; AI Studio's page does not say, and clients only show this. */
const VERSION = "aistudio";
/** What clients filter the list by (most keep the models that have generateContent). */
const METHODS = ["generateContent", "countTokens"];

export function geminiModel(m: ListedModel): GeminiModel {
  return {
    name: modelResourceName(m.id),
    baseModelId: m.aliasOf ?? m.id,
    version: VERSION,
    displayName: m.displayName ?? m.id,
    ...(m.aliasOf !== undefined ? { description: `An alias of ${m.aliasOf}.` } : {}),
    ...(m.inputTokenLimit !== undefined ? { inputTokenLimit: m.inputTokenLimit } : {}),
    ...(m.outputTokenLimit !== undefined ? { outputTokenLimit: m.outputTokenLimit } : {}),
    supportedGenerationMethods: METHODS,
    ...(m.thinking !== undefined ? { thinking: m.thinking !== "none" } : {}),
  };
}

export const GeminiModelQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(0).max(1000).optional(),
  pageToken: z.string().optional(),
});
export type GeminiModelQuery = z.infer<typeof GeminiModelQuerySchema>;

/** Google's default page (50); 0 or absent means the default, as in Google's API. */
const DEFAULT_PAGE_SIZE = 50;

const encodeToken = (id: string) =>
  encodeBase64(new TextEncoder().encode(id))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function decodeToken(token: string): string {
  const bytes = decodeBase64(standardBase64(token));
  if (bytes === null)
    throw new ApiError("invalid_request", "pageToken: not a page token this list handed out", {
      param: "pageToken",
    });
  return new TextDecoder().decode(bytes);
}

/** One page of the list (sorted by id, as `listedModels` returns it). */
export function geminiModelPage(
  models: readonly ListedModel[],
  query: GeminiModelQuery,
): { models: GeminiModel[]; nextPageToken?: string } {
  const size = query.pageSize || DEFAULT_PAGE_SIZE;
  const after = query.pageToken ? decodeToken(query.pageToken) : null;
  const start = after === null ? 0 : models.findIndex((m) => m.id > after);
  const rest = start < 0 ? [] : models.slice(start);
  const page = rest.slice(0, size);
  return {
    models: page.map(geminiModel),
    ...(rest.length > size ? { nextPageToken: encodeToken(page.at(-1)!.id) } : {}),
  };
}
