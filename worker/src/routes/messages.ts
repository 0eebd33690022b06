import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  AnthropicCountTokensRequestSchema,
  AnthropicMessagesRequestSchema,
  isOutput,
  type AnthropicCountTokensRequest,
} from "@aistudio-edge/shared";
import type { Context } from "hono";
import type { AppEnv } from "../app-types.js";
import { anthropicAttachmentSources } from "../anthropic/media-sources.js";
import { anthropicMessage } from "../anthropic/message-gather.js";
import { newMessageId, thinkingView } from "../anthropic/message-parts.js";
import { anthropicStream } from "../anthropic/message-stream.js";
import { describeError, nameRefusedFile } from "../doors/refused-file.js";
import { anthropicToJob } from "../anthropic/translate-request.js";
import { resolveAttachments } from "../attachments/resolve-attachments.js";
import { door } from "../doors/door.js";
import { anthropicErrorBody } from "../doors/error-shape.js";
import { countTokens, tokenCountHeaders } from "../doors/count-tokens.js";
import { estimateTokens } from "../doors/token-estimate.js";
import { configOf } from "../env.js";
import { apiKey } from "../middleware/api-key.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { resolveModel } from "../models/aliases.js";
import { withResolvedModel } from "../models/model-names.js";
import { CompletionGatherer } from "../openai/gather-completion.js";
import { jsonAnswer } from "../openai/json-response.js";
import { SSE_HEADERS } from "../openai/sse-response.js";
import { jsonReply, startJob } from "./run-job.js";
import { parseBody, readJson } from "../validate.js";

/*
 * Anthropic's Messages API on the pool: `POST /v1/messages` (streamed or not) and
 * `POST /v1/messages/count_tokens`. Errors before the first byte are Anthropic's (the door sets
 * the shape), and every response carries `request-id`, where Anthropic's SDKs read the id.
 */

const requestIdHeader = createMiddleware<AppEnv>(async (c, next) => {
  c.header("request-id", c.get("requestId"));
  await next();
});

/** The request's files, fetched and checked before the job is queued, and its job. */
async function prepare(
  c: Context<AppEnv>,
  body: AnthropicCountTokensRequest & { stream?: boolean },
) {
  // A client that hangs up meanwhile aborts the fetches (request.signal; absent only where a
  // runtime lacks the enable_request_signal flag, see run-job.ts).
  const files = await resolveAttachments(
    anthropicAttachmentSources(body),
    configOf(c.env),
    c.req.raw.signal ?? new AbortController().signal,
  );
  const resolved = await resolveModel(c.env, body.model);
  const request = withResolvedModel(
    anthropicToJob(
      body,
      files.map((f) => f.attachment),
    ),
    resolved,
  );
  return { files, resolved, request };
}

export const messages = new Hono<AppEnv>()
  .post(
    "/",
    door("anthropic"),
    requestIdHeader,
    apiKey,
    rateLimit({ lease: true }),
    bodyLimit,
    async (c) => {
      const body = parseBody(AnthropicMessagesRequestSchema, readJson(c.get("body")));
      const { files, resolved, request } = await prepare(c, body);
      const events = await startJob(
        c,
        request,
        files.map((f) => f.bytes),
      );
      const requestId = c.get("requestId");
      const id = newMessageId();
      const thinking = thinkingView(body.thinking, resolved);
      const inputEstimate = estimateTokens(request);

      if (request.stream)
        return c.body(
          anthropicStream(events, {
            id,
            model: body.model,
            requestId,
            thinking,
            inputEstimate,
            describeError: (event) => describeError(event, files),
          }),
          200,
          SSE_HEADERS,
        );
      // The gatherer's `created` is OpenAI's; Anthropic's message has none.
      const gather = new CompletionGatherer(
        { id, created: 0, model: body.model },
        { imageMarkdown: true },
      );
      const result = await jsonAnswer(events, gather, {
        requestId,
        keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
        commitOn: isOutput,
        render: (done) => anthropicMessage(done, { thinking, inputEstimate }),
        renderError: (code, message) => anthropicErrorBody(code, message, requestId),
      }).catch((err: unknown) => {
        throw nameRefusedFile(err, events.lastError, files);
      });
      return jsonReply(c, result);
    },
  )
  .post(
    "/count_tokens",
    door("anthropic"),
    requestIdHeader,
    apiKey,
    rateLimit({ lease: false }),
    bodyLimit,
    async (c) => {
      const body = parseBody(AnthropicCountTokensRequestSchema, readJson(c.get("body")));
      const { files, request } = await prepare(c, body);
      // The page's own count when a host is free, else the estimate, flagged as one.
      const count = await countTokens(
        c,
        request,
        files.map((f) => f.bytes),
      );
      return c.json(
        { input_tokens: count.totalTokens, estimated: count.estimated },
        200,
        tokenCountHeaders(count),
      );
    },
  );
