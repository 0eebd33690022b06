import { z } from "zod";
import { IMAGE_ASPECT_RATIOS } from "./attachments.js";
import { toGeminiSchema, type GeminiSchema } from "./gemini-schema.js";
import { freeForm } from "./schema-fields.js";

/*
 * Google's Gemini API request (v1beta `generateContent`, `streamGenerateContent`, `countTokens`)
 * as clients send it. Google's JSON mapping takes every field in lowerCamelCase or in its proto
 * name (snake_case: `system_instruction`, `inline_data`, `mime_type`), and Google's own curl
 * examples mix the two, so each object renames its own keys to camelCase before validation —
 * one level at a time, never inside free-form values (function arguments, responses, schemas),
 * whose keys belong to the client. Enum values are taken in any case. `null` is "not set", as in
 * proto3 JSON. Unknown fields are stripped; fields that would change the answer in a way AI
 * Studio's page cannot honour (several candidates, a context cache, file stores, tools the page
 * lacks) are refused with the path of the field.
 */

const snakeToCamel = (key: string) =>
  key.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** An object's own keys in camelCase; a camelCase key wins over the snake_case spelling of it. */
function camelKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    if (camel === key || !(camel in value)) out[camel] = field;
  }
  return out;
}

/** A Google message: an object whose keys may come in either spelling. */
const message = <T extends z.ZodRawShape>(shape: T) => z.preprocess(camelKeys, z.object(shape));

/** A Google enum: its value names, upper case, in whatever case the client wrote them. */
const googleEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), z.enum(values));

/**
 * Google's OpenAPI-style `Schema` (upper-case types, `nullable`, `anyOf`, `propertyOrdering`) as
 * the JSON Schema that `toGeminiSchema` reads. Keys it has no use for are kept and dropped
 * there. Bounded by itself: past the depth limit a node is left as it is, and the conversion
 * refuses it for its depth.
 */
export function openApiToJsonSchema(node: unknown, depth = 0): unknown {
  if (typeof node !== "object" || node === null || Array.isArray(node) || depth > 64) return node;
  const out: Record<string, unknown> = {};
  const next = (v: unknown) => openApiToJsonSchema(v, depth + 1);
  for (const [key, value] of Object.entries(node)) {
    const name = key === "any_of" ? "anyOf" : key;
    if (name === "type" && typeof value === "string") {
      const type = value.toLowerCase();
      if (type !== "type_unspecified") out.type = type;
    } else if (name === "properties" && typeof value === "object" && value !== null) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, next(v)]));
    } else if (name === "items") out.items = next(value);
    else if (name === "anyOf" && Array.isArray(value)) out.anyOf = value.map(next);
    else out[name] = value;
  }
  return out;
}

/** A schema field, converted to AI Studio's subset; what cannot convert is refused at its path. */
const pageSchema = (dialect: "openapi" | "json") =>
  freeForm().transform((schema, ctx): GeminiSchema => {
    const converted = toGeminiSchema(dialect === "openapi" ? openApiToJsonSchema(schema) : schema);
    if (converted.ok) return converted.schema;
    ctx.addIssue({ code: "custom", message: converted.message, path: converted.path });
    return z.NEVER;
  });

// Parts.

/** Google's Files API hands out these; there is no file store behind this endpoint. */
const FILES_API_URI = /^https:\/\/generativelanguage\.googleapis\.com\/.*\bfiles\//i;

const BlobSchema = message({
  mimeType: z.string("inlineData needs its mimeType").min(1, "inlineData needs its mimeType"),
  /** Base64, standard or URL-safe (Google's JSON mapping of bytes takes both). */
  data: z.string("inlineData needs its data (base64)").min(1, "inlineData.data is empty"),
  displayName: z.string().nullish(),
});

const FileDataSchema = message({
  mimeType: z.string().nullish(),
  fileUri: z
    .string()
    .min(1)
    .superRefine((uri, ctx) => {
      if (FILES_API_URI.test(uri))
        ctx.addIssue({
          code: "custom",
          message:
            "Google Files API URIs cannot be used here: this endpoint has no file store. Send the file inline (inlineData, base64) or as an http(s) URL",
        });
      else if (/^gs:/i.test(uri))
        ctx.addIssue({
          code: "custom",
          message:
            "Cloud Storage (gs://) URIs cannot be fetched here; send the file inline (inlineData) or as an http(s) URL",
        });
    }),
  displayName: z.string().nullish(),
});

const FUNCTION_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const functionName = () =>
  z.string().regex(FUNCTION_NAME, "a function name is 1-128 letters, digits and _ . : -");

const FunctionCallSchema = message({
  id: z.string().min(1).nullish(),
  name: functionName(),
  args: freeForm().nullish(),
});

/** A file a function response carries (multimodal function responses). */
const FunctionResponsePartSchema = message({
  inlineData: BlobSchema.nullish(),
  fileData: FileDataSchema.nullish(),
});

const FunctionResponseSchema = message({
  id: z.string().min(1).nullish(),
  name: functionName(),
  response: freeForm().nullish(),
  parts: z.array(FunctionResponsePartSchema).nullish(),
  willContinue: z.boolean().nullish(),
  scheduling: z.string().nullish(),
});

/** A part's data fields: exactly one per part (Google's `data` oneof). */
const DATA_FIELDS = [
  "text",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "executableCode",
  "codeExecutionResult",
] as const;

export const GeminiPartSchema = message({
  text: z.string().nullish(),
  /** A thought of an earlier answer: accepted, never sent to the page again. */
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  inlineData: BlobSchema.nullish(),
  fileData: FileDataSchema.nullish(),
  functionCall: FunctionCallSchema.nullish(),
  functionResponse: FunctionResponseSchema.nullish(),
  executableCode: message({ language: z.string().nullish(), code: z.string() }).nullish(),
  codeExecutionResult: message({
    outcome: z.string().nullish(),
    output: z.string().nullish(),
  }).nullish(),
  // Accepted and ignored: the page has no such controls.
  videoMetadata: freeForm().nullish(),
  partMetadata: freeForm().nullish(),
  mediaResolution: z.unknown().optional(),
}).superRefine((part, ctx) => {
  const present = DATA_FIELDS.filter((f) => part[f] !== undefined && part[f] !== null);
  if (present.length > 1)
    ctx.addIssue({
      code: "custom",
      message: `a part holds one kind of data, but this one has ${present.join(" and ")}`,
    });
  // A part with only a thought signature is what some answers end with; it says nothing.
  if (present.length === 0 && !part.thoughtSignature)
    ctx.addIssue({ code: "custom", message: `a part needs one of ${DATA_FIELDS.join(", ")}` });
});
export type GeminiPart = z.infer<typeof GeminiPartSchema>;

const GeminiContentSchema = message({
  role: z.enum(["user", "model", "function"], "a turn's role is user or model").nullish(),
  parts: z.array(GeminiPartSchema).min(1, "a turn needs at least one part"),
}).superRefine((content, ctx) => {
  content.parts.forEach((part, j) => {
    if (content.role === "model" && part.functionResponse)
      ctx.addIssue({
        code: "custom",
        path: ["parts", j, "functionResponse"],
        message: "a functionResponse belongs in a user turn, after the model's functionCall",
      });
    if (content.role !== "model" && part.functionCall)
      ctx.addIssue({
        code: "custom",
        path: ["parts", j, "functionCall"],
        message: "a functionCall belongs in a model turn",
      });
  });
});
export type GeminiContent = z.infer<typeof GeminiContentSchema>;

/**
 * A system instruction: text (and files); any role it names is ignored, as Google does. Some
 * clients send a bare string, which is taken as one text part (rather than a union, whose
 * failure would name only the field and not the part inside it that is wrong).
 */
const SystemInstructionSchema = z.preprocess(
  (v) => (typeof v === "string" ? { parts: [{ text: v }] } : v),
  message({
    role: z.string().nullish(),
    parts: z.array(GeminiPartSchema),
  }).superRefine((content, ctx) => {
    content.parts.forEach((part, j) => {
      for (const field of ["functionCall", "functionResponse"] as const)
        if (part[field])
          ctx.addIssue({
            code: "custom",
            path: ["parts", j, field],
            message: `a system instruction holds text and files, not a ${field}`,
          });
    });
  }),
);

// Generation config.

const THINKING_LEVELS = ["THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"] as const;

const ThinkingConfigSchema = message({
  includeThoughts: z.boolean().nullish(),
  /** Tokens; 0 turns thinking off, -1 lets the model decide (the page's default). */
  thinkingBudget: z.number().int().min(-1).max(1_000_000).nullish(),
  thinkingLevel: googleEnum(THINKING_LEVELS).nullish(),
}).superRefine((config, ctx) => {
  // Google answers 400 for both: they are two ways of saying one thing.
  if (
    config.thinkingBudget !== undefined &&
    config.thinkingBudget !== null &&
    config.thinkingLevel !== undefined &&
    config.thinkingLevel !== null
  )
    ctx.addIssue({
      code: "custom",
      path: ["thinkingLevel"],
      message: "thinkingBudget and thinkingLevel cannot both be set; send one of them",
    });
});

const MODALITIES = ["MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"] as const;

const JSON_TYPE = "application/json";

export const GeminiGenerationConfigSchema = message({
  temperature: z.number().min(0).max(2).nullish(),
  topP: z.number().min(0).max(1).nullish(),
  maxOutputTokens: z.number().int().positive().nullish(),
  stopSequences: z.array(z.string()).max(16).nullish(),
  candidateCount: z
    .number()
    .int()
    .min(1)
    .max(1, "only candidateCount 1 is supported: AI Studio gives one answer per run")
    .nullish(),
  responseMimeType: z.string().nullish(),
  responseSchema: pageSchema("openapi").nullish(),
  responseJsonSchema: pageSchema("json").nullish(),
  /** The spelling the SDKs used before `responseJsonSchema` was public. */
  _responseJsonSchema: pageSchema("json").nullish(),
  responseModalities: z.array(googleEnum(MODALITIES)).nullish(),
  thinkingConfig: ThinkingConfigSchema.nullish(),
  imageConfig: message({
    aspectRatio: z.enum(IMAGE_ASPECT_RATIOS).nullish(),
    imageSize: z.string().nullish(),
  }).nullish(),
  // Accepted for compatibility; the page has no control for these.
  topK: z.number().min(0).nullish(),
  presencePenalty: z.number().nullish(),
  frequencyPenalty: z.number().nullish(),
  seed: z.number().int().nullish(),
  responseLogprobs: z.boolean().nullish(),
  logprobs: z.number().int().nullish(),
  mediaResolution: z.string().nullish(),
  speechConfig: freeForm().nullish(),
  enableEnhancedCivicAnswers: z.boolean().nullish(),
  audioTimestamp: z.boolean().nullish(),
}).superRefine((config, ctx) => {
  const mime = config.responseMimeType?.toLowerCase();
  if (mime === "text/x.enum")
    ctx.addIssue({
      code: "custom",
      path: ["responseMimeType"],
      message:
        "text/x.enum is not supported: AI Studio's page has JSON output only. Use application/json with a string enum schema",
    });
  else if (mime !== undefined && mime !== "text/plain" && mime !== JSON_TYPE)
    ctx.addIssue({
      code: "custom",
      path: ["responseMimeType"],
      message: "responseMimeType must be text/plain or application/json",
    });
  const schemas = (["responseSchema", "responseJsonSchema", "_responseJsonSchema"] as const).filter(
    (f) => config[f] !== undefined && config[f] !== null,
  );
  if (schemas.length > 1)
    ctx.addIssue({
      code: "custom",
      path: [schemas[1]!],
      message: `${schemas.join(" and ")} cannot both be set; send one of them`,
    });
  config.responseModalities?.forEach((modality, i) => {
    if (modality === "AUDIO")
      ctx.addIssue({
        code: "custom",
        path: ["responseModalities", i],
        message:
          "AUDIO output is not supported: AI Studio's chat page answers with text and images",
      });
  });
});
export type GeminiGenerationConfig = z.infer<typeof GeminiGenerationConfigSchema>;

/** The JSON output a config asks for, as the job spells it. */
export function geminiResponseFormat(
  config: GeminiGenerationConfig | null | undefined,
):
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: GeminiSchema } {
  const schema =
    config?.responseSchema ?? config?.responseJsonSchema ?? config?._responseJsonSchema;
  // A schema says JSON even without the mime type (Google would refuse; the intent is plain).
  if (schema) return { type: "json_schema", name: "response", schema };
  return config?.responseMimeType?.toLowerCase() === JSON_TYPE
    ? { type: "json_object" }
    : { type: "text" };
}

// Tools.

const FunctionDeclarationSchema = message({
  name: functionName(),
  description: z.string().nullish(),
  parameters: pageSchema("openapi").nullish(),
  parametersJsonSchema: pageSchema("json").nullish(),
  // What the function returns: the page has nowhere to put it.
  response: freeForm().nullish(),
  responseJsonSchema: freeForm().nullish(),
  behavior: z.string().nullish(),
}).superRefine((declaration, ctx) => {
  if (declaration.parameters && declaration.parametersJsonSchema)
    ctx.addIssue({
      code: "custom",
      path: ["parametersJsonSchema"],
      message: "parameters and parametersJsonSchema cannot both be set; send one of them",
    });
});

/** Tools Google offers that AI Studio's page has no switch for. */
const UNAVAILABLE_TOOLS = [
  "googleMaps",
  "computerUse",
  "fileSearch",
  "mcpServers",
  "retrieval",
  "enterpriseWebSearch",
] as const;

const GeminiToolSchema = message({
  functionDeclarations: z.array(FunctionDeclarationSchema).nullish(),
  googleSearch: freeForm().nullish(),
  /** Gemini 1.5's spelling of grounding with Google Search. */
  googleSearchRetrieval: freeForm().nullish(),
  urlContext: freeForm().nullish(),
  codeExecution: freeForm().nullish(),
  googleMaps: z.unknown().optional(),
  computerUse: z.unknown().optional(),
  fileSearch: z.unknown().optional(),
  mcpServers: z.unknown().optional(),
  retrieval: z.unknown().optional(),
  enterpriseWebSearch: z.unknown().optional(),
}).superRefine((tool, ctx) => {
  for (const name of UNAVAILABLE_TOOLS)
    if (tool[name] !== undefined && tool[name] !== null)
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `the ${name} tool is not available on AI Studio's page; declare functions, googleSearch, urlContext or codeExecution`,
      });
});

const CALLING_MODES = ["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"] as const;

const ToolConfigSchema = message({
  functionCallingConfig: message({
    mode: googleEnum(CALLING_MODES).nullish(),
    allowedFunctionNames: z.array(z.string()).nullish(),
  }).nullish(),
  retrievalConfig: freeForm().nullish(),
  includeServerSideToolInvocations: z.boolean().nullish(),
});

// Requests.

const generateContentShape = {
  /** Only in countTokens' `generateContentRequest`; the URL names the model. */
  model: z.string().nullish(),
  contents: z.array(GeminiContentSchema).min(1, "contents must hold at least one turn"),
  systemInstruction: SystemInstructionSchema.nullish(),
  tools: z.array(GeminiToolSchema).nullish(),
  toolConfig: ToolConfigSchema.nullish(),
  // Accepted and ignored: the page's safety settings are off (facts §1.2).
  safetySettings: z.array(freeForm()).nullish(),
  generationConfig: GeminiGenerationConfigSchema.nullish(),
  cachedContent: z.string().nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  serviceTier: z.string().nullish(),
};

type GenerateContentShape = z.infer<z.ZodObject<typeof generateContentShape>>;

/** What only the whole request can say is wrong. */
function checkRequest(req: GenerateContentShape, ctx: z.RefinementCtx): void {
  if (req.cachedContent !== undefined && req.cachedContent !== null)
    ctx.addIssue({
      code: "custom",
      path: ["cachedContent"],
      message: "context caching is not supported: this endpoint has no cache; send the contents",
    });
  const declared = new Set(
    (req.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name)),
  );
  const calling = req.toolConfig?.functionCallingConfig;
  calling?.allowedFunctionNames?.forEach((name, k) => {
    if (!declared.has(name))
      ctx.addIssue({
        code: "custom",
        path: ["toolConfig", "functionCallingConfig", "allowedFunctionNames", k],
        message: `no function named '${name.slice(0, 128)}' is declared in tools`,
      });
  });
  if (calling?.mode === "ANY" && declared.size === 0)
    ctx.addIssue({
      code: "custom",
      path: ["toolConfig", "functionCallingConfig", "mode"],
      message: "mode ANY needs at least one function declaration in tools",
    });
}

export const GeminiGenerateContentRequestSchema =
  message(generateContentShape).superRefine(checkRequest);
export type GeminiGenerateContentRequest = z.infer<typeof GeminiGenerateContentRequestSchema>;

/** `countTokens`: bare `contents`, or a whole `generateContentRequest` (tools and all). */
export const GeminiCountTokensRequestSchema = message({
  contents: z.array(GeminiContentSchema).min(1, "contents must hold at least one turn").nullish(),
  generateContentRequest: GeminiGenerateContentRequestSchema.nullish(),
}).superRefine((req, ctx) => {
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(req.contents) === has(req.generateContentRequest))
    ctx.addIssue({
      code: "custom",
      path: has(req.contents) ? ["generateContentRequest"] : [],
      message: "send either contents or generateContentRequest, not both and not neither",
    });
});
export type GeminiCountTokensRequest = z.infer<typeof GeminiCountTokensRequestSchema>;
