import { Hono, type Context, type MiddlewareHandler } from "hono";
import {
  GeminiCountTokensRequestSchema,
  GeminiGenerateContentRequestSchema,
  bareModelId,
  isOutput,
  type GeminiGenerateContentRequest,
} from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { resolveAttachments } from "../attachments/resolve-attachments.js";
import { door } from "../doors/door.js";
import { geminiErrorBody } from "../doors/error-shape.js";
import { countTokens, tokenCountHeaders } from "../doors/count-tokens.js";
import { estimateTokens } from "../doors/token-estimate.js";
import { configOf } from "../env.js";
import { countedRequest } from "../gemini/count-tokens.js";
import { geminiResponse } from "../gemini/generate-response.js";
import {
  GEMINI_JSON_STREAM_HEADERS,
  GEMINI_SSE_HEADERS,
  geminiStream,
} from "../gemini/generate-stream.js";
import { geminiAttachmentSources } from "../gemini/media-sources.js";
import { GeminiModelQuerySchema, geminiModel, geminiModelPage } from "../gemini/model-list.js";
import { methodOfPath, modelOfPath, unknownModel } from "../gemini/model-path.js";
import { newIdentity } from "../gemini/response-parts.js";
import { describeError, nameRefusedFile } from "../doors/refused-file.js";
import { geminiToJob, includesThoughts } from "../gemini/translate-request.js";
import { apiKey } from "../middleware/api-key.js";
import { keyUnlessPublic } from "../middleware/key-unless-public.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { resolveModel } from "../models/aliases.js";
import { findListedModel, listedModels } from "../models/model-list.js";
import { withResolvedModel } from "../models/model-names.js";
import { CompletionGatherer } from "../openai/gather-completion.js";
import { jsonAnswer } from "../openai/json-response.js";
import { jsonReply, startJob } from "./run-job.js";
import { parseBody, readJson } from "../validate.js";

/*
 * Google's Gemini API (v1beta) on the pool: the model list, `generateContent`,
 * `streamGenerateContent` (SSE with `?alt=sse`, a streamed JSON array without) and
 * `countTokens`. The key comes as `x-goog-api-key`, `?key=` or any header the other doors take;
 * every error is Google's `{"error":{code,message,status}}` (the door sets the shape).
 */

/** A generation holds one of the key's concurrent slots while it runs; counting does not. */
const rateLimitForMethod: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { method } = methodOfPath(c.req.param("spec") ?? "", c.req.method);
  return rateLimit({ lease: method !== "countTokens" })(c, next);
};

/** The request's files, fetched and checked before any job is queued, and its job. */
async function prepare(
  c: Context<AppEnv>,
  body: GeminiGenerateContentRequest,
  model: string,
  stream: boolean,
) {
  // A client that hangs up meanwhile aborts the fetches (request.signal; absent only where a
  // runtime lacks the enable_request_signal flag, see run-job.ts).
  const files = await resolveAttachments(
    geminiAttachmentSources(body),
    configOf(c.env),
    c.req.raw.signal ?? new AbortController().signal,
  );
  const resolved = await resolveModel(c.env, model);
  const request = withResolvedModel(
    geminiToJob(
      body,
      { model, stream },
      files.map((f) => f.attachment),
    ),
    resolved,
  );
  return { files, resolved, request };
}

async function generate(c: Context<AppEnv>, model: string, stream: boolean): Promise<Response> {
  const body = parseBody(GeminiGenerateContentRequestSchema, readJson(c.get("body")));
  const { files, resolved, request } = await prepare(c, body, model, stream);
  const events = await startJob(
    c,
    request,
    files.map((f) => f.bytes),
  );
  const requestId = c.get("requestId");
  // The client's own name, as Google echoes it in modelVersion.
  const identity = newIdentity(bareModelId(model));
  const includeThoughts = includesThoughts(body, resolved);
  const inputEstimate = estimateTokens(request);

  if (stream) {
    const form = c.req.query("alt") === "sse" ? "sse" : "json";
    return c.body(
      geminiStream(events, {
        form,
        identity,
        includeThoughts,
        requestId,
        inputEstimate,
        describeError: (event) => describeError(event, files),
      }),
      200,
      form === "sse" ? GEMINI_SSE_HEADERS : GEMINI_JSON_STREAM_HEADERS,
    );
  }
  // The gatherer's identity is OpenAI's; only its parts are read.
  const gather = new CompletionGatherer({ id: identity.responseId, created: 0, model });
  const result = await jsonAnswer(events, gather, {
    requestId,
    keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
    commitOn: isOutput,
    render: (done) => geminiResponse(done, { identity, includeThoughts, inputEstimate }),
    renderError: geminiErrorBody,
  }).catch((err: unknown) => {
    throw nameRefusedFile(err, events.lastError, files);
  });
  return jsonReply(c, result);
}

/** A count of the request's job on a free host's page, or the estimate (doors/count-tokens.ts). */
async function count(c: Context<AppEnv>, model: string): Promise<Response> {
  const body = parseBody(GeminiCountTokensRequestSchema, readJson(c.get("body")));
  const { files, request } = await prepare(c, countedRequest(body), model, false);
  const counted = await countTokens(
    c,
    request,
    files.map((f) => f.bytes),
  );
  // Google's CountTokensResponse is `{totalTokens}`; `estimated` is our flag.
  return c.json(counted, 200, tokenCountHeaders(counted));
}

export const gemini = new Hono<AppEnv>()
  .get("/models", door("gemini"), keyUnlessPublic, async (c) =>
    c.json(
      geminiModelPage(await listedModels(c.env), parseBody(GeminiModelQuerySchema, c.req.query())),
    ),
  )
  .get("/models/:spec{.+}", door("gemini"), keyUnlessPublic, async (c) => {
    const model = modelOfPath(c.req.param("spec"));
    const found = await findListedModel(c.env, model);
    if (!found) throw unknownModel(model);
    return c.json(geminiModel(found));
  })
  .post("/models/:spec{.+}", door("gemini"), apiKey, rateLimitForMethod, bodyLimit, async (c) => {
    const { model, method } = methodOfPath(c.req.param("spec"), c.req.method);
    if (method === "countTokens") return count(c, model);
    return generate(c, model, method === "streamGenerateContent");
  });
