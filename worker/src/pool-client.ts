import { ErrorCodeSchema, OpenAIErrorBodySchema } from "@aistudio-edge/shared";
import type { Env } from "./env.js";
import { configOf } from "./env.js";
import { ApiError } from "./errors.js";
import type { Pool, PoolHealth } from "./pool/pool.js";
import { PoolEventReader, type JobSubmission } from "./pool/pool-events.js";

export function poolStub(env: Env): DurableObjectStub<Pool> {
  return env.POOL.get(env.POOL.idFromName(configOf(env).POOL_NAME));
}

/**
 * Hands a job to the pool. Refusals (no host, unknown model, queue full) come back before any
 * byte is sent to the client, as an `ApiError` with the pool's status and `retry-after`;
 * an accepted job comes back as its event stream.
 */
export async function submitJob(
  env: Env,
  waitUntil: (work: Promise<unknown>) => void,
  submission: JobSubmission,
): Promise<PoolEventReader> {
  const pool = poolStub(env);
  const res = await pool.fetch("https://pool/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(submission),
  });
  const jobId = res.headers.get("x-job-id");
  if (res.ok && res.body !== null && jobId !== null) {
    return new PoolEventReader(res.body, () => waitUntil(pool.cancelJob(jobId)));
  }

  const parsed = OpenAIErrorBodySchema.safeParse(await res.json().catch(() => null));
  const code = ErrorCodeSchema.safeParse(parsed.success ? parsed.data.error.code : null);
  if (!parsed.success || !code.success) {
    throw new ApiError("internal_error", `The pool answered ${res.status} without a usable error.`);
  }
  const retry = res.headers.get("retry-after");
  throw new ApiError(code.data, parsed.data.error.message, {
    param: parsed.data.error.param,
    ...(retry !== null ? { headers: { "retry-after": retry } } : {}),
  });
}

export async function poolHealth(env: Env): Promise<PoolHealth> {
  return poolStub(env).health();
}

export async function poolModels(env: Env): Promise<Array<{ id: string; displayName: string | null }>> {
  return poolStub(env).models();
}
