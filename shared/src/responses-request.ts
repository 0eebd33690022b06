import { z } from "zod";
import { REASONING_EFFORTS } from "./chat-request.js";
import { withinDepth } from "./json-depth.js";
import { convertibleSchema, freeForm } from "./schema-fields.js";

/*
 * OpenAI's Responses request (`POST /v1/responses`, `/v1/responses/input_tokens`) as clients
 * send it: the official SDKs, the Agents SDK and Codex CLI. What AI Studio can act on is
 * validated; what is harmless to ignore (include, metadata, truncation, prompt_cache_key,
 * service_tier…) is accepted; unknown fields are stripped. Input items of types this endpoint
 * has no use for (reasoning, web_search_call, mcp_list_tools, compaction…) are accepted and
 * left out of the prompt, since agents replay whatever the last answer held; tool types it
 * cannot declare are accepted and named in the dropped-settings header by the route. What
 * would silently change the answer (a file id with no file store behind it, an item reference,
 * a background run, a stored conversation or prompt template) is refused with a 400 naming the
 * field. Every free-form object kept is bounded in depth (json-depth.ts).
 */

const NO_FILE_STORE =
  "file ids are not supported: this endpoint has no file store. Send the file itself";

/** OpenAI's wording for an unknown type, with the types this endpoint takes. */
const unknownType =
  (what: string, known: string) =>
  (issue: { code?: string; note?: string }): string | undefined =>
    issue.code === "invalid_union" && issue.note === "No matching discriminator"
      ? `unsupported ${what} type: expected one of ${known}`
      : undefined;

const InputTextSchema = z.object({ type: z.literal("input_text"), text: z.string() });

const InputImageSchema = z
  .object({
    type: z.literal("input_image"),
    image_url: z.string().nullish(),
    file_id: z.string().nullish(),
    detail: z.string().nullish(),
  })
  .superRefine((part, ctx) => {
    if (part.file_id !== undefined && part.file_id !== null)
      ctx.addIssue({
        code: "custom",
        path: ["file_id"],
        message: `${NO_FILE_STORE} as image_url (a data: URL or an http(s) URL)`,
      });
    else if (part.image_url === undefined || part.image_url === null)
      ctx.addIssue({
        code: "custom",
        path: ["image_url"],
        message: "an input_image needs image_url (a data: URL or an http(s) URL)",
      });
  });

const InputFileSchema = z
  .object({
    type: z.literal("input_file"),
    file_data: z.string().nullish(),
    file_url: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  })
  .superRefine((part, ctx) => {
    const has = (v: string | null | undefined) => v !== undefined && v !== null;
    if (has(part.file_data) || has(part.file_url)) return;
    ctx.addIssue({
      code: "custom",
      path: [has(part.file_id) ? "file_id" : "file_data"],
      message: has(part.file_id)
        ? `${NO_FILE_STORE} in file_data (base64 or a data: URL, with filename) or as file_url`
        : "an input_file needs file_data (base64 or a data: URL) or file_url",
    });
  });

/** Assistant text replayed from an earlier answer. */
const OutputTextSchema = z.object({ type: z.literal("output_text"), text: z.string() });
const RefusalSchema = z.object({ type: z.literal("refusal"), refusal: z.string() });

const MessagePartSchema = z.discriminatedUnion(
  "type",
  [InputTextSchema, InputImageSchema, InputFileSchema, OutputTextSchema, RefusalSchema],
  {
    error: unknownType("content part", "input_text, input_image, input_file, output_text, refusal"),
  },
);
export type ResponsesMessagePart = z.infer<typeof MessagePartSchema>;

const ToolOutputPartSchema = z.discriminatedUnion(
  "type",
  [InputTextSchema, InputImageSchema, InputFileSchema],
  { error: unknownType("output part", "input_text, input_image, input_file") },
);
export type ResponsesToolOutputPart = z.infer<typeof ToolOutputPartSchema>;

/**
 * A `content` or `output` field, a string or parts; a string is read as one text part, so that
 * a bad part is named by its own path (a union of the two only says "Invalid input").
 */
const parts = <T extends z.ZodType>(part: T) =>
  z.preprocess(
    (value) => (typeof value === "string" ? [{ type: "input_text", text: value }] : value),
    z.array(part),
  );

const MessageItemSchema = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: parts(MessagePartSchema),
});

const FunctionCallItemSchema = z.object({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const FunctionCallOutputItemSchema = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: parts(ToolOutputPartSchema),
});

/** A free-form (custom) tool's call, such as Codex's apply_patch, and its result. */
const CustomToolCallItemSchema = z.object({
  type: z.literal("custom_tool_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
});
const CustomToolCallOutputItemSchema = z.object({
  type: z.literal("custom_tool_call_output"),
  call_id: z.string().min(1),
  output: parts(ToolOutputPartSchema),
});

/** The built-in shell and patch tools' calls, replayed by agents that ran them themselves. */
const LocalShellCallItemSchema = z.object({
  type: z.literal("local_shell_call"),
  call_id: z.string().min(1),
  id: z.string().nullish(),
  action: freeForm(),
});
const LocalShellCallOutputItemSchema = z.object({
  type: z.literal("local_shell_call_output"),
  /** The call this answers: OpenAI names it by the call's id here, not by a call_id. */
  id: z.string().min(1),
  output: z.string(),
});
const ShellCallItemSchema = z.object({
  type: z.literal("shell_call"),
  call_id: z.string().min(1),
  action: freeForm(),
});
const ShellCallOutputItemSchema = z.object({
  type: z.literal("shell_call_output"),
  call_id: z.string().min(1),
  output: z.array(
    z.object({
      stdout: z.string().optional(),
      stderr: z.string().optional(),
      outcome: freeForm().optional(),
    }),
  ),
});
const ApplyPatchCallItemSchema = z.object({
  type: z.literal("apply_patch_call"),
  call_id: z.string().min(1),
  operation: freeForm(),
});
const ApplyPatchCallOutputItemSchema = z.object({
  type: z.literal("apply_patch_call_output"),
  call_id: z.string().min(1),
  status: z.string().nullish(),
  output: z.string().nullish(),
});

const ItemReferenceSchema = z
  .object({ type: z.literal("item_reference"), id: z.string() })
  .refine(() => false, {
    message:
      "item references are not supported: send the item itself, or continue a stored response with previous_response_id",
  });

/** Stands for an item of a type that carries nothing for the page (see IGNORED below). */
const IgnoredItemSchema = z.object({ type: z.literal("ignored"), was: z.string() });

const TRANSLATED = new Set([
  "message",
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "local_shell_call",
  "local_shell_call_output",
  "shell_call",
  "shell_call_output",
  "apply_patch_call",
  "apply_patch_call_output",
  "item_reference",
]);

/**
 * An input item, with OpenAI's two shorthands read: a `role` without a `type` is a message (the
 * "easy input message"), and any type not translated (reasoning, web_search_call, computer_call,
 * mcp_*, image_generation_call, compaction…) becomes an ignored stand-in, dropping its content
 * before anything walks it.
 */
const InputItemSchema = z.preprocess(
  (item) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
    const { type, role } = item as { type?: unknown; role?: unknown };
    if ((type === undefined || type === null) && role !== undefined)
      return { ...item, type: "message" };
    if (typeof type === "string" && !TRANSLATED.has(type))
      return { type: "ignored", was: type.slice(0, 64) };
    return item;
  },
  z.discriminatedUnion(
    "type",
    [
      MessageItemSchema,
      FunctionCallItemSchema,
      FunctionCallOutputItemSchema,
      CustomToolCallItemSchema,
      CustomToolCallOutputItemSchema,
      LocalShellCallItemSchema,
      LocalShellCallOutputItemSchema,
      ShellCallItemSchema,
      ShellCallOutputItemSchema,
      ApplyPatchCallItemSchema,
      ApplyPatchCallOutputItemSchema,
      ItemReferenceSchema,
      IgnoredItemSchema,
    ],
    {
      error: unknownType(
        "input item",
        "message (or an object with a role), function_call, function_call_output, custom_tool_call(_output), local_shell_call(_output), shell_call(_output), apply_patch_call(_output), reasoning",
      ),
    },
  ),
);
export type ResponsesInputItem = z.infer<typeof InputItemSchema>;

const FunctionToolSchema = z.object({
  type: z.literal("function"),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: convertibleSchema().nullish(),
  strict: z.boolean().nullish(),
});

/** A free-form tool: its input is text, optionally in a grammar (`format`). */
const CustomToolSchema = z.object({
  type: z.literal("custom"),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  format: freeForm().nullish(),
});

/** Built-in tools AI Studio has an equivalent for. */
export const WEB_SEARCH_TOOLS = [
  "web_search",
  "web_search_2025_08_26",
  "web_search_preview",
  "web_search_preview_2025_03_11",
] as const;

const WebSearchToolSchema = z.object({ type: z.enum(WEB_SEARCH_TOOLS) });
const CodeInterpreterToolSchema = z.object({ type: z.literal("code_interpreter") });

/** Any other built-in tool (file_search, computer_use, mcp, image_generation, local_shell…). */
const OtherToolSchema = z.object({ type: z.literal("other"), was: z.string() });

const DECLARABLE = new Set<string>(["function", "custom", "code_interpreter", ...WEB_SEARCH_TOOLS]);

const ToolSchema = z.preprocess(
  (tool) => {
    if (typeof tool !== "object" || tool === null || Array.isArray(tool)) return tool;
    const { type } = tool as { type?: unknown };
    return typeof type === "string" && !DECLARABLE.has(type)
      ? { type: "other", was: type.slice(0, 64) }
      : tool;
  },
  z.discriminatedUnion(
    "type",
    [
      FunctionToolSchema,
      CustomToolSchema,
      WebSearchToolSchema,
      CodeInterpreterToolSchema,
      OtherToolSchema,
    ],
    { error: unknownType("tool", "function, custom, web_search, code_interpreter, …") },
  ),
);
export type ResponsesTool = z.infer<typeof ToolSchema>;

const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.enum(["function", "custom"]), name: z.string().min(1) }),
  z.object({
    type: z.literal("allowed_tools"),
    mode: z.enum(["auto", "required"]),
    tools: z.array(withinDepth(z.object({ type: z.string(), name: z.string().optional() }))),
  }),
  // A built-in tool (web_search_preview, mcp, apply_patch, shell…): nothing to force on the page.
  withinDepth(z.object({ type: z.string() }).loose()),
]);
export type ResponsesToolChoice = z.infer<typeof ToolChoiceSchema>;

const TextFormatSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("text") }),
    z.object({ type: z.literal("json_object") }),
    z.object({
      type: z.literal("json_schema"),
      name: z.string().min(1).max(64),
      schema: convertibleSchema(),
      description: z.string().nullish(),
      strict: z.boolean().nullish(),
    }),
  ],
  { error: unknownType("text.format", "text, json_object, json_schema") },
);
export type ResponsesTextFormat = z.infer<typeof TextFormatSchema>;

const SUMMARY = z.enum(["auto", "concise", "detailed"]).nullish();

const ReasoningSchema = z.object({
  /** OpenAI's `max` is taken as the page's highest level. */
  effort: z.enum([...REASONING_EFFORTS, "max"]).nullish(),
  summary: SUMMARY,
  generate_summary: SUMMARY,
  context: z.string().nullish(),
  mode: z.string().nullish(),
});

const tokenCount = z.number().int().positive();

const refusedField = (message: string) => (value: unknown, ctx: z.RefinementCtx) => {
  if (value !== undefined && value !== null && value !== false)
    ctx.addIssue({ code: "custom", message });
};

const requestFields = {
  model: z.string().min(1),
  input: z
    .preprocess(
      (value) => (typeof value === "string" ? [{ role: "user", content: value }] : value),
      z.array(InputItemSchema),
    )
    .optional(),
  instructions: z.string().nullish(),
  tools: z.array(ToolSchema).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: tokenCount.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: ReasoningSchema.nullish(),
  text: z
    .object({
      format: TextFormatSchema.nullish(),
      verbosity: z.enum(["low", "medium", "high"]).nullish(),
    })
    .nullish(),
  previous_response_id: z.string().min(1).max(128).nullish(),
  // Accepted for compatibility; nothing on AI Studio's page corresponds to them.
  store: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  service_tier: z.string().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  stream_options: freeForm().nullish(),
  context_management: z.array(freeForm()).nullish(),
  moderation: freeForm().nullish(),
  // Refused: each needs something this endpoint does not have.
  background: z
    .boolean()
    .nullish()
    .superRefine(
      refusedField(
        "background responses are not supported: send the request without background (stream it for long answers)",
      ),
    ),
  conversation: z
    .unknown()
    .optional()
    .superRefine(
      refusedField(
        "conversations are not supported: continue with previous_response_id, or send the whole conversation in input",
      ),
    ),
  prompt: z
    .unknown()
    .optional()
    .superRefine(
      refusedField(
        "prompt templates are not supported: send the instructions and input themselves",
      ),
    ),
};

type Body = {
  input?: ResponsesInputItem[] | undefined;
  previous_response_id?: string | null | undefined;
  tools?: ResponsesTool[] | null | undefined;
  tool_choice?: ResponsesToolChoice | null | undefined;
};

/** Something to answer: the input, or the stored conversation previous_response_id names. */
function hasInput(body: Body, ctx: z.RefinementCtx): void {
  if (body.input === undefined && !body.previous_response_id)
    ctx.addIssue({ code: "custom", path: ["input"], message: "Field required" });
}

/** A tool_choice that names a tool must name one the request declares. */
function choiceDeclared(body: Body, ctx: z.RefinementCtx): void {
  const choice = body.tool_choice;
  const callable = (body.tools ?? []).filter((t) => t.type === "function" || t.type === "custom");
  if (choice === "required" && callable.length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["tool_choice"],
      message: "tool_choice 'required' needs at least one function or custom tool in tools",
    });
  if (typeof choice === "object" && choice !== null && "name" in choice) {
    const named = callable.some((t) => t.type === choice.type && t.name === choice.name);
    if ((choice.type === "function" || choice.type === "custom") && !named)
      ctx.addIssue({
        code: "custom",
        path: ["tool_choice", "name"],
        message: `tool_choice names the ${choice.type} tool '${String(choice.name).slice(0, 128)}', which is not declared in tools`,
      });
  }
}

export const ResponsesRequestSchema = z
  .object({ ...requestFields, stream: z.boolean().nullish() })
  .superRefine(hasInput)
  .superRefine(choiceDeclared);
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

/** `POST /v1/responses/input_tokens`: the same fields, nothing generated. */
export const ResponsesCountRequestSchema = z
  .object(requestFields)
  .superRefine(hasInput)
  .superRefine(choiceDeclared);
export type ResponsesCountRequest = z.infer<typeof ResponsesCountRequestSchema>;
