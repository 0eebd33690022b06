import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Tags every request with an id (the caller's `x-request-id` when sane) and echoes it. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const id =
    given !== undefined && ID_PATTERN.test(given)
      ? given
      : `req_${crypto.randomUUID().replaceAll("-", "")}`;
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
});
