import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";
import { api } from "./api.js";
import { assets } from "./assets.js";
import { consoleError, consoleNotFound } from "./error-page.js";
import { requireEnabled, requireSession, sameOrigin } from "./guards.js";
import { consoleHeaders } from "./headers.js";
import { jobs } from "./jobs.js";
import { keys } from "./keys.js";
import { login } from "./login.js";
import { overview } from "./overview.js";
import { signInPage } from "./signin.js";
import { usage } from "./usage.js";

/**
 * The operator console, mounted at /console. Order matters: the security headers wrap
 * everything; the two static files need nothing else; then the console must be enabled
 * (ADMIN_TOKEN set), anything that changes state must come from the console's own origin, and
 * everything but signing in and out needs a session.
 */
export const consoleRoutes = new Hono<AppEnv>()
  .use(consoleHeaders)
  .route("/assets", assets)
  .use(requireEnabled)
  .use(sameOrigin)
  .route("/", login)
  .use(requireSession)
  .route("/", overview)
  .route("/keys", keys)
  .route("/", usage)
  .route("/jobs", jobs)
  .route("/hosts", signInPage)
  .route("/api", api)
  .all("*", consoleNotFound);

consoleRoutes.onError(consoleError);
