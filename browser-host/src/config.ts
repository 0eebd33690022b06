import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { z } from "zod";

/*
 * Every setting of the browser host, from the environment, validated once at start. Messages
 * name the variable and say what would be accepted, so a person can fix it without the source.
 */

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "use true or false" })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1" || v === "yes"));

/** `http(s)://worker` or `ws(s)://worker[/hosts/connect]` → the WebSocket URL of /hosts/connect. */
export function poolSocketUrl(raw: string): string {
  const url = new URL(raw);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/hosts/connect";
  return url.toString();
}

function defaultHostId(): string {
  const machine =
    hostname()
      .slice(0, 55)
      .replace(/[^A-Za-z0-9._-]/g, "-") || "host";
  return `${machine}-${randomBytes(4).toString("hex")}`;
}

export const HostConfigSchema = z.object({
  POOL_URL: z
    .string({
      message: "is required: the Worker's URL, e.g. https://aistudio-edge.example.workers.dev",
    })
    .refine(
      (v) => /^(https?|wss?):\/\//.test(v) && URL.canParse(v),
      "must be an http(s):// or ws(s):// URL of the Worker",
    )
    .transform(poolSocketUrl),
  HOST_TOKEN: z
    .string({ message: "is required: the Worker's HOST_TOKEN secret" })
    .min(1, "must not be empty"),
  /**
   * The host's name in the pool. Unset, it is the machine's name plus a random suffix, so two
   * processes on one machine (or two containers from one image) never share an id.
   */
  HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' and '-' only")
    .default(defaultHostId),
  LANES: int(2, 1, 32),
  AISTUDIO_URL: z
    .string()
    .default("https://aistudio.google.com")
    .refine((v) => URL.canParse(v), "must be a URL")
    .transform((v) => v.replace(/\/+$/, "")),
  PROFILE: z.string().optional(),
  PROXY_URL: z
    .string()
    .refine(
      (v) => URL.canParse(v),
      "must be a URL like http://user:pass@host:port or socks5://host:port",
    )
    .optional(),
  CHROME_PATH: z.string().optional(),
  HEADLESS: bool(true),
  SNAPSHOT_DIR: z.string().default("snapshots"),
  SNAPSHOT_KEEP: int(50, 1, 10_000),
  /** No answer bytes for this long ends a job as upstream_stalled (below the pool's own watchdog). */
  STALL_TIMEOUT_MS: int(45_000, 1_000, 3_600_000),
  /** Page loads and UI elements must appear within this. */
  PAGE_TIMEOUT_MS: int(30_000, 1_000, 600_000),
  DRAIN_TIMEOUT_MS: int(30_000, 0, 600_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Where profiles live: saved/<name>.json (+ .meta.json) and active/. */
  AUTH_DIR: z.string().default("auth_profiles"),
  /** An IP echo service answering like ipinfo.io/json, reached through the browser's proxy. */
  EGRESS_CHECK_URL: z
    .string()
    .refine((v) => URL.canParse(v), "must be a URL")
    .default("https://ipinfo.io/json"),
  /** Start even when the egress country differs from the profile's (with a warning). */
  ALLOW_EGRESS_MISMATCH: bool(false),
  /** How often fresh cookies are written back to the profile, between jobs (ms). */
  COOKIE_WRITEBACK_MS: int(600_000, 1_000, 86_400_000),
  /**
   * A JSON file of selector candidates tried ahead of the built-in ones, for when AI Studio
   * renames a hook (see README, "the UI changed"); validated at start.
   */
  SELECTORS_FILE: z.string().optional(),
  /**
   * strict: a job fails when the page will not take a setting it asked for (upstream_ui_changed,
   * naming the control). lenient: the job runs without it, and the answer says which settings
   * were dropped (x-aistudio-dropped-settings).
   */
  SETTINGS_MODE: z.enum(["strict", "lenient"]).default("strict"),
  /**
   * AI Studio shows a new account its terms of service once, as a dialog over the page that
   * closes only by consenting. 1: the host ticks the required consent and accepts, as the person
   * signing in would. 0: the dialog is a named error; accept it once in the sign-in browser.
   */
  ACCEPT_TERMS: bool(true),
  /** A file the host rewrites with its state, for container health checks that need no port. */
  STATUS_FILE: z.string().optional(),
  /**
   * Remote sign-in (an operator signs the host in from the edge's console, which shows the
   * screen of a fresh browser context): at most this many screen frames a second go to the pool,
   * always the newest; the others are dropped.
   */
  SIGNIN_MAX_FPS: int(4, 1, 30),
  /** A remote sign-in session with no input from the operator for this long is closed (ms). */
  SIGNIN_IDLE_MS: int(300_000, 1_000, 3_600_000),
  /** A remote sign-in session is closed after this long whatever happens (ms). */
  SIGNIN_MAX_MS: int(900_000, 10_000, 7_200_000),
});
export type HostConfig = z.infer<typeof HostConfigSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses the environment; throws a ConfigError listing every problem, one per line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = HostConfigSchema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")} ${i.message}`);
  throw new ConfigError(
    `The browser host's settings are not valid (see .env.example):\n${lines.join("\n")}`,
  );
}
