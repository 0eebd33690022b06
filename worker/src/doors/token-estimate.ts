import { jobAttachments, type JobRequest } from "@aistudio-edge/shared";

/*
 * The token count a door answers when no host can count for it: an estimate, and every
 * response that carries one says so (`estimated: true` and the x-aistudio-token-count header).
 * Text is counted as one token per four characters (UTF-16 code units), the rule of thumb
 * Google documents for Gemini models; each message adds 4 for its turn markers; each image is
 * 258 tokens (Gemini's fixed cost for an image up to 384 px a side, and the floor for larger
 * ones); any other file is estimated from its size as text would be. Tool declarations and
 * schemas count as their JSON text.
 */

export const TOKEN_COUNT_HEADER = "x-aistudio-token-count";

const IMAGE_TOKENS = 258;
const PER_MESSAGE = 4;

const textTokens = (text: string): number => Math.ceil(text.length / 4);

export function estimateTokens(request: JobRequest): number {
  let total = 0;
  for (const m of request.messages) {
    total += PER_MESSAGE + textTokens(m.content);
    for (const call of m.toolCalls ?? []) total += textTokens(call.name + call.arguments);
  }
  for (const a of jobAttachments(request))
    total += a.mimeType.startsWith("image/") ? IMAGE_TOKENS : Math.ceil(a.bytes / 4);
  for (const tool of request.tools) total += textTokens(JSON.stringify(tool));
  if (request.responseFormat.type === "json_schema")
    total += textTokens(JSON.stringify(request.responseFormat.schema ?? {}));
  return total;
}
