import type { ErrorCode, ErrorEvent, JobEvent } from "@aistudio-edge/shared";
import { geminiErrorBody } from "../doors/error-shape.js";
import { log } from "../log.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import {
  finishReasonOf,
  functionCallPart,
  imagePart,
  responseOf,
  thoughtPart,
  usageMetadata,
  type GeminiIdentity,
  type GeminiOutputPart,
} from "./response-parts.js";

/*
 * `streamGenerateContent` in both of Google's forms: with `?alt=sse` each chunk is an SSE event
 * (`data: <GenerateContentResponse>` ended by CRLF CRLF, as Google writes it; the SDKs take
 * only this form), without it one JSON array streamed element by element (`[{…},\r\n{…}]`).
 * Each chunk carries the new parts only; the last carries the finish reason and the usage.
 * While the job waits, SSE gets `: queued N` comments and the array whitespace (valid JSON
 * anywhere between its tokens), and the same while hidden thoughts produce nothing to send, so
 * idle proxies do not cut the answer. A failure after the headers is one more chunk
 * `{"error":{code,message,status}}` and then the end, never a bare close: @google/genai raises
 * its ApiError for exactly that chunk, and a client would take a bare close for a whole answer.
 */

export const GEMINI_SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform keeps proxies (and Cloudflare) from compressing or buffering the stream.
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

export const GEMINI_JSON_STREAM_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "content-encoding": "identity",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

export type StreamForm = "sse" | "json";

export interface GeminiStreamOptions {
  form: StreamForm;
  identity: GeminiIdentity;
  includeThoughts: boolean;
  requestId: string;
  /** The prompt's estimate, for a host that reports no usage. */
  inputEstimate: number;
  /** The error's message as the client reads it (a refused file is named by its request path). */
  describeError?: (event: ErrorEvent) => string;
}

/** While thoughts are hidden nothing else is sent; a keep-alive this often keeps proxies at bay. */
const HIDDEN_THOUGHT_KEEPALIVE_MS = 5_000;

const encoder = new TextEncoder();

/** Writes chunks and keep-alives in one of the two forms. */
class ChunkWriter {
  private elements = 0;

  constructor(private readonly form: StreamForm) {}

  chunk(body: unknown): string {
    const json = JSON.stringify(body);
    if (this.form === "sse") return `data: ${json}\r\n\r\n`;
    return `${this.elements++ === 0 ? "[" : ",\r\n"}${json}`;
  }

  keepAlive(comment: string): string {
    return this.form === "sse" ? `: ${comment}\r\n\r\n` : " ";
  }

  /** What closes the body after the last chunk. */
  end(): string {
    if (this.form === "sse") return "";
    return this.elements === 0 ? "[]" : "]";
  }
}

export function geminiStream(
  events: PoolEventReader,
  options: GeminiStreamOptions,
): ReadableStream<Uint8Array> {
  const writer = new ChunkWriter(options.form);
  let ended = false;
  let outputCharacters = 0;
  let lastWrite = Date.now();
  const parts = (list: GeminiOutputPart[]) => writer.chunk(responseOf(options.identity, list));
  const failure = (code: ErrorCode, message: string) => {
    ended = true;
    return writer.chunk(geminiErrorBody(code, message)) + writer.end();
  };

  function render(event: JobEvent): string {
    switch (event.t) {
      case "queued":
        return writer.keepAlive(`queued ${event.position}`);
      case "started":
        return "";
      case "settings_dropped":
        // Headers are out already; a comment is the one place left that clients skip.
        return options.form === "sse"
          ? writer.keepAlive(`dropped-settings ${event.settings.join(",")}`)
          : "";
      case "text":
        outputCharacters += event.text.length;
        return parts([{ text: event.text }]);
      case "thought":
        if (options.includeThoughts) return parts([thoughtPart(event.text)]);
        return Date.now() - lastWrite >= HIDDEN_THOUGHT_KEEPALIVE_MS
          ? writer.keepAlive("thinking")
          : "";
      case "tool_calls":
        for (const call of event.toolCalls)
          outputCharacters += call.name.length + call.arguments.length;
        return parts([...event.toolCalls].sort((a, b) => a.index - b.index).map(functionCallPart));
      case "image":
        return parts([imagePart(event)]);
      case "done":
        ended = true;
        return (
          writer.chunk(
            responseOf(options.identity, [], {
              finishReason: finishReasonOf(event.finishReason),
              usageMetadata: usageMetadata(event.usage, {
                promptTokens: options.inputEstimate,
                outputCharacters,
              }),
            }),
          ) + writer.end()
        );
      case "error":
        return failure(event.code, options.describeError?.(event) ?? event.message);
    }
  }

  /** The next piece of the body, never empty; null once nothing more is to be written. */
  async function nextPiece(): Promise<string | null> {
    for (;;) {
      const event = await events.next();
      if (event === null)
        return ended
          ? null
          : failure(
              "internal_error",
              `The answer ended before it was complete (request ${options.requestId}).`,
            );
      const text = render(event);
      if (text !== "") return text;
    }
  }

  // Set when the client went away: the reader is gone and nothing may be enqueued any more.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    // A pull must enqueue something: workerd does not pull again after one that did not, and
    // some events (started, hidden thoughts, a dropped setting in the array form) write nothing.
    async pull(controller) {
      let piece: string | null;
      try {
        piece = ended ? null : await nextPiece();
      } catch (err) {
        // A read the client's going away interrupted is no failure.
        if (cancelled) return;
        // The exception's text is ours, not the client's: it goes to the log with the request id.
        log.error("the answer stream failed", {
          requestId: options.requestId,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        piece = ended
          ? null
          : failure("internal_error", `The answer stream failed (request ${options.requestId}).`);
      }
      if (cancelled) return;
      if (piece !== null) {
        lastWrite = Date.now();
        controller.enqueue(encoder.encode(piece));
      }
      if (ended || piece === null) controller.close();
    },
    async cancel() {
      cancelled = true;
      // The client went away: cancelling the pool's stream cancels the job on its host.
      await events.cancel();
    },
  });
}
