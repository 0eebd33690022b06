import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** The container's port-free health check, run as the container runs it. */

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(HERE, "..", "..", "src", "healthcheck.ts");
const dir = mkdtempSync(join(tmpdir(), "aistudio-edge-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(status: object | null, ageMs = 0): Promise<{ code: number; out: string }> {
  const file = join(dir, `status-${Math.random().toString(36).slice(2)}.json`);
  if (status) {
    writeFileSync(file, JSON.stringify(status));
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(file, t, t);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", SCRIPT],
      { env: { ...process.env, STATUS_FILE: file } },
      (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout.trim() }),
    );
  });
}

describe("container health check", () => {
  it("is healthy when the host is connected and its status is fresh", async () => {
    expect(await check({ state: "ready", connected: true })).toEqual({ code: 0, out: "healthy" });
  });

  it.each([
    [null, 0, /no status file/],
    [{ state: "ready", connected: true }, 120_000, /old: the host is not running/],
    [{ state: "ready", connected: false }, 0, /not connected to the pool/],
    [{ state: "auth_expired", connected: true, detail: "sign-in" }, 0, /login expired/],
  ])("is unhealthy for %j (age %d ms)", async (status, age, reason) => {
    const result = await check(status, age);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(reason);
  });
});
