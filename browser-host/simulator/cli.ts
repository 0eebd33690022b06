import { parseArgs } from "node:util";
import { startSimulator } from "./server.js";

/* `npm run sim -- [--port 9300] [--ui 2026|2025] [--pace-ms 15] [--chunk-chars 24] [--xssi] [--require-login]` */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9300" },
    host: { type: "string", default: "127.0.0.1" },
    ui: { type: "string", default: "2026" },
    "pace-ms": { type: "string" },
    "chunk-chars": { type: "string" },
    xssi: { type: "boolean", default: false },
    "require-login": { type: "boolean", default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port takes a port number, not '${values.port}'.`);
  process.exit(2);
}
if (values.ui !== "2026" && values.ui !== "2025") {
  console.error(`--ui takes 2026 or 2025, not '${values.ui}'.`);
  process.exit(2);
}

try {
  const sim = await startSimulator({
    port,
    host: values.host,
    ui: values.ui,
    xssi: values.xssi,
    requireLogin: values["require-login"],
    pace: {
      ...(values["pace-ms"] !== undefined ? { paceMs: Number(values["pace-ms"]) } : {}),
      ...(values["chunk-chars"] !== undefined ? { chunkChars: Number(values["chunk-chars"]) } : {}),
    },
  });
  console.log(`AI Studio simulator (UI ${values.ui}) at ${sim.url}/prompts/new_chat`);
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
