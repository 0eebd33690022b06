import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";

/**
 * On every console response: no script, style or frame from anywhere but the Worker itself.
 * The referrer goes to no other site; it is not `no-referrer` because under that policy a
 * browser sends `Origin: null` with a form's POST (Fetch, "append a request Origin header"),
 * and the Origin is how the console tells its own forms from another site's (guards.ts).
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
};

/** Adds CONSOLE_HEADERS to whatever the console answers, errors and redirects included. */
export const consoleHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // A WebSocket upgrade's headers are immutable, and it carries no document.
  if (c.res.status === 101) return;
  try {
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) c.res.headers.set(name, value);
  } catch {
    // Immutable headers (a response from a fetch): a copy of the response takes them.
    const res = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) res.headers.set(name, value);
    c.res = res;
  }
});
