import { parseArgs } from "node:util";
import { startSimulator } from "./server.js";
import { SimConfigSchema } from "./sim-options.js";

/*
 * `npm run sim -- [--port 9300] [--ui 2026-08|2026|2025] [--pace-ms 15] [--chunk-chars 24]
 *   [--xssi] [--require-login] [--sign-in-password demo-password] [--sign-in-phone-approve-ms N]
 *   [--first-run all|none|random] [--first-run-seed N]
 *   [--token-count-ms-per-1k 10] [--rename run-button] [--max-upload-bytes 104857600]
 *   [--max-upload-files 10] [--upload-delay-ms 400] [--upload-ms-per-mb 200]`
 *
 * With --require-login, a page load without a session goes through Google's sign-in flow
 * (signin-flow.ts): /v3/signin/identifier takes any e-mail or phone number, then
 * /v3/signin/challenge/pwd the --sign-in-password; with --sign-in-phone-approve-ms, the
 * "Check your phone" page at /v3/signin/challenge/dp then waits that long (or for
 * `POST /__sim/signin/approve`) before the SID cookie is set and the chat page loads.
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9300" },
    host: { type: "string", default: "127.0.0.1" },
    ui: { type: "string", default: "2026-08" },
    "pace-ms": { type: "string" },
    "chunk-chars": { type: "string" },
    xssi: { type: "boolean", default: false },
    "require-login": { type: "boolean", default: false },
    "sign-in-password": { type: "string" },
    "sign-in-phone-approve-ms": { type: "string" },
    "first-run": { type: "string" },
    "first-run-seed": { type: "string" },
    "token-count-ms-per-1k": { type: "string" },
    rename: { type: "string" },
    "max-upload-bytes": { type: "string" },
    "max-upload-files": { type: "string" },
    "upload-delay-ms": { type: "string" },
    "upload-ms-per-mb": { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port takes a port number, not '${values.port}'.`);
  process.exit(2);
}

const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
// The flags' spelling for renames is kebab-case; the options' is the hook's camelCase name.
const RENAME_FLAGS: Record<string, string> = { "run-button": "runButton" };
const parsed = SimConfigSchema.safeParse({
  ui: values.ui,
  xssi: values.xssi,
  requireLogin: values["require-login"],
  signInPassword: values["sign-in-password"],
  signInPhoneApproveMs: number(values["sign-in-phone-approve-ms"]),
  pace: {
    ...(values["pace-ms"] !== undefined ? { paceMs: number(values["pace-ms"]) } : {}),
    ...(values["chunk-chars"] !== undefined ? { chunkChars: number(values["chunk-chars"]) } : {}),
  },
  firstRun: values["first-run"],
  firstRunSeed: number(values["first-run-seed"]),
  tokenCountMsPer1k: number(values["token-count-ms-per-1k"]),
  rename: values.rename === undefined ? undefined : (RENAME_FLAGS[values.rename] ?? values.rename),
  maxUploadBytes: number(values["max-upload-bytes"]),
  maxUploadFiles: number(values["max-upload-files"]),
  uploadDelayMs: number(values["upload-delay-ms"]),
  uploadMsPerMb: number(values["upload-ms-per-mb"]),
});
if (!parsed.success) {
  const FLAGS: Record<string, string> = {
    ui: "--ui",
    pace: "--pace-ms / --chunk-chars",
    signInPassword: "--sign-in-password",
    signInPhoneApproveMs: "--sign-in-phone-approve-ms",
    firstRun: "--first-run",
    firstRunSeed: "--first-run-seed",
    tokenCountMsPer1k: "--token-count-ms-per-1k",
    rename: "--rename",
    maxUploadBytes: "--max-upload-bytes",
    maxUploadFiles: "--max-upload-files",
    uploadDelayMs: "--upload-delay-ms",
    uploadMsPerMb: "--upload-ms-per-mb",
  };
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    const message =
      key === "rename"
        ? `takes ${Object.keys(RENAME_FLAGS).join(" or ")}, not '${values.rename}'`
        : issue.message;
    console.error(`${FLAGS[key] ?? key}: ${message}`);
  }
  process.exit(2);
}

try {
  const sim = await startSimulator({ port, host: values.host, ...parsed.data });
  console.log(`AI Studio simulator (UI ${sim.state.options.ui}) at ${sim.url}/prompts/new_chat`);
  console.log(
    `Control API: POST ${sim.url}/__sim/scenario, GET ${sim.url}/__sim/requests, POST ${sim.url}/__sim/reset`,
  );
  const { requireLogin, signInPassword, signInPhoneApproveMs } = sim.state.options;
  if (requireLogin)
    console.log(
      `Sign-in: any e-mail, password '${signInPassword}'${signInPhoneApproveMs === null ? "" : `, then the phone step (approved after ${signInPhoneApproveMs} ms, or by POST ${sim.url}/__sim/signin/approve)`}.`,
    );
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => void sim.close().then(() => process.exit(0)));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EADDRINUSE")
    console.error(`Port ${port} is already in use: pass --port with another number.`);
  else console.error(e.message);
  process.exit(1);
}
