import type { Context } from "hono";
import type { JobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { log } from "../log.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import { startJob } from "../routes/run-job.js";
import { TOKEN_COUNT_HEADER, estimateTokens } from "./token-estimate.js";

/*
 * The count-tokens endpoints' one way to count: AI Studio's own CountTokens, through a host
 * whose lane is free right now, else the documented estimate (token-estimate.ts), flagged as
 * one. A count is never worth waiting for, so the job is `whenFree`: the pool refuses it at
 * once rather than queue it, and never retries it on another host; any refusal or failure
 * answers the estimate instead of an error. The job is started like any other (startJob), so
 * a client that hangs up cancels it, and it is over before the response is written: it holds
 * no concurrency slot past its own run.
 */

export interface TokenCount {
  totalTokens: number;
  /** True when no host counted and `totalTokens` is the estimate. */
  estimated: boolean;
}

/** The header every count response carries: `estimate`, or `page` for AI Studio's own count. */
export function tokenCountHeaders(count: TokenCount): Record<string, string> {
  return { [TOKEN_COUNT_HEADER]: count.estimated ? "estimate" : "page" };
}

/**
 * Counts the request's tokens on a free host's page, or estimates them. `files` are the bytes
 * of the request's attachments in conversation order, as `startJob` takes them.
 */
export async function countTokens(
  c: Context<AppEnv>,
  request: JobRequest,
  files: Uint8Array[],
): Promise<TokenCount> {
  const requestId = c.get("requestId");
  const estimate = (why: string): TokenCount => {
    log.info("token count estimated", { requestId, why });
    return { totalTokens: estimateTokens(request), estimated: true };
  };

  let events: PoolEventReader;
  try {
    events = await startJob(c, { ...request, countTokens: true, stream: false }, files, {
      whenFree: true,
    });
  } catch (err) {
    // A refusal (no host, no free lane, model not served…) is the ordinary way to the estimate.
    if (err instanceof ApiError) return estimate(err.code);
    log.warn("could not submit a count job", { requestId, error: String(err) });
    return estimate("submit failed");
  }

  try {
    for (let event = await events.next(); event !== null; event = await events.next()) {
      if (event.t === "error") return estimate(event.code);
      if (event.t === "done") {
        if (event.usage) return { totalTokens: event.usage.promptTokens, estimated: false };
        return estimate("the host's count had no usage");
      }
    }
    // The stream ended without an end: the client went away and cancelled the job.
    return estimate("cancelled");
  } catch (err) {
    log.warn("the count job's stream broke", { requestId, error: String(err) });
    return estimate("stream failed");
  } finally {
    await events.cancel();
  }
}
