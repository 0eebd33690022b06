import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { ApiError } from "../errors.js";
import { parseBody, readJson } from "../validate.js";
import { KeyStore } from "../keys/key-store.js";
import { adminToken } from "../middleware/admin-token.js";
import { bodyLimit } from "../middleware/body-limit.js";

const CreateKeySchema = z.object({
  name: z.string().trim().min(1).max(64),
  rpm: z.number().int().min(1).max(1_000_000).optional(),
  concurrency: z.number().int().min(1).max(10_000).optional(),
});

/** Key management. The key itself is in the 201 of its creation and nowhere else, ever. */
export const adminKeys = new Hono<AppEnv>()
  .use(adminToken)
  .post("/", bodyLimit, async (c) => {
    const input = parseBody(CreateKeySchema, readJson(c.get("body")));
    const config = configOf(c.env);
    const { key, record } = await new KeyStore(c.env.KEYS).create({
      name: input.name,
      rpm: input.rpm ?? config.DEFAULT_RPM,
      concurrency: input.concurrency ?? config.DEFAULT_CONCURRENCY,
    });
    return c.json({ ...record, key }, 201);
  })
  .get("/", async (c) => c.json({ object: "list", data: await new KeyStore(c.env.KEYS).list() }))
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    const record = await new KeyStore(c.env.KEYS).revoke(id);
    if (record === null) throw new ApiError("not_found", `No key with id '${id}'.`);
    // The limiter refuses the key from its next request on, wherever it arrives.
    await c.env.KEY_LIMITER.get(c.env.KEY_LIMITER.idFromName(id)).revoke();
    return c.json(record);
  });
