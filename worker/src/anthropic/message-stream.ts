import type { ErrorCode, ErrorEvent, JobEvent } from "@aistudio-edge/shared";
import { anthropicErrorBody } from "../doors/error-shape.js";
import { ContentWriter, imageOutput } from "../openai/completion-parts.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import { eventStream, type EventWriter } from "../doors/event-stream.js";
import {
  anthropicUsage,
  stopReason,
  thinkingSignature,
  toolInput,
  type ThinkingView,
} from "./message-parts.js";

/*
 * A job's events as Anthropic's stream: `message_start` (empty content, zero usage) and a
 * `ping` at once, a `ping` for each place in the queue, then content blocks — each opened by
 * `content_block_start`, filled by deltas and closed by `content_block_stop`, a new one whenever
 * the kind of output changes (a thinking block's `signature_delta` just before its stop, a tool
 * call's input as one `input_json_delta`) — then `message_delta` with the stop reason and the
 * usage, and `message_stop`. The SDK's MessageStream assembles its final message from exactly
 * this. A failure after the headers is an `error` event and the end, never a bare close, which
 * a client would take for a complete answer.
 */

/** While thoughts are hidden nothing else is sent; a ping this often keeps idle proxies at bay. */
const HIDDEN_THOUGHT_PING_MS = 5_000;

const sse = (type: string, data: object): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

type OpenBlock = { kind: "thinking" | "text"; index: number } | null;

export interface MessageStreamOptions {
  id: string;
  /** The client's own model name, echoed. */
  model: string;
  requestId: string;
  thinking: ThinkingView;
  /** The input estimate, for a host that reports no usage. */
  inputEstimate: number;
  /** The error's message as the client reads it (a refused file is named by its request path). */
  describeError?: (event: ErrorEvent) => string;
}

/** The writer's state: which block is open, how many there were, what was output. */
class MessageWriter implements EventWriter {
  private open: OpenBlock = null;
  private blocks = 0;
  private outputCharacters = 0;
  private toolCalls = 0;
  private lastWrite = Date.now();
  private readonly images = new ContentWriter(true);
  ended = false;

  constructor(private readonly options: MessageStreamOptions) {}

  start(): string {
    const { id, model } = this.options;
    return (
      sse("message_start", {
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          usage: {
            input_tokens: 0,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      }) + sse("ping", {})
    );
  }

  render(event: JobEvent): string {
    const out = this.renderEvent(event);
    if (out !== "") this.lastWrite = Date.now();
    return out;
  }

  private renderEvent(event: JobEvent): string {
    switch (event.t) {
      case "queued":
        return sse("ping", {});
      case "started":
        return "";
      case "settings_dropped":
        // Headers are out already; a comment is the one place left that clients skip.
        return `: dropped-settings ${event.settings.join(",")}\n\n`;
      case "thought":
        this.outputCharacters += event.text.length;
        if (this.options.thinking === "hidden")
          return Date.now() - this.lastWrite >= HIDDEN_THOUGHT_PING_MS ? sse("ping", {}) : "";
        return (
          this.openBlock("thinking") +
          (this.options.thinking === "shown" && event.text !== ""
            ? this.delta({ type: "thinking_delta", thinking: event.text })
            : "")
        );
      case "text":
        this.outputCharacters += event.text.length;
        return this.textDelta(this.images.text(event.text));
      case "image":
        return this.textDelta(this.images.image(imageOutput(event)) ?? "");
      case "tool_calls": {
        let out = this.closeBlock();
        for (const call of [...event.toolCalls].sort((a, b) => a.index - b.index)) {
          this.toolCalls += 1;
          this.outputCharacters += call.arguments.length;
          const index = this.blocks++;
          out +=
            sse("content_block_start", {
              index,
              content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
            }) +
            sse("content_block_delta", {
              index,
              delta: {
                type: "input_json_delta",
                partial_json: JSON.stringify(toolInput(call.arguments)),
              },
            }) +
            sse("content_block_stop", { index });
        }
        return out;
      }
      case "done":
        this.ended = true;
        return (
          this.closeBlock() +
          sse("message_delta", {
            delta: {
              stop_reason: stopReason(event.finishReason, this.toolCalls > 0),
              stop_sequence: null,
              stop_details: null,
            },
            usage: anthropicUsage(event.usage, {
              inputTokens: this.options.inputEstimate,
              outputCharacters: this.outputCharacters,
            }),
          }) +
          sse("message_stop", {})
        );
      case "error":
        return this.error(event.code, this.options.describeError?.(event) ?? event.message);
    }
  }

  error(code: ErrorCode, message: string): string {
    this.ended = true;
    return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(code, message, this.options.requestId))}\n\n`;
  }

  private textDelta(text: string): string {
    if (text === "") return "";
    return this.openBlock("text") + this.delta({ type: "text_delta", text });
  }

  private delta(delta: object): string {
    return sse("content_block_delta", { index: this.open!.index, delta });
  }

  /** Opens a block of this kind unless one is open already (closing one of another kind). */
  private openBlock(kind: "thinking" | "text"): string {
    if (this.open?.kind === kind) return "";
    const out = this.closeBlock();
    this.open = { kind, index: this.blocks++ };
    const block =
      kind === "text"
        ? { type: "text", text: "", citations: null }
        : { type: "thinking", thinking: "", signature: "" };
    return out + sse("content_block_start", { index: this.open.index, content_block: block });
  }

  private closeBlock(): string {
    const open = this.open;
    if (open === null) return "";
    this.open = null;
    const signature =
      open.kind === "thinking"
        ? sse("content_block_delta", {
            index: open.index,
            delta: { type: "signature_delta", signature: thinkingSignature(this.options.id) },
          })
        : "";
    return signature + sse("content_block_stop", { index: open.index });
  }
}

export function anthropicStream(
  events: PoolEventReader,
  options: MessageStreamOptions,
): ReadableStream<Uint8Array> {
  return eventStream(events, new MessageWriter(options), options.requestId);
}
