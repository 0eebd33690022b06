import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { hasBearerSecret } from "../validate.js";

/** Guards /admin/*: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export const adminToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (expected === undefined || expected === "") {
    throw new ApiError(
      "invalid_admin_token",
      "The admin API is disabled: set the ADMIN_TOKEN secret on this Worker.",
    );
  }
  if (!(await hasBearerSecret(c.req.header("authorization"), expected))) {
    throw new ApiError(
      "invalid_admin_token",
      "The admin token is missing or wrong (Authorization: Bearer <ADMIN_TOKEN>).",
    );
  }
  await next();
};
