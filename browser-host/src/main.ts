import { ConfigError, loadConfig } from "./config.js";
import { BrowserHost } from "./host.js";
import { createLogger } from "./log.js";

/* `npm run host`: the browser host, configured from the environment (see .env.example). */

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err));
  process.exit(2);
}
const log = createLogger(config.LOG_LEVEL, { hostId: config.HOST_ID });
const host = new BrowserHost(config, log, {
  // The host stops by itself; the process then ends with this code for a supervisor to see.
  onRefused: () => {
    process.exitCode = 1;
  },
});
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void host.drain(signal).then(() => process.exit(0));
  });
}
host.start().catch(async (err: Error) => {
  log.error("the host could not start", { error: err.message });
  await host.stop();
  process.exit(1);
});
