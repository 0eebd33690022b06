import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { hasBearerSecret } from "../validate.js";
import { poolStub } from "../pool-client.js";

/**
 * Browser hosts dial out to here. The host token is checked before the upgrade reaches the
 * pool, so an unauthenticated caller never gets a socket.
 */
export const hosts = new Hono<AppEnv>().get("/connect", async (c) => {
  const expected = c.env.HOST_TOKEN;
  if (expected === undefined || expected === "") {
    throw new ApiError(
      "no_browser_host",
      "Hosts cannot connect: the HOST_TOKEN secret is not set on this Worker.",
    );
  }
  if (!(await hasBearerSecret(c.req.header("authorization"), expected))) {
    throw new ApiError(
      "invalid_host_token",
      "The host token is missing or wrong (Authorization: Bearer <HOST_TOKEN>).",
    );
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("invalid_request", "Expected a WebSocket upgrade (Upgrade: websocket).");
  }
  return poolStub(c.env).fetch("https://pool/connect", { headers: { upgrade: "websocket" } });
});
