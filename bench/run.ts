import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import { loadConfig } from "../browser-host/src/config.js";
import { BrowserHost } from "../browser-host/src/host.js";
import { createLogger } from "../browser-host/src/log.js";
import { startSimulator, type Simulator } from "../browser-host/simulator/server.js";
import { preciseNow, type RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { ROOT, freePort, startDevServer, type DevServer } from "../scripts/wrangler.js";
import { measurePageSetup } from "./page-setup.js";

/** Bundles the host as the container runs it. */
async function build(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts", "bundle-host.ts")],
    { cwd: ROOT },
  );
}

/*
 * `npm run bench`: the performance targets of DESIGN.md, measured on this machine with the real
 * parts (wrangler dev, the browser host in Chromium, the simulator) and a plain SSE client, all
 * timestamps on one clock. Prints a table and writes bench/report.md and bench/report.json.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, lanes: { type: "string", default: "8" } },
});
const QUICK = values.quick;
const MAX_LANES = Number(values.lanes);
const HOST_TOKEN = randomBytes(16).toString("hex");
const ADMIN_TOKEN = randomBytes(16).toString("hex");

interface Row {
  measure: string;
  value: string;
  target: string;
  ok: boolean | null;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

let sim: Simulator;
let edge: DevServer;
let key = "";
const hostLog: string[] = [];

/** The host settings of every benchmark host: pointed at this run's Worker and simulator. */
function hostEnv(id: string, lanes: number, logLevel: string): Record<string, string> {
  return {
    POOL_URL: edge.url,
    HOST_TOKEN,
    HOST_ID: id,
    LANES: String(lanes),
    AISTUDIO_URL: sim.url,
    EGRESS_CHECK_URL: `${sim.url}/__sim/egress`,
    AUTH_DIR: mkdtempSync(join(tmpdir(), "bench-auth-")),
    SNAPSHOT_DIR: mkdtempSync(join(tmpdir(), "bench-snap-")),
    LOG_LEVEL: logLevel,
  };
}

/** Waits until the pool lists the host with all its lanes. */
async function untilPooled(
  id: string,
  lanes: number,
  alive: () => boolean = () => true,
): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${edge.url}/health`)).json()) as {
      hosts: Array<{ id: string; lanes: number }>;
    };
    if (health.hosts.some((h) => h.id === id && h.lanes === lanes)) return;
    if (!alive()) throw new Error(`the host ${id} went away before it joined the pool`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startHost(lanes: number): Promise<{ host: BrowserHost; readyMs: number }> {
  const started = preciseNow();
  const host = new BrowserHost(
    loadConfig(hostEnv(`bench-${lanes}`, lanes, "info")),
    createLogger("info", {}, (line) => hostLog.push(line)),
  );
  await host.start();
  // Ready means the pool can place a job on every lane.
  await untilPooled(`bench-${lanes}`, lanes);
  return { host, readyMs: preciseNow() - started };
}

/** One streamed request; returns when each content delta arrived, with its text. */
async function stream(prompt: string): Promise<Array<{ at: number; text: string }>> {
  const res = await fetch(`${edge.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "gemini-2.5-flash",
      reasoning_effort: "none",
      stream: true,
      messages: [{ role: "user", content: prompt }],
    }),
  });
  if (!res.ok || !res.body)
    throw new Error(`bench request failed: ${res.status} ${await res.text()}`);
  const out: Array<{ at: number; text: string }> = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = res.body.getReader();
  for (;;) {
    const { done, value: bytes } = await reader.read();
    if (done) break;
    const at = preciseNow();
    buffer += decoder.decode(bytes, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const text = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content;
      if (typeof text === "string" && text !== "") out.push({ at, text });
    }
  }
  return out;
}

async function requests(): Promise<RecordedRequest[]> {
  return sim.state.requests;
}

/**
 * Memory of a process and all its descendants, in MB: the sum of proportional set sizes (PSS),
 * so pages Chromium's processes share are counted once, not once per process as RSS would.
 */
function treeMb(root: number): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      parents.set(Number(entry), Number(/PPid:\s+(\d+)/.exec(status)?.[1]));
      const rollup = readFileSync(`/proc/${entry}/smaps_rollup`, "utf8");
      rss.set(Number(entry), Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let kb = 0;
  for (const pid of tree) kb += rss.get(pid) ?? 0;
  return kb / 1024;
}

/**
 * The host as deployed (the bundled browser-host/dist/host.mjs in its own process), with `lanes`
 * lanes, each having answered once: its process tree's memory.
 */
async function hostProcessMb(lanes: number): Promise<number> {
  const child = spawn(process.execPath, [join(ROOT, "browser-host", "dist", "host.mjs")], {
    env: { ...process.env, ...hostEnv(`bench-mem-${lanes}`, lanes, "warn") },
    stdio: "ignore",
  });
  try {
    await untilPooled(`bench-mem-${lanes}`, lanes, () => child.exitCode === null);
    await Promise.all(
      Array.from({ length: lanes }, (_, i) => stream(`memory warm-up ${lanes} ${i}`)),
    );
    return treeMb(child.pid!);
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

/**
 * Added latency, one streamed request at a time: the simulator's first answer byte → the
 * client's first content delta, and each answer piece → its delta.
 */
async function latency(
  runs: number,
  label: string,
): Promise<{ ttft: number[]; perChunk: number[] }> {
  const ttft: number[] = [];
  const perChunk: number[] = [];
  for (let i = 0; i < runs; i++) {
    const prompt = `latency probe ${label} ${i}`;
    const got = await stream(prompt);
    const record = (await requests()).findLast((r) => r.request.contents.at(-1)?.text === prompt)!;
    const sent = record.timing.texts;
    if (got.length === 0 || sent.length === 0) continue;
    ttft.push(got[0]!.at - sent[0]!.at);
    // Pair pieces by text, in order: the relay may merge pieces, never split or reorder them.
    let j = 0;
    for (const piece of sent) {
      while (
        j < got.length &&
        !got[j]!.text.includes(piece.text) &&
        !piece.text.includes(got[j]!.text)
      )
        j++;
      if (j < got.length) perChunk.push(got[j]!.at - piece.at);
    }
  }
  return { ttft, perChunk };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(
    `Benchmark${QUICK ? " (quick)" : ""}: simulator + wrangler dev + browser host, on ${process.platform} with Node ${process.version}`,
  );
  // The relay and the driver are measured on the 2026 page: the 2026-08 page's own token count
  // (300 ms, then 10 ms per 1,000 characters in the simulator) would hide them. The 2026-08 rows
  // below measure that page on its own.
  sim = await startSimulator({ ui: "2026", pace: { paceMs: 20, chunkChars: 8 } });
  const state = mkdtempSync(join(tmpdir(), "bench-wrangler-"));
  const port = await freePort();
  // One port and one state folder, so the keys and the host's POOL_URL outlive a restart.
  const startEdge = (accounting: boolean) =>
    startDevServer({
      port,
      persistTo: state,
      vars: { HOST_TOKEN, ADMIN_TOKEN, QUEUE_MAX: "256", ACCOUNTING: String(accounting) },
    });
  edge = await startEdge(false);
  try {
    const created = await fetch(`${edge.url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", rpm: 100_000, concurrency: 1_000 }),
    });
    key = ((await created.json()) as { key: string }).key;

    // Host start and memory, one lane.
    const one = await startHost(1);
    rows.push({
      measure: "host ready after start (1 lane)",
      value: ms(one.readyMs),
      target: "≤ 5000 ms",
      ok: one.readyMs <= 5000,
    });
    await stream("warm-up");

    // Added latency, first with the ledger off, then with it on (the default): the Worker is
    // restarted on the same port with the other setting, and the host dials back in by itself.
    const runs = QUICK ? 10 : 40;
    const off = await latency(runs, "off");
    await edge.stop();
    edge = await startEdge(true);
    await untilPooled("bench-1", 1);
    await stream("warm-up, accounting on");
    const { ttft, perChunk } = await latency(runs, "on");
    rows.push({
      measure: `added time to first token, p50 (${ttft.length} runs, accounting on)`,
      value: ms(pct(ttft, 50)),
      target: "≤ 25 ms",
      ok: pct(ttft, 50) <= 25,
    });
    rows.push({
      measure: "added time to first token, p99 (accounting on)",
      value: ms(pct(ttft, 99)),
      target: "≤ 100 ms",
      ok: pct(ttft, 99) <= 100,
    });
    rows.push({
      measure: `added time to first token, p50 / p99 (${off.ttft.length} runs, ACCOUNTING=false)`,
      value: `${ms(pct(off.ttft, 50))} / ${ms(pct(off.ttft, 99))}`,
      target: "the same as on",
      ok: null,
    });
    rows.push({
      measure: `added per-chunk relay latency, p50 (${perChunk.length} chunks)`,
      value: ms(pct(perChunk, 50)),
      target: "≤ 5 ms",
      ok: pct(perChunk, 50) <= 5,
    });

    // Job set-up in the page: job received by the host → GenerateContent request sent.
    for (const [label, size, target] of [
      ["10 KB", 10 * 1024, 300],
      ["1 MB", 1024 * 1024, 2000],
    ] as const) {
      const setups: number[] = [];
      for (let i = 0; i < (QUICK ? 2 : 5); i++) {
        const prompt = `setup ${label} ${i} ${"x".repeat(size)}`;
        const before = hostLog.length;
        await stream(prompt);
        const started = hostLog
          .slice(before)
          .map((l) => JSON.parse(l) as { msg: string; time: string })
          .find((l) => l.msg === "job started");
        const record = (await requests()).findLast(
          (r) => r.request.contents.at(-1)?.text === prompt,
        );
        if (started && record) setups.push(record.timing.arrived - Date.parse(started.time));
      }
      rows.push({
        measure: `job set-up in the page, ${label} prompt (median of ${setups.length})`,
        value: ms(pct(setups, 50)),
        target: `≤ ${target} ms`,
        ok: pct(setups, 50) <= target,
      });
    }

    // Set-up on the 2026-08 page: every run setting on a fresh lane, and none.
    rows.push(...(await measurePageSetup(QUICK ? 1 : 5)));

    // Throughput with one lane, then with MAX_LANES.
    const throughput = async (host: BrowserHost, lanes: number) => {
      const n = lanes * (QUICK ? 2 : 3);
      await fetch(`${sim.url}/__sim/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pace: { paceMs: 40, chunkChars: 8 } }),
      });
      const t0 = preciseNow();
      await Promise.all(Array.from({ length: n }, (_, i) => stream(`throughput ${lanes} ${i}`)));
      const perSecond = n / ((preciseNow() - t0) / 1000);
      await fetch(`${sim.url}/__sim/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pace: { paceMs: 20, chunkChars: 8 } }),
      });
      void host;
      return perSecond;
    };
    const oneRate = await throughput(one.host, 1);
    await one.host.stop();
    const many = await startHost(MAX_LANES);
    await Promise.all(Array.from({ length: MAX_LANES }, (_, i) => stream(`warm-up ${i}`)));
    const manyRate = await throughput(many.host, MAX_LANES);
    await many.host.stop();
    const ratio = manyRate / oneRate;

    // Memory of the host as deployed, in its own process.
    await build();
    const memOne = await hostProcessMb(1);
    const memMany = await hostProcessMb(MAX_LANES);
    const perExtra = (memMany - memOne) / (MAX_LANES - 1);
    rows.push({
      measure: "memory, host process with 1 lane (Node + Chromium)",
      value: `${memOne.toFixed(0)} MB`,
      target: "≤ 400 MB",
      ok: memOne <= 400,
    });
    rows.push({
      measure: `memory per extra lane (${MAX_LANES} lanes: ${memMany.toFixed(0)} MB)`,
      value: `${perExtra.toFixed(0)} MB`,
      target: "≤ 150 MB",
      ok: perExtra <= 150,
    });
    rows.push({
      measure: `throughput, 1 lane`,
      value: `${oneRate.toFixed(2)} answers/s`,
      target: "—",
      ok: null,
    });
    rows.push({
      measure: `throughput, ${MAX_LANES} lanes`,
      value: `${manyRate.toFixed(2)} answers/s (${ratio.toFixed(1)}×)`,
      target: `≥ ${MAX_LANES - 1}× one lane`,
      ok: ratio >= MAX_LANES - 1,
    });
  } finally {
    await edge.stop();
    await sim.close();
    rmSync(state, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map((r) => r.measure.length));
  console.log("");
  for (const r of rows)
    console.log(
      `${r.measure.padEnd(width)}  ${r.value.padStart(28)}  ${r.target.padEnd(18)} ${r.ok === null ? "" : r.ok ? "ok" : "MISSED"}`,
    );
  const when = new Date().toISOString();
  const md = [
    `# Benchmark report`,
    ``,
    `${when}, ${QUICK ? "quick run" : "full run"}, Node ${process.version}, ${
      readFileSync("/proc/cpuinfo", "utf8")
        .split("\n")
        .filter((l) => l.startsWith("processor")).length
    } cores. Produced by \`npm run bench\`; the targets are DESIGN.md's.`,
    ``,
    `| measure | value | target | |`,
    `| --- | --- | --- | --- |`,
    ...rows.map(
      (r) =>
        `| ${r.measure} | ${r.value} | ${r.target} | ${r.ok === null ? "" : r.ok ? "ok" : "missed"} |`,
    ),
    ``,
  ].join("\n");
  writeFileSync(join(HERE, "report.md"), md);
  writeFileSync(join(HERE, "report.json"), JSON.stringify({ when, quick: QUICK, rows }, null, 2));
  console.log(`\nWritten to bench/report.md and bench/report.json`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`The benchmark failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
