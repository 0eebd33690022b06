import type { AttachmentKind, AttachmentSource, JobAttachment } from "@aistudio-edge/shared";
import { decodeBase64, decodedLength } from "../base64.js";
import type { Config } from "../env.js";
import { badAttachment } from "./attachment-errors.js";
import { ByteBudget } from "./byte-budget.js";
import { parseDataUrl } from "./data-url.js";
import { checkUrl, fetchAttachment, type FetchLimits } from "./fetch-attachment.js";
import { attachmentName } from "./filename.js";
import { ACCEPTED, accepts, mimeFromName, normalizeMime } from "./media-types.js";

/*
 * Turns a request's attachment sources (shared `attachmentSources`) into bytes and the
 * `JobAttachment` each job message carries, at the edge, before the job is queued: a host only
 * ever gets bytes the Worker has checked. Everything that can be checked without the network
 * is checked first, in the request's order (so the same bad request always names the same
 * part); then the http(s) URLs are fetched side by side under one shared byte budget.
 */

export interface ResolvedAttachment {
  attachment: JobAttachment;
  bytes: Uint8Array;
  /** The request's path to the part, for a 400 (and the pool's attachment_refused). */
  param: string;
}

/** Fetches in flight at once (Workers allow six connections per request; the rest would queue). */
const PARALLEL_FETCHES = 4;

interface Pending {
  index: number;
  source: AttachmentSource;
  bytes?: Uint8Array;
  mimeType?: string;
  url: URL | null;
}

export async function resolveAttachments(
  sources: readonly AttachmentSource[],
  config: Config,
  signal: AbortSignal,
): Promise<ResolvedAttachment[]> {
  if (sources.length === 0) return [];
  if (sources.length > config.ATTACHMENTS_MAX_COUNT) {
    const first = sources[config.ATTACHMENTS_MAX_COUNT]!;
    throw badAttachment(
      first.param,
      `the request has ${sources.length} attachments; at most ${config.ATTACHMENTS_MAX_COUNT} are accepted`,
    );
  }
  const budget = new ByteBudget(config.ATTACHMENT_MAX_BYTES, config.ATTACHMENTS_MAX_BYTES);
  const limits: FetchLimits = {
    timeoutMs: config.ATTACHMENT_FETCH_TIMEOUT_MS,
    maxRedirects: config.ATTACHMENT_MAX_REDIRECTS,
    allowPrivate: config.ATTACHMENT_ALLOW_PRIVATE_URLS,
  };

  const pending = sources.map((source, index) => resolveLocally(index, source, budget, limits));
  await fetchAll(
    pending.filter((p) => p.bytes === undefined),
    async (p, abort) => {
      const fetched = await fetchAttachment(
        p.source.param,
        p.source.kind,
        p.url!,
        limits,
        budget,
        abort,
      );
      p.bytes = notEmpty(p.source.param, fetched.bytes);
      p.mimeType = fetched.mimeType;
      p.url = fetched.url;
    },
    signal,
  );

  return Promise.all(
    pending.map(async (p) => {
      const bytes = p.bytes!;
      const mimeType = p.mimeType!;
      return {
        param: p.source.param,
        bytes,
        attachment: {
          kind: p.source.kind,
          mimeType,
          filename: attachmentName(p.index + 1, mimeType, p.source.filename, p.url),
          bytes: bytes.byteLength,
          sha256: await sha256Hex(bytes),
        },
      };
    }),
  );
}

/** Decodes what needs no network and checks the rest; URLs to fetch come back without bytes. */
function resolveLocally(
  index: number,
  source: AttachmentSource,
  budget: ByteBudget,
  limits: FetchLimits,
): Pending {
  const { param, kind, filename } = source;
  const from = source.source;
  switch (from.type) {
    case "file_id":
      throw badAttachment(
        param,
        "file ids are not supported: this endpoint has no file store. Send the file itself in file_data, as base64 or as a data: URL",
      );
    case "base64": {
      budget.check(param, decodedLength(from.data));
      const bytes = decodeBase64(from.data);
      if (bytes === null)
        throw badAttachment(
          param,
          "not valid base64 (standard alphabet, padded with '=', no spaces or line breaks)",
        );
      budget.take(param, bytes.byteLength, bytes.byteLength);
      const mimeType = typeOf(param, kind, from.mimeType, filename, "the data");
      return { index, source, bytes: notEmpty(param, bytes), mimeType, url: null };
    }
    case "url": {
      if (/^data:/i.test(from.url)) {
        const parsed = parseDataUrl(from.url);
        if (!parsed.ok) throw badAttachment(param, `not a valid data: URL: ${parsed.why}`);
        budget.take(param, parsed.bytes.byteLength, parsed.bytes.byteLength);
        const mimeType = typeOf(param, kind, parsed.declaredType, filename, "the data: URL");
        return { index, source, bytes: notEmpty(param, parsed.bytes), mimeType, url: null };
      }
      let url: URL;
      try {
        url = new URL(from.url);
      } catch {
        throw badAttachment(param, "not a URL: expected an http(s) URL or a data: URL");
      }
      checkUrl(param, url, limits);
      return { index, source, url };
    }
  }
}

function notEmpty(param: string, bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === 0) throw badAttachment(param, "the attachment is empty");
  return bytes;
}

/** The type of inline data: as declared, else from the file name, checked against the part. */
function typeOf(
  param: string,
  kind: AttachmentKind,
  declared: string,
  filename: string | undefined,
  what: string,
): string {
  const mimeType = normalizeMime(declared) ?? mimeFromName(filename);
  if (mimeType === null)
    throw badAttachment(
      param,
      kind === "audio"
        ? `the audio format is not one this endpoint knows (use wav, mp3, flac, ogg, aac, m4a or webm)`
        : `cannot tell the type of ${what}: give it a filename with a known extension (such as report.pdf) or send a data: URL with its type`,
    );
  if (!accepts(kind, mimeType))
    throw badAttachment(param, `${what} is ${mimeType}, but this part takes ${ACCEPTED[kind]}`);
  return mimeType;
}

/**
 * Runs the fetches a few at a time. The first failure stops the others (their connections are
 * aborted) and is the one reported; a client that goes away stops them all.
 */
async function fetchAll<T>(
  items: readonly T[],
  run: (item: T, signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  if (items.length === 0) return;
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await run(item, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(new Error("another attachment failed"));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, items.length) }, worker));
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
