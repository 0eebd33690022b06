import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BrowserHost } from "../browser-host/src/host.js";
import { createLogger } from "../browser-host/src/log.js";
import { startSimulator, type Simulator } from "../browser-host/simulator/server.js";
import { demoHostConfig, prepareDemoDir, writeDemoState } from "./demo-config.js";
import { ROOT, portInUse, startDevServer, type DevServer } from "./wrangler.js";

/*
 * `npm run demo`: the whole system on this machine in one command — the AI Studio simulator,
 * the Worker (`wrangler dev`, state under .demo/), and a browser host with N lanes dialled into
 * it — then a demo API key and the lines to try it. Ctrl-C stops everything it started.
 */

/** The simulator's sign-in password in a --signed-out demo (no real account is involved). */
const DEMO_PASSWORD = "demo-password";

const USAGE = `Usage: npm run demo -- [--port 8787] [--lanes 2] [--sim-port 9300] [--signed-out]

  --signed-out   the simulator asks for a Google-like sign-in (any e-mail, password
                 "${DEMO_PASSWORD}", then a "check your phone" step that approves itself) and the
                 host starts with no profile, reporting auth_expired: sign it in from the console`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8787" },
      lanes: { type: "string", default: "2" },
      "sim-port": { type: "string", default: "9300" },
      "signed-out": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  const simPort = Number(values["sim-port"]);
  const lanes = Number(values.lanes);
  for (const [flag, n] of [
    ["--port", port],
    ["--sim-port", simPort],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new UsageError(`${flag} takes a port number.\n${USAGE}`);
  }
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 16)
    throw new UsageError(`--lanes takes a number from 1 to 16.\n${USAGE}`);
  if (await portInUse(port))
    throw new UsageError(
      `Port ${port} is already in use: pass --port with another number (the Worker's port).`,
    );
  if (await portInUse(simPort))
    throw new UsageError(
      `Port ${simPort} is already in use: pass --sim-port with another number (the simulator's port).`,
    );

  // DEMO_DIR lets tests keep their state apart from a person's running demo.
  const demoDir = process.env.DEMO_DIR ?? join(ROOT, ".demo");
  prepareDemoDir(demoDir);
  const adminToken = randomBytes(24).toString("base64url");
  const hostToken = randomBytes(24).toString("base64url");
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nStopping the demo (${why})…`);
    void stopAll().then(() => process.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => shutdown(signal));
  // `npm run` does not pass a SIGTERM on through its shell: when the parent goes, go too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown("parent exited"), 500).unref();

  try {
    console.log("Starting the AI Studio simulator…");
    const signedOut = values["signed-out"];
    const sim: Simulator = await startSimulator({
      port: simPort,
      ...(signedOut
        ? { requireLogin: true, signInPassword: DEMO_PASSWORD, signInPhoneApproveMs: 2_000 }
        : {}),
    });
    started.push(() => sim.close());

    console.log("Starting the Worker (wrangler dev)…");
    const edge: DevServer = await startDevServer({
      port,
      persistTo: join(demoDir, "wrangler-state"),
      vars: { ADMIN_TOKEN: adminToken, HOST_TOKEN: hostToken },
      timeoutMs: 120_000,
    });
    started.push(() => edge.stop());

    console.log(`Starting a browser host with ${lanes} lane(s)…`);
    const config = demoHostConfig({
      poolUrl: edge.url,
      hostToken,
      lanes,
      simulatorUrl: sim.url,
      demoDir,
    });
    const host = new BrowserHost(config, createLogger("warn"));
    started.push(() => host.stop());
    await host.start();
    const deadline = Date.now() + 60_000;
    // Signed out, the host connects with no lane open and waits for a sign-in.
    const up = () => {
      const { connected, lanes, state } = host.snapshot();
      return connected && (lanes >= 1 || (signedOut && state === "auth_expired"));
    };
    while (!up()) {
      if (Date.now() > deadline)
        throw new Error("The browser host did not connect to the Worker within 60 s.");
      await new Promise((r) => setTimeout(r, 100));
    }

    const res = await fetch(`${edge.url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "demo", rpm: 600, concurrency: 8 }),
    });
    if (res.status !== 201) throw new Error(`Creating the demo key failed: HTTP ${res.status}`);
    const { key } = (await res.json()) as { key: string };

    const baseUrl = `${edge.url}/v1`;
    const stateFile = await writeDemoState(demoDir, {
      baseUrl,
      apiKey: key,
      adminToken,
      simulatorUrl: sim.url,
    });
    console.log(`
Ready: ${baseUrl}  api key ${key}

  curl ${baseUrl}/chat/completions -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d '{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hello!"}],"stream":true}'

  import OpenAI from "openai";
  const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: "${key}" });
  const answer = await client.chat.completions.create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hello!" }] });

Console: ${edge.url}/console (admin token in ${stateFile})${
      signedOut
        ? `
The host is signed out: open the console, press "Sign in" on demo-host, and sign in with any
e-mail and the password "${DEMO_PASSWORD}" (the phone step approves itself).`
        : ""
    }
Simulator page: ${sim.url}/prompts/new_chat   ·   state in ${stateFile}   ·   Ctrl-C stops everything`);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

class UsageError extends Error {}

main().catch((err: Error) => {
  console.error(
    err instanceof UsageError ? err.message : `The demo could not start: ${err.message}`,
  );
  process.exit(err instanceof UsageError ? 2 : 1);
});
