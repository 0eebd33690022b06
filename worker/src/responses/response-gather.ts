import type { CompletionGatherer } from "../openai/gather-completion.js";
import {
  callItem,
  finishedResponse,
  incompleteReason,
  messageItem,
  newItemId,
  reasoningItem,
  responsesUsage,
  type OutputItem,
  type ResponseBase,
  type ResponseObject,
} from "./response-object.js";

/*
 * The non-streamed response, made from the same gatherer the chat door uses (the job's events do
 * not depend on the door). The output is in the order of one turn: the reasoning, the message,
 * the pictures of an image model, then the tool calls.
 */

export interface ResponseContext {
  base: ResponseBase;
  /** Custom tools, whose calls are `custom_tool_call` items. */
  customTools: ReadonlySet<string>;
  /** Whether reasoning items carry the thoughts (response-object.ts `summaryShown`). */
  summary: boolean;
  /** The input estimate, for a host that reports no usage. */
  inputEstimate: number;
}

export function gatheredResponse(gather: CompletionGatherer, ctx: ResponseContext): ResponseObject {
  const { message, finish_reason } = gather.completion().choices[0]!;
  const thoughts = message.reasoning_content ?? "";
  const text = message.content ?? "";
  const calls = message.tool_calls ?? [];

  const output: OutputItem[] = [];
  if (thoughts !== "") output.push(reasoningItem(newItemId("rs"), thoughts, ctx.summary));
  if (text !== "")
    output.push(
      messageItem(
        newItemId("msg"),
        text,
        incompleteReason(finish_reason) === null ? "completed" : "incomplete",
      ),
    );
  for (const image of gather.images)
    output.push({
      id: newItemId("ig"),
      type: "image_generation_call",
      status: "completed",
      result: image.data,
    });
  for (const call of calls)
    output.push(
      callItem(
        { id: call.id, name: call.function.name, arguments: call.function.arguments },
        ctx.customTools,
      ),
    );

  const outputCharacters =
    thoughts.length + text.length + calls.reduce((n, c) => n + c.function.arguments.length, 0);
  return finishedResponse(
    ctx.base,
    output,
    finish_reason,
    responsesUsage(gather.reportedUsage, { inputTokens: ctx.inputEstimate, outputCharacters }),
  );
}
