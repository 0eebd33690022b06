import { parseArgs } from "node:util";
import { startSimulator } from "./server.js";
import { SimConfigSchema } from "./sim-options.js";

/*
 * `npm run sim -- [--port 9300] [--ui 2026-08|2026|2025] [--pace-ms 15] [--chunk-chars 24]
 *   [--xssi] [--require-login] [--first-run all|none|random] [--first-run-seed N]
 *   [--token-count-ms-per-1k 10] [--rename run-button] [--max-upload-bytes 104857600]
 *   [--max-upload-files 10] [--upload-delay-ms 400] [--upload-ms-per-mb 200]`
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
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => void sim.close().then(() => process.exit(0)));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EADDRINUSE")
    console.error(`Port ${port} is already in use: pass --port with another number.`);
  else console.error(e.message);
  process.exit(1);
}
