import type {
  ChatCompletion,
  FinishReason,
  ImageEvent,
  JobEvent,
  Usage,
  WireToolCall,
} from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import {
  ContentWriter,
  imageOutput,
  toOpenAIUsage,
  type CompletionIdentity,
} from "./completion-parts.js";

/**
 * Collects a job's events into one `chat.completion`. An error event throws the `ApiError` it
 * stands for; `done` says when the answer is complete.
 */
export class CompletionGatherer {
  /** The content as the client gets it (with the markdown switch, images written in). */
  private content = "";
  /** The model's text alone. */
  private text = "";
  private thoughts = "";
  private readonly toolCalls: WireToolCall[] = [];
  private readonly imageEvents: ImageEvent[] = [];
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;
  private readonly writer: ContentWriter;
  /** Settings the host could not apply (lenient mode), by the request's parameter names. */
  readonly dropped: string[] = [];

  constructor(
    readonly identity: CompletionIdentity,
    options: { imageMarkdown?: boolean } = {},
  ) {
    this.writer = new ContentWriter(options.imageMarkdown === true);
  }

  get done(): boolean {
    return this.finish !== null;
  }

  add(event: JobEvent): void {
    switch (event.t) {
      case "text":
        this.text += event.text;
        this.content += this.writer.text(event.text);
        return;
      case "thought":
        this.thoughts += event.text;
        return;
      case "tool_calls":
        this.toolCalls.push(...event.toolCalls);
        return;
      case "image":
        this.imageEvents.push(event);
        if (this.writer.imageMarkdown) this.content += this.writer.image(imageOutput(event)) ?? "";
        return;
      case "done":
        this.finish = event.finishReason;
        this.usage = event.usage;
        return;
      case "error":
        throw new ApiError(event.code, event.message);
      case "settings_dropped":
        this.dropped.push(...event.settings.filter((s) => !this.dropped.includes(s)));
        return;
      case "queued":
      case "started":
        return;
    }
  }

  /** The images of the answer so far, in order. */
  get images(): readonly ImageEvent[] {
    return this.imageEvents;
  }

  /** Why a complete answer ended. */
  get finishReason(): FinishReason | null {
    return this.finish;
  }

  /** The model's text so far, without any image markdown. */
  get answerText(): string {
    return this.text;
  }

  /** The token counts of a complete answer, when the host reported them. */
  get reportedUsage(): Usage | undefined {
    return this.usage;
  }

  completion(): ChatCompletion {
    if (this.finish === null) throw new Error("the answer is not complete");
    const toolCalls = [...this.toolCalls].sort((a, b) => a.index - b.index);
    const { identity, content, thoughts, imageEvents } = this;
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
            content: content === "" && toolCalls.length > 0 ? null : content,
            refusal: null,
            ...(thoughts !== "" ? { reasoning_content: thoughts } : {}),
            ...(toolCalls.length > 0
              ? {
                  tool_calls: toolCalls.map((c) => ({
                    id: c.id,
                    type: "function" as const,
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
            ...(imageEvents.length > 0 ? { images: imageEvents.map(imageOutput) } : {}),
          },
          logprobs: null,
          finish_reason: this.finish,
        },
      ],
      ...(this.usage ? { usage: toOpenAIUsage(this.usage) } : {}),
    };
  }
}
