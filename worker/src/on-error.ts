import type { Context } from "hono";
import type { AppEnv } from "./app-types.js";
import { doorOfPath } from "./doors/door.js";
import { doorError } from "./doors/error-shape.js";
import { ConfigError } from "./env.js";
import { ApiError } from "./errors.js";
import { log } from "./log.js";
import { poolStub } from "./pool-client.js";

/**
 * The single place where anything thrown becomes a response. Client mistakes and upstream
 * failures come as `ApiError` and keep their status; anything else is our bug: it is logged with
 * the request id and the client gets a 500 that names that id, never the internal message.
 */
export function onError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId");
  recordRefusal(c, err instanceof ApiError ? err.code : "internal_error");
  const door = c.get("door") ?? "openai";
  const reply = (code: ApiError["code"], message: string, param: string | null = null) => {
    const { status, body } = doorError(door, code, message, { param, requestId });
    return c.json(body, status as 400);
  };
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return reply(err.code, err.message, err.options.param ?? null);
  }
  if (err instanceof ConfigError) {
    log.error("configuration error", { requestId, error: err.message });
    return reply("internal_error", `The server is misconfigured: ${err.message}`);
  }
  log.error("unhandled error", { requestId, error: err.stack ?? String(err) });
  return reply("internal_error", `Internal error (request ${requestId ?? "unknown"}).`);
}

/**
 * A request with a key that failed before the pool accepted its job (bad body, rate limit, no
 * host…) still counts in that key's usage. Written after the response, off its path; a job the
 * pool accepted is recorded by the pool when it ends.
 */
function recordRefusal(c: Context<AppEnv>, code: string): void {
  const key = c.get("apiKey");
  if (!key || c.get("jobAccepted") === true) return;
  let waitUntil: (work: Promise<unknown>) => void;
  try {
    const ctx = c.executionCtx;
    waitUntil = (work) => ctx.waitUntil(work);
  } catch {
    return; // No execution context (a unit test calling the app directly).
  }
  waitUntil(
    poolStub(c.env)
      .recordRefusal({ at: Date.now(), keyId: key.id, keyName: key.name, code })
      .catch((err: unknown) => log.warn("could not record a refusal", { error: String(err) })),
  );
}

export function onNotFound(c: Context<AppEnv>): Response {
  const path = new URL(c.req.url).pathname;
  const { status, body } = doorError(
    c.get("door") ?? doorOfPath(path),
    "not_found",
    `No route ${c.req.method} ${path}.`,
    { requestId: c.get("requestId") },
  );
  return c.json(body, status as 404);
}
