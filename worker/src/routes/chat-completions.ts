import { Hono } from "hono";
import {
  ChatCompletionRequestSchema,
  attachmentSources,
  toJobRequest,
} from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { apiKey } from "../middleware/api-key.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { newIdentity } from "../openai/completion-parts.js";
import { jsonCompletion } from "../openai/json-response.js";
import { configOf } from "../env.js";
import { SSE_HEADERS, sseStream } from "../openai/sse-response.js";
import { resolveAttachments } from "../attachments/resolve-attachments.js";
import { nameRefusedPart, refusedParam } from "../attachments/refused-part.js";
import { IMAGE_MARKDOWN_HEADER, wantsImageMarkdown } from "../openai/image-markdown.js";
import { resolveModel } from "../models/aliases.js";
import { withResolvedModel } from "../models/model-names.js";
import { jsonReply, startJob } from "./run-job.js";
import { parseBody, readJson } from "../validate.js";

export const chatCompletions = new Hono<AppEnv>().post(
  "/",
  apiKey,
  rateLimit({ lease: true }),
  bodyLimit,
  async (c) => {
    const body = parseBody(ChatCompletionRequestSchema, readJson(c.get("body")));
    const imageMarkdown = wantsImageMarkdown(
      body.image_markdown,
      c.req.header(IMAGE_MARKDOWN_HEADER),
      configOf(c.env).IMAGE_MARKDOWN,
    );
    // Files are fetched and checked before the job is queued; a client that hangs up meanwhile
    // aborts the fetches (request.signal).
    const files = await resolveAttachments(
      attachmentSources(body),
      configOf(c.env),
      // Absent only where a runtime lacks the enable_request_signal flag (see run-job.ts).
      c.req.raw.signal ?? new AbortController().signal,
    );
    const request = withResolvedModel(
      toJobRequest(
        body,
        files.map((f) => f.attachment),
      ),
      await resolveModel(c.env, body.model),
    );
    const events = await startJob(
      c,
      request,
      files.map((f) => f.bytes),
    );
    const identity = newIdentity(body.model);
    const requestId = c.get("requestId");

    if (request.stream) {
      const includeUsage = body.stream_options?.include_usage === true;
      return c.body(
        sseStream(events, identity, {
          includeUsage,
          requestId,
          imageMarkdown,
          paramOf: (event) => refusedParam(event, files),
        }),
        200,
        SSE_HEADERS,
      );
    }
    const result = await jsonCompletion(events, identity, {
      requestId,
      keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
      imageMarkdown,
    }).catch((err: unknown) => {
      throw nameRefusedPart(err, events.lastError, files);
    });
    return jsonReply(c, result);
  },
);
