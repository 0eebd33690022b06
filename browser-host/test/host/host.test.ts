import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BrowserHost } from "../../src/host.js";
import type { Lane } from "../../src/lane.js";
import { createLogger } from "../../src/log.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { jobFrame } from "../driver/harness.js";
import { FakePool } from "./fake-pool.js";

/*
 * The host as a whole against a fake pool on loopback: the protocol it speaks, and how it
 * recovers from a crashed page, a killed browser and a dropped link.
 */

let sim: Simulator;
let pool: FakePool;
let host: BrowserHost;
let snapshots: string;
const internals = () => host as unknown as { lanes: Lane[]; browser: Browser };

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function sendJob(id: string, prompt: string): void {
  const { v: _v, ...frame } = jobFrame({ prompt, reasoningEffort: "none" }, id);
  pool.send(frame);
}

async function runJob(id: string, prompt = "Hello host"): Promise<void> {
  sendJob(id, prompt);
  await until(() => pool.of("job.done", id).length + pool.of("job.error", id).length > 0, `the end of ${id}`);
}

beforeAll(async () => {
  sim = await startSimulator({ pace: { paceMs: 2, chunkChars: 40 } });
  pool = await FakePool.start();
  snapshots = mkdtempSync(join(tmpdir(), "aistudio-edge-snapshots-"));
  host = new BrowserHost(
    loadConfig({ POOL_URL: pool.url, HOST_TOKEN: "host-secret", HOST_ID: "test-host", LANES: "2", AISTUDIO_URL: sim.url, SNAPSHOT_DIR: snapshots, SNAPSHOT_KEEP: "2", LOG_LEVEL: "error", PAGE_TIMEOUT_MS: "10000" }),
    createLogger("error"),
  );
  await host.start();
  await until(() => pool.of("hello").length > 0 && host.snapshot().connected, "hello");
}, 60_000);

afterAll(async () => {
  await host?.stop();
  await pool?.close();
  await sim?.close();
  rmSync(snapshots, { recursive: true, force: true });
});

describe("the browser host", () => {
  it("says hello with its lanes and the models the page listed, with the host token", async () => {
    const hello = pool.of("hello")[0]!;
    expect(hello).toMatchObject({ hostId: "test-host", lanes: 2 });
    expect(hello.models.map((m) => m.id)).toEqual(expect.arrayContaining(["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-2.0-flash"]));
    expect(hello.models.find((m) => m.id === "gemini-3-pro-preview")!.thinking).toBe("level");
    expect(hello.models.find((m) => m.id === "gemini-2.5-flash")!.thinking).toBe("budget");
    expect(hello.models.find((m) => m.id === "gemini-2.0-flash")!.thinking).toBe("none");
    expect(pool.tokens[0]).toBe("Bearer host-secret");
    await until(() => pool.lastStatus()?.state === "ready", "a ready status");
  });

  it("relays a job as started, deltas and done, in sequence", async () => {
    await runJob("job_relay");
    const frames = pool.frames.filter((f) => (f as { jobId?: string }).jobId === "job_relay") as Array<{ type: string; seq: number }>;
    expect(frames[0]!.type).toBe("job.started");
    expect(frames.at(-1)!.type).toBe("job.done");
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    const text = pool.of("job.delta", "job_relay").map((f) => f.text ?? "").join("");
    expect(text).toBe(sim.state.requests.at(-1)!.answer!.text);
  });

  it("answers host_busy when the pool sends more jobs than it has lanes", async () => {
    await fetch(`${sim.url}/__sim/scenario`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: "slow", runs: 2, paceMs: 100 }) });
    for (const id of ["job_b1", "job_b2", "job_b3"]) sendJob(id, id);
    await until(() => pool.of("job.error", "job_b3").length > 0, "the third job's refusal");
    expect(pool.of("job.error", "job_b3")[0]).toMatchObject({ code: "host_busy", retryable: true, outputStarted: false });
    await until(() => pool.of("job.done", "job_b1").length + pool.of("job.done", "job_b2").length === 2, "both slow jobs");
  });

  it("cools a model down after a quota error and writes a failure snapshot", async () => {
    await fetch(`${sim.url}/__sim/scenario`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: "quota" }) });
    await runJob("job_quota");
    expect(pool.of("job.error", "job_quota")[0]).toMatchObject({ code: "upstream_quota", retryable: true });
    await until(() => (pool.lastStatus()?.cooldowns ?? []).some((c) => c.model === "gemini-2.5-flash"), "a cooldown in the status");
    await until(() => readdirSync(snapshots).length > 0 && readdirSync(join(snapshots, readdirSync(snapshots)[0]!)).includes("job_quota"), "the snapshot");
    const dir = join(snapshots, readdirSync(snapshots)[0]!, "job_quota");
    await until(() => readdirSync(dir).includes("dom.html"), "the snapshot files");
    expect(readdirSync(dir).sort()).toEqual(["console.log", "dom.html", "error.json", "network.json", "screenshot.png"]);
  });

  it("replaces a crashed page and keeps serving", async () => {
    const lane = internals().lanes[0]!;
    await lane.page!.goto("chrome://crash").catch(() => undefined);
    await until(() => pool.lastStatus()!.lanes < 2, "the status to drop the crashed lane", 10_000);
    await until(() => pool.lastStatus()!.lanes === 2, "the lane to come back", 20_000);
    await runJob("job_after_crash");
    expect(pool.of("job.done", "job_after_crash")).toHaveLength(1);
  });

  it("relaunches a killed browser, reporting degraded meanwhile", async () => {
    internals().browser.process()!.kill("SIGKILL");
    await until(() => pool.lastStatus()?.state === "degraded", "degraded", 10_000);
    await until(() => pool.lastStatus()?.state === "ready" && pool.lastStatus()!.lanes === 2, "ready again", 30_000);
    await runJob("job_after_kill");
    expect(pool.of("job.done", "job_after_kill")).toHaveLength(1);
  });

  it("reconnects when the link drops, saying hello again", async () => {
    const hellos = pool.of("hello").length;
    pool.socket!.terminate();
    await until(() => pool.of("hello").length > hellos, "a new hello", 15_000);
    await runJob("job_after_reconnect");
    expect(pool.of("job.done", "job_after_reconnect")).toHaveLength(1);
  });

  it("drains: finishes the running job, reports draining, then closes the link", async () => {
    await fetch(`${sim.url}/__sim/scenario`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: "slow", paceMs: 100 }) });
    sendJob("job_drain", "drain me");
    await until(() => pool.of("job.delta", "job_drain").length > 0, "the job to stream");
    const drained = host.drain("test");
    await until(() => pool.lastStatus()?.state === "draining", "draining");
    await drained;
    expect(pool.of("job.done", "job_drain")).toHaveLength(1);
  });
});
