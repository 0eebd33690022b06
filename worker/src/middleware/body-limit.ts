import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";

/** Refuses bodies over MAX_BODY_BYTES with a 413 before they are buffered. */
export const bodyLimit = createMiddleware<AppEnv>(async (c, next) => {
  const maxSize = configOf(c.env).MAX_BODY_BYTES;
  return honoBodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("request_too_large", `The request body is larger than the limit of ${maxSize} bytes.`);
    },
  })(c, next);
});
