import { Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-types.js";
import { JobsQuerySchema, UsageQuerySchema } from "../accounting/records.js";
import { usageCsv } from "../accounting/usage-csv.js";
import { ApiError } from "../errors.js";
import { adminToken } from "../middleware/admin-token.js";
import { poolStub } from "../pool-client.js";

/** A query string through a schema, answered 400 naming the first bad parameter. */
function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ApiError("invalid_request", `Bad query: ${issue?.message ?? "invalid"}`, {
    param: issue?.path.join(".") || null,
  });
}

/**
 * The ledger for scripts, with the admin token: per-key daily usage (JSON, or CSV with
 * `?format=csv`) and the last jobs. The same data the console shows; no prompt text exists in it.
 */
export const adminUsage = new Hono<AppEnv>()
  .use(adminToken)
  .get("/usage", async (c) => {
    const { format, ...rest } = c.req.query();
    const query = parseQuery(UsageQuerySchema, rest);
    const rows = await poolStub(c.env).usage(query);
    if (format === "csv")
      return c.body(usageCsv(rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="usage.csv"',
      });
    return c.json({ object: "list", data: rows });
  })
  .get("/jobs", async (c) => {
    const query = parseQuery(JobsQuerySchema, c.req.query());
    return c.json({ object: "list", data: await poolStub(c.env).jobs(query) });
  });
