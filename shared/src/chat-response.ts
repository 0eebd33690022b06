import { z } from "zod";
import { FinishReasonSchema as FinishReason } from "./job-events.js";

/*
 * The OpenAI response shapes we produce. Schemas rather than bare types so tests (and any
 * client of ours) can check that what we send is what OpenAI clients expect.
 */

const ToolCallDeltaSchema = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string().optional(), arguments: z.string().optional() }),
});

/**
 * One image of an answer, as OpenRouter returns them (`message.images`, `delta.images`): the
 * image inline as a `data:` URL, because nothing is stored to serve it from.
 */
export const ImageOutputSchema = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().startsWith("data:image/") }),
});
export type ImageOutput = z.infer<typeof ImageOutputSchema>;

export const CompletionUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int() }).optional(),
});
export type CompletionUsage = z.infer<typeof CompletionUsageSchema>;

/** What every completion and every chunk of one carries. */
const completionIdentity = {
  id: z.string(),
  created: z.number().int(),
  model: z.string(),
  system_fingerprint: z.string().nullable().optional(),
};

export const ChatCompletionChunkSchema = z.object({
  ...completionIdentity,
  object: z.literal("chat.completion.chunk"),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({
        role: z.literal("assistant").optional(),
        content: z.string().nullable().optional(),
        reasoning_content: z.string().optional(),
        tool_calls: z.array(ToolCallDeltaSchema).optional(),
        images: z.array(ImageOutputSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: FinishReason.nullable(),
    }),
  ),
  usage: CompletionUsageSchema.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

export const ChatCompletionSchema = z.object({
  ...completionIdentity,
  object: z.literal("chat.completion"),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({
        role: z.literal("assistant"),
        content: z.string().nullable(),
        refusal: z.null(),
        reasoning_content: z.string().optional(),
        tool_calls: z
          .array(
            z.object({
              id: z.string(),
              type: z.literal("function"),
              function: z.object({ name: z.string(), arguments: z.string() }),
            }),
          )
          .optional(),
        images: z.array(ImageOutputSchema).optional(),
      }),
      logprobs: z.null(),
      finish_reason: FinishReason,
    }),
  ),
  usage: CompletionUsageSchema.optional(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** What a model answers with; OpenRouter's field name, which OpenAI's clients ignore. */
export const OutputModalitySchema = z.enum(["text", "image"]);

export const ModelSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
  output_modalities: z.array(OutputModalitySchema).optional(),
});
export type Model = z.infer<typeof ModelSchema>;

export const ModelListSchema = z.object({
  object: z.literal("list"),
  data: z.array(ModelSchema),
});
export type ModelList = z.infer<typeof ModelListSchema>;
