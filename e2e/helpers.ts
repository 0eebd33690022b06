import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DemoState } from "../scripts/demo-config.js";
import { ROOT, freePort, startDevServer, type DevServer } from "../scripts/wrangler.js";
import { until } from "../shared/test-support/until.js";

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

export interface Demo {
  process: ChildProcess;
  /** Everything the demo printed so far, stdout and stderr. */
  readonly output: string;
  /** DEMO_DIR: a folder the demo creates itself (so its mode is the demo's doing). */
  dir: string;
  state: DemoState;
  /** SIGTERM if it still runs, then removes its folder. */
  stop(): Promise<void>;
}

/** `npm run demo` on free ports with `args` added, once it has printed its Ready line. */
export async function startDemo(args: string[]): Promise<Demo> {
  const root = mkdtempSync(join(tmpdir(), "aistudio-edge-demo-"));
  const dir = join(root, "demo");
  const [port, simPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "scripts", "demo.ts"),
      "--port",
      String(port),
      "--sim-port",
      String(simPort),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, DEMO_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    rmSync(root, { recursive: true, force: true });
  };
  await until(
    () => /^Ready: /m.test(output) || child.exitCode !== null,
    "the demo's Ready line",
    150_000,
  );
  if (child.exitCode !== null) {
    await stop();
    throw new Error(`npm run demo exited:\n${output}`);
  }
  const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as DemoState;
  return {
    process: child,
    get output() {
      return output;
    },
    dir,
    state,
    stop,
  };
}

/** The shared polling wait, re-exported for the end-to-end tests. */
export { until };
