import { Hono } from "hono";
import { bareModelId, type ModelList } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";
import { apiKey } from "../middleware/api-key.js";
import { rateLimit } from "../middleware/rate-limit.js";
import { poolModels } from "../pool-client.js";
import type { MiddlewareHandler } from "hono";

/** Models come from the hosts (their AI Studio model lists); a model is listed while a host serves it. */
const keyUnlessPublic: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (configOf(c.env).MODELS_PUBLIC) return next();
  return apiKey(c, async () => {
    await rateLimit({ lease: false })(c, next);
  });
};

// A fixed timestamp: AI Studio does not say when a model appeared, and clients only need a number.
const CREATED = 1_700_000_000;

export const models = new Hono<AppEnv>()
  .get("/", keyUnlessPublic, async (c) => {
    const list: ModelList = {
      object: "list",
      data: (await poolModels(c.env)).map((m) => ({
        id: m.id,
        object: "model",
        created: CREATED,
        owned_by: "google",
      })),
    };
    return c.json(list);
  })
  .get("/:model{.+}", keyUnlessPublic, async (c) => {
    const id = bareModelId(c.req.param("model"));
    const found = (await poolModels(c.env)).find((m) => m.id === id);
    if (!found)
      throw new ApiError(
        "model_not_found",
        `The model '${id}' is not served by any connected browser host.`,
        { param: "model" },
      );
    return c.json({ id: found.id, object: "model", created: CREATED, owned_by: "google" });
  });
