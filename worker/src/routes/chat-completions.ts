import { Hono } from "hono";
import { ChatCompletionRequestSchema, toJobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { apiKey } from "../middleware/api-key.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { newIdentity } from "../openai/completion-parts.js";
import { KEEPALIVE_JSON_HEADERS, jsonCompletion } from "../openai/json-response.js";
import { configOf } from "../env.js";
import { SSE_HEADERS, sseStream } from "../openai/sse-response.js";
import { submitJob } from "../pool-client.js";
import { parseBody, readJson } from "../validate.js";
import { log } from "../log.js";

/** Names the settings a lenient host ran the request without (streams carry an SSE comment). */
export const DROPPED_SETTINGS_HEADER = "x-aistudio-dropped-settings";

export const chatCompletions = new Hono<AppEnv>().post(
  "/",
  apiKey,
  rateLimit({ lease: true }),
  bodyLimit,
  async (c) => {
    const body = parseBody(ChatCompletionRequestSchema, readJson(c.get("body")));
    const request = toJobRequest(body);
    const events = await submitJob(c.env, (work) => c.executionCtx.waitUntil(work), {
      request,
      keyId: c.get("apiKey").id,
      requestId: c.get("requestId"),
    });
    const identity = newIdentity(body.model);
    const requestId = c.get("requestId");
    // A client that hangs up cancels its job (the signal fires with the enable_request_signal
    // compatibility flag; a write to a gone client is the other way the runtime finds out).
    c.req.raw.signal?.addEventListener?.("abort", () => void events.cancel());

    if (request.stream) {
      const includeUsage = body.stream_options?.include_usage === true;
      return c.body(sseStream(events, identity, { includeUsage, requestId }), 200, SSE_HEADERS);
    }
    const { answer, dropped } = await jsonCompletion(events, identity, {
      requestId,
      keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
    });
    const headers: Record<string, string> =
      dropped.length > 0 ? { [DROPPED_SETTINGS_HEADER]: dropped.join(", ") } : {};
    if (dropped.length > 0)
      log.warn("answered without settings the page would not take", {
        requestId,
        dropped: dropped.join(","),
      });
    return answer instanceof ReadableStream
      ? c.body(answer, 200, { ...KEEPALIVE_JSON_HEADERS, ...headers })
      : c.json(answer, 200, headers);
  },
);
