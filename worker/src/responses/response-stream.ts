import { errorBody, type ErrorCode, type ErrorEvent, type JobEvent } from "@aistudio-edge/shared";
import type { PoolEventReader } from "../pool/pool-events.js";
import { eventStream, type EventWriter } from "../doors/event-stream.js";
import type { ResponseContext } from "./response-gather.js";
import {
  callItem,
  failedResponse,
  finishedResponse,
  inProgress,
  incompleteReason,
  messageItem,
  newItemId,
  reasoningItem,
  responsesUsage,
  type MessageItem,
  type OutputItem,
  type ResponseObject,
} from "./response-object.js";

/*
 * A job's events as the Responses API's stream: `response.created` and `response.in_progress`
 * at once, `: queued N` comments while the job waits, then one output item per kind of output
 * (a new one whenever the kind changes): reasoning (its summary part and text deltas when the
 * summary is shown), a message (its output_text part and deltas), each tool call (its arguments,
 * or a custom tool's input, as one delta), each picture of an image model — every item opened by
 * `response.output_item.added` and closed by `response.output_item.done` with the whole item —
 * then `response.completed` (or `response.incomplete`) with the whole response. Every event
 * carries the next `sequence_number`. openai-node's ResponseStream assembles its final response
 * from exactly this. A failure after the headers is `response.failed` (the response with its
 * `error`), then an `error` event, which also carries OpenAI's error object so that the SDKs'
 * stream readers throw an APIError rather than return a failed response as if it were an answer;
 * never a bare close, which a client would take for a complete answer.
 */

/** While thoughts are hidden nothing else is sent; a comment this often keeps idle proxies at bay. */
const HIDDEN_THOUGHT_COMMENT_MS = 5_000;

export interface ResponseStreamOptions extends ResponseContext {
  requestId: string;
  /** The request's own path to what an error is about (a refused file), if any. */
  paramOf?: (event: ErrorEvent) => string | null;
  /**
   * Called once with a response that completed (the route stores it); the terminal event waits
   * for what it returns, so a follow-up naming the response finds it stored.
   */
  onCompleted?: (response: ResponseObject) => Promise<void> | void;
}

type OpenItem = { kind: "reasoning" | "message"; index: number; id: string; text: string };

class ResponseWriter implements EventWriter {
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private open: OpenItem | null = null;
  /** The completed response's store write, which its terminal event waits for. */
  settled: Promise<void> | void = undefined;
  /** Whether the open reasoning item's summary part has been added (on its first text). */
  private summaryOpen = false;
  private outputCharacters = 0;
  private lastWrite = Date.now();
  ended = false;

  constructor(private readonly options: ResponseStreamOptions) {}

  private event(type: string, data: object): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: this.sequence++ })}\n\n`;
  }

  start(): string {
    const response = inProgress(this.options.base);
    return (
      this.event("response.created", { response }) +
      this.event("response.in_progress", { response })
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
        return `: queued ${event.position}\n\n`;
      case "started":
        return "";
      case "settings_dropped":
        // Headers are out already; a comment is the one place left that clients skip.
        return `: dropped-settings ${event.settings.join(",")}\n\n`;
      case "thought":
        this.outputCharacters += event.text.length;
        return this.thought(event.text);
      case "text":
        this.outputCharacters += event.text.length;
        return this.text(event.text);
      case "tool_calls":
        return (
          this.close("completed") +
          [...event.toolCalls]
            .sort((a, b) => a.index - b.index)
            .map((call) => {
              this.outputCharacters += call.arguments.length;
              return this.call(call);
            })
            .join("")
        );
      case "image": {
        const done: OutputItem = {
          id: newItemId("ig"),
          type: "image_generation_call",
          status: "completed",
          result: event.data,
        };
        return (
          this.close("completed") +
          this.whole({ ...done, status: "in_progress", result: null }, done, () => "")
        );
      }
      case "done": {
        this.ended = true;
        const reason = incompleteReason(event.finishReason);
        const closing = this.close(reason === null ? "completed" : "incomplete");
        const response = finishedResponse(
          this.options.base,
          this.output,
          event.finishReason,
          responsesUsage(event.usage, {
            inputTokens: this.options.inputEstimate,
            outputCharacters: this.outputCharacters,
          }),
        );
        if (response.status === "completed") this.settled = this.options.onCompleted?.(response);
        const type = response.status === "completed" ? "response.completed" : "response.incomplete";
        return closing + this.event(type, { response });
      }
      case "error":
        return this.error(event.code, event.message, this.options.paramOf?.(event) ?? null);
    }
  }

  /** `response.failed` with what was output so far, then the `error` event; the end. */
  error(code: ErrorCode, message: string, param: string | null = null): string {
    this.ended = true;
    const response = failedResponse(this.options.base, this.output, code, message);
    return (
      this.event("response.failed", { response }) +
      this.event("error", { code, message, param, ...errorBody(code, message, param) })
    );
  }

  private thought(text: string): string {
    let out = this.openItem("reasoning");
    const open = this.open!;
    open.text += text;
    if (!this.options.summary) {
      // Nothing of the thoughts is sent: an occasional comment keeps the connection alive.
      return out === "" && Date.now() - this.lastWrite >= HIDDEN_THOUGHT_COMMENT_MS
        ? ": thinking\n\n"
        : out;
    }
    if (text === "") return out;
    const at = { item_id: open.id, output_index: open.index, summary_index: 0 };
    if (!this.summaryOpen) {
      this.summaryOpen = true;
      out += this.event("response.reasoning_summary_part.added", {
        ...at,
        part: { type: "summary_text", text: "" },
      });
    }
    return out + this.event("response.reasoning_summary_text.delta", { ...at, delta: text });
  }

  private text(text: string): string {
    if (text === "") return "";
    const out = this.openItem("message");
    const open = this.open!;
    open.text += text;
    return (
      out +
      this.event("response.output_text.delta", {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        delta: text,
        logprobs: [],
      })
    );
  }

  /** A tool call: its item, its arguments (or a custom tool's input) as one delta, its end. */
  private call(call: { id: string; name: string; arguments: string }): string {
    const done = callItem(call, this.options.customTools);
    if (done.type === "function_call")
      return this.whole({ ...done, arguments: "", status: "in_progress" }, done, (at) => {
        return (
          this.event("response.function_call_arguments.delta", { ...at, delta: done.arguments }) +
          this.event("response.function_call_arguments.done", {
            ...at,
            name: done.name,
            arguments: done.arguments,
          })
        );
      });
    return this.whole({ ...done, input: "" }, done, (at) => {
      return (
        this.event("response.custom_tool_call_input.delta", { ...at, delta: done.input }) +
        this.event("response.custom_tool_call_input.done", { ...at, input: done.input })
      );
    });
  }

  /** An item output in one go: added as `pending`, `body`'s events, done as `done`. */
  private whole(
    pending: OutputItem,
    done: OutputItem,
    body: (at: { item_id: string; output_index: number }) => string,
  ): string {
    const index = this.output.length;
    this.output.push(done);
    return (
      this.event("response.output_item.added", { output_index: index, item: pending }) +
      body({ item_id: done.id, output_index: index }) +
      this.event("response.output_item.done", { output_index: index, item: done })
    );
  }

  /** Opens an item of this kind unless one is open already (closing one of another kind). */
  private openItem(kind: OpenItem["kind"]): string {
    if (this.open?.kind === kind) return "";
    let out = this.close("completed");
    const id = newItemId(kind === "message" ? "msg" : "rs");
    const index = this.output.length;
    this.open = { kind, index, id, text: "" };
    const item =
      kind === "message" ? messageItem(id, "", "in_progress") : reasoningItem(id, "", false);
    this.output.push(item);
    out += this.event("response.output_item.added", { output_index: index, item });
    if (kind === "message")
      out += this.event("response.content_part.added", {
        item_id: id,
        output_index: index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
    return out;
  }

  /** Closes the open item with its whole text; `status` is a message's. */
  private close(status: Exclude<MessageItem["status"], "in_progress">): string {
    const open = this.open;
    if (open === null) return "";
    this.open = null;
    const at = { item_id: open.id, output_index: open.index };
    let out = "";
    let item: OutputItem;
    if (open.kind === "message") {
      const part = { type: "output_text", text: open.text, annotations: [] };
      out +=
        this.event("response.output_text.done", {
          ...at,
          content_index: 0,
          text: open.text,
          logprobs: [],
        }) + this.event("response.content_part.done", { ...at, content_index: 0, part });
      item = messageItem(open.id, open.text, status);
    } else {
      if (this.summaryOpen) {
        this.summaryOpen = false;
        const summary = { ...at, summary_index: 0 };
        out +=
          this.event("response.reasoning_summary_text.done", { ...summary, text: open.text }) +
          this.event("response.reasoning_summary_part.done", {
            ...summary,
            part: { type: "summary_text", text: open.text },
          });
      }
      item = reasoningItem(open.id, open.text, this.options.summary);
    }
    this.output[open.index] = item;
    return out + this.event("response.output_item.done", { output_index: open.index, item });
  }
}

export function responseStream(
  events: PoolEventReader,
  options: ResponseStreamOptions,
): ReadableStream<Uint8Array> {
  return eventStream(events, new ResponseWriter(options), options.requestId);
}
