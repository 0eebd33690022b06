import { Hono } from "hono";
import { bareModelId, type Model, type ModelList } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { keyUnlessPublic } from "../middleware/key-unless-public.js";
import { findListedModel, listedModels, type ListedModel } from "../models/model-list.js";
import type { MiddlewareHandler } from "hono";
import {
  AnthropicModelQuerySchema,
  anthropicModelInfo,
  anthropicModelPage,
} from "../anthropic/model-list.js";
import { parseBody } from "../validate.js";

/**
 * Anthropic's clients share this path with OpenAI's and always send `anthropic-version`: with
 * it, the list and its errors are in Anthropic's shape (anthropic/model-list.ts).
 */
const anthropicWhenAsked: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("anthropic-version") !== undefined) {
    c.set("door", "anthropic");
    c.header("request-id", c.get("requestId"));
  }
  await next();
};

// A fixed timestamp: AI Studio does not say when a model appeared, and clients only need a number.
const CREATED = 1_700_000_000;

/**
 * A model as OpenAI lists it, plus OpenRouter's `output_modalities`, which OpenAI's clients
 * ignore and image-aware clients read to find the models that answer with images.
 */
const listed = (m: ListedModel): Model => ({
  id: m.id,
  object: "model",
  created: CREATED,
  owned_by: "google",
  output_modalities: m.imageOutput === true ? ["text", "image"] : ["text"],
});

export const models = new Hono<AppEnv>()
  .get("/", anthropicWhenAsked, keyUnlessPublic, async (c) => {
    if (c.get("door") === "anthropic")
      return c.json(
        anthropicModelPage(
          await listedModels(c.env),
          parseBody(AnthropicModelQuerySchema, c.req.query()),
        ),
      );
    const list: ModelList = {
      object: "list",
      data: (await listedModels(c.env)).map(listed),
    };
    return c.json(list);
  })
  .get("/:model{.+}", anthropicWhenAsked, keyUnlessPublic, async (c) => {
    const id = bareModelId(c.req.param("model"));
    const found = await findListedModel(c.env, id);
    if (!found)
      throw new ApiError(
        "model_not_found",
        `The model '${id}' is not served by any connected browser host.`,
        { param: "model" },
      );
    return c.json(c.get("door") === "anthropic" ? anthropicModelInfo(found) : listed(found));
  });
