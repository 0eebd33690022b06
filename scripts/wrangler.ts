import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/*
 * Runs wrangler the way every script here must: no telemetry, no network look-ups, no banner
 * (the machine this runs on may have no internet at all). `npm run dev`, the e2e tests and the
 * demo all start the Worker through this module.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

const WRANGLER_BIN = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

export function runWrangler(
  args: string[],
  options: { stdio?: "inherit" | "pipe"; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  return spawn(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV, ...options.env },
    stdio: options.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit",
  });
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on the port (used to name a busy port before wrangler trips on it). */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

export interface DevServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `wrangler dev` on a port and waits until the Worker answers /health. Vars override
 * wrangler.toml's (secrets included, so no .dev.vars is needed); state lives in `persistTo`.
 */
export async function startDevServer(options: {
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<DevServer> {
  if (await portInUse(options.port)) {
    throw new Error(
      `Port ${options.port} is already in use: pass --port with another number (or stop what listens there).`,
    );
  }
  const inspectorPort = await freePort();
  const args = [
    "dev",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
    "--log-level",
    "info",
    ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = runWrangler(args, { stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    if (options.signal?.aborted) {
      await stop();
      throw new Error("aborted while starting wrangler dev");
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return { url, process: child, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `wrangler dev did not answer on ${url} within ${options.timeoutMs ?? 60_000} ms:\n${output}`,
      );
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), exited]);
  }
}

// `npm run dev`: wrangler dev with the environment above, arguments passed through.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = runWrangler(process.argv.slice(2));
  child.on("exit", (code) => process.exit(code ?? 1));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
}
