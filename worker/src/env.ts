import { z } from "zod";
import { ATTACHMENTS_HARD_CAP_BYTES, ATTACHMENTS_HARD_CAP_COUNT } from "@aistudio-edge/shared";
import type { KeyLimiter } from "./keys/key-limiter.js";
import { AliasMapSchema } from "./models/model-names.js";
import type { Pool } from "./pool/pool.js";
import type { ResponseStore } from "./responses/response-store.js";

/** Bindings from wrangler.toml plus the two secrets. */
export interface Env {
  POOL: DurableObjectNamespace<Pool>;
  KEY_LIMITER: DurableObjectNamespace<KeyLimiter>;
  /** Stored Responses-API answers, one object per API key (responses/response-store.ts). */
  RESPONSES: DurableObjectNamespace<ResponseStore>;
  KEYS: KVNamespace;
  ADMIN_TOKEN?: string;
  HOST_TOKEN?: string;
  /** The console's script and stylesheet (Workers static assets, wrangler.toml [assets]). */
  ASSETS?: Fetcher;
  [variable: string]: unknown;
}

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const flag = z
  .enum(["true", "false", "1", "0"])
  .default("false")
  .transform((s) => s === "true" || s === "1");

/**
 * Every tunable, read from `[vars]` (strings) and validated once per isolate. A bad value is an
 * operator mistake, reported by name so it can be fixed in wrangler.toml.
 */
export const ConfigSchema = z.object({
  POOL_NAME: z.string().min(1).default("default"),
  MODELS_PUBLIC: flag,
  CORS_ORIGINS: z.string().default("*"),
  // Room for data URLs up to the attachment cap: base64 is 4/3 of the bytes, plus the JSON.
  MAX_BODY_BYTES: int(32 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  ATTACHMENT_MAX_BYTES: int(20 * 1024 * 1024, 1, ATTACHMENTS_HARD_CAP_BYTES),
  ATTACHMENTS_MAX_BYTES: int(20 * 1024 * 1024, 1, ATTACHMENTS_HARD_CAP_BYTES),
  ATTACHMENTS_MAX_COUNT: int(16, 0, ATTACHMENTS_HARD_CAP_COUNT),
  ATTACHMENT_FETCH_TIMEOUT_MS: int(10_000, 100, 120_000),
  ATTACHMENT_MAX_REDIRECTS: int(3, 0, 20),
  ATTACHMENT_ALLOW_PRIVATE_URLS: flag,
  QUEUE_MAX: int(64, 0, 10_000),
  QUEUE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  STALL_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  JOB_DEADLINE_MS: int(600_000, 1_000, 86_400_000),
  CANCEL_GRACE_MS: int(15_000, 100, 600_000),
  HEARTBEAT_MS: int(15_000, 1_000, 600_000),
  HELLO_TIMEOUT_MS: int(10_000, 100, 600_000),
  MAX_RETRIES: int(2, 0, 10),
  QUOTA_COOLDOWN_MS: int(60_000, 0, 86_400_000),
  NONSTREAM_KEEPALIVE_MS: int(5_000, 100, 60_000),
  HOST_FRAME_BURST: int(2_000, 10, 1_000_000),
  HOST_FRAMES_PER_SECOND: int(500, 1, 1_000_000),
  IMAGE_MARKDOWN: flag,
  /** "false" keeps no job records or usage rollups (the console's usage and jobs pages stay empty). */
  ACCOUNTING: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((s) => s === "true" || s === "1"),
  DEFAULT_RPM: int(60, 1, 1_000_000),
  DEFAULT_CONCURRENCY: int(4, 1, 10_000),
  CONSOLE_SESSION_HOURS: int(12, 1, 168),
  /**
   * Model aliases, `{ "claude-sonnet-4-5": "gemini-2.5-pro", … }`: a TOML table under
   * `[vars.MODEL_ALIASES]` or the same as a JSON string. The admin API can change them.
   */
  MODEL_ALIASES: z
    .preprocess((value) => {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value; // reported below as "expected record"
      }
    }, AliasMapSchema)
    .default({}),
  /** How long a Responses-API answer stored with `store` stays retrievable; 0 stores nothing. */
  RESPONSES_TTL_SECONDS: int(3600, 0, 30 * 86_400),
});
export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function configOf(env: Env): Config {
  let config = cache.get(env);
  if (config) return config;
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`wrangler.toml [vars] ${issue?.path.join(".")}: ${issue?.message}`);
  }
  config = result.data;
  cache.set(env, config);
  return config;
}
