import {
  errorBody,
  type ChatCompletionChunk,
  type ErrorEvent,
  type JobEvent,
} from "@aistudio-edge/shared";
import { log } from "../log.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import {
  ContentWriter,
  imageOutput,
  toOpenAIUsage,
  type CompletionIdentity,
} from "./completion-parts.js";

/*
 * Turns a job's events into the SSE stream OpenAI clients parse: a role chunk first, the same
 * id/created on every chunk, `reasoning_content` for thoughts, each image in a chunk of its own
 * as `delta.images` (OpenRouter's spelling; with the markdown switch the same chunk carries it
 * as `![image](…)` content), exactly one finish_reason, the usage chunk when asked, then
 * `data: [DONE]`. While queued the client gets `: queued N`
 * comments. Any failure after the headers is an `error` event and then the end, never a bare
 * close, which clients would read as a complete answer.
 */

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform keeps proxies (and Cloudflare) from compressing or buffering the stream.
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

const encoder = new TextEncoder();

export function sseStream(
  events: PoolEventReader,
  identity: CompletionIdentity,
  options: {
    includeUsage: boolean;
    requestId: string;
    imageMarkdown?: boolean;
    /** The request's own path to what an error is about (a refused attachment), if any. */
    paramOf?: (event: ErrorEvent) => string | null;
  },
): ReadableStream<Uint8Array> {
  const writer = new ContentWriter(options.imageMarkdown === true);
  let roleSent = false;
  let ended = false;
  const base = {
    id: identity.id,
    object: "chat.completion.chunk" as const,
    created: identity.created,
    model: identity.model,
  };
  const chunk = (
    delta: ChatCompletionChunk["choices"][number]["delta"],
    finish: ChatCompletionChunk["choices"][number]["finish_reason"] = null,
  ) => {
    const body: ChatCompletionChunk = {
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (options.includeUsage) body.usage = null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const role = () => {
    if (roleSent) return "";
    roleSent = true;
    return chunk({ role: "assistant", content: "" });
  };

  const failure = (message: string) =>
    `data: ${JSON.stringify(errorBody("internal_error", `${message} (request ${options.requestId})`))}\n\n`;

  function render(event: JobEvent): string {
    switch (event.t) {
      case "queued":
        return `: queued ${event.position}\n\n`;
      case "started":
        return role();
      case "settings_dropped":
        // Headers are out already; a comment is the one place left that clients skip.
        return `: dropped-settings ${event.settings.join(",")}\n\n`;
      case "text":
        return role() + chunk({ content: writer.text(event.text) });
      case "thought":
        return role() + chunk({ reasoning_content: event.text });
      case "tool_calls":
        return (
          role() +
          chunk({
            tool_calls: event.toolCalls.map((c) => ({
              index: c.index,
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          })
        );
      case "image": {
        const image = imageOutput(event);
        const markdown = writer.image(image);
        return (
          role() + chunk({ ...(markdown !== null ? { content: markdown } : {}), images: [image] })
        );
      }
      case "done": {
        ended = true;
        let out = role() + chunk({}, event.finishReason);
        if (options.includeUsage && event.usage) {
          out += `data: ${JSON.stringify({ ...base, choices: [], usage: toOpenAIUsage(event.usage) })}\n\n`;
        }
        return `${out}data: [DONE]\n\n`;
      }
      case "error":
        ended = true;
        return `data: ${JSON.stringify(errorBody(event.code, event.message, options.paramOf?.(event) ?? null))}\n\n`;
    }
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await events.next();
        if (next === null) {
          if (!ended)
            controller.enqueue(encoder.encode(failure("The answer ended before it was complete.")));
          controller.close();
          return;
        }
        const text = render(next);
        if (text !== "") controller.enqueue(encoder.encode(text));
      } catch (err) {
        // The exception's text is ours, not the client's: it goes to the log with the request id.
        log.error("the answer stream failed", {
          requestId: options.requestId,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        controller.enqueue(encoder.encode(failure("The answer stream failed.")));
        controller.close();
      }
    },
    async cancel() {
      // The client went away: cancelling the pool's stream cancels the job on its host.
      await events.cancel();
    },
  });
}
