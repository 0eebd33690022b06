import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";

const tooLarge = (maxBytes: number) =>
  new ApiError(
    "request_too_large",
    `The request body is larger than the limit of ${maxBytes} bytes.`,
  );

/**
 * Reads a body into memory, never more than `maxBytes` of it: a declared content-length over
 * the limit is refused unread, and a chunked body is read only until it passes the limit, after
 * which the rest is cancelled rather than drained.
 */
export async function readBounded(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (req.body === null) return new Uint8Array(0);

  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      // The client hung up or broke its chunked encoding mid-body; nobody may be left to answer.
      throw new ApiError("invalid_request", "The request body could not be read to its end.", {
        cause: err,
      });
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      // Tells the sender to stop; the 413 does not wait for that to finish.
      void reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk.value);
  }

  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Buffers the body under MAX_BODY_BYTES (413 past it) for `readJson`. Mounted in each route's
 * chain after its authentication, so a caller without a key or token never gets a byte of its
 * body read, and after the rate limit, so a throttled key's bodies are not read either.
 */
export const bodyLimit = createMiddleware<AppEnv>(async (c, next) => {
  // On the context, not in a copy of the request: the request (and its abort signal, which tells
  // of a client's disconnect) stays the one the runtime handed us.
  c.set("body", await readBounded(c.req.raw, configOf(c.env).MAX_BODY_BYTES));
  await next();
});
