import { Hono, type Context } from "hono";
import {
  ResponsesCountRequestSchema,
  ResponsesRequestSchema,
  isOutput,
  type ResponsesCountRequest,
} from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { nameRefusedPart, refusedParam } from "../attachments/refused-part.js";
import { resolveAttachments } from "../attachments/resolve-attachments.js";
import { countTokens, tokenCountHeaders } from "../doors/count-tokens.js";
import { door } from "../doors/door.js";
import { estimateTokens } from "../doors/token-estimate.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";
import { apiKey } from "../middleware/api-key.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { resolveModel } from "../models/aliases.js";
import { withResolvedModel } from "../models/model-names.js";
import { CompletionGatherer } from "../openai/gather-completion.js";
import { jsonAnswer } from "../openai/json-response.js";
import { SSE_HEADERS } from "../openai/sse-response.js";
import { responsesAttachmentSources } from "../responses/media-sources.js";
import { gatheredResponse } from "../responses/response-gather.js";
import {
  newResponseId,
  responseBase,
  summaryShown,
  type ResponseObject,
} from "../responses/response-object.js";
import { responseStream } from "../responses/response-stream.js";
import {
  deleteRecord,
  loadPrevious,
  loadRecord,
  storeResponse,
} from "../responses/stored-responses.js";
import { responsesToJob, type ResponsesJobInput } from "../responses/translate-request.js";
import { parseBody, readJson } from "../validate.js";
import { DROPPED_SETTINGS_HEADER, jsonReply, startJob } from "./run-job.js";

/*
 * OpenAI's Responses API on the pool: `POST /v1/responses` (streamed or not), the stored
 * responses (`GET` and `DELETE /v1/responses/{id}`, and `previous_response_id`), and
 * `POST /v1/responses/input_tokens`. Errors are OpenAI's shape, as on the chat door.
 */

/** The request's conversation (the stored one it continues first), its files, and its job. */
async function prepare(c: Context<AppEnv>, body: ResponsesJobInput) {
  const keyId = c.get("apiKey").id;
  const previous = body.previous_response_id
    ? (await loadPrevious(c.env, keyId, body.previous_response_id)).conversation
    : [];
  // A client that hangs up meanwhile aborts the fetches (request.signal; absent only where a
  // runtime lacks the enable_request_signal flag, see run-job.ts).
  const files = await resolveAttachments(
    responsesAttachmentSources(body),
    configOf(c.env),
    c.req.raw.signal ?? new AbortController().signal,
  );
  const resolved = await resolveModel(c.env, body.model);
  const job = responsesToJob(
    body,
    previous,
    files.map((f) => f.attachment),
  );
  return { files, resolved, job, request: withResolvedModel(job.request, resolved) };
}

const notFound = (id: string) =>
  new ApiError("not_found", `No response with id '${id.slice(0, 128)}' (not found or expired).`, {
    param: "response_id",
  });

export const responses = new Hono<AppEnv>()
  .post("/", door("openai"), apiKey, rateLimit({ lease: true }), bodyLimit, async (c) => {
    const body = parseBody(ResponsesRequestSchema, readJson(c.get("body")));
    const { files, resolved, job, request } = await prepare(c, body);
    const ttlSeconds = configOf(c.env).RESPONSES_TTL_SECONDS;
    const stored = body.store !== false && ttlSeconds > 0;
    const events = await startJob(
      c,
      request,
      files.map((f) => f.bytes),
    );
    const requestId = c.get("requestId");
    const keyId = c.get("apiKey").id;
    const context = {
      base: responseBase(body, {
        id: newResponseId(),
        createdAt: Math.floor(Date.now() / 1000),
        stored,
      }),
      customTools: job.customTools,
      summary: summaryShown(body, resolved),
      inputEstimate: estimateTokens(request),
    };
    // The answer's last bytes wait for the write, so a follow-up naming it finds it stored.
    const onCompleted = async (response: ResponseObject) => {
      if (stored)
        await storeResponse(c.env, keyId, (work) => c.executionCtx.waitUntil(work), {
          response,
          conversation: job.conversation,
          ttlSeconds,
        });
    };

    if (request.stream) {
      // Tools the page is not given are known before the job runs, so they go in the header.
      const dropped: Record<string, string> =
        job.dropped.length > 0 ? { [DROPPED_SETTINGS_HEADER]: job.dropped.join(", ") } : {};
      return c.body(
        responseStream(events, {
          ...context,
          requestId,
          paramOf: (event) => refusedParam(event, files),
          onCompleted,
        }),
        200,
        { ...SSE_HEADERS, ...dropped },
      );
    }
    const result = await jsonAnswer(
      events,
      new CompletionGatherer({
        id: context.base.id,
        created: context.base.created_at,
        model: body.model,
      }),
      {
        requestId,
        keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
        commitOn: isOutput,
        render: async (done) => {
          const response = gatheredResponse(done, context);
          if (response.status === "completed") await onCompleted(response);
          return response;
        },
      },
    ).catch((err: unknown) => {
      throw nameRefusedPart(err, events.lastError, files);
    });
    return jsonReply(c, { ...result, dropped: [...job.dropped, ...result.dropped] });
  })
  .post(
    "/input_tokens",
    door("openai"),
    apiKey,
    rateLimit({ lease: false }),
    bodyLimit,
    async (c) => {
      const body: ResponsesCountRequest = parseBody(
        ResponsesCountRequestSchema,
        readJson(c.get("body")),
      );
      const { files, request } = await prepare(c, body);
      // The page's own count when a host is free, else the estimate, flagged as one.
      const count = await countTokens(
        c,
        request,
        files.map((f) => f.bytes),
      );
      return c.json(
        {
          object: "response.input_tokens",
          input_tokens: count.totalTokens,
          estimated: count.estimated,
        },
        200,
        tokenCountHeaders(count),
      );
    },
  )
  .get("/:id", door("openai"), apiKey, rateLimit({ lease: false }), async (c) => {
    const id = c.req.param("id");
    const record = await loadRecord(c.env, c.get("apiKey").id, id);
    if (record === null) throw notFound(id);
    return c.json(record.response);
  })
  .delete("/:id", door("openai"), apiKey, rateLimit({ lease: false }), async (c) => {
    const id = c.req.param("id");
    if (!(await deleteRecord(c.env, c.get("apiKey").id, id))) throw notFound(id);
    return c.json({ id, object: "response", deleted: true });
  });
