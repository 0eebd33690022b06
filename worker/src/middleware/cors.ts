import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";

/*
 * CORS for browser clients (chat front ends calling the API straight from a page). Written here
 * rather than taken from hono/cors because the allowed request headers are a fixed set plus a
 * prefix (the OpenAI SDK sends a dozen `x-stainless-*` headers that change between versions).
 */

const ALLOWED_HEADERS = new Set([
  "authorization",
  "content-type",
  "x-api-key",
  "x-goog-api-key",
  "x-request-id",
  "openai-organization",
  "openai-project",
  "openai-beta",
  "anthropic-version",
  "anthropic-beta",
  // Anthropic's SDK sends this from a page (dangerouslyAllowBrowser); Google's sends its client id.
  "anthropic-dangerous-direct-browser-access",
  "x-goog-api-client",
]);
const ALLOWED_PREFIX = "x-stainless-";
const EXPOSED_HEADERS = [
  "x-request-id",
  // Anthropic's SDKs read the request id from here.
  "request-id",
  "retry-after",
  "x-aistudio-dropped-settings",
  "x-aistudio-token-count",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
].join(", ");

function allowedOrigin(configured: string, origin: string | undefined): string | null {
  if (configured.trim() === "*") return "*";
  if (origin === undefined) return null;
  const list = configured.split(",").map((o) => o.trim());
  return list.includes(origin) ? origin : null;
}

export const cors = createMiddleware<AppEnv>(async (c, next) => {
  // The operator console is for its own pages only: no other origin may read or call it.
  if (c.req.path === "/console" || c.req.path.startsWith("/console/")) return next();
  const origin = c.req.header("origin");
  const allowed = allowedOrigin(configOf(c.env).CORS_ORIGINS, origin);

  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined) {
    const headers = new Headers({ vary: "Origin, Access-Control-Request-Headers" });
    if (allowed !== null) {
      const requested = (c.req.header("access-control-request-headers") ?? "")
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== "" && (ALLOWED_HEADERS.has(h) || h.startsWith(ALLOWED_PREFIX)));
      headers.set("access-control-allow-origin", allowed);
      headers.set("access-control-allow-methods", "GET, POST, DELETE, OPTIONS");
      if (requested.length > 0) headers.set("access-control-allow-headers", requested.join(", "));
      headers.set("access-control-max-age", "86400");
    }
    return new Response(null, { status: 204, headers });
  }

  await next();
  // A WebSocket upgrade's headers are immutable, and browsers do not apply CORS to it.
  if (allowed !== null && c.res.status !== 101) {
    c.res.headers.set("access-control-allow-origin", allowed);
    c.res.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    if (allowed !== "*") c.res.headers.append("vary", "Origin");
  }
});
