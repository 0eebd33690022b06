import type { Context } from "hono";
import type { JobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { log } from "../log.js";
import { KEEPALIVE_JSON_HEADERS } from "../openai/json-response.js";
import type { JobSubmission, PoolEventReader } from "../pool/pool-events.js";
import { submitJob } from "../pool-client.js";

/** Names the settings a lenient host ran the request without (streams carry an SSE comment). */
export const DROPPED_SETTINGS_HEADER = "x-aistudio-dropped-settings";

/**
 * Hands a route's job to the pool under the request's key and id, and ties the job to the
 * client: one that hangs up cancels it (the signal fires with the enable_request_signal
 * compatibility flag; a write to a gone client is the other way the runtime finds out). Every
 * route that runs a job starts it here, so they queue, fail over and cancel alike.
 */
export async function startJob(
  c: Context<AppEnv>,
  request: JobRequest,
  files: Uint8Array[] = [],
  /** `whenFree`: only onto a lane free now, else refused at once (doors/count-tokens.ts). */
  options: Pick<JobSubmission, "whenFree"> = {},
): Promise<PoolEventReader> {
  const events = await submitJob(c.env, (work) => c.executionCtx.waitUntil(work), {
    request,
    keyId: c.get("apiKey").id,
    keyName: c.get("apiKey").name,
    requestId: c.get("requestId"),
    files,
    ...options,
  });
  // From here the pool records how the request ends; onError must not count it again.
  c.set("jobAccepted", true);
  const signal = c.req.raw.signal;
  // A client gone while the pool was taking the job has fired its abort already.
  if (signal?.aborted) void events.cancel();
  else signal?.addEventListener?.("abort", () => void events.cancel());
  return events;
}

/**
 * A non-streamed answer as the response: the JSON when it was complete before any output, else
 * the keep-alive body that ends with it; the settings a lenient host dropped in a header (they
 * are known before the first output, so before the headers go) and in the log.
 */
export function jsonReply(
  c: Context<AppEnv>,
  { answer, dropped }: { answer: object | ReadableStream<Uint8Array>; dropped: string[] },
): Response {
  const headers: Record<string, string> =
    dropped.length > 0 ? { [DROPPED_SETTINGS_HEADER]: dropped.join(", ") } : {};
  if (dropped.length > 0)
    log.warn("answered without settings the page would not take", {
      requestId: c.get("requestId"),
      dropped: dropped.join(","),
    });
  return answer instanceof ReadableStream
    ? c.body(answer, 200, { ...KEEPALIVE_JSON_HEADERS, ...headers })
    : c.json(answer, 200, headers);
}
