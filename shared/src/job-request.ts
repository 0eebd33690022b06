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
import { mimeFromName } from "./media-types.js";
import {
  IMAGE_ASPECT_RATIOS,
  JobAttachmentSchema,
  type AttachmentKind,
  type JobAttachment,
} from "./attachments.js";

/*
 * The chat request as the pool hands it to a browser host: one spelling per setting (three
 * OpenAI names for max tokens become one), text content flattened, only what the driver can act
 * on. The host never sees OpenAI's request shape, so the two can evolve apart.
 */

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
  /** The files this message sent, in order; their bytes travel in `job.attachment` frames. */
  attachments: z.array(JobAttachmentSchema).optional(),
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
  /**
   * A thinking budget in tokens (Anthropic's `budget_tokens`, Gemini's `thinkingBudget`); 0 turns
   * thinking off. When present it wins over `reasoningEffort`; a model with levels instead of a
   * budget takes the nearest level.
   */
  thinkingBudget: z.number().int().min(0).max(1_000_000).optional(),
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
  /** The URL context tool (the page fetches the URLs the prompt names); off when absent. */
  urlContext: z.boolean().optional(),
  /** The code execution tool (the model runs Python it writes); off when absent. */
  codeExecution: z.boolean().optional(),
  /** For image models: the run settings' aspect ratio (the page's own default when absent). */
  imageAspectRatio: z.enum(IMAGE_ASPECT_RATIOS).optional(),
  stream: z.boolean(),
  /**
   * Count only: the host fills the prompt and files (with the system instructions and function
   * declarations written into the prompt, since the page's CountTokens carries contents alone),
   * waits for the page's own count and ends the job with `done` whose `usage.promptTokens` is
   * that count. It never presses Run, so nothing is generated and no quota is spent. Run
   * settings (temperature and the like) are not applied: they do not change a count.
   */
  countTokens: z.boolean().optional(),
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

/** Every attachment of a job in conversation order: the order of its files, pieces and uploads. */
export function jobAttachments(request: JobRequest): JobAttachment[] {
  return request.messages.flatMap((m) => m.attachments ?? []);
}

/** AI Studio model ids are bare (`gemini-2.5-pro`); clients sometimes send Google's `models/…` form. */
export const normalizeModelId = bareModelId;

/** Where one attachment of a request comes from, before the Worker has resolved it. */
export interface AttachmentSource {
  kind: AttachmentKind;
  /** The request's own path to the URL or data, for a 400's `param`. */
  param: string;
  source:
    | { type: "url"; url: string }
    /** Base64 without a data: prefix, with the type the part declares (`input_audio`). */
    | { type: "base64"; data: string; mimeType: string }
    /** An OpenAI file id: there is no file store behind this endpoint. */
    | { type: "file_id"; id: string };
  filename?: string;
}

/**
 * `input_audio` formats that are not a file extension of an audio type (webm is also video's,
 * pcm16 is no file at all); the others are looked up as extensions (media-types.ts).
 */
const AUDIO_FORMATS: Record<string, string> = { webm: "audio/webm", pcm16: "audio/l16" };

function audioType(format: string): string {
  const known = AUDIO_FORMATS[format] ?? mimeFromName(`clip.${format}`);
  return known?.startsWith("audio/") ? known : `audio/${format.replace(/[^a-z0-9.+-]/g, "")}`;
}

function sourceOf(part: ContentPart, param: string): AttachmentSource | null {
  switch (part.type) {
    case "image_url":
      return {
        kind: "image",
        param: `${param}.image_url.url`,
        source: { type: "url", url: part.image_url.url },
      };
    case "input_audio": {
      const format = part.input_audio.format.toLowerCase();
      return {
        kind: "audio",
        param: `${param}.input_audio.data`,
        source: {
          type: "base64",
          data: part.input_audio.data,
          mimeType: audioType(format),
        },
      };
    }
    case "file": {
      const filename = part.file.filename !== undefined ? { filename: part.file.filename } : {};
      if (part.file.file_data !== undefined)
        return {
          kind: "file",
          param: `${param}.file.file_data`,
          source: part.file.file_data.startsWith("data:")
            ? { type: "url", url: part.file.file_data }
            : // OpenAI's own SDK examples send bare base64 here, with the type in the name.
              { type: "base64", data: part.file.file_data, mimeType: "" },
          ...filename,
        };
      return {
        kind: "file",
        param: `${param}.file.file_id`,
        source: { type: "file_id", id: part.file.file_id ?? "" },
        ...filename,
      };
    }
    default:
      return null;
  }
}

/**
 * Every attachment of a request in conversation order (the order `toJobRequest` expects them
 * resolved in), with the path a 400 names.
 */
export function attachmentSources(req: ChatCompletionRequest): AttachmentSource[] {
  const sources: AttachmentSource[] = [];
  req.messages.forEach((message, m) => {
    if (message.role === "function" || typeof message.content !== "object" || !message.content)
      return;
    message.content.forEach((part, p) => {
      const source = sourceOf(part, `messages[${m}].content[${p}]`);
      if (source) sources.push(source);
    });
  });
  return sources;
}

function flatten(
  content: ChatMessage["content"],
  take: () => JobAttachment,
): Pick<JobMessage, "content" | "attachments"> {
  if (content === null || content === undefined) return { content: "" };
  if (typeof content === "string") return { content };
  const texts: string[] = [];
  const attachments: JobAttachment[] = [];
  for (const part of content) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "refusal") texts.push(part.refusal);
    else attachments.push(take());
  }
  return attachments.length > 0
    ? { content: texts.join("\n"), attachments }
    : { content: texts.join("\n") };
}

function normalizeMessage(message: ChatMessage, take: () => JobAttachment): JobMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", ...flatten(message.content, take) };
    case "user":
      return {
        role: "user",
        ...flatten(message.content, take),
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
        ...flatten(message.content, take),
        ...(calls.length > 0 ? { toolCalls: calls } : {}),
      };
    }
    case "tool":
      return { role: "tool", ...flatten(message.content, take), toolCallId: message.tool_call_id };
    case "function":
      return {
        role: "tool",
        content: message.content ?? "",
        toolCallId: message.name,
        name: message.name,
      };
  }
}

/**
 * Turns a validated OpenAI request into the job a host runs. `attachments` are the request's
 * `attachmentSources`, resolved, in the same order (a request without files needs none).
 */
export function toJobRequest(
  req: ChatCompletionRequest,
  attachments: readonly JobAttachment[] = [],
): JobRequest {
  let next = 0;
  const take = (): JobAttachment => {
    const attachment = attachments[next++];
    if (!attachment)
      throw new Error("toJobRequest: fewer resolved attachments than the request has");
    return attachment;
  };
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

  const builtIn = new Set<string>(
    (req.tools ?? []).flatMap((t) =>
      t.type !== "function" && t.type !== "custom" ? [t.type] : [],
    ),
  );

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
    messages: req.messages.map((m) => normalizeMessage(m, take)),
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
    googleSearch:
      (req.web_search_options !== null && req.web_search_options !== undefined) ||
      builtIn.has("google_search"),
    ...(builtIn.has("url_context") ? { urlContext: true } : {}),
    ...(builtIn.has("code_execution") ? { codeExecution: true } : {}),
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
