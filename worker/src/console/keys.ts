import { Hono } from "hono";
import type { KeyUsageSummary } from "../accounting/records.js";
import type { AppEnv } from "../app-types.js";
import { configOf, type Env } from "../env.js";
import { ApiError } from "../errors.js";
import { KeyStore } from "../keys/key-store.js";
import { log } from "../log.js";
import { poolStub } from "../pool-client.js";
import { optionalInt, readForm } from "./forms.js";
import { LIMITS, createdKeyPage, keysPage } from "./keys-page.js";

const KEY_ID = /^key_[0-9A-Za-z]{1,64}$/;

function keyIdOf(raw: string): string {
  if (!KEY_ID.test(raw)) throw new ApiError("not_found", `No key with id '${raw}'.`);
  return raw;
}

function limitsOf(form: URLSearchParams): { rpm?: number; concurrency?: number } {
  const rpm = optionalInt(form, "rpm", "Requests per minute", LIMITS.rpm.min, LIMITS.rpm.max);
  const concurrency = optionalInt(
    form,
    "concurrency",
    "Concurrent requests",
    LIMITS.concurrency.min,
    LIMITS.concurrency.max,
  );
  return {
    ...(rpm !== undefined ? { rpm } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

/** The pool's 30-day usage per key; the page still lists keys when the pool cannot answer. */
async function usageByKey(
  env: Env,
  requestId: string,
): Promise<Map<string, KeyUsageSummary> | null> {
  try {
    const rows: KeyUsageSummary[] = await poolStub(env).keyUsage();
    return new Map(rows.map((r) => [r.keyId, r]));
  } catch (err) {
    log.warn("console: key usage unavailable", {
      requestId,
      error: err instanceof Error ? err.message : String(err),
    });
    return null;
  }
}

/**
 * Keys from the console: the same store and limiter as /admin/keys. Changes answer with a 303
 * back to the list (so a reload does not repeat them), except creation, whose page shows the
 * key: it must not travel in a URL.
 */
export const keys = new Hono<AppEnv>()
  .get("/", async (c) => {
    const store = new KeyStore(c.env.KEYS);
    const [list, usage] = await Promise.all([store.list(), usageByKey(c.env, c.get("requestId"))]);
    const config = configOf(c.env);
    const updated = list.find((k) => k.id === c.req.query("updated"));
    const revoked = list.find((k) => k.id === c.req.query("revoked"));
    const notice = updated
      ? `Limits of ${updated.name} (${updated.id}) saved: ${updated.rpm} per minute, ${updated.concurrency} concurrent.`
      : revoked
        ? `Key ${revoked.name} (${revoked.id}) revoked.`
        : null;
    return c.html(
      keysPage({
        keys: list,
        usage,
        defaults: { rpm: config.DEFAULT_RPM, concurrency: config.DEFAULT_CONCURRENCY },
        notice,
      }),
    );
  })
  .post("/", async (c) => {
    const form = await readForm(c);
    const name = form.get("name")?.trim() ?? "";
    if (name.length < 1 || name.length > 64)
      throw new ApiError("invalid_request", "Name must be 1 to 64 characters.", {
        param: "name",
      });
    const limits = limitsOf(form);
    const config = configOf(c.env);
    const { key, record } = await new KeyStore(c.env.KEYS).create({
      name,
      rpm: limits.rpm ?? config.DEFAULT_RPM,
      concurrency: limits.concurrency ?? config.DEFAULT_CONCURRENCY,
    });
    log.info("console: key created", { requestId: c.get("requestId"), keyId: record.id });
    return c.html(createdKeyPage(record, key), 201);
  })
  .post("/:id/limits", async (c) => {
    const id = keyIdOf(c.req.param("id"));
    const limits = limitsOf(await readForm(c));
    if (limits.rpm === undefined && limits.concurrency === undefined)
      throw new ApiError("invalid_request", "Give requests per minute, concurrency or both.");
    const record = await new KeyStore(c.env.KEYS).update(id, limits);
    if (record === null) throw new ApiError("not_found", `No key with id '${id}'.`);
    log.info("console: key limits changed", {
      requestId: c.get("requestId"),
      keyId: id,
      rpm: record.rpm,
      concurrency: record.concurrency,
    });
    return c.redirect(`/console/keys?updated=${encodeURIComponent(id)}`, 303);
  })
  .post("/:id/revoke", async (c) => {
    const id = keyIdOf(c.req.param("id"));
    const record = await new KeyStore(c.env.KEYS).revoke(id);
    if (record === null) throw new ApiError("not_found", `No key with id '${id}'.`);
    // As DELETE /admin/keys/:id: the limiter refuses the key from its next request on.
    await c.env.KEY_LIMITER.get(c.env.KEY_LIMITER.idFromName(id)).revoke();
    log.info("console: key revoked", { requestId: c.get("requestId"), keyId: id });
    return c.redirect(`/console/keys?revoked=${encodeURIComponent(id)}`, 303);
  });
