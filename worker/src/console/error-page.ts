import type { Context } from "hono";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { onError, onNotFound } from "../on-error.js";
import { isApiPath } from "./guards.js";
import { messagePage } from "./layout.js";

const TITLES: Record<number, string> = {
  400: "That did not work",
  401: "Not signed in",
  403: "Forbidden",
  404: "Not found",
  413: "Too large",
  429: "Too many attempts",
};

/**
 * Errors on console pages become a page; on the script's API (and a refused Origin, whose
 * requests come from no console page) the usual JSON error. Logging stays in `onError`: the
 * page shows the message it would have sent (and keeps its headers, `retry-after`, which
 * onError put on the context).
 */
export async function consoleError(err: Error, c: Context<AppEnv>): Promise<Response> {
  const res = onError(err, c);
  if (isApiPath(c.req.path) || (err instanceof ApiError && err.code === "forbidden_origin"))
    return res;
  const body = await res.json<{ error?: { message?: string } }>();
  const status = res.status as 400;
  return c.html(
    messagePage({
      title: TITLES[status] ?? "Something went wrong",
      message: body.error?.message ?? "Something went wrong.",
      signedIn: c.req.path !== "/console/login",
      link: { href: "/console", label: "Back to the overview" },
    }),
    status,
  );
}

/** An unknown console path: a page says so, the API answers JSON. */
export function consoleNotFound(c: Context<AppEnv>): Response | Promise<Response> {
  if (isApiPath(c.req.path)) return onNotFound(c);
  return c.html(
    messagePage({
      title: "Not found",
      message: `The console has no page ${c.req.path}.`,
      signedIn: true,
      link: { href: "/console", label: "Back to the overview" },
    }),
    404,
  );
}
