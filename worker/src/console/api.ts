import { Hono } from "hono";
import { WIRE_JOB_ID } from "@aistudio-edge/shared";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { poolStub } from "../pool-client.js";
import type { SnapshotResult } from "../pool/views.js";
import { signInSocket } from "./signin.js";

/**
 * What the console's script calls (behind the session; JSON errors). Nothing the pool sends
 * through here is kept at the edge.
 */
export const api = new Hono<AppEnv>()
  // The pool's overview stream as it is: `event: overview` at once, on change, and every 15 s.
  .get("/live", async (c) => {
    const stream: ReadableStream<Uint8Array> = await poolStub(c.env).live();
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8" },
    });
  })
  // A failed job's snapshot, fetched from the host that ran its last attempt.
  .get("/jobs/:id/snapshot", async (c) => {
    const id = c.req.param("id");
    if (!WIRE_JOB_ID.test(id))
      throw new ApiError("invalid_request", "Expected a job's wire id (job_<32 hex>[.N]).", {
        param: "id",
      });
    const result: SnapshotResult = await poolStub(c.env).snapshot(id);
    return c.json(result);
  })
  .get("/hosts/:id/signin", signInSocket);
