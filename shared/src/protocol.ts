import { z } from "zod";
import { ErrorCodeSchema } from "./error-codes.js";
import { JobRequestSchema } from "./job-request.js";

/*
 * The host ⇄ pool protocol, version 1: JSON text frames `{ v: 1, type, … }` over the WebSocket
 * that a browser host dials out to the pool. Both ends parse every frame with these schemas; an
 * unknown type or a malformed frame is a protocol error that is answered with `protocol.error`,
 * never ignored. Heartbeats are the bare text `ping`/`pong`, outside this schema, so the pool can
 * answer them without waking (Durable Object auto-response).
 */

export const PROTOCOL_VERSION = 1;
export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";

const v = z.literal(PROTOCOL_VERSION);
const jobId = z.string().min(1).max(128);
const seq = z.number().int().nonnegative();

export const ThinkingKindSchema = z.enum(["none", "budget", "level"]);

export const HostModelSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().optional(),
  inputTokenLimit: z.number().int().positive().optional(),
  outputTokenLimit: z.number().int().positive().optional(),
  thinking: ThinkingKindSchema.optional(),
});
export type HostModel = z.infer<typeof HostModelSchema>;

export const HostStateSchema = z.enum(["ready", "degraded", "auth_expired", "draining"]);
export type HostState = z.infer<typeof HostStateSchema>;

export const CooldownSchema = z.object({ model: z.string(), until: z.number().int() });

export const UsageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const FinishReasonSchema = z.enum(["stop", "length", "content_filter", "tool_calls"]);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

export const WireToolCallSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().min(1),
  name: z.string().min(1),
  /** JSON text of the arguments object. */
  arguments: z.string(),
});
export type WireToolCall = z.infer<typeof WireToolCallSchema>;

// host → pool

export const HelloFrameSchema = z.object({
  v,
  type: z.literal("hello"),
  hostId: z.string().min(1).max(128),
  version: z.string(),
  /** Lanes (pages) this host runs; each takes one job at a time. */
  lanes: z.number().int().nonnegative().max(256),
  models: z.array(HostModelSchema),
  profileId: z.string().optional(),
  egressCountry: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const StatusFrameSchema = z.object({
  v,
  type: z.literal("status"),
  state: HostStateSchema,
  /** Lanes that are healthy and can take jobs; the pool subtracts the jobs it has assigned. */
  lanes: z.number().int().nonnegative().max(256),
  freeLanes: z.number().int().nonnegative(),
  detail: z.string().optional(),
  cooldowns: z.array(CooldownSchema).optional(),
  models: z.array(HostModelSchema).optional(),
});

export const JobStartedFrameSchema = z.object({ v, type: z.literal("job.started"), jobId, seq, lane: z.number().int().optional() });
export const JobDeltaFrameSchema = z
  .object({ v, type: z.literal("job.delta"), jobId, seq, text: z.string().optional(), thought: z.string().optional() })
  .refine((f) => f.text !== undefined || f.thought !== undefined, "job.delta needs text or thought");
export const JobToolCallsFrameSchema = z.object({
  v,
  type: z.literal("job.tool_calls"),
  jobId,
  seq,
  toolCalls: z.array(WireToolCallSchema).min(1),
});
export const JobDoneFrameSchema = z.object({
  v,
  type: z.literal("job.done"),
  jobId,
  seq,
  finishReason: FinishReasonSchema,
  usage: UsageSchema.optional(),
});
export const JobErrorFrameSchema = z.object({
  v,
  type: z.literal("job.error"),
  jobId,
  seq,
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean(),
  /** Whether any delta had been sent for this job; after output nothing is retried. */
  outputStarted: z.boolean(),
});

/** Either side may answer a frame it cannot accept. */
export const ProtocolErrorFrameSchema = z.object({
  v,
  type: z.literal("protocol.error"),
  message: z.string(),
  jobId: jobId.optional(),
});

export const HostFrameSchema = z.discriminatedUnion("type", [
  HelloFrameSchema,
  StatusFrameSchema,
  JobStartedFrameSchema,
  JobDeltaFrameSchema,
  JobToolCallsFrameSchema,
  JobDoneFrameSchema,
  JobErrorFrameSchema,
  ProtocolErrorFrameSchema,
]);
export type HostFrame = z.infer<typeof HostFrameSchema>;
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type StatusFrame = z.infer<typeof StatusFrameSchema>;
export type HostJobFrame = Extract<HostFrame, { jobId: string; seq: number }>;

// pool → host

export const WelcomeFrameSchema = z.object({
  v,
  type: z.literal("welcome"),
  poolId: z.string(),
  heartbeatMs: z.number().int().positive(),
});
export const JobFrameSchema = z.object({
  v,
  type: z.literal("job"),
  jobId,
  seq,
  /** Epoch milliseconds after which the pool gives the job up. */
  deadline: z.number().int(),
  request: JobRequestSchema,
});
export const JobCancelFrameSchema = z.object({
  v,
  type: z.literal("job.cancel"),
  jobId,
  seq,
  reason: z.string(),
});
export const DrainFrameSchema = z.object({ v, type: z.literal("drain"), reason: z.string().optional() });

export const PoolFrameSchema = z.discriminatedUnion("type", [
  WelcomeFrameSchema,
  JobFrameSchema,
  JobCancelFrameSchema,
  DrainFrameSchema,
  ProtocolErrorFrameSchema,
]);
export type PoolFrame = z.infer<typeof PoolFrameSchema>;
export type JobFrame = z.infer<typeof JobFrameSchema>;

export type FrameResult<T> = { ok: true; frame: T } | { ok: false; error: string };

function parseFrame<T>(schema: z.ZodType<T>, text: string): FrameResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
  if (typeof raw !== "object" || raw === null) return { ok: false, error: "frame is not a JSON object" };
  const version = (raw as { v?: unknown }).v;
  if (version !== PROTOCOL_VERSION) {
    return { ok: false, error: `protocol version ${JSON.stringify(version)} is not supported; this side speaks ${PROTOCOL_VERSION}` };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const type = (raw as { type?: unknown }).type;
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  return { ok: false, error: `bad ${typeof type === "string" ? `"${type}"` : "untyped"} frame${where}: ${issue?.message ?? "invalid"}` };
}

/** Parses a frame a host sent; used by the pool. */
export const parseHostFrame = (text: string): FrameResult<HostFrame> => parseFrame(HostFrameSchema, text);
/** Parses a frame the pool sent; used by hosts. */
export const parsePoolFrame = (text: string): FrameResult<PoolFrame> => parseFrame(PoolFrameSchema, text);

type Without<T> = T extends unknown ? Omit<T, "v"> : never;
/** Serialises a frame, adding the protocol version. */
export function encodeFrame(frame: Without<HostFrame> | Without<PoolFrame>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...frame });
}
