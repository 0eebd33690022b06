import type { FinishReason, ImageEvent, Usage } from "@aistudio-edge/shared";

/*
 * The pieces of Google's `GenerateContentResponse` that the whole answer and the stream's chunks
 * share: parts, the finish reason, usage metadata and the response's identity.
 */

export type GeminiOutputPart =
  | { text: string; thought?: true }
  | { inlineData: { mimeType: string; data: string } }
  | { functionCall: { id: string; name: string; args: Record<string, unknown> } };

export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
}

export interface GeminiCandidate {
  content: { role: "model"; parts: GeminiOutputPart[] };
  finishReason?: string;
  index: 0;
}

export interface GeminiResponse {
  candidates: GeminiCandidate[];
  usageMetadata?: GeminiUsageMetadata;
  modelVersion: string;
  responseId: string;
}

/** What every response and chunk of one answer carries: the client's model name, one id. */
export interface GeminiIdentity {
  modelVersion: string;
  responseId: string;
}

export function newIdentity(model: string): GeminiIdentity {
  return { modelVersion: model, responseId: crypto.randomUUID().replaceAll("-", "") };
}

/** A function call answer finishes STOP in Gemini's vocabulary: it has no "tool calls" reason. */
const FINISH: Record<FinishReason, string> = {
  stop: "STOP",
  length: "MAX_TOKENS",
  content_filter: "SAFETY",
  tool_calls: "STOP",
};

export const finishReasonOf = (reason: FinishReason): string => FINISH[reason];

export const thoughtPart = (text: string): GeminiOutputPart => ({ text, thought: true });

export const imagePart = (image: ImageEvent): GeminiOutputPart => ({
  inlineData: { mimeType: image.mimeType, data: image.data },
});

/**
 * A call's arguments as the `args` object Gemini returns. The page sends JSON objects; anything
 * else (which would break the client's use of `args`) becomes `{}`.
 */
function argsOf(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: fall through to the empty arguments.
  }
  return {};
}

/** A call as Gemini returns it: `args` is an object (the page's JSON text, parsed). */
export const functionCallPart = (call: {
  id: string;
  name: string;
  arguments: string;
}): GeminiOutputPart => ({
  functionCall: { id: call.id, name: call.name, args: argsOf(call.arguments) },
});

/**
 * Usage in Google's terms: candidates exclude the thoughts, which are counted apart. A host that
 * reported none gets the prompt's estimate and the output's length / 4.
 */
export function usageMetadata(
  usage: Usage | undefined,
  fallback: { promptTokens: number; outputCharacters: number },
): GeminiUsageMetadata {
  if (!usage) {
    const candidates = Math.ceil(fallback.outputCharacters / 4);
    return {
      promptTokenCount: fallback.promptTokens,
      candidatesTokenCount: candidates,
      totalTokenCount: fallback.promptTokens + candidates,
    };
  }
  const thoughts = usage.reasoningTokens ?? 0;
  return {
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: Math.max(0, usage.completionTokens - thoughts),
    totalTokenCount: usage.totalTokens,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** One response (or chunk) with a single candidate. */
export function responseOf(
  identity: GeminiIdentity,
  parts: GeminiOutputPart[],
  end?: { finishReason: string; usageMetadata: GeminiUsageMetadata },
): GeminiResponse {
  return {
    candidates: [
      {
        // Clients that read candidates[0].content.parts[0].text need a part to be there.
        content: { role: "model", parts: parts.length > 0 ? parts : [{ text: "" }] },
        ...(end ? { finishReason: end.finishReason } : {}),
        index: 0,
      },
    ],
    ...(end ? { usageMetadata: end.usageMetadata } : {}),
    modelVersion: identity.modelVersion,
    responseId: identity.responseId,
  };
}
