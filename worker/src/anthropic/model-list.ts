import { z } from "zod";
import { ApiError } from "../errors.js";
import type { ListedModel } from "../models/model-list.js";

/*
 * The model list in Anthropic's shape (`GET /v1/models` with an `anthropic-version` header, as
 * Anthropic's SDKs and Claude Code send it): `ModelInfo` objects in pages of `limit`, with
 * `after_id`/`before_id` cursors and `first_id`/`last_id`/`has_more` for the SDK's auto-paging.
 * What the pool's list does not say (capabilities, dates, and limits a host did not report) is
 * null or a fixed value.
 */

// AI Studio does not say when a model appeared; the date only has to be a valid RFC 3339 time.
const CREATED_AT = "2023-11-14T22:13:20Z";

export interface AnthropicModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  capabilities: null;
  deprecated_at: null;
  lifecycle: "active";
  line: null;
  max_input_tokens: number | null;
  max_tokens: number | null;
  retires_at: null;
}

export function anthropicModelInfo(m: ListedModel): AnthropicModelInfo {
  return {
    type: "model",
    id: m.id,
    display_name: m.displayName ?? m.id,
    created_at: CREATED_AT,
    capabilities: null,
    deprecated_at: null,
    lifecycle: "active",
    line: null,
    // The page's own limits, from the hosts' ListModels.
    max_input_tokens: m.inputTokenLimit ?? null,
    max_tokens: m.outputTokenLimit ?? null,
    retires_at: null,
  };
}

export const AnthropicModelQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  after_id: z.string().min(1).optional(),
  before_id: z.string().min(1).optional(),
});
export type AnthropicModelQuery = z.infer<typeof AnthropicModelQuerySchema>;

/** One page of the list (sorted by id, as `listedModels` returns it). */
export function anthropicModelPage(models: readonly ListedModel[], query: AnthropicModelQuery) {
  const ids = models.map((m) => m.id);
  const at = (cursor: string, param: string) => {
    const index = ids.indexOf(cursor);
    if (index < 0)
      throw new ApiError(
        "invalid_request",
        `${param}: no model '${cursor.slice(0, 128)}' in the list`,
        {
          param,
        },
      );
    return index;
  };
  const lower = query.after_id !== undefined ? at(query.after_id, "after_id") + 1 : 0;
  const upper = query.before_id !== undefined ? at(query.before_id, "before_id") : models.length;
  // Paging backwards (before_id alone) takes the page just before the cursor.
  const backwards = query.before_id !== undefined && query.after_id === undefined;
  const start = backwards ? Math.max(lower, upper - query.limit) : lower;
  const end = backwards ? upper : Math.min(upper, lower + query.limit);
  const page = models.slice(start, Math.max(start, end)).map(anthropicModelInfo);
  const more = backwards ? start > lower : end < upper;
  return {
    data: page,
    has_more: more,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
  };
}
