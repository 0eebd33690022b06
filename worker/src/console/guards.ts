import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";
import { messagePage } from "./layout.js";
import { sessionCookieName, verifySession, type SessionClaims } from "./session.js";

/** The script's JSON and WebSocket routes: they answer JSON errors, never a page or a redirect. */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/console/api/");
}

/** The ADMIN_TOKEN the console signs in with, or undefined when it is not set (console off). */
export function adminTokenOf(c: Context<AppEnv>): string | undefined {
  const token = c.env.ADMIN_TOKEN;
  return token === undefined || token === "" ? undefined : token;
}

/** Without ADMIN_TOKEN there is nothing to sign in with: the console says it is off. */
export const requireEnabled = createMiddleware<AppEnv>(async (c, next) => {
  if (adminTokenOf(c) !== undefined) return next();
  if (isApiPath(c.req.path))
    throw new ApiError(
      "invalid_admin_token",
      "The console is disabled: set the ADMIN_TOKEN secret on this Worker.",
    );
  return c.html(
    messagePage({
      title: "Console disabled",
      message:
        "The operator console is disabled: set the ADMIN_TOKEN secret on this Worker (npx wrangler secret put ADMIN_TOKEN), then sign in with it.",
      signedIn: false,
    }),
    503,
  );
});

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A request that changes something (or opens the sign-in socket) must come from a console page:
 * its Origin must be the request URL's own. Browsers send Origin on every such request, so a
 * missing one is refused too. Checked before the session, so a forged request costs nothing.
 */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (STATE_CHANGING.has(c.req.method) || upgrade) {
    const origin = c.req.header("origin");
    if (origin !== new URL(c.req.url).origin) {
      throw new ApiError(
        "forbidden_origin",
        origin === undefined
          ? "This console request carries no Origin header; it must come from a console page."
          : "This console request comes from another site's page (its Origin is not this console's).",
      );
    }
  }
  await next();
});

/** The session of the request's cookie, when it is signed right and still valid. */
export async function sessionOf(c: Context<AppEnv>): Promise<SessionClaims | null> {
  const token = adminTokenOf(c);
  if (token === undefined) return null;
  const cookie = getCookie(c, sessionCookieName(new URL(c.req.url)));
  return verifySession(token, cookie, configOf(c.env).CONSOLE_SESSION_HOURS);
}

/** Signed out: a page goes to the login form, the script's API answers 401. */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  if ((await sessionOf(c)) !== null) return next();
  if (isApiPath(c.req.path))
    throw new ApiError(
      "invalid_admin_token",
      "Not signed in to the console (no session, or it expired): sign in at /console/login.",
    );
  return c.redirect("/console/login", 303);
});
