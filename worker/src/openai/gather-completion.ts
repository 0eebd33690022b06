import type {
  ChatCompletion,
  FinishReason,
  JobEvent,
  Usage,
  WireToolCall,
} from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import { toOpenAIUsage, type CompletionIdentity } from "./completion-parts.js";

/**
 * Collects a job's events into one `chat.completion`. An error event throws the `ApiError` it
 * stands for; `done` says when the answer is complete.
 */
export class CompletionGatherer {
  private text = "";
  private thoughts = "";
  private readonly toolCalls: WireToolCall[] = [];
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;
  /** Settings the host could not apply (lenient mode), by the request's parameter names. */
  readonly dropped: string[] = [];

  constructor(private readonly identity: CompletionIdentity) {}

  get done(): boolean {
    return this.finish !== null;
  }

  add(event: JobEvent): void {
    switch (event.t) {
      case "text":
        this.text += event.text;
        return;
      case "thought":
        this.thoughts += event.text;
        return;
      case "tool_calls":
        this.toolCalls.push(...event.toolCalls);
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

  completion(): ChatCompletion {
    if (this.finish === null) throw new Error("the answer is not complete");
    const toolCalls = [...this.toolCalls].sort((a, b) => a.index - b.index);
    const { identity, text, thoughts } = this;
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
              ? {
                  tool_calls: toolCalls.map((c) => ({
                    id: c.id,
                    type: "function" as const,
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: this.finish,
        },
      ],
      ...(this.usage ? { usage: toOpenAIUsage(this.usage) } : {}),
    };
  }
}
