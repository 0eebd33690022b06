import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError, retryAfter } from "../errors.js";
import { onStreamEnd } from "../stream-end.js";

/** OpenAI's duration style for `x-ratelimit-reset-*`: `20ms`, `1s`, `6m0s`. */
export function formatReset(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/**
 * Counts the request against its key's requests-per-minute bucket and, with `lease`, takes one
 * of its concurrent slots for as long as the response body lasts (a stream holds its slot until
 * its last byte or the client's disconnect). Sets the `x-ratelimit-*` headers before any byte.
 */
export const rateLimit = (options: { lease: boolean }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.get("apiKey");
    const config = configOf(c.env);
    const limiter = c.env.KEY_LIMITER.get(c.env.KEY_LIMITER.idFromName(key.id));
    const decision = await limiter.acquire({
      rpm: key.rpm,
      concurrency: key.concurrency,
      lease: options.lease,
      leaseTtlMs: config.QUEUE_TIMEOUT_MS + config.JOB_DEADLINE_MS + 60_000,
    });

    c.header("x-ratelimit-limit-requests", String(decision.limit));
    c.header("x-ratelimit-remaining-requests", String(decision.remaining));
    c.header("x-ratelimit-reset-requests", formatReset(decision.resetMs));

    if (!decision.ok) {
      if (decision.reason === "revoked")
        throw new ApiError("invalid_api_key", "This API key has been revoked.");
      const message =
        decision.reason === "rpm"
          ? `Rate limit reached for key ${key.id}: ${key.rpm} requests per minute. Retry after the time in the retry-after header.`
          : `Rate limit reached for key ${key.id}: at most ${key.concurrency} concurrent requests.`;
      throw new ApiError("rate_limit_exceeded", message, {
        headers: retryAfter(decision.retryAfterMs),
      });
    }

    const leaseId = decision.leaseId;
    if (leaseId === null) return next();
    const release = () => c.executionCtx.waitUntil(limiter.release(leaseId));
    try {
      await next();
    } catch (err) {
      release();
      throw err;
    }
    if (c.res.body === null || c.error !== undefined) release();
    else c.res = onStreamEnd(c.res, release);
  });
