import type { GeminiCountTokensRequest, GeminiGenerateContentRequest } from "@aistudio-edge/shared";
import type { TokenCount } from "../doors/count-tokens.js";

/*
 * `countTokens` takes bare `contents` or a whole `generateContentRequest` (system instruction,
 * tools and schema included, which count too). Either is counted as the job it would run, by a
 * free host's page or else by the estimate (doors/count-tokens.ts), and the answer says which.
 */

/** The request whose job is counted. */
export function countedRequest(body: GeminiCountTokensRequest): GeminiGenerateContentRequest {
  // The schema has checked that exactly one of the two is there.
  return body.generateContentRequest ?? { contents: body.contents ?? [] };
}

/** Google's `CountTokensResponse`, with our flag saying whether the count is an estimate. */
export function countTokensResponse(count: TokenCount): {
  totalTokens: number;
  estimated: boolean;
} {
  return { totalTokens: count.totalTokens, estimated: count.estimated };
}
