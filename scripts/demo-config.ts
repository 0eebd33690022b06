import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type HostConfig } from "../browser-host/src/config.js";
import { writeFileAtomic } from "../browser-host/src/profile/storage-state.js";

/*
 * What `npm run demo` touches, kept apart from the process plumbing so tests can check it: the
 * browser host's settings (everything on this machine: the simulator stands in for AI Studio and
 * for the IP echo the egress check asks) and the state folder, whose state.json holds the admin
 * token, so only this user may read either.
 */

export interface DemoState {
  baseUrl: string;
  apiKey: string;
  adminToken: string;
  simulatorUrl: string;
}

export function demoHostConfig(options: {
  poolUrl: string;
  hostToken: string;
  lanes: number;
  simulatorUrl: string;
  demoDir: string;
}): HostConfig {
  return loadConfig({
    POOL_URL: options.poolUrl,
    HOST_TOKEN: options.hostToken,
    HOST_ID: "demo-host",
    LANES: String(options.lanes),
    AISTUDIO_URL: options.simulatorUrl,
    // The default echo is ipinfo.io; the demo reaches nothing outside this machine.
    EGRESS_CHECK_URL: `${options.simulatorUrl}/__sim/egress`,
    // A person's real login profiles (./auth_profiles) are not the demo's: their recorded
    // country would be checked against the simulator's echo and could refuse the start.
    AUTH_DIR: join(options.demoDir, "auth_profiles"),
    SNAPSHOT_DIR: join(options.demoDir, "snapshots"),
    LOG_LEVEL: "warn",
  });
}

/** Creates the state folder 0700; chmod as well, since mkdir's mode leaves an existing folder as it was. */
export function prepareDemoDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes state.json 0600 (atomically: the new file is made 0600, then renamed over any old one). */
export async function writeDemoState(dir: string, state: DemoState): Promise<string> {
  const file = join(dir, "state.json");
  await writeFileAtomic(file, JSON.stringify(state, null, 2));
  return file;
}
