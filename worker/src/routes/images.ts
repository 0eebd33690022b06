import { Hono } from "hono";
import {
  ImageGenerationRequestSchema,
  normalizeModelId,
  plainJobRequest,
  requestedAspectRatio,
} from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { configOf, type Env } from "../env.js";
import { ApiError, retryAfter } from "../errors.js";
import { apiKey } from "../middleware/api-key.js";
import { bodyLimit } from "../middleware/body-limit.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { newIdentity } from "../openai/completion-parts.js";
import { CompletionGatherer } from "../openai/gather-completion.js";
import { imagesResponse } from "../openai/images-response.js";
import { jsonAnswer } from "../openai/json-response.js";
import { poolModels } from "../pool-client.js";
import { parseBody, readJson } from "../validate.js";
import { jsonReply, startJob } from "./run-job.js";

/*
 * `POST /v1/images/generations`: OpenAI's Images API on AI Studio's image models. The prompt
 * becomes a one-message job on the same path as a chat completion (key, limits, queue, fail-over,
 * cancel), with the aspect ratio `size` maps to. The status is settled at the first image, not
 * the first output: text or thoughts before it do not commit to 200, so an answer that ends
 * without an image is still a real 502 (and a failure before it keeps its own status).
 */

/** The model a request names, or the first connected one that answers with images. */
async function imageModel(env: Env, asked: string | null | undefined): Promise<string> {
  const models = await poolModels(env);
  const imageModels = models.filter((m) => m.imageOutput === true).map((m) => m.id);
  const offered = imageModels.join(", ") || "none is connected";
  if (asked !== null && asked !== undefined) {
    const id = normalizeModelId(asked);
    const served = models.find((m) => m.id === id);
    if (served && served.imageOutput !== true)
      throw new ApiError(
        "invalid_request",
        `The model '${id}' answers with text only; image generation needs a model that answers with images (served now: ${offered}).`,
        { param: "model" },
      );
    // A model no host serves is refused by the pool, exactly as a chat completion for it is.
    return id;
  }
  const first = imageModels[0];
  if (first !== undefined) return first;
  if (models.length === 0)
    throw new ApiError(
      "no_browser_host",
      "No browser host serving any model is connected to the pool. Start one (npm run host) and point it at this Worker.",
      { headers: retryAfter(10_000) },
    );
  throw new ApiError(
    "model_not_found",
    `No connected browser host serves a model that answers with images. Served now: ${models.map((m) => m.id).join(", ")}.`,
    { param: "model" },
  );
}

export const images = new Hono<AppEnv>().post(
  "/generations",
  apiKey,
  rateLimit({ lease: true }),
  bodyLimit,
  async (c) => {
    const body = parseBody(ImageGenerationRequestSchema, readJson(c.get("body")));
    const model = await imageModel(c.env, body.model);
    const aspectRatio = requestedAspectRatio(body);
    const request = plainJobRequest({
      model,
      messages: [{ role: "user", content: body.prompt }],
      ...(aspectRatio !== undefined ? { imageAspectRatio: aspectRatio } : {}),
      stream: false,
    });
    const events = await startJob(c, request);
    const requestId = c.get("requestId");
    const result = await jsonAnswer(events, new CompletionGatherer(newIdentity(model)), {
      requestId,
      keepAliveMs: configOf(c.env).NONSTREAM_KEEPALIVE_MS,
      commitOn: (event) => event.t === "image",
      render: (done) => imagesResponse(done, requestId),
    });
    return jsonReply(c, result);
  },
);
