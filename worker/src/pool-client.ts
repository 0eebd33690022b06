import { z } from "zod";
import { ThinkingKindSchema } from "@aistudio-edge/shared";
import type { Env } from "./env.js";
import { configOf } from "./env.js";
import { ApiError, retryAfter } from "./errors.js";
import type { Pool, PoolHealth } from "./pool/pool.js";
import { PoolEventReader, type JobSubmission } from "./pool/pool-events.js";

export function poolStub(env: Env): DurableObjectStub<Pool> {
  return env.POOL.get(env.POOL.idFromName(configOf(env).POOL_NAME));
}

/**
 * Hands a job to the pool over RPC. A refusal (no host, unknown model, queue full) comes back
 * as a typed result before any byte is sent to the client and becomes an `ApiError` with the
 * pool's code and `retry-after`; an accepted job comes back as its event stream.
 */
export async function submitJob(
  env: Env,
  waitUntil: (work: Promise<unknown>) => void,
  submission: JobSubmission,
): Promise<PoolEventReader> {
  const pool = poolStub(env);
  const result = await pool.submit(submission);
  if (result.ok)
    return new PoolEventReader(result.stream, () => waitUntil(pool.cancelJob(result.jobId)));
  throw new ApiError(result.code, result.message, {
    param: result.param,
    ...(result.retryAfterMs !== null ? { headers: retryAfter(result.retryAfterMs) } : {}),
  });
}

export async function poolHealth(env: Env): Promise<PoolHealth> {
  return poolStub(env).health();
}

/** A model some connected host serves, as the pool lists it. */
export const PoolModelSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  /** Whether any host serving it says it answers with images; absent from an older pool. */
  imageOutput: z.boolean().optional(),
  /** The page's limits where a host reported them (absent from an older pool too). */
  inputTokenLimit: z.number().int().positive().optional(),
  outputTokenLimit: z.number().int().positive().optional(),
  thinking: ThinkingKindSchema.optional(),
});
export type PoolModel = z.infer<typeof PoolModelSchema>;

/**
 * The models the connected hosts serve, sorted by id. Parsed, because the pool runs in another
 * isolate and can be another deployment than this Worker.
 */
export async function poolModels(env: Env): Promise<PoolModel[]> {
  return z.array(PoolModelSchema).parse(await poolStub(env).models());
}
