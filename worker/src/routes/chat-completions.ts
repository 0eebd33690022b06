import { Hono } from "hono";
import { ChatCompletionRequestSchema, paramOf, toJobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { apiKey } from "../middleware/api-key.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { newIdentity } from "../openai/completion-parts.js";
import { gatherCompletion } from "../openai/gather-completion.js";
import { SSE_HEADERS, sseStream } from "../openai/sse-response.js";
import { submitJob } from "../pool-client.js";

/** Reads the body as JSON, answering 400 `invalid_json` rather than throwing a SyntaxError. */
async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError("invalid_json", `The body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const chatCompletions = new Hono<AppEnv>().post("/", apiKey, rateLimit({ lease: true }), async (c) => {
  const parsed = ChatCompletionRequestSchema.safeParse(await readJson(c.req.raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? paramOf(issue.path) : null;
    throw new ApiError("invalid_request", `${param ?? "body"}: ${issue?.message ?? "invalid request"}`, { param });
  }
  const request = toJobRequest(parsed.data);
  const events = await submitJob(c.env, (work) => c.executionCtx.waitUntil(work), { request, keyId: c.get("apiKey").id, requestId: c.get("requestId") });
  const identity = newIdentity(parsed.data.model);

  if (request.stream) {
    const includeUsage = parsed.data.stream_options?.include_usage === true;
    return c.body(sseStream(events, identity, { includeUsage }), 200, SSE_HEADERS);
  }
  // A client that hangs up while waiting cancels its job too.
  c.req.raw.signal?.addEventListener?.("abort", () => void events.cancel());
  return c.json(await gatherCompletion(events, identity));
});
