import type { AttachmentKind } from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import { badAttachment, displayUrl, scrubReason } from "./attachment-errors.js";
import type { ByteBudget } from "./byte-budget.js";
import { accepts, ACCEPTED, mimeFromName, normalizeMime } from "./media-types.js";
import { privateHostReason } from "./private-address.js";
import { urlName } from "./filename.js";

/*
 * Fetches one http(s) attachment for a request: one deadline for the whole of it (redirects and
 * body included), redirects followed by hand so every hop is checked again (scheme, private
 * address), the type checked against what the part may carry, and the body read only as far as
 * the caps allow — a server that sends more is cut off, never buffered.
 */

export interface FetchLimits {
  timeoutMs: number;
  maxRedirects: number;
  allowPrivate: boolean;
}

export interface Fetched {
  bytes: Uint8Array;
  mimeType: string;
  /** Where the bytes came from in the end (after redirects), for the file name. */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const ACCEPT: Record<AttachmentKind, string> = {
  image: "image/*",
  audio: "audio/*",
  file: "application/pdf, text/*, application/json, image/*, audio/*;q=0.9, */*;q=0.1",
};

/** Refuses a URL the Worker must not fetch: another scheme, or (by default) a private host. */
export function checkUrl(param: string, url: URL, limits: Pick<FetchLimits, "allowPrivate">): void {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw badAttachment(
      param,
      `only http(s) URLs and data: URLs are accepted, not ${url.protocol.replace(/:$/, "")}: URLs`,
    );
  if (!limits.allowPrivate) {
    const why = privateHostReason(url.hostname);
    if (why !== null)
      throw badAttachment(
        param,
        `${displayUrl(url)} is not fetched: ${why}, and URLs on private networks are refused`,
      );
  }
}

export async function fetchAttachment(
  param: string,
  kind: AttachmentKind,
  start: URL,
  limits: FetchLimits,
  budget: ByteBudget,
  signal: AbortSignal,
): Promise<Fetched> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timed out"));
  }, limits.timeoutMs);
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });

  const unreachable = (url: URL, why: string) =>
    badAttachment(param, `could not fetch ${displayUrl(url)}: ${why}`);
  /** A thrown fetch or read error as the client's 400 (or the client's own going away). */
  const failed = (url: URL, err: unknown): ApiError => {
    if (err instanceof ApiError) return err;
    if (timedOut) return unreachable(url, `no complete answer within ${limits.timeoutMs} ms`);
    if (signal.aborted)
      return new ApiError("cancelled", "The client went away while its attachments were fetched.");
    return unreachable(url, scrubReason(err instanceof Error ? err.message : String(err)));
  };

  let url = start;
  try {
    for (let hops = 0; ; hops++) {
      checkUrl(param, url, limits);
      let res: Response;
      try {
        res = await fetch(url, {
          redirect: "manual",
          signal: controller.signal,
          headers: { accept: ACCEPT[kind], "user-agent": "aistudio-edge (attachment fetch)" },
        });
      } catch (err) {
        throw failed(url, err);
      }
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get("location");
        if (location === null) throw unreachable(url, `HTTP ${res.status} without a Location`);
        if (hops >= limits.maxRedirects)
          throw unreachable(start, `more than ${limits.maxRedirects} redirects`);
        try {
          url = new URL(location, url);
        } catch {
          throw unreachable(url, `HTTP ${res.status} to a Location that is not a URL`);
        }
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw unreachable(url, `HTTP ${res.status}`);
      }
      const declared = res.headers.get("content-type");
      const mimeType = normalizeMime(declared) ?? mimeFromName(urlName(url) ?? undefined);
      if (mimeType === null) {
        await res.body?.cancel().catch(() => undefined);
        throw badAttachment(
          param,
          `${displayUrl(url)} has no usable content type (${declared === null ? "none" : `'${scrubReason(declared)}'`}) and its name has no known extension; expected ${ACCEPTED[kind]}`,
        );
      }
      if (!accepts(kind, mimeType)) {
        await res.body?.cancel().catch(() => undefined);
        throw badAttachment(
          param,
          `${displayUrl(url)} is ${mimeType}, but this part takes ${ACCEPTED[kind]}`,
        );
      }
      try {
        return { bytes: await readCapped(param, res, budget), mimeType, url };
      } catch (err) {
        throw failed(url, err);
      }
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/** The body, read chunk by chunk and given up on as soon as a cap is passed. */
async function readCapped(param: string, res: Response, budget: ByteBudget): Promise<Uint8Array> {
  const length = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(length)) budget.check(param, length);
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      budget.take(param, value.byteLength, size);
      chunks.push(value);
    }
  } catch (err) {
    // Stops the server's send rather than draining it; the error says why.
    void reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
