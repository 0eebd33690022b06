import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";
import { ConfigError } from "../env.js";
import { consoleNotFound } from "./error-page.js";

/** The only files the console serves: its one script and its one stylesheet. */
export const ASSET_FILES = new Set(["console.js", "console.css"]);

/**
 * `/console/assets/<file>` from the Workers static assets (worker/console/assets/). Every
 * request reaches the Worker first (`run_worker_first`), so these go out with the console's
 * headers like its pages, and nothing else of the directory is reachable.
 */
export const assets = new Hono<AppEnv>().get("/:file", async (c) => {
  const file = c.req.param("file");
  if (!ASSET_FILES.has(file)) return consoleNotFound(c);
  if (c.env.ASSETS === undefined)
    throw new ConfigError(
      'the ASSETS binding is missing (wrangler.toml [assets] binding = "ASSETS")',
    );
  const res = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
  if (!res.ok) {
    await res.body?.cancel();
    throw new ConfigError(`the console asset ${file} is missing from worker/console/assets/`);
  }
  // A copy, so the console's headers can be set on it.
  return new Response(res.body, res);
});
