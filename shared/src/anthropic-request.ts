import { z } from "zod";
import { convertibleSchema, freeForm } from "./schema-fields.js";

/*
 * Anthropic's Messages request (`POST /v1/messages` and `/v1/messages/count_tokens`) as clients
 * send it: the official SDKs, Claude Code and the tools built on them. What AI Studio can act on
 * is validated; what it cannot but that is harmless to ignore (cache_control, citations,
 * metadata, service_tier, container, mcp_servers, top_k…) is accepted, and unknown fields are
 * stripped. What would silently change the answer (a built-in tool the page cannot run, a file
 * id with no file store behind it) is refused with a 400 that names the field. Every free-form
 * object kept is bounded in depth (json-depth.ts).
 */

/** Anthropic's wording for an unknown block type, with the types this endpoint takes. */
const unknownType =
  (what: string, known: string) =>
  (issue: { code?: string; note?: string }): string | undefined =>
    issue.code === "invalid_union" && issue.note === "No matching discriminator"
      ? `unsupported ${what} type: expected one of ${known}`
      : undefined;

const NO_FILES_API =
  "file sources need Anthropic's Files API, which this endpoint does not have: send the file as a base64 or url source";

const TextBlockSchema = z.object({ type: z.literal("text"), text: z.string() });

/**
 * A `content` field, a string or blocks; a string is read as one text block, so that a bad block
 * is named by its own path (a union of the two only says "Invalid input" about the field).
 */
const blocks = <T extends z.ZodType>(block: T) =>
  z.preprocess(
    (value) => (typeof value === "string" ? [{ type: "text", text: value }] : value),
    z.array(block),
  );

const ImageBlockSchema = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
      z.object({ type: z.literal("url"), url: z.string() }),
      z.object({ type: z.literal("file"), file_id: z.string() }).refine(() => false, NO_FILES_API),
    ],
    { error: unknownType("image source", "base64, url") },
  ),
});

/** What a `content` document source may hold: text and images. */
const DocumentPartSchema = z.discriminatedUnion("type", [TextBlockSchema, ImageBlockSchema], {
  error: unknownType("document content block", "text, image"),
});

const DocumentBlockSchema = z.object({
  type: z.literal("document"),
  source: z.discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
      z.object({ type: z.literal("url"), url: z.string() }),
      z.object({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() }),
      z.object({
        type: z.literal("content"),
        content: blocks(DocumentPartSchema),
      }),
      z.object({ type: z.literal("file"), file_id: z.string() }).refine(() => false, NO_FILES_API),
    ],
    { error: unknownType("document source", "base64, url, text, content") },
  ),
  title: z.string().nullish(),
  context: z.string().nullish(),
});

/** Search results a client passes in (RAG): their text is what the model reads. */
const SearchResultBlockSchema = z.object({
  type: z.literal("search_result"),
  source: z.string(),
  title: z.string(),
  content: z.array(TextBlockSchema),
});

/** A tool search's pointer at a deferred tool: accepted, and nothing the page can use. */
const ToolReferenceBlockSchema = z.object({
  type: z.literal("tool_reference"),
  tool_name: z.string(),
});

const ToolResultPartSchema = z.discriminatedUnion(
  "type",
  [
    TextBlockSchema,
    ImageBlockSchema,
    DocumentBlockSchema,
    SearchResultBlockSchema,
    ToolReferenceBlockSchema,
  ],
  {
    error: unknownType(
      "tool_result content block",
      "text, image, document, search_result, tool_reference",
    ),
  },
);

const ToolUseBlockSchema = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: freeForm(),
});

const ToolResultBlockSchema = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: blocks(ToolResultPartSchema).optional(),
  is_error: z.boolean().optional(),
});

/** Thinking the client sends back: accepted, and not shown to the page (it is ours anyway). */
const ThinkingBlockSchema = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});
const RedactedThinkingBlockSchema = z.object({
  type: z.literal("redacted_thinking"),
  data: z.string(),
});

export const AnthropicContentBlockSchema = z.discriminatedUnion(
  "type",
  [
    TextBlockSchema,
    ImageBlockSchema,
    DocumentBlockSchema,
    SearchResultBlockSchema,
    ToolUseBlockSchema,
    ToolResultBlockSchema,
    ThinkingBlockSchema,
    RedactedThinkingBlockSchema,
  ],
  {
    error: unknownType(
      "content block",
      "text, image, document, search_result, tool_use, tool_result, thinking, redacted_thinking",
    ),
  },
);
export type AnthropicContentBlock = z.infer<typeof AnthropicContentBlockSchema>;
export type AnthropicDocumentBlock = z.infer<typeof DocumentBlockSchema>;
export type AnthropicToolResultPart = z.infer<typeof ToolResultPartSchema>;

const SystemTextSchema = blocks(TextBlockSchema);

export const AnthropicMessageSchema = z.discriminatedUnion(
  "role",
  [
    z.object({
      role: z.literal("user"),
      content: blocks(AnthropicContentBlockSchema),
    }),
    z.object({
      role: z.literal("assistant"),
      content: blocks(AnthropicContentBlockSchema),
    }),
    // The current SDK also lets a system turn sit among the messages.
    z.object({ role: z.literal("system"), content: SystemTextSchema }),
  ],
  { error: unknownType("role", "user, assistant, system") },
);
export type AnthropicMessage = z.infer<typeof AnthropicMessageSchema>;

/**
 * The built-in tools AI Studio has an equivalent for, by the prefix of their versioned type
 * (`web_search_20250305`), and the JobRequest switch each turns on: Google Search, URL context
 * and code execution. The page runs them itself; their results reach the answer as text.
 */
export const ANTHROPIC_SERVER_TOOLS = {
  web_search: "googleSearch",
  web_fetch: "urlContext",
  code_execution: "codeExecution",
} as const;
export type AnthropicServerTool = keyof typeof ANTHROPIC_SERVER_TOOLS;

/** The built-in tool a `type` names (`web_search_20250305` → web_search), or null. */
export function serverToolOf(type: string): AnthropicServerTool | null {
  const prefix = /^([a-z_]+?)_\d{8}$/.exec(type)?.[1];
  return prefix !== undefined && prefix in ANTHROPIC_SERVER_TOOLS
    ? (prefix as AnthropicServerTool)
    : null;
}

/**
 * A custom tool (no `type`, or `custom`) or a built-in one. Built-in tools are told apart by
 * their versioned type; those AI Studio cannot run (bash, text_editor, computer, memory…) are
 * refused rather than dropped, since the model would otherwise answer as if it had them.
 */
const ToolSchema = z
  .object({
    type: z.string().nullish(),
    name: z.string().min(1).max(128),
    description: z.string().optional(),
    input_schema: convertibleSchema().optional(),
  })
  .superRefine((tool, ctx) => {
    const type = tool.type ?? "custom";
    if (type === "custom") {
      if (tool.input_schema === undefined)
        ctx.addIssue({ code: "custom", message: "Field required", path: ["input_schema"] });
    } else if (serverToolOf(type) === null) {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `the built-in tool type '${type.slice(0, 64)}' is not supported: AI Studio can run custom tools (with input_schema) and, as built-in tools, web_search_* (Google Search), web_fetch_* (URL context) and code_execution_* (code execution)`,
      });
    }
  });
export type AnthropicTool = z.infer<typeof ToolSchema>;

const ToolChoiceSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
    z.object({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
    z.object({
      type: z.literal("tool"),
      name: z.string().min(1),
      disable_parallel_tool_use: z.boolean().optional(),
    }),
    z.object({ type: z.literal("none") }),
  ],
  { error: unknownType("tool_choice", "auto, any, tool, none") },
);
export type AnthropicToolChoice = z.infer<typeof ToolChoiceSchema>;

const DISPLAY = z.enum(["summarized", "omitted"]).nullish();

const ThinkingSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("enabled"),
      budget_tokens: z.number().int().min(1).max(1_000_000),
      display: DISPLAY,
    }),
    z.object({ type: z.literal("disabled") }),
    z.object({ type: z.literal("adaptive"), display: DISPLAY }),
    z.object({ type: z.literal("between_tools") }),
  ],
  { error: unknownType("thinking", "enabled, disabled, adaptive, between_tools") },
);
export type AnthropicThinking = z.infer<typeof ThinkingSchema>;

const OutputConfigSchema = z.object({
  effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(),
  format: z.object({ type: z.literal("json_schema"), schema: convertibleSchema() }).nullish(),
});

/** Anthropic's own message for a missing field, so its clients read what they expect. */
const required = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "Field required" : `expected ${expected}`;

const requestFields = {
  model: z.string({ error: required("a string") }).min(1),
  messages: z
    .array(AnthropicMessageSchema, { error: required("an array of messages") })
    .min(1, "messages must contain at least one message"),
  system: SystemTextSchema.optional(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  thinking: ThinkingSchema.optional(),
  output_config: OutputConfigSchema.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  // Accepted, ignored: AI Studio's run settings have no top-k.
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).max(16).optional(),
  // Accepted for compatibility; nothing on AI Studio's page corresponds to them.
  metadata: z.object({ user_id: z.string().nullish() }).nullish(),
  service_tier: z.string().optional(),
  container: z.union([z.string(), freeForm()]).nullish(),
  mcp_servers: z.array(freeForm()).optional(),
};

/** `thinking.budget_tokens` must stay under `max_tokens`, as Anthropic requires. */
function budgetUnderMax(
  body: { max_tokens?: number; thinking?: AnthropicThinking | undefined },
  ctx: z.RefinementCtx,
): void {
  if (
    body.thinking?.type === "enabled" &&
    body.max_tokens !== undefined &&
    body.thinking.budget_tokens >= body.max_tokens
  )
    ctx.addIssue({
      code: "custom",
      path: ["thinking", "budget_tokens"],
      message: "budget_tokens must be less than max_tokens",
    });
}

/** A forced tool must be one the request declares. */
function choiceDeclared(
  body: { tools?: AnthropicTool[] | undefined; tool_choice?: AnthropicToolChoice | undefined },
  ctx: z.RefinementCtx,
): void {
  const choice = body.tool_choice;
  if (choice === undefined || choice.type === "auto" || choice.type === "none") return;
  const custom = (body.tools ?? []).filter((t) => (t.type ?? "custom") === "custom");
  if (choice.type === "tool" && !custom.some((t) => t.name === choice.name))
    ctx.addIssue({
      code: "custom",
      path: ["tool_choice", "name"],
      message: `tool_choice names '${choice.name.slice(0, 128)}', which is not among the custom tools declared in tools`,
    });
  else if (choice.type === "any" && custom.length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["tool_choice"],
      message: "tool_choice 'any' needs at least one custom tool in tools",
    });
}

/**
 * Tool blocks where Anthropic allows them: `tool_use` in assistant turns, `tool_result` in user
 * turns answering a `tool_use` sent earlier, whose name the page needs to say what the result is.
 */
function toolBlocksInPlace(body: { messages: AnthropicMessage[] }, ctx: z.RefinementCtx): void {
  const used = new Set<string>();
  body.messages.forEach((message, i) => {
    if (message.role === "system") return;
    message.content.forEach((block, j) => {
      const path = ["messages", i, "content", j];
      if (block.type === "tool_use") {
        used.add(block.id);
        if (message.role !== "assistant")
          ctx.addIssue({
            code: "custom",
            path: [...path, "type"],
            message: "tool_use blocks belong in assistant messages",
          });
      } else if (block.type === "tool_result") {
        if (message.role !== "user")
          ctx.addIssue({
            code: "custom",
            path: [...path, "type"],
            message: "tool_result blocks belong in user messages",
          });
        else if (!used.has(block.tool_use_id))
          ctx.addIssue({
            code: "custom",
            path: [...path, "tool_use_id"],
            message: `unexpected tool_use_id '${block.tool_use_id.slice(0, 128)}': each tool_result must answer a tool_use block of an earlier assistant message`,
          });
      }
    });
  });
}

export const AnthropicMessagesRequestSchema = z
  .object({
    ...requestFields,
    max_tokens: z
      .number({ error: required("an integer") })
      .int()
      .min(1),
    stream: z.boolean().optional(),
  })
  .superRefine(budgetUnderMax)
  .superRefine(choiceDeclared)
  .superRefine(toolBlocksInPlace);
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequestSchema>;

/** The count_tokens body: the same fields, without `max_tokens` (accepted if sent) or `stream`. */
export const AnthropicCountTokensRequestSchema = z
  .object({ ...requestFields, max_tokens: z.number().int().min(1).optional() })
  .superRefine(budgetUnderMax)
  .superRefine(choiceDeclared)
  .superRefine(toolBlocksInPlace);
export type AnthropicCountTokensRequest = z.infer<typeof AnthropicCountTokensRequestSchema>;
