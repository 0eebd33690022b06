import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import type { Door } from "./error-shape.js";

/**
 * Marks the routes after it as speaking one vendor's API, first in the chain: every error from
 * then on (a missing key, a bad body, a saturated pool) is written in that vendor's shape.
 */
export const door = (name: Door) =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("door", name);
    await next();
  });

/** The door of a path no route matched: the vendor whose URL space it is in. */
export function doorOfPath(pathname: string): Door {
  if (pathname.startsWith("/v1beta/")) return "gemini";
  if (pathname === "/v1/messages" || pathname.startsWith("/v1/messages/")) return "anthropic";
  return "openai";
}
