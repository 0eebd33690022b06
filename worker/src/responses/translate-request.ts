import {
  normalizeModelId,
  toGeminiSchema,
  type JobAttachment,
  type JobMessage,
  type JobRequest,
  type ResponsesCountRequest,
  type ResponsesInputItem,
  type ResponsesTool,
} from "@aistudio-edge/shared";
import { AttachmentQueue } from "../attachments/attachment-queue.js";
import { itemMedia } from "./media-sources.js";

/*
 * A Responses request as the job a host runs. `instructions` is the system instruction (as
 * OpenAI documents, a continuation does not carry the earlier response's instructions over);
 * the stored conversation `previous_response_id` names comes first, then the input items:
 * messages keep their role, each call item (function, custom, shell, patch) becomes a tool call
 * of an assistant turn and each output item a tool message named after its call. Reasoning and
 * the other items the page has no use for are left out. AI Studio cannot force a tool call, so
 * a forcing `tool_choice` adds a line to the system instruction asking for it (best effort, as
 * the Anthropic door does).
 */

/** What a validated request carries for the job; `stream` only on `POST /v1/responses`. */
export type ResponsesJobInput = ResponsesCountRequest & { stream?: boolean | null | undefined };

export interface ResponsesJob {
  request: JobRequest;
  /**
   * The conversation as a continuation stores it: the earlier turns and this input, without the
   * instructions. Files keep their descriptors; their bytes are never stored.
   */
  conversation: JobMessage[];
  /** Tools accepted but not given to the page, by request path, for the dropped-settings header. */
  dropped: string[];
  /** The custom tools' names: their calls come back as `custom_tool_call` items. */
  customTools: ReadonlySet<string>;
}

/** A custom (free-form) tool as the page sees it: a function of one string, its input. */
const CUSTOM_PARAMETERS = {
  type: "object",
  properties: { input: { type: "string", description: "The tool's input, as free-form text." } },
  required: ["input"],
};

/** The tool names a built-in call item is declared under when it is replayed to the page. */
const SHELL = "shell";
const LOCAL_SHELL = "local_shell";
const APPLY_PATCH = "apply_patch";

/**
 * A file of an earlier turn: its bytes are not kept (response-store.ts), so the page is told it
 * was there instead of being shown it again.
 */
function earlierFileNote(a: JobAttachment): string {
  return `[an earlier ${a.kind}, ${a.filename} (${a.mimeType}), is not sent again]`;
}

function withoutFiles(message: JobMessage): JobMessage {
  if (!message.attachments?.length) return message;
  const { attachments, ...rest } = message;
  return {
    ...rest,
    content: [message.content, ...attachments.map(earlierFileNote)]
      .filter((s) => s !== "")
      .join("\n"),
  };
}

/** Builds the conversation, merging consecutive calls into one assistant turn. */
class Conversation {
  readonly messages: JobMessage[];
  /** Tool names by call id (and by item id, for local_shell_call_output). */
  private readonly names = new Map<string, string>();
  private readonly callIds = new Map<string, string>();
  /** The assistant turn the next call item joins, if the last item made one. */
  private turn: JobMessage | null = null;
  readonly files: AttachmentQueue;

  constructor(previous: readonly JobMessage[], files: readonly JobAttachment[]) {
    this.files = new AttachmentQueue(files, "responsesToJob");
    this.messages = previous.map(withoutFiles);
    for (const m of previous) for (const c of m.toolCalls ?? []) this.names.set(c.id, c.name);
  }

  say(role: JobMessage["role"], texts: string[], attachments: JobAttachment[]): void {
    const message: JobMessage = {
      role,
      content: texts.join("\n"),
      ...(attachments.length > 0 ? { attachments } : {}),
    };
    this.messages.push(message);
    this.turn = role === "assistant" ? message : null;
  }

  call(id: string, name: string, args: string, itemId?: string | null): void {
    this.names.set(id, name);
    if (itemId) this.callIds.set(itemId, id);
    if (this.turn === null) this.say("assistant", [], []);
    const turn = this.turn!;
    turn.toolCalls = [...(turn.toolCalls ?? []), { id, name, arguments: args }];
  }

  result(ref: string, texts: string[], attachments: JobAttachment[]): void {
    const id = this.callIds.get(ref) ?? ref;
    const name = this.names.get(id);
    this.messages.push({
      role: "tool",
      content: texts.join("\n"),
      toolCallId: id,
      ...(name !== undefined ? { name } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    this.turn = null;
  }
}

/** The text parts of a message or an output, in order (files travel beside them). */
function textsOf(
  parts: ReadonlyArray<{ type: string; text?: string; refusal?: string }>,
): string[] {
  return parts.flatMap((p) => p.text ?? p.refusal ?? []);
}

function shellOutputText(
  output: Extract<ResponsesInputItem, { type: "shell_call_output" }>["output"],
): string {
  return output
    .map((o) => {
      const outcome = o.outcome as { type?: unknown; exit_code?: unknown } | undefined;
      const end =
        outcome?.type === "timeout"
          ? "(timed out)"
          : typeof outcome?.exit_code === "number"
            ? `(exit code ${outcome.exit_code})`
            : "";
      return [o.stdout ?? "", o.stderr ? `stderr:\n${o.stderr}` : "", end]
        .filter((s) => s !== "")
        .join("\n");
    })
    .join("\n");
}

function addItem(conversation: Conversation, item: ResponsesInputItem, path: string): void {
  const attachments = conversation.files.take(itemMedia(item, path).length);
  switch (item.type) {
    case "message": {
      const role =
        item.role === "developer" || item.role === "system"
          ? "system"
          : (item.role as JobMessage["role"]);
      conversation.say(role, textsOf(item.content), attachments);
      return;
    }
    case "function_call":
      return conversation.call(item.call_id, item.name, item.arguments);
    case "custom_tool_call":
      // Declared to the page as a function of one string (CUSTOM_PARAMETERS), so replayed as one.
      return conversation.call(item.call_id, item.name, JSON.stringify({ input: item.input }));
    case "local_shell_call":
      return conversation.call(item.call_id, LOCAL_SHELL, JSON.stringify(item.action), item.id);
    case "shell_call":
      return conversation.call(item.call_id, SHELL, JSON.stringify(item.action));
    case "apply_patch_call":
      return conversation.call(item.call_id, APPLY_PATCH, JSON.stringify(item.operation));
    case "function_call_output":
    case "custom_tool_call_output":
      return conversation.result(item.call_id, textsOf(item.output), attachments);
    case "local_shell_call_output":
      return conversation.result(item.id, [item.output], []);
    case "shell_call_output":
      return conversation.result(item.call_id, [shellOutputText(item.output)], []);
    case "apply_patch_call_output":
      return conversation.result(item.call_id, [item.output ?? item.status ?? ""], []);
    case "item_reference": // refused by the schema
    case "ignored":
      return;
  }
}

/** A client's JSON Schema in the page's subset; the request schema refused what cannot convert. */
function pageSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const converted = toGeminiSchema(schema);
  if (!converted.ok)
    throw new Error(`an unvalidated schema reached responsesToJob: ${converted.message}`);
  return converted.schema as Record<string, unknown>;
}

type Callable = Extract<ResponsesTool, { type: "function" | "custom" }>;

/** A custom tool's description, with the grammar its input must follow when it has one. */
function customDescription(tool: Extract<ResponsesTool, { type: "custom" }>): string {
  const format = tool.format as { type?: unknown; syntax?: unknown; definition?: unknown } | null;
  const grammar =
    format?.type === "grammar" && typeof format.definition === "string"
      ? `The input must follow this ${typeof format.syntax === "string" ? format.syntax : ""} grammar:\n${format.definition}`
      : "";
  return [tool.description ?? "", "Its input is free-form text.", grammar]
    .filter((s) => s !== "")
    .join("\n\n");
}

function declare(tool: Callable): JobRequest["tools"][number] {
  if (tool.type === "custom")
    return {
      name: tool.name,
      description: customDescription(tool),
      parameters: pageSchema(CUSTOM_PARAMETERS),
    };
  return {
    name: tool.name,
    ...(tool.description !== undefined && tool.description !== null
      ? { description: tool.description }
      : {}),
    ...(tool.parameters !== undefined && tool.parameters !== null
      ? { parameters: pageSchema(tool.parameters) }
      : {}),
  };
}

/** The callable tools the page is given: all of them, or only those `allowed_tools` lets through. */
function callableTools(req: ResponsesJobInput): Callable[] {
  const all = (req.tools ?? []).filter(
    (t): t is Callable => t.type === "function" || t.type === "custom",
  );
  const choice = req.tool_choice;
  if (typeof choice !== "object" || choice === null || choice.type !== "allowed_tools") return all;
  const allowed = (choice as { tools: Array<{ type: string; name?: string }> }).tools;
  return all.filter((t) => allowed.some((a) => a.type === t.type && a.name === t.name));
}

function toolChoice(req: ResponsesJobInput): JobRequest["toolChoice"] {
  const choice = req.tool_choice;
  if (choice === "none" || choice === "required") return choice;
  if (typeof choice !== "object" || choice === null) return "auto";
  if ((choice.type === "function" || choice.type === "custom") && "name" in choice)
    return { name: String(choice.name) };
  if (choice.type === "allowed_tools" && (choice as { mode?: string }).mode === "required")
    return "required";
  return "auto";
}

/** The system instruction's lines for what the page cannot enforce: a forced call, one call. */
function toolLines(req: ResponsesJobInput, choice: JobRequest["toolChoice"]): string[] {
  if (choice === "none") return [];
  const lines: string[] = [];
  if (choice === "required")
    lines.push("You must answer this turn by calling one of the declared tools.");
  else if (typeof choice === "object")
    lines.push(`You must answer this turn by calling the tool ${choice.name}.`);
  if (req.parallel_tool_calls === false) lines.push("Call at most one tool.");
  return lines;
}

/**
 * The job for a validated request. `previous` is the stored conversation `previous_response_id`
 * named (empty without one); `attachments` are the request's `responsesAttachmentSources`,
 * resolved, in the same order.
 */
export function responsesToJob(
  req: ResponsesJobInput,
  previous: readonly JobMessage[] = [],
  attachments: readonly JobAttachment[] = [],
): ResponsesJob {
  const conversation = new Conversation(previous, attachments);
  (req.input ?? []).forEach((item, i) => addItem(conversation, item, `input[${i}]`));

  const callable = callableTools(req);
  const choice = toolChoice(req);
  const format = req.text?.format;
  const responseFormat: JobRequest["responseFormat"] =
    format?.type === "json_schema"
      ? { type: "json_schema", name: format.name, schema: pageSchema(format.schema) }
      : format?.type === "json_object"
        ? { type: "json_object" }
        : { type: "text" };

  // The page turns its built-in tools off while function calling or structured output is on:
  // the functions are what an agent cannot do without, so the built-in tool gives way.
  const exclusive = (callable.length > 0 && choice !== "none") || responseFormat.type !== "text";
  const dropped: string[] = [];
  const builtIn = { googleSearch: false, codeExecution: false };
  (req.tools ?? []).forEach((tool, i) => {
    if (tool.type === "function" || tool.type === "custom") return;
    if (tool.type === "other") return void dropped.push(`tools[${i}] (${tool.was})`);
    if (exclusive) return void dropped.push(`tools[${i}] (${tool.type}, beside function tools)`);
    builtIn[tool.type === "code_interpreter" ? "codeExecution" : "googleSearch"] = true;
  });

  const system = [req.instructions ?? "", ...toolLines(req, choice)]
    .filter((s) => s !== "")
    .join("\n\n");
  const messages: JobMessage[] = [
    ...(system !== "" ? [{ role: "system" as const, content: system }] : []),
    ...conversation.messages,
  ];
  // An input of nothing but reasoning items leaves no message; a job needs one.
  if (messages.length === 0) messages.push({ role: "user", content: "" });
  const effort = req.reasoning?.effort;

  return {
    request: {
      model: normalizeModelId(req.model),
      messages,
      ...(req.temperature !== undefined && req.temperature !== null
        ? { temperature: req.temperature }
        : {}),
      ...(req.top_p !== undefined && req.top_p !== null ? { topP: req.top_p } : {}),
      ...(req.max_output_tokens !== undefined && req.max_output_tokens !== null
        ? { maxOutputTokens: req.max_output_tokens }
        : {}),
      stop: [],
      ...(effort !== undefined && effort !== null
        ? { reasoningEffort: effort === "max" ? ("xhigh" as const) : effort }
        : {}),
      tools: callable.map(declare),
      toolChoice: choice,
      responseFormat,
      googleSearch: builtIn.googleSearch,
      ...(builtIn.codeExecution ? { codeExecution: true } : {}),
      stream: req.stream === true,
    },
    conversation: conversation.messages,
    dropped,
    customTools: new Set(callable.filter((t) => t.type === "custom").map((t) => t.name)),
  };
}
