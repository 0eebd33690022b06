import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { ATTACHMENT_CHUNK_BYTES } from "@aistudio-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until as untilHolds } from "../../../shared/test-support/until.js";
import { loadConfig } from "../../src/config.js";
import { BrowserHost } from "../../src/host.js";
import type { JobSink } from "../../src/driver/job-runner.js";
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

/** The shared wait, with the longer deadline that real Chromium work on a loaded machine needs. */
const until = (check: () => boolean, what: string, timeoutMs = 30_000) =>
  untilHolds(check, what, timeoutMs);

function sendJob(id: string, prompt: string): void {
  const { v: _v, ...frame } = jobFrame({ prompt, reasoningEffort: "none" }, id);
  pool.send(frame);
}

async function runJob(id: string, prompt = "Hello host"): Promise<void> {
  sendJob(id, prompt);
  await until(() => pool.ended(id), `the end of ${id}`);
}

beforeAll(async () => {
  sim = await startSimulator({ pace: { paceMs: 2, chunkChars: 40 } });
  pool = await FakePool.start();
  snapshots = mkdtempSync(join(tmpdir(), "aistudio-edge-snapshots-"));
  host = new BrowserHost(
    loadConfig({
      POOL_URL: pool.url,
      HOST_TOKEN: "host-secret",
      HOST_ID: "test-host",
      LANES: "2",
      AISTUDIO_URL: sim.url,
      EGRESS_CHECK_URL: `${sim.url}/__sim/egress`,
      SNAPSHOT_DIR: snapshots,
      SNAPSHOT_KEEP: "2",
      LOG_LEVEL: "error",
      PAGE_TIMEOUT_MS: "10000",
    }),
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
    expect(hello.instanceId).toMatch(/^[0-9a-f]{16}$/);
    expect(hello.models.map((m) => m.id)).toEqual(
      expect.arrayContaining(["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-2.0-flash"]),
    );
    expect(hello.models.find((m) => m.id === "gemini-3-pro-preview")!.thinking).toBe("level");
    expect(hello.models.find((m) => m.id === "gemini-2.5-flash")!.thinking).toBe("budget");
    expect(hello.models.find((m) => m.id === "gemini-2.0-flash")!.thinking).toBe("none");
    expect(pool.tokens[0]).toBe("Bearer host-secret");
    await until(() => pool.lastStatus()?.state === "ready", "a ready status");
  });

  it("relays a job as started, text and done events, in sequence", async () => {
    await runJob("job_relay");
    const frames = pool.of("job.event", "job_relay");
    expect(frames[0]!.event).toEqual({ t: "started", lane: expect.any(Number) });
    expect(frames.at(-1)!.event.t).toBe("done");
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    const text = pool
      .events("job_relay", "text")
      .map((e) => e.text)
      .join("");
    expect(text).toBe(sim.state.requests.at(-1)!.answer!.text);
  });

  it("gathers a 3 MiB file from its job.attachment frames and hands it whole to the lane", async () => {
    // The lanes play a scripted answer here: what matters is what they are given.
    const given: Array<readonly Uint8Array[]> = [];
    const lanes = internals().lanes;
    const originals = lanes.map((lane) => lane.run.bind(lane));
    for (const lane of lanes)
      lane.run = async (_browser, _job, sink: JobSink, _signal, files = []) => {
        given.push(files);
        sink({ t: "started" });
        sink({ t: "done", finishReason: "stop" });
      };
    try {
      const file = Buffer.from(
        Uint8Array.from({ length: 3 * 1024 * 1024 + 77 }, (_, i) => i % 251),
      );
      const { v: _v, ...frame } = jobFrame(
        {
          messages: [
            {
              role: "user",
              content: "Read this",
              attachments: [
                {
                  kind: "file",
                  mimeType: "application/pdf",
                  filename: "big.pdf",
                  bytes: file.length,
                  sha256: createHash("sha256").update(file).digest("hex"),
                },
              ],
            },
          ],
        },
        "job_files",
      );
      pool.send(frame);
      let seq = 0;
      for (let offset = 0; offset < file.length; offset += ATTACHMENT_CHUNK_BYTES)
        pool.send({
          type: "job.attachment",
          jobId: "job_files",
          seq: ++seq,
          index: 0,
          offset,
          data: file.subarray(offset, offset + ATTACHMENT_CHUNK_BYTES).toString("base64"),
        });
      expect(seq).toBe(4);
      await until(() => pool.ended("job_files"), "the end of job_files");
      expect(pool.events("job_files", "done")).toHaveLength(1);
      expect(given).toHaveLength(1);
      expect(Buffer.from(given[0]![0]!).equals(file)).toBe(true);
    } finally {
      lanes.forEach((lane, i) => (lane.run = originals[i]!));
    }
  });

  it("answers a job.attachment frame for a job it does not run with protocol.error", async () => {
    const before = pool.of("protocol.error").length;
    pool.send({
      type: "job.attachment",
      jobId: "job_nobody",
      seq: 1,
      index: 0,
      offset: 0,
      data: "AAAA",
    });
    await until(() => pool.of("protocol.error").length > before, "a protocol error");
    expect(pool.of("protocol.error").at(-1)).toMatchObject({
      jobId: "job_nobody",
      message: expect.stringContaining("does not run"),
    });
  });

  it("reports a job's lane busy from the moment it takes the job", async () => {
    await runJob("job_reserved");
    const first = pool.frames.findIndex(
      (f) => f.type === "job.event" && f.jobId === "job_reserved",
    );
    const atStart = pool.frames
      .slice(0, first)
      .filter((f) => f.type === "status")
      .at(-1)!;
    expect(atStart).toMatchObject({ lanes: 2, freeLanes: 1 });
  });

  it("answers host_busy when the pool sends more jobs than it has lanes", async () => {
    await fetch(`${sim.url}/__sim/scenario`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scenario: "slow", runs: 2, paceMs: 100 }),
    });
    for (const id of ["job_b1", "job_b2", "job_b3"]) sendJob(id, id);
    await until(() => pool.ended("job_b3"), "the third job's refusal");
    expect(pool.events("job_b3", "error")[0]).toMatchObject({
      code: "host_busy",
      retryable: true,
      outputStarted: false,
    });
    await until(
      () => pool.events("job_b1", "done").length + pool.events("job_b2", "done").length === 2,
      "both slow jobs",
    );
  });

  it("reports a quota error, and keeps the lane busy until its failure snapshot is written", async () => {
    await fetch(`${sim.url}/__sim/scenario`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scenario: "quota" }),
    });
    const dir = () => join(snapshots, new Date().toISOString().slice(0, 10), "job_quota");
    // Each status after the error says whether the lane was free, and whether the snapshot was there then.
    const afterError: Array<{ free: boolean; snapshot: boolean }> = [];
    const listener = (f: (typeof pool.frames)[number]) => {
      if (f.type === "status" && pool.ended("job_quota"))
        afterError.push({
          free: f.freeLanes === f.lanes,
          snapshot: existsSync(join(dir(), "dom.html")),
        });
    };
    pool.listeners.push(listener);
    await runJob("job_quota");
    expect(pool.events("job_quota", "error")[0]).toMatchObject({
      code: "upstream_quota",
      retryable: true,
    });
    await until(() => afterError.some((s) => s.free), "the lane to be reported free again");
    pool.listeners.splice(pool.listeners.indexOf(listener), 1);
    // Under protocol v1 the lane was reported free while the snapshot was still being taken.
    expect(afterError.filter((s) => s.free).every((s) => s.snapshot)).toBe(true);
    await until(() => existsSync(dir()), "the snapshot");
    await until(() => readdirSync(dir()).includes("dom.html"), "the snapshot files");
    expect(readdirSync(dir()).sort()).toEqual([
      "console.log",
      "dom.html",
      "error.json",
      "network.json",
      "screenshot.png",
    ]);
  });

  it("replaces a crashed page and keeps serving", async () => {
    const lane = internals().lanes[0]!;
    await lane.page!.goto("chrome://crash").catch(() => undefined);
    await until(() => pool.lastStatus()!.lanes < 2, "the status to drop the crashed lane", 10_000);
    await until(() => pool.lastStatus()!.lanes === 2, "the lane to come back", 20_000);
    await runJob("job_after_crash");
    expect(pool.events("job_after_crash", "done")).toHaveLength(1);
  });

  it("relaunches a killed browser, reporting degraded meanwhile", async () => {
    internals().browser.process()!.kill("SIGKILL");
    await until(() => pool.lastStatus()?.state === "degraded", "degraded", 10_000);
    await until(
      () => pool.lastStatus()?.state === "ready" && pool.lastStatus()!.lanes === 2,
      "ready again",
      30_000,
    );
    await runJob("job_after_kill");
    expect(pool.events("job_after_kill", "done")).toHaveLength(1);
  });

  it("reconnects when the link drops, saying hello again", async () => {
    const hellos = pool.of("hello").length;
    pool.socket!.terminate();
    await until(() => pool.of("hello").length > hellos, "a new hello", 15_000);
    await runJob("job_after_reconnect");
    expect(pool.events("job_after_reconnect", "done")).toHaveLength(1);
  });

  it("drains: finishes the running job, reports draining, then closes the link", async () => {
    await fetch(`${sim.url}/__sim/scenario`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scenario: "slow", paceMs: 100 }),
    });
    sendJob("job_drain", "drain me");
    await until(() => pool.events("job_drain", "text").length > 0, "the job to stream");
    const drained = host.drain("test");
    await until(() => pool.lastStatus()?.state === "draining", "draining");
    await drained;
    expect(pool.events("job_drain", "done")).toHaveLength(1);
  });
});
