import type { CompletionGatherer } from "../openai/gather-completion.js";
import {
  anthropicUsage,
  stopReason,
  thinkingSignature,
  toolInput,
  type AnthropicUsage,
  type StopReason,
  type ThinkingView,
} from "./message-parts.js";

/*
 * The non-streamed Anthropic message, made from the same gatherer the chat door uses (the job's
 * events do not depend on the door). The content is in Anthropic's order for one turn: the
 * thinking, the text, then the tool calls. Anthropic has no image output block, so an image
 * model's pictures are written into the text as `![image](data:…)` (the gatherer's markdown
 * switch, always on here).
 */

export type AnthropicContentOut =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string; citations: null }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageOut {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentOut[];
  stop_reason: StopReason;
  stop_sequence: null;
  stop_details: null;
  usage: AnthropicUsage;
}

export function anthropicMessage(
  gather: CompletionGatherer,
  options: { thinking: ThinkingView; inputEstimate: number },
): AnthropicMessageOut {
  const completion = gather.completion();
  const { message, finish_reason } = completion.choices[0]!;
  const thoughts = message.reasoning_content ?? "";
  const text = message.content ?? "";
  const calls = message.tool_calls ?? [];
  const id = gather.identity.id;

  const content: AnthropicContentOut[] = [];
  if (options.thinking !== "hidden" && thoughts !== "")
    content.push({
      type: "thinking",
      thinking: options.thinking === "shown" ? thoughts : "",
      signature: thinkingSignature(id),
    });
  if (text !== "") content.push({ type: "text", text, citations: null });
  for (const call of calls)
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });

  const outputCharacters =
    thoughts.length + text.length + calls.reduce((n, c) => n + c.function.arguments.length, 0);
  return {
    id,
    type: "message",
    role: "assistant",
    model: gather.identity.model,
    content,
    stop_reason: stopReason(finish_reason, calls.length > 0),
    stop_sequence: null,
    stop_details: null,
    usage: anthropicUsage(gather.reportedUsage, {
      inputTokens: options.inputEstimate,
      outputCharacters,
    }),
  };
}
