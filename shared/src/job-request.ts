import { z } from "zod";
import {
  REASONING_EFFORTS,
  type ChatCompletionRequest,
  type ChatMessage,
  type ContentPart,
} from "./chat-request.js";
import { bareModelId } from "./model-id.js";
import { toGeminiSchema } from "./gemini-schema.js";
import { withinDepth } from "./json-depth.js";

/*
 * The chat request as the pool hands it to a browser host: one spelling per setting (three
 * OpenAI names for max tokens become one), text content flattened, only what the driver can act
 * on. The host never sees OpenAI's request shape, so the two can evolve apart.
 */

export const AttachmentSchema = z.object({
  kind: z.enum(["image", "audio", "file"]),
  /** A data: URL or an http(s) URL, as the client gave it. */
  url: z.string(),
  mimeType: z.string().optional(),
  filename: z.string().optional(),
});

export const JobToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** JSON text, as OpenAI carries function arguments. */
  arguments: z.string(),
});
export type JobToolCall = z.infer<typeof JobToolCallSchema>;

export const JobMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string(),
  name: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
  toolCalls: z.array(JobToolCallSchema).optional(),
  toolCallId: z.string().optional(),
});
export type JobMessage = z.infer<typeof JobMessageSchema>;

export const JobToolSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  // Bounded here too: a host must not be made to overflow its stack by whoever sends it a job.
  parameters: withinDepth(z.record(z.string(), z.unknown())).optional(),
});

export const JobRequestSchema = z.object({
  model: z.string(),
  messages: z.array(JobMessageSchema).min(1),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  stop: z.array(z.string()),
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  tools: z.array(JobToolSchema),
  toolChoice: z.union([z.enum(["none", "auto", "required"]), z.object({ name: z.string() })]),
  responseFormat: z.discriminatedUnion("type", [
    z.object({ type: z.literal("text") }),
    z.object({ type: z.literal("json_object") }),
    z.object({
      type: z.literal("json_schema"),
      name: z.string(),
      schema: withinDepth(z.record(z.string(), z.unknown())).optional(),
    }),
  ]),
  /** Google Search grounding, asked for by `web_search_options` or a web-search tool. */
  googleSearch: z.boolean(),
  stream: z.boolean(),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

/** A job that asks for nothing but its model and messages: every setting is the page's default. */
export function plainJobRequest(
  extra: Partial<JobRequest> & Pick<JobRequest, "model">,
): JobRequest {
  return {
    messages: [],
    stop: [],
    tools: [],
    toolChoice: "auto",
    responseFormat: { type: "text" },
    googleSearch: false,
    stream: true,
    ...extra,
  };
}

/** AI Studio model ids are bare (`gemini-2.5-pro`); clients sometimes send Google's `models/…` form. */
export const normalizeModelId = bareModelId;

function attachmentOf(part: ContentPart): z.infer<typeof AttachmentSchema> | null {
  switch (part.type) {
    case "image_url":
      return { kind: "image", url: part.image_url.url };
    case "input_audio":
      return {
        kind: "audio",
        url: `data:audio/${part.input_audio.format};base64,${part.input_audio.data}`,
      };
    case "file":
      if (part.file.file_data === undefined) return null;
      return {
        kind: "file",
        url: part.file.file_data,
        ...(part.file.filename !== undefined ? { filename: part.file.filename } : {}),
      };
    default:
      return null;
  }
}

function flatten(content: ChatMessage["content"]): Pick<JobMessage, "content" | "attachments"> {
  if (content === null || content === undefined) return { content: "" };
  if (typeof content === "string") return { content };
  const texts: string[] = [];
  const attachments: NonNullable<JobMessage["attachments"]> = [];
  for (const part of content) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "refusal") texts.push(part.refusal);
    else {
      const attachment = attachmentOf(part);
      if (attachment !== null) attachments.push(attachment);
    }
  }
  return attachments.length > 0
    ? { content: texts.join("\n"), attachments }
    : { content: texts.join("\n") };
}

function normalizeMessage(message: ChatMessage): JobMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", ...flatten(message.content) };
    case "user":
      return {
        role: "user",
        ...flatten(message.content),
        ...(message.name !== undefined ? { name: message.name } : {}),
      };
    case "assistant": {
      const calls = (message.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      }));
      // The deprecated `function_call` has no id; its name is what the `function` reply refers to.
      if (message.function_call)
        calls.push({ id: message.function_call.name, ...message.function_call });
      return {
        role: "assistant",
        ...flatten(message.content),
        ...(calls.length > 0 ? { toolCalls: calls } : {}),
      };
    }
    case "tool":
      return { role: "tool", ...flatten(message.content), toolCallId: message.tool_call_id };
    case "function":
      return {
        role: "tool",
        content: message.content ?? "",
        toolCallId: message.name,
        name: message.name,
      };
  }
}

/** Turns a validated OpenAI request into the job a host runs. */
export function toJobRequest(req: ChatCompletionRequest): JobRequest {
  const maxOutputTokens =
    req.max_completion_tokens ?? req.max_tokens ?? req.max_output_tokens ?? undefined;
  const tools = [
    ...(req.tools ?? []).flatMap((t) => (t.type === "function" ? [t.function] : [])),
    ...(req.functions ?? []),
  ].map((f) => ({
    name: f.name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    ...(f.parameters !== undefined ? { parameters: pageSchema(f.parameters) } : {}),
  }));

  let toolChoice: JobRequest["toolChoice"] = "auto";
  const choice = req.tool_choice;
  if (choice === "none" || choice === "auto" || choice === "required") toolChoice = choice;
  else if (choice?.type === "function") toolChoice = { name: choice.function.name };
  else if (choice === undefined || choice === null) {
    const legacy = req.function_call;
    if (legacy === "none" || legacy === "auto") toolChoice = legacy;
    else if (legacy) toolChoice = { name: legacy.name };
  }

  let responseFormat: JobRequest["responseFormat"] = { type: "text" };
  const rf = req.response_format;
  if (rf?.type === "json_object") responseFormat = { type: "json_object" };
  else if (rf?.type === "json_schema") {
    responseFormat = {
      type: "json_schema",
      name: rf.json_schema.name,
      ...(rf.json_schema.schema !== undefined ? { schema: pageSchema(rf.json_schema.schema) } : {}),
    };
  }

  const stop =
    req.stop === null || req.stop === undefined
      ? []
      : typeof req.stop === "string"
        ? [req.stop]
        : req.stop;

  return {
    model: normalizeModelId(req.model),
    messages: req.messages.map(normalizeMessage),
    ...(req.temperature !== null && req.temperature !== undefined
      ? { temperature: req.temperature }
      : {}),
    ...(req.top_p !== null && req.top_p !== undefined ? { topP: req.top_p } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    stop,
    ...(req.reasoning_effort ? { reasoningEffort: req.reasoning_effort } : {}),
    tools,
    toolChoice,
    responseFormat,
    googleSearch: req.web_search_options !== null && req.web_search_options !== undefined,
    stream: req.stream === true,
  };
}

/**
 * A client's JSON Schema in the subset AI Studio accepts. The request schema has already refused
 * what cannot be converted, so a failure here is a caller that skipped validation.
 */
function pageSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const converted = toGeminiSchema(schema);
  if (!converted.ok)
    throw new Error(`an unvalidated schema reached toJobRequest: ${converted.message}`);
  return converted.schema as Record<string, unknown>;
}
