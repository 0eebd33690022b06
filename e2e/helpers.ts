import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, freePort, startDevServer, type DevServer } from "../scripts/wrangler.js";

export const ADMIN_TOKEN = "e2e-admin-token-0123456789";
export const HOST_TOKEN = "e2e-host-token-0123456789";

/** A `wrangler dev` of this repository on a free port, with its own throwaway state. */
export async function startEdge(
  vars: Record<string, string> = {},
): Promise<DevServer & { cleanup: () => Promise<void> }> {
  const state = mkdtempSync(join(tmpdir(), "aistudio-edge-e2e-"));
  const server = await startDevServer({
    port: await freePort(),
    persistTo: state,
    vars: { ADMIN_TOKEN, HOST_TOKEN, ...vars },
    timeoutMs: 90_000,
  });
  return {
    ...server,
    cleanup: async () => {
      await server.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Creates a key through the real CLI (`npm run keys -- create …`), as a person would. */
export async function createKeyWithCli(
  url: string,
  name: string,
  extra: string[] = [],
): Promise<{ id: string; key: string }> {
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [tsx, join(ROOT, "scripts", "keys.ts"), "create", name, "--json", ...extra],
    {
      env: { ...process.env, EDGE_URL: url, ADMIN_TOKEN },
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout);
}

/** The shared polling wait, re-exported for the end-to-end tests. */
export { until } from "../shared/test-support/until.js";
