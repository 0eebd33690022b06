import { z } from "zod";
import { ErrorCodeSchema, HostErrorCodeSchema } from "./error-codes.js";
import { ATTACHMENT_REFUSALS, MAX_IMAGE_BASE64 } from "./attachments.js";

/*
 * The job-event vocabulary: what one job produces, from the page's network stream to the
 * client's SSE chunk. It is defined once, here. A host sends each event in a `job.event` frame
 * (protocol.ts); the pool forwards the output and the end unchanged, adds only `queued` and
 * `started`, and turns a host's error into a public one; the Worker's SSE writer and its
 * non-stream gatherer read the same union. A new kind of output (image parts, say) is one more
 * member of `JobOutputEventSchema`, and the compiler then points at every consumer that must
 * handle it.
 */

/** Why an answer ended, in OpenAI's words (the only finish vocabulary in the project). */
export const FinishReasonSchema = z.enum(["stop", "length", "content_filter", "tool_calls"]);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

export const UsageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const WireToolCallSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().min(1),
  name: z.string().min(1),
  /** JSON text of the arguments object. */
  arguments: z.string(),
});
export type WireToolCall = z.infer<typeof WireToolCallSchema>;

// Output: what a client sees as content.

export const TextEventSchema = z.object({ t: z.literal("text"), text: z.string() });
export const ThoughtEventSchema = z.object({ t: z.literal("thought"), text: z.string() });
export const ToolCallsEventSchema = z.object({
  t: z.literal("tool_calls"),
  toolCalls: z.array(WireToolCallSchema).min(1),
});

/**
 * One image of the answer (image models), whole: the page's stream carries each image in one
 * part. Images the model shows only while it thinks (previews) are not sent.
 */
export const ImageEventSchema = z.object({
  t: z.literal("image"),
  mimeType: z.string().regex(/^image\/[a-z0-9.+-]+$/),
  /** Base64, no data: prefix. */
  data: z
    .string()
    .min(1)
    .max(MAX_IMAGE_BASE64)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/),
});
export type ImageEvent = z.infer<typeof ImageEventSchema>;

export const JobOutputEventSchema = z.discriminatedUnion("t", [
  TextEventSchema,
  ThoughtEventSchema,
  ToolCallsEventSchema,
  ImageEventSchema,
]);
export type JobOutputEvent = z.infer<typeof JobOutputEventSchema>;

// The end: exactly one per job, `done` or `error`.

export const DoneEventSchema = z.object({
  t: z.literal("done"),
  finishReason: FinishReasonSchema,
  usage: UsageSchema.optional(),
});
export type DoneEvent = z.infer<typeof DoneEventSchema>;

/** An error as the client may see it: a catalogue code and a message that is safe to show. */
export const ErrorEventSchema = z.object({
  t: z.literal("error"),
  code: ErrorCodeSchema,
  message: z.string(),
  /**
   * For `attachment_refused`: the 0-based place of the refused file among the job's
   * attachments, so the Worker can name its part of the request as the error's `param`.
   */
  attachment: z.number().int().nonnegative().optional(),
});
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;

/** A host's error: only host-side codes, with what the pool needs to decide on a retry. */
export const HostErrorEventSchema = z.object({
  t: z.literal("error"),
  code: HostErrorCodeSchema,
  /** For the operator's log only: the pool never shows a host's text to a client. */
  message: z.string().max(4096),
  retryable: z.boolean(),
  /** Whether any output had been sent for this job; after output nothing is retried. */
  outputStarted: z.boolean(),
  /**
   * For `attachment_refused`: which file (its 0-based place in the job's attachments) and why.
   * The pool names the file to the client from its own copy of the request, not the host's text.
   */
  attachment: z
    .object({
      index: z.number().int().nonnegative(),
      reason: z.enum(ATTACHMENT_REFUSALS),
    })
    .optional(),
});
export type HostErrorEvent = z.infer<typeof HostErrorEventSchema>;

// Progress: no content, only where the job is.

/**
 * Settings the request asked for that the page would not take, by the request's own parameter
 * names; sent before any output, and only by a host in lenient mode (strict hosts fail the job).
 */
export const SettingsDroppedEventSchema = z.object({
  t: z.literal("settings_dropped"),
  settings: z.array(z.string().min(1).max(64)).min(1).max(20),
});

/** The host has the job on a lane (host → pool), or the job runs (pool → Worker). */
export const StartedEventSchema = z.object({
  t: z.literal("started"),
  lane: z.number().int().nonnegative().optional(),
});
/** Added by the pool while the job waits for a free lane. */
export const QueuedEventSchema = z.object({
  t: z.literal("queued"),
  position: z.number().int().positive(),
});

/** What a host reports for a job it runs. */
export const HostJobEventSchema = z.discriminatedUnion("t", [
  StartedEventSchema,
  SettingsDroppedEventSchema,
  TextEventSchema,
  ThoughtEventSchema,
  ToolCallsEventSchema,
  ImageEventSchema,
  DoneEventSchema,
  HostErrorEventSchema,
]);
export type HostJobEvent = z.infer<typeof HostJobEventSchema>;

/** What the pool streams to the Worker for one job, ending with exactly one `done` or `error`. */
export const JobEventSchema = z.discriminatedUnion("t", [
  QueuedEventSchema,
  StartedEventSchema,
  SettingsDroppedEventSchema,
  TextEventSchema,
  ThoughtEventSchema,
  ToolCallsEventSchema,
  ImageEventSchema,
  DoneEventSchema,
  ErrorEventSchema,
]);
export type JobEvent = z.infer<typeof JobEventSchema>;

export const isOutput = (event: { t: string }): event is JobOutputEvent =>
  event.t === "text" || event.t === "thought" || event.t === "tool_calls" || event.t === "image";
