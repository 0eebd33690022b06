import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { secretsEqual } from "../keys/key-material.js";
import { poolStub } from "../pool-client.js";

/**
 * Browser hosts dial out to here. The host token is checked before the upgrade reaches the
 * pool, so an unauthenticated caller never gets a socket.
 */
export const hosts = new Hono<AppEnv>().get("/connect", async (c) => {
  const expected = c.env.HOST_TOKEN;
  if (expected === undefined || expected === "") {
    throw new ApiError("no_browser_host", "Hosts cannot connect: the HOST_TOKEN secret is not set on this Worker.");
  }
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  if (given === undefined || !(await secretsEqual(given, expected))) {
    throw new ApiError("invalid_host_token", "The host token is missing or wrong (Authorization: Bearer <HOST_TOKEN>).");
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("invalid_request", "Expected a WebSocket upgrade (Upgrade: websocket).");
  }
  return poolStub(c.env).fetch("https://pool/connect", { headers: { upgrade: "websocket" } });
});
