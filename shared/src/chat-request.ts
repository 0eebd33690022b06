import { z } from "zod";
import { withinDepth } from "./json-depth.js";
import { convertibleSchema, freeForm } from "./schema-fields.js";

/*
 * The OpenAI chat-completions request as clients send it. Every documented field is accepted so
 * that SDKs and agents that always send them are not refused; fields we cannot honour are
 * accepted and ignored, except `n` > 1, which would silently change the answer's shape.
 * Unknown fields are stripped (zod's default), as OpenAI-compatible servers commonly do.
 * Every free-form object that is kept (`freeForm`, the loose objects) is bounded in depth, so
 * what validation lets through can be serialised and cloned without overflowing the stack.
 */

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });
const ImagePartSchema = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const AudioPartSchema = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.string() }),
});
const FilePartSchema = z.object({
  type: z.literal("file"),
  file: z.object({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
  }),
});
const RefusalPartSchema = z.object({ type: z.literal("refusal"), refusal: z.string() });

export const ContentPartSchema = z.discriminatedUnion("type", [
  TextPartSchema,
  ImagePartSchema,
  AudioPartSchema,
  FilePartSchema,
  RefusalPartSchema,
]);
export type ContentPart = z.infer<typeof ContentPartSchema>;

const ContentSchema = z.union([z.string(), z.array(ContentPartSchema)]);

export const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const ChatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: ContentSchema, name: z.string().optional() }),
  z.object({ role: z.literal("developer"), content: ContentSchema, name: z.string().optional() }),
  z.object({ role: z.literal("user"), content: ContentSchema, name: z.string().optional() }),
  z.object({
    role: z.literal("assistant"),
    content: ContentSchema.nullish(),
    name: z.string().optional(),
    refusal: z.string().nullish(),
    tool_calls: z.array(ToolCallSchema).optional(),
    function_call: z.object({ name: z.string(), arguments: z.string() }).nullish(),
    reasoning_content: z.string().nullish(),
  }),
  z.object({ role: z.literal("tool"), content: ContentSchema, tool_call_id: z.string() }),
  z.object({ role: z.literal("function"), content: z.string().nullable(), name: z.string() }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const FunctionDefinitionSchema = z.object({
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  parameters: convertibleSchema().optional(),
  strict: z.boolean().nullish(),
});

/** The built-in tool types a chat request may list among its tools. */
export const CHAT_BUILT_IN_TOOLS = ["google_search", "url_context", "code_execution"] as const;

const ToolSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("function"), function: FunctionDefinitionSchema }),
    // Custom tools (free-form input) are accepted but cannot be declared to AI Studio.
    z.object({
      type: z.literal("custom"),
      custom: withinDepth(z.object({ name: z.string() }).loose()),
    }),
    // AI Studio's built-in tools by the Gemini API's names, for OpenAI clients that cannot send
    // them otherwise (Chat Completions has only `web_search_options`); their options are ignored.
    z.object({ type: z.enum(CHAT_BUILT_IN_TOOLS) }).loose(),
  ],
  {
    error: () =>
      `the tool type is not supported: use function, custom or one of AI Studio's built-in tools (${CHAT_BUILT_IN_TOOLS.join(", ")})`,
  },
);

/** AI Studio's page has no control that forces a tool call: saying so beats ignoring it. */
const FORCED_TOOL_CALL =
  "AI Studio's page cannot force a tool call, so 'required' or a named function cannot be honoured; send 'auto' (the model may call a declared tool) or 'none'";

const ToolChoiceSchema = z
  .union([
    z.enum(["none", "auto", "required"]),
    z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
    withinDepth(z.object({ type: z.literal("allowed_tools") }).loose()),
    withinDepth(z.object({ type: z.literal("custom") }).loose()),
  ])
  .superRefine((choice, ctx) => {
    if (choice === "required" || (typeof choice === "object" && choice.type === "function")) {
      ctx.addIssue({ code: "custom", message: FORCED_TOOL_CALL });
    }
  });

const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: convertibleSchema().optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;

const tokenCount = z.number().int().positive();

export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(ChatMessageSchema).min(1, "messages must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z
    .object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
    .nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: tokenCount.nullish(),
  max_completion_tokens: tokenCount.nullish(),
  // Not OpenAI's, but the Responses API and several clients send it.
  max_output_tokens: tokenCount.nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  n: z.literal(1, "only n = 1 is supported: AI Studio gives one answer per run").nullish(),
  reasoning_effort: z.enum(REASONING_EFFORTS).nullish(),
  response_format: ResponseFormatSchema.nullish(),
  tools: z.array(ToolSchema).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(FunctionDefinitionSchema).nullish(),
  function_call: z
    .union([z.enum(["none", "auto"]), z.object({ name: z.string() })])
    .superRefine((choice, ctx) => {
      if (typeof choice === "object") ctx.addIssue({ code: "custom", message: FORCED_TOOL_CALL });
    })
    .nullish(),
  web_search_options: freeForm().nullish(),
  // Accepted for compatibility; AI Studio has no equivalent for these.
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().nullish(),
  modalities: z.array(z.string()).nullish(),
  audio: freeForm().nullish(),
  prediction: freeForm().nullish(),
  verbosity: z.enum(["low", "medium", "high"]).nullish(),
  prompt_cache_key: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  // Ours, not OpenAI's: image-model answers also write each image into `content` as
  // `![image](data:…)`, for clients that render only text (the header
  // `x-aistudio-image-markdown` says the same; the body wins).
  image_markdown: z.boolean().nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/**
 * Formats a zod issue path the way OpenAI names a parameter (`messages[0].content`), so the
 * `param` of a 400 points at the first bad field.
 */
export function paramOf(path: ReadonlyArray<PropertyKey>): string | null {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? null : out;
}
