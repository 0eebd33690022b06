import type { AnthropicThinking, FinishReason, Usage } from "@aistudio-edge/shared";
import type { ResolvedModel } from "../models/model-names.js";

/*
 * What the streamed and the gathered Anthropic message share: the id, how thinking is shown,
 * the stop reason and the usage, spelled Anthropic's way.
 */

export function newMessageId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * How the answer shows the model's thoughts. Anthropic returns thinking blocks only when the
 * request turned thinking on (`omitted` keeps the blocks and their signature, without the
 * text); a model-name suffix that turns thinking on (`-thinking-high`) is asking for it too.
 */
export type ThinkingView = "shown" | "omitted" | "hidden";

export function thinkingView(
  thinking: AnthropicThinking | undefined,
  resolved: ResolvedModel,
): ThinkingView {
  switch (thinking?.type) {
    case "enabled":
    case "adaptive":
      return thinking.display === "omitted" ? "omitted" : "shown";
    case "between_tools":
      return "shown";
    case "disabled":
      return "hidden";
    case undefined: {
      const effort = resolved.settings.reasoningEffort;
      return effort !== undefined && effort !== "none" ? "shown" : "hidden";
    }
  }
}

/**
 * A thinking block's `signature`: opaque to the client, which sends it back with the block.
 * Nothing checks it here (returned thinking is not shown to the page again); it only has to be
 * there, as clients that replay thinking expect one.
 */
export function thinkingSignature(messageId: string): string {
  return btoa(`aistudio-edge:${messageId}`);
}

export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

/**
 * The page does not say which stop sequence ended an answer, so a stop is always `end_turn`
 * with `stop_sequence: null`. Tool calls make `tool_use` whatever the page reported, since the
 * client must answer them.
 */
export function stopReason(finish: FinishReason, hasToolCalls: boolean): StopReason {
  if (finish === "length") return "max_tokens";
  if (finish === "content_filter") return "refusal";
  if (finish === "tool_calls" || hasToolCalls) return "tool_use";
  return "end_turn";
}

/** Rough tokens of text, for when a host reported no usage (token-estimate.ts's rule). */
export const roughTokens = (characters: number): number => Math.ceil(characters / 4);

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: 0;
  cache_read_input_tokens: 0;
  output_tokens_details?: { thinking_tokens: number };
}

/**
 * The usage of a finished answer: the host's counts (its output includes the thoughts, as
 * Anthropic's does), else estimates from the request and the output's length.
 */
export function anthropicUsage(
  usage: Usage | undefined,
  estimate: { inputTokens: number; outputCharacters: number },
): AnthropicUsage {
  return {
    input_tokens: usage?.promptTokens ?? estimate.inputTokens,
    output_tokens: usage?.completionTokens ?? roughTokens(estimate.outputCharacters),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...(usage?.reasoningTokens !== undefined
      ? { output_tokens_details: { thinking_tokens: usage.reasoningTokens } }
      : {}),
  };
}

/**
 * A tool call's arguments as the `input` object Anthropic returns. The page sends JSON objects;
 * anything else (which would break the client's parse of `input`) becomes `{}`.
 */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: fall through to the empty input.
  }
  return {};
}
