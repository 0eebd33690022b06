import { z } from "zod";

/*
 * The operator's frames of protocol v4: remote sign-in (a host streams the screen of a fresh
 * browser context on Google's sign-in page, the console sends input back) and failure snapshots
 * fetched on demand. protocol.ts puts them in the frame unions; the version field is added there.
 *
 * Trust: the pool sends a host only the input of a session it opened on that host's socket, and
 * takes frames and snapshot parts only from the socket it asked. Typed text travels only inside
 * `signin.input` frames and is never logged by either side.
 */

/** A sign-in session's id, made by the pool. */
const sessionId = z.string().min(1).max(64);
/** A snapshot request's id, made by the pool. */
const requestId = z.string().min(1).max(64);
/** A job's wire id as the pool issues it: `job_<32 hex>` and `.N` for a retry. */
export const WIRE_JOB_ID = /^job_[0-9a-f]{32}(\.\d{1,2})?$/;

/** Coordinates in CSS pixels of the streamed viewport. */
const coord = z.number().finite().min(0).max(10_000);
/** Bit field as DevTools' Input domain takes it: Alt=1, Ctrl=2, Meta=4, Shift=8. */
const modifiers = z.number().int().min(0).max(15).default(0);

export const MouseInputSchema = z.object({
  kind: z.literal("mouse"),
  action: z.enum(["down", "up", "move"]),
  x: coord,
  y: coord,
  button: z.enum(["none", "left", "middle", "right"]).default("left"),
  clickCount: z.number().int().min(0).max(3).default(1),
  modifiers,
});
export const WheelInputSchema = z.object({
  kind: z.literal("wheel"),
  x: coord,
  y: coord,
  deltaX: z.number().finite().min(-10_000).max(10_000),
  deltaY: z.number().finite().min(-10_000).max(10_000),
});
export const KeyInputSchema = z.object({
  kind: z.literal("key"),
  action: z.enum(["down", "up"]),
  /** KeyboardEvent.key: "a", "Enter", "Backspace", "ArrowLeft"… */
  key: z.string().min(1).max(32),
  /** KeyboardEvent.code: "KeyA", "Enter"… */
  code: z.string().max(32).default(""),
  modifiers,
});
/** Pasted (or composed) text, inserted at the caret as DevTools' Input.insertText does. */
export const TextInputSchema = z.object({
  kind: z.literal("text"),
  text: z.string().min(1).max(2048),
});
export const SignInInputSchema = z.discriminatedUnion("kind", [
  MouseInputSchema,
  WheelInputSchema,
  KeyInputSchema,
  TextInputSchema,
]);
export type SignInInput = z.infer<typeof SignInInputSchema>;

export const SignInViewportSchema = z.object({
  width: z.number().int().min(320).max(1920),
  height: z.number().int().min(320).max(1200),
});
export type SignInViewport = z.infer<typeof SignInViewportSchema>;

/** The largest JPEG frame a host may send (base64 characters). */
export const SIGNIN_FRAME_MAX_BASE64 = 1_500_000;

/**
 * Where a sign-in session is. `opened`: the screen is streaming. `signed_in`: AI Studio loaded
 * signed in and the profile was saved (the host reopens its lanes next). `failed`: it could not
 * go on (detail says why). `closed`: ended by a stop, by the idle timeout, or by the host.
 */
export const SignInStateSchema = z.enum(["opened", "signed_in", "failed", "closed"]);
export type SignInState = z.infer<typeof SignInStateSchema>;

// pool → host

export const SignInStartFrameSchema = z.object({
  type: z.literal("signin.start"),
  sessionId,
  viewport: SignInViewportSchema,
});
export const SignInInputFrameSchema = z.object({
  type: z.literal("signin.input"),
  sessionId,
  input: SignInInputSchema,
});
export const SignInStopFrameSchema = z.object({
  type: z.literal("signin.stop"),
  sessionId,
  reason: z.string().max(256),
});
/** Asks the host for the failure snapshot it saved for one job attempt. */
export const SnapshotRequestFrameSchema = z.object({
  type: z.literal("snapshot.request"),
  requestId,
  jobId: z.string().regex(WIRE_JOB_ID, "expected a job wire id"),
});

// host → pool

export const SignInFrameFrameSchema = z.object({
  type: z.literal("signin.frame"),
  sessionId,
  seq: z.number().int().nonnegative(),
  /** Base64 JPEG of the viewport. */
  data: z.string().min(1).max(SIGNIN_FRAME_MAX_BASE64),
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
});
export const SignInStateFrameSchema = z.object({
  type: z.literal("signin.state"),
  sessionId,
  state: SignInStateSchema,
  /** For the operator: why it failed or closed, or the profile that was saved. Never typed text. */
  detail: z.string().max(512).optional(),
  /** The page's origin and path (no query: it can carry the e-mail), for the console's address bar. */
  location: z.string().max(256).optional(),
});

/** The files of a failure snapshot the console can show (snapshots.ts writes them). */
export const SNAPSHOT_FILES = [
  "error.json",
  "screenshot.png",
  "dom.html",
  "console.log",
  "network.json",
] as const;
export const SnapshotFileNameSchema = z.enum(SNAPSHOT_FILES);
export type SnapshotFileName = z.infer<typeof SnapshotFileNameSchema>;
/** Bytes of one snapshot file per `snapshot.part` frame (the last piece may be shorter). */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** What a host sends of one file at most; longer files are cut (a DOM can be large). */
export const SNAPSHOT_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** A piece of one snapshot file: each file's pieces in order, every piece but its last full. */
export const SnapshotPartFrameSchema = z.object({
  type: z.literal("snapshot.part"),
  requestId,
  file: SnapshotFileNameSchema,
  offset: z.number().int().nonnegative().max(SNAPSHOT_FILE_MAX_BYTES),
  data: z
    .string()
    .max(Math.ceil(SNAPSHOT_CHUNK_BYTES / 3) * 4)
    .default(""),
});
/** The end of a snapshot's answer: `found` false when this host has none for the job. */
export const SnapshotEndFrameSchema = z.object({
  type: z.literal("snapshot.end"),
  requestId,
  found: z.boolean(),
  /** Files cut at SNAPSHOT_FILE_MAX_BYTES. */
  truncated: z.array(SnapshotFileNameSchema).default([]),
});
