import type { GeminiCountTokensRequest, GeminiGenerateContentRequest } from "@aistudio-edge/shared";

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
