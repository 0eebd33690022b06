import { z } from "zod";

/*
 * Files a client sends with its messages (images, audio, PDFs, text files), as a job carries
 * them. The Worker resolves every part at the edge (decodes data URLs, fetches http(s) URLs) and
 * puts only this description into the job; the bytes follow the `job` frame in `job.attachment`
 * frames (protocol.ts), because a Durable Object WebSocket message is capped at 32 MiB and a
 * conversation with screenshots easily passes a few.
 *
 * Attachments are numbered across the whole conversation in the order they appear (the first
 * file of the first message that has one is attachment 1): the host uploads them to the page in
 * that order, and the prompt marks each one's place as `[attachment N: mime]`.
 */

export const ATTACHMENT_KINDS = ["image", "audio", "file"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const JobAttachmentSchema = z.object({
  kind: z.enum(ATTACHMENT_KINDS),
  /** Lower case `type/subtype`, no parameters. */
  mimeType: z
    .string()
    .max(127)
    .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/),
  /** A plain file name (no directories) the page shows; made up from the type when none was given. */
  filename: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\\0]+$/)
    .refine((s) => s !== "." && s !== "..", "not a file name"),
  bytes: z.number().int().positive(),
  /** Lower-case hex SHA-256 of the bytes: the host checks what it reassembled against it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type JobAttachment = z.infer<typeof JobAttachmentSchema>;

/**
 * Base64 as the project sends and takes it: the standard alphabet, padded to a multiple of four,
 * nothing else (`atob` and Node's Buffer would skip whitespace and take unpadded text).
 */
export const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Raw bytes in one `job.attachment` frame (the frame carries them as base64, 4/3 as long). */
export const ATTACHMENT_CHUNK_BYTES = 1024 * 1024;

/**
 * The most one job may carry in attachments, whatever wrangler.toml says: the Worker hands the
 * bytes to the pool in one Durable Object RPC, whose message Cloudflare caps at 32 MiB, and the
 * pool holds them in memory while the job waits.
 */
export const ATTACHMENTS_HARD_CAP_BYTES = 24 * 1024 * 1024;
/** The most files one job may carry, whatever wrangler.toml says. */
export const ATTACHMENTS_HARD_CAP_COUNT = 32;

/** Why the page refused an upload, as a host reports it. */
export const ATTACHMENT_REFUSALS = ["type", "size", "count", "unreadable"] as const;
export type AttachmentRefusal = (typeof ATTACHMENT_REFUSALS)[number];

/**
 * The aspect ratios AI Studio's image models offer (the run settings' "Aspect ratio" select, and
 * the generation config's image output config `[26][0]`).
 */
export const IMAGE_ASPECT_RATIOS = [
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "16:9",
  "21:9",
] as const;
export type ImageAspectRatio = (typeof IMAGE_ASPECT_RATIOS)[number];

/** The longest base64 text one image of an answer may have in a `job.event` frame. */
export const MAX_IMAGE_BASE64 = 24 * 1024 * 1024;
