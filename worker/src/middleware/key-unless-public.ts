import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { apiKey } from "./api-key.js";
import { rateLimit } from "./rate-limit.js";

/**
 * The model lists' gate: open when the operator says so (MODELS_PUBLIC), else a key, counted
 * against its rate but holding no concurrency slot (a list runs no job).
 */
export const keyUnlessPublic: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (configOf(c.env).MODELS_PUBLIC) return next();
  return apiKey(c, async () => {
    await rateLimit({ lease: false })(c, next);
  });
};
