import { Hono } from "hono";
import { ChatCompletionRequestSchema, toJobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { apiKey } from "../middleware/api-key.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { newIdentity } from "../openai/completion-parts.js";
import { gatherCompletion } from "../openai/gather-completion.js";
import { SSE_HEADERS, sseStream } from "../openai/sse-response.js";
import { submitJob } from "../pool-client.js";
import { parseBody, readJson } from "../validate.js";

export const chatCompletions = new Hono<AppEnv>().post("/", apiKey, rateLimit({ lease: true }), async (c) => {
  const body = parseBody(ChatCompletionRequestSchema, await readJson(c.req.raw));
  const request = toJobRequest(body);
  const events = await submitJob(c.env, (work) => c.executionCtx.waitUntil(work), { request, keyId: c.get("apiKey").id, requestId: c.get("requestId") });
  const identity = newIdentity(body.model);

  if (request.stream) {
    const includeUsage = body.stream_options?.include_usage === true;
    return c.body(sseStream(events, identity, { includeUsage }), 200, SSE_HEADERS);
  }
  // A client that hangs up while waiting cancels its job too.
  c.req.raw.signal?.addEventListener?.("abort", () => void events.cancel());
  return c.json(await gatherCompletion(events, identity));
});
