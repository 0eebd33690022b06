import { readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";
import { loadConfig, type HostConfig } from "../config.js";
import type { Level } from "../log.js";

/*
 * The self-check's command line and settings. The settings are the host's own (the same
 * environment, optionally a .env file such as docker/.env), parsed by the host's schema; the
 * two it does not need, POOL_URL and HOST_TOKEN, get placeholders when unset. A bad value is
 * named as the host would name it, and is a usage error (exit 2).
 */

export const USAGE = `npm run self-check -- [--run] [--json] [--out DIR] [--dotenv FILE]

Checks, with the host's own settings (AISTUDIO_URL, PROFILE, AUTH_DIR, PROXY_URL, CHROME_PATH,
HEADLESS, SELECTORS_FILE, PAGE_TIMEOUT_MS, …), that AI Studio's page still has every element
the driver needs, and writes a redacted bundle for a bug report.

  --run            also send one tiny prompt through the real job path and check the answer
  --json           print the report as JSON instead of the table
  --out DIR        write the bundle to DIR (new or empty) instead of SNAPSHOT_DIR/self-check-<time>
  --dotenv FILE    read settings from FILE too (the environment wins), e.g. docker/.env

Exit codes: 0 every needed element found (and --run answered); 1 one is missing, a step failed
or --run failed; 2 usage or settings error; 3 signed out (the remedy is printed).`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface SelfCheckOptions {
  run: boolean;
  json: boolean;
  out: string | null;
  help: boolean;
}

/** The placeholders for what only the pool link needs. */
const NOT_USED = { POOL_URL: "ws://127.0.0.1:9/hosts/connect", HOST_TOKEN: "not-used" };

export function parseOptions(argv: string[]): SelfCheckOptions & { envFile: string | null } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        run: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        out: { type: "string" },
        dotenv: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`, { cause: err });
  }
  return {
    run: values.run,
    json: values.json,
    out: values.out ?? null,
    help: values.help,
    envFile: values.dotenv ?? null,
  };
}

/**
 * The host's settings for the self-check; throws a ConfigError naming each bad variable. The
 * log (JSON lines on stderr, beside the table) is at warn unless LOG_LEVEL says otherwise.
 */
export function loadSelfCheckConfig(
  env: NodeJS.ProcessEnv,
  envFile: string | null,
): { config: HostConfig; logLevel: Level } {
  let fromFile: Record<string, string> = {};
  if (envFile !== null) {
    try {
      fromFile = parseEnv(readFileSync(envFile, "utf8")) as Record<string, string>;
    } catch (err) {
      throw new UsageError(`--dotenv ${envFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  const set = (e: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined && v !== ""));
  const merged = { ...NOT_USED, ...set(fromFile), ...set(env) };
  const config = loadConfig(merged);
  return { config, logLevel: "LOG_LEVEL" in merged ? config.LOG_LEVEL : "warn" };
}
