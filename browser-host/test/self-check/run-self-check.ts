import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Runs `npm run self-check` as a person does: the root package.json's script, in a child
 * process, with only the settings a test gives it (a developer's own host settings in the
 * environment must not leak in).
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The host settings a test must not inherit from the shell that runs it. */
const HOST_SETTINGS =
  /^(POOL_URL|HOST_TOKEN|HOST_ID|AISTUDIO_URL|PROFILE|PROXY_URL|SELECTORS_FILE|AUTH_DIR|SNAPSHOT_DIR|EGRESS_CHECK_URL|LOG_LEVEL|HEADLESS|PAGE_TIMEOUT_MS|SETTINGS_MODE|ALLOW_EGRESS_MISMATCH)$/;

function scriptArgs(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const [node, ...args] = (scripts["self-check"] ?? "").split(/\s+/);
  if (node !== "node") throw new Error(`unexpected self-check script: ${scripts["self-check"]}`);
  return args;
}

export interface SelfCheckRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runSelfCheck(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 120_000,
): Promise<SelfCheckRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !HOST_SETTINGS.test(k)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...scriptArgs(), ...args],
      { cwd: ROOT, env: { ...inherited, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
        }),
    );
  });
}

/** Settings for a check against a simulator: no profile, private temporary folders. */
export function simSettings(simUrl: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "aistudio-edge-self-check-"));
  return {
    dir,
    env: {
      AISTUDIO_URL: simUrl,
      EGRESS_CHECK_URL: `${simUrl}/__sim/egress`,
      AUTH_DIR: join(dir, "auth"),
      SNAPSHOT_DIR: join(dir, "snapshots"),
      PAGE_TIMEOUT_MS: "30000",
      ...extra,
    },
  };
}
