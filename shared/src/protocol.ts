import { z } from "zod";
import { HostJobEventSchema } from "./job-events.js";
import { JobRequestSchema } from "./job-request.js";
import { ATTACHMENT_CHUNK_BYTES, ATTACHMENTS_HARD_CAP_COUNT } from "./attachments.js";
import {
  SignInFrameFrameSchema,
  SignInInputFrameSchema,
  SignInStartFrameSchema,
  SignInStateFrameSchema,
  SignInStopFrameSchema,
  SnapshotEndFrameSchema,
  SnapshotPartFrameSchema,
  SnapshotRequestFrameSchema,
} from "./operator-frames.js";

/*
 * The host ⇄ pool protocol: JSON text frames `{ v, type, … }` over the WebSocket
 * that a browser host dials out to the pool. Both ends parse every frame with these schemas; an
 * unknown type or a malformed frame is a protocol error that is answered with `protocol.error`,
 * never ignored. A host and a Worker are deployed separately, so a hello in another version is
 * refused with a close that names both versions. Heartbeats are the bare text `ping`/`pong`,
 * outside this schema, so the pool can answer them without waking (Durable Object
 * auto-response).
 *
 * Version 2 (from 1): a job's frames are one envelope, `job.event`, carrying the job-event
 * vocabulary of job-events.ts; hosts report only host-side error codes; `status` carries no
 * quota cool-downs (the pool owns them); `hello` carries the host process's instance id.
 *
 * Version 3 (from 2): messages carry attachment descriptions and the bytes follow the `job`
 * frame in `job.attachment` frames; answers may carry `image` events; a host's error may name
 * the attachment the page refused; hosts announce which models answer with images.
 *
 * Version 4 (from 3): the operator's frames of operator-frames.ts — remote sign-in
 * (`signin.start` / `.input` / `.stop` to the host, `signin.frame` / `.state` back) and failure
 * snapshots fetched on demand (`snapshot.request`, answered by `snapshot.part`… `snapshot.end`).
 *
 * Version 5 (from 4): a job may be count-only (`request.countTokens`): the host answers with the
 * page's token count in `done`'s usage and never presses Run. A v4 host would ignore the flag and
 * really run the prompt, so it is refused at hello.
 */

export const PROTOCOL_VERSION = 5;
export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";

/** WebSocket close codes with a meaning a host acts on. */
export const CLOSE_CODES = {
  /** The frame broke the protocol, or the socket sent more than its frame budget. */
  policy: 1008,
  /** Another process connected with the same host id; this one must not redial. */
  replaced: 4009,
  /** The peer speaks another protocol version; redialling will not help until one is upgraded. */
  version: 4010,
} as const;

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
  /** The model answers with images (and text): the image door and `message.images` use it. */
  imageOutput: z.boolean().optional(),
});
export type HostModel = z.infer<typeof HostModelSchema>;

export const HostStateSchema = z.enum(["ready", "degraded", "auth_expired", "draining"]);
export type HostState = z.infer<typeof HostStateSchema>;

// host → pool

export const HelloFrameSchema = z.object({
  v,
  type: z.literal("hello"),
  hostId: z.string().min(1).max(128),
  /**
   * Random per host process. The same id again is that process reconnecting (its old link may be
   * half-dead); another one under the same host id is a second process, which replaces the first.
   */
  instanceId: z.string().min(1).max(64),
  version: z.string().max(64),
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
  /** Lanes that are healthy (idle or running a job). */
  lanes: z.number().int().nonnegative().max(256),
  /**
   * Lanes idle and able to take a job now. A lane still busy after its job ended (saving a
   * failure snapshot, being rebuilt) is not free; the pool never dispatches past this count.
   */
  freeLanes: z.number().int().nonnegative().max(256),
  detail: z.string().max(1024).optional(),
  models: z.array(HostModelSchema).optional(),
});

/** One event of one job: the envelope every job frame from a host has. */
export const JobEventFrameSchema = z.object({
  v,
  type: z.literal("job.event"),
  jobId,
  seq,
  event: HostJobEventSchema,
});

/** Either side may answer a frame it cannot accept. */
export const ProtocolErrorFrameSchema = z.object({
  v,
  type: z.literal("protocol.error"),
  message: z.string().max(2048),
  jobId: jobId.optional(),
});

export const HostSignInFrameSchema = SignInFrameFrameSchema.extend({ v });
export const HostSignInStateFrameSchema = SignInStateFrameSchema.extend({ v });
export const HostSnapshotPartFrameSchema = SnapshotPartFrameSchema.extend({ v });
export const HostSnapshotEndFrameSchema = SnapshotEndFrameSchema.extend({ v });

export const HostFrameSchema = z.discriminatedUnion("type", [
  HelloFrameSchema,
  StatusFrameSchema,
  JobEventFrameSchema,
  ProtocolErrorFrameSchema,
  HostSignInFrameSchema,
  HostSignInStateFrameSchema,
  HostSnapshotPartFrameSchema,
  HostSnapshotEndFrameSchema,
]);
export type HostFrame = z.infer<typeof HostFrameSchema>;
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type StatusFrame = z.infer<typeof StatusFrameSchema>;
export type JobEventFrame = z.infer<typeof JobEventFrameSchema>;

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
/**
 * A piece of one attachment's bytes. The pool sends them right after the `job` frame, each
 * attachment's pieces in order, every piece but an attachment's last exactly
 * ATTACHMENT_CHUNK_BYTES long; the host starts the job once every attachment is whole and its
 * SHA-256 matches.
 */
export const JobAttachmentFrameSchema = z.object({
  v,
  type: z.literal("job.attachment"),
  jobId,
  seq,
  /** 0-based place of the attachment in the job (conversation order). */
  index: z
    .number()
    .int()
    .nonnegative()
    .max(ATTACHMENTS_HARD_CAP_COUNT - 1),
  /** Where this piece starts in the attachment's bytes. */
  offset: z.number().int().nonnegative(),
  /** Base64 of at most ATTACHMENT_CHUNK_BYTES bytes. */
  data: z
    .string()
    .min(1)
    .max(Math.ceil(ATTACHMENT_CHUNK_BYTES / 3) * 4),
});
export const JobCancelFrameSchema = z.object({
  v,
  type: z.literal("job.cancel"),
  jobId,
  seq,
  reason: z.string(),
});
export const DrainFrameSchema = z.object({
  v,
  type: z.literal("drain"),
  reason: z.string().optional(),
});

export const PoolSignInStartFrameSchema = SignInStartFrameSchema.extend({ v });
export const PoolSignInInputFrameSchema = SignInInputFrameSchema.extend({ v });
export const PoolSignInStopFrameSchema = SignInStopFrameSchema.extend({ v });
export const PoolSnapshotRequestFrameSchema = SnapshotRequestFrameSchema.extend({ v });

export const PoolFrameSchema = z.discriminatedUnion("type", [
  WelcomeFrameSchema,
  JobFrameSchema,
  JobAttachmentFrameSchema,
  JobCancelFrameSchema,
  DrainFrameSchema,
  ProtocolErrorFrameSchema,
  PoolSignInStartFrameSchema,
  PoolSignInInputFrameSchema,
  PoolSignInStopFrameSchema,
  PoolSnapshotRequestFrameSchema,
]);
export type PoolFrame = z.infer<typeof PoolFrameSchema>;
export type JobFrame = z.infer<typeof JobFrameSchema>;
export type JobAttachmentFrame = z.infer<typeof JobAttachmentFrameSchema>;

export type FrameResult<T> =
  | { ok: true; frame: T }
  /** `version` is set when the frame was well formed but in another protocol version. */
  | { ok: false; error: string; version?: unknown };

function parseFrame<T>(schema: z.ZodType<T>, text: string): FrameResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
  if (typeof raw !== "object" || raw === null)
    return { ok: false, error: "frame is not a JSON object" };
  const version = (raw as { v?: unknown }).v;
  if (version !== PROTOCOL_VERSION) {
    return {
      ok: false,
      version,
      error: `protocol version ${JSON.stringify(version)} is not supported; this side speaks ${PROTOCOL_VERSION}`,
    };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const type = (raw as { type?: unknown }).type;
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  return {
    ok: false,
    error: `bad ${typeof type === "string" ? `"${type}"` : "untyped"} frame${where}: ${issue?.message ?? "invalid"}`,
  };
}

/** Parses a frame a host sent; used by the pool. */
export const parseHostFrame = (text: string): FrameResult<HostFrame> =>
  parseFrame(HostFrameSchema, text);
/** Parses a frame the pool sent; used by hosts. */
export const parsePoolFrame = (text: string): FrameResult<PoolFrame> =>
  parseFrame(PoolFrameSchema, text);

type Without<T> = T extends unknown ? Omit<T, "v"> : never;
/** A frame as a host builds it; `encodeFrame` adds the version. */
export type OutHostFrame = Without<z.input<typeof HostFrameSchema>>;
/** A frame as the pool builds it. */
export type OutPoolFrame = Without<PoolFrame>;
/** Serialises a frame, adding the protocol version. */
export function encodeFrame(frame: OutHostFrame | OutPoolFrame): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...frame });
}
