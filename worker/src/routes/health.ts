import { Hono } from "hono";
import type { AppEnv } from "../app-types.js";
import { poolHealth } from "../pool-client.js";

/** Public liveness for monitors and the demo: counts and states only, nothing secret. */
export const health = new Hono<AppEnv>().get("/", async (c) => {
  const pool = await poolHealth(c.env);
  return c.json(pool, pool.status === "no_hosts" ? 503 : 200);
});
