import type { CompletionGatherer } from "../openai/gather-completion.js";
import {
  finishReasonOf,
  functionCallPart,
  imagePart,
  responseOf,
  thoughtPart,
  usageMetadata,
  type GeminiIdentity,
  type GeminiOutputPart,
  type GeminiResponse,
} from "./response-parts.js";

/*
 * A complete answer as Google's `GenerateContentResponse`: the thoughts (only when the request
 * asked for them, as Google does), the text, the images, then the function calls, in one
 * candidate. The gatherer keeps the kinds apart, not their interleaving, so this is the order.
 */

export function geminiResponse(
  done: CompletionGatherer,
  options: { identity: GeminiIdentity; includeThoughts: boolean; inputEstimate: number },
): GeminiResponse {
  const message = done.completion().choices[0]!.message;
  const thoughts = message.reasoning_content ?? "";
  const text = done.answerText;
  const calls = message.tool_calls ?? [];
  const parts: GeminiOutputPart[] = [
    ...(options.includeThoughts && thoughts !== "" ? [thoughtPart(thoughts)] : []),
    ...(text !== "" ? [{ text }] : []),
    ...done.images.map(imagePart),
    ...calls.map((c) =>
      functionCallPart({ id: c.id, name: c.function.name, arguments: c.function.arguments }),
    ),
  ];
  return responseOf(options.identity, parts, {
    finishReason: finishReasonOf(done.finishReason!),
    usageMetadata: usageMetadata(done.reportedUsage, {
      promptTokens: options.inputEstimate,
      outputCharacters:
        text.length +
        calls.reduce((n, c) => n + c.function.name.length + c.function.arguments.length, 0),
    }),
  });
}
