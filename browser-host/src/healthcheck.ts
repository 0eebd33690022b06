import { readFileSync, statSync } from "node:fs";

/*
 * The container's health check, with no port to probe: the host rewrites STATUS_FILE every few
 * seconds; healthy means the file is fresh, the host is connected, and its login has not
 * expired. Exit 0 healthy, 1 not (and why, on stdout for `docker inspect`).
 */

const file = process.env.STATUS_FILE ?? "/tmp/host-status.json";
const maxAgeMs = Number(process.env.HEALTH_MAX_AGE_MS ?? 30_000);

function verdict(): string | null {
  let age: number;
  try {
    age = Date.now() - statSync(file).mtimeMs;
  } catch {
    return `no status file at ${file} yet`;
  }
  if (age > maxAgeMs)
    return `status file is ${Math.round(age / 1000)}s old: the host is not running`;
  const status = JSON.parse(readFileSync(file, "utf8")) as {
    state?: string;
    connected?: boolean;
    detail?: string;
  };
  if (status.state === "auth_expired") return `the Google login expired: ${status.detail ?? ""}`;
  if (status.connected !== true) return "not connected to the pool";
  return null;
}

const problem = verdict();
console.log(problem ?? "healthy");
process.exit(problem === null ? 0 : 1);
