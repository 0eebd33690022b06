import { Hono } from "hono";
import type { AppEnv } from "./app-types.js";
import { consoleRoutes } from "./console/index.js";
import { cors } from "./middleware/cors.js";
import { requestId } from "./middleware/request-id.js";
import { onError, onNotFound } from "./on-error.js";
import { adminAliases } from "./routes/admin-aliases.js";
import { adminKeys } from "./routes/admin-keys.js";
import { adminUsage } from "./routes/admin-usage.js";
import { chatCompletions } from "./routes/chat-completions.js";
import { gemini } from "./routes/gemini.js";
import { health } from "./routes/health.js";
import { hosts } from "./routes/hosts.js";
import { images } from "./routes/images.js";
import { messages } from "./routes/messages.js";
import { models } from "./routes/models.js";
import { responses } from "./routes/responses.js";

/** The Worker's routes. Built per call so tests get a fresh app and nothing runs at import time. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // No body is read here: each route reads its own through `bodyLimit`, after authenticating.
  app.use(requestId, cors);
  app.route("/v1/chat/completions", chatCompletions);
  app.route("/v1/images", images);
  app.route("/v1/messages", messages);
  app.route("/v1/responses", responses);
  app.route("/v1beta", gemini);
  app.route("/v1/models", models);
  app.route("/admin/keys", adminKeys);
  app.route("/admin/aliases", adminAliases);
  app.route("/admin", adminUsage);
  app.route("/hosts", hosts);
  app.route("/health", health);
  app.route("/console", consoleRoutes);
  app.notFound(onNotFound);
  app.onError(onError);
  return app;
}
