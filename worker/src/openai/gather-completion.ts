import type { ChatCompletion, FinishReason, Usage, WireToolCall } from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import { toOpenAIUsage, type CompletionIdentity } from "./completion-parts.js";

/**
 * Collects a job's events into one `chat.completion`. Nothing has been sent to the client yet,
 * so an error event becomes an ordinary error response with its own status.
 */
export async function gatherCompletion(events: PoolEventReader, identity: CompletionIdentity): Promise<ChatCompletion> {
  let text = "";
  let thoughts = "";
  const toolCalls: WireToolCall[] = [];
  let finish: FinishReason | null = null;
  let usage: Usage | undefined;

  for await (const event of events) {
    if (event.t === "delta") {
      text += event.text ?? "";
      thoughts += event.thought ?? "";
    } else if (event.t === "tool_calls") toolCalls.push(...event.toolCalls);
    else if (event.t === "done") {
      finish = event.finishReason;
      usage = event.usage;
    } else if (event.t === "error") throw new ApiError(event.code, event.message);
  }
  if (finish === null) throw new ApiError("internal_error", "The pool closed the stream before the answer was complete.");

  toolCalls.sort((a, b) => a.index - b.index);
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(thoughts !== "" ? { reasoning_content: thoughts } : {}),
          ...(toolCalls.length > 0
            ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    ...(usage ? { usage: toOpenAIUsage(usage) } : {}),
  };
}
