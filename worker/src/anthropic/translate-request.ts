import { AttachmentQueue } from "../attachments/attachment-queue.js";
import {
  normalizeModelId,
  serverToolOf,
  toGeminiSchema,
  type AnthropicContentBlock,
  type AnthropicCountTokensRequest,
  type AnthropicDocumentBlock,
  type AnthropicToolResultPart,
  type JobAttachment,
  type JobMessage,
  type JobRequest,
} from "@aistudio-edge/shared";
import { blockMedia } from "./media-sources.js";

/*
 * An Anthropic Messages request as the job a host runs. The conversation keeps its turns:
 * `system` (and system turns) become system messages, each `tool_result` block a tool message
 * named after the `tool_use` it answers, and the other blocks of a turn one message with its
 * text and files. Thinking the client sends back is dropped: the page never sees its own
 * thoughts again. AI Studio cannot force a tool call, so `tool_choice` any/tool also adds a line
 * to the system instruction asking for the call (best effort).
 */

/** What a validated request carries for the job; `stream` only on /v1/messages. */
export type AnthropicJobInput = AnthropicCountTokensRequest & { stream?: boolean };

/** The message being built for one turn: its text parts and files. */
interface Draft {
  texts: string[];
  attachments: JobAttachment[];
  toolCalls: NonNullable<JobMessage["toolCalls"]>;
}

const emptyDraft = (): Draft => ({ texts: [], attachments: [], toolCalls: [] });

function finish(
  role: JobMessage["role"],
  draft: Draft,
  extra: Partial<JobMessage> = {},
): JobMessage {
  return {
    role,
    content: draft.texts.join("\n"),
    ...(draft.attachments.length > 0 ? { attachments: draft.attachments } : {}),
    ...(draft.toolCalls.length > 0 ? { toolCalls: draft.toolCalls } : {}),
    ...extra,
  };
}

/** A document's title and context, which say what the file is, as a line of the prompt. */
function documentHeading(block: AnthropicDocumentBlock): string | null {
  const { title, context } = block;
  if (!title && !context) return null;
  return `[Document${title ? ` "${title}"` : ""}${context ? `: ${context}` : ""}]`;
}

/** The text a block puts into the prompt (files travel beside it), or null. */
function blockText(block: AnthropicContentBlock | AnthropicToolResultPart): string | null {
  switch (block.type) {
    case "text":
      return block.text;
    case "search_result":
      return [
        `[Search result "${block.title}" from ${block.source}]`,
        ...block.content.map((c) => c.text),
      ].join("\n");
    case "document": {
      const heading = documentHeading(block);
      const { source } = block;
      if (source.type === "text") return [heading ?? "[Document]", source.data].join("\n");
      if (source.type === "content") {
        const inner = source.content.flatMap((part) => (part.type === "text" ? [part.text] : []));
        return [heading ?? "[Document]", ...inner].join("\n");
      }
      return heading;
    }
    default:
      return null;
  }
}

function toolResultText(block: Extract<AnthropicContentBlock, { type: "tool_result" }>): string {
  const text = (block.content ?? []).flatMap((part) => blockText(part) ?? []).join("\n");
  // The page has no error flag for a tool result: the prompt says it.
  return block.is_error === true ? `Error: ${text}` : text;
}

function systemText(content: Array<{ text: string }>): string {
  return content.map((b) => b.text).join("\n");
}

/** The messages of the conversation, in order, with the tool names results refer to. */
function conversation(req: AnthropicJobInput, files: AttachmentQueue): JobMessage[] {
  const out: JobMessage[] = [];
  const toolNames = new Map<string, string>();
  req.messages.forEach((message, i) => {
    if (message.role === "system") {
      out.push({ role: "system", content: systemText(message.content) });
      return;
    }
    let draft = emptyDraft();
    let started = false;
    const flush = () => {
      if (started) out.push(finish(message.role, draft));
      draft = emptyDraft();
      started = false;
    };
    message.content.forEach((block, j) => {
      const attachments = files.take(blockMedia(block, `messages[${i}].content[${j}]`).length);
      switch (block.type) {
        case "thinking":
        case "redacted_thinking":
          return;
        case "tool_result": {
          flush();
          const name = toolNames.get(block.tool_use_id);
          out.push({
            role: "tool",
            content: toolResultText(block),
            toolCallId: block.tool_use_id,
            ...(name !== undefined ? { name } : {}),
            ...(attachments.length > 0 ? { attachments } : {}),
          });
          return;
        }
        case "tool_use":
          toolNames.set(block.id, block.name);
          draft.toolCalls.push({
            id: block.id,
            name: block.name,
            arguments: JSON.stringify(block.input),
          });
          started = true;
          return;
        default: {
          const text = blockText(block);
          if (text !== null) draft.texts.push(text);
          draft.attachments.push(...attachments);
          started = true;
        }
      }
    });
    flush();
  });
  return out;
}

/** The system instruction's line that asks for a tool call the page cannot force. */
function forcedToolLine(req: AnthropicJobInput): string | null {
  const choice = req.tool_choice;
  const single = choice?.type !== "none" && choice?.disable_parallel_tool_use === true;
  const once = single ? " Call at most one tool." : "";
  if (choice?.type === "any")
    return `You must answer this turn by calling one of the declared tools.${once}`;
  if (choice?.type === "tool")
    return `You must answer this turn by calling the tool ${choice.name}.${once}`;
  return single ? once.trim() : null;
}

/** A client's JSON Schema in the page's subset; the request schema refused what cannot convert. */
function pageSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const converted = toGeminiSchema(schema);
  if (!converted.ok)
    throw new Error(`an unvalidated schema reached anthropicToJob: ${converted.message}`);
  return converted.schema as Record<string, unknown>;
}

function toolChoice(req: AnthropicJobInput): JobRequest["toolChoice"] {
  switch (req.tool_choice?.type) {
    case undefined:
    case "auto":
      return "auto";
    case "none":
      return "none";
    case "any":
      return "required";
    case "tool":
      return { name: req.tool_choice.name };
  }
}

/** Thinking as the job sets it: a budget (0 is off), or the page's default. */
function thinking(req: AnthropicJobInput): Pick<JobRequest, "thinkingBudget" | "reasoningEffort"> {
  const effort = req.output_config?.effort;
  const reasoning =
    effort !== undefined && effort !== null
      ? { reasoningEffort: effort === "max" ? ("xhigh" as const) : effort }
      : {};
  switch (req.thinking?.type) {
    case "enabled":
      return { thinkingBudget: req.thinking.budget_tokens };
    case "disabled":
      return { thinkingBudget: 0 };
    default:
      return reasoning;
  }
}

/**
 * The job for a validated request. `attachments` are its `anthropicAttachmentSources`, resolved,
 * in the same order.
 */
export function anthropicToJob(
  req: AnthropicJobInput,
  attachments: readonly JobAttachment[] = [],
): JobRequest {
  const files = new AttachmentQueue(attachments, "anthropicToJob");
  const tools = req.tools ?? [];
  const builtIn = new Set(tools.flatMap((t) => (t.type ? [serverToolOf(t.type)] : [])));
  const custom = tools.filter((t) => (t.type ?? "custom") === "custom");

  const system = [req.system !== undefined ? systemText(req.system) : "", forcedToolLine(req) ?? ""]
    .filter((s) => s !== "")
    .join("\n\n");
  const format = req.output_config?.format;

  const messages: JobMessage[] = [
    ...(system !== "" ? [{ role: "system" as const, content: system }] : []),
    ...conversation(req, files),
  ];
  // Turns of nothing but thinking or empty blocks leave no message; a job needs one.
  if (messages.length === 0) messages.push({ role: "user", content: "" });

  return {
    model: normalizeModelId(req.model),
    messages,
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.top_p !== undefined ? { topP: req.top_p } : {}),
    ...(req.max_tokens !== undefined ? { maxOutputTokens: req.max_tokens } : {}),
    stop: req.stop_sequences ?? [],
    ...thinking(req),
    tools: custom.map((t) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      ...(t.input_schema !== undefined ? { parameters: pageSchema(t.input_schema) } : {}),
    })),
    toolChoice: toolChoice(req),
    responseFormat:
      format !== undefined && format !== null
        ? { type: "json_schema", name: "output", schema: pageSchema(format.schema) }
        : { type: "text" },
    googleSearch: builtIn.has("web_search"),
    ...(builtIn.has("web_fetch") ? { urlContext: true } : {}),
    ...(builtIn.has("code_execution") ? { codeExecution: true } : {}),
    stream: req.stream === true,
  };
}
