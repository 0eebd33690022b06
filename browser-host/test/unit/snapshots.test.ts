import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { saveSnapshot } from "../../src/snapshots.js";

/*
 * A failure snapshot holds the prompt: only the host's user may read it. Modes are checked with
 * stat after a save, both for a fresh SNAPSHOT_DIR and for one an older host left 0755 / 0644.
 */

let root: string;
const lines: string[] = [];
const log = createLogger("info", {}, (l) => lines.push(l));
// Octal strings, so a failure reads "755" rather than 493.
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const record = {
  console: ["log secret prompt"],
  network: [{ at: "t", method: "POST", path: "/$rpc/x", status: 200 }],
};
const error = { code: "upstream_error", message: "failed" };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "aistudio-edge-snapshots-"));
  lines.length = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("failure snapshots", () => {
  it("are 0700 directories and 0600 files when SNAPSHOT_DIR does not exist yet", async () => {
    const dir = join(root, "snapshots");
    const target = await saveSnapshot({ dir, keep: 5, log }, "job_1", null, record, error);
    expect(target).not.toBeNull();
    const day = join(dir, readdirSync(dir)[0]!);
    expect([dir, day, target!].map(mode)).toEqual(["700", "700", "700"]);
    const files = readdirSync(target!).sort();
    expect(files).toEqual(["console.log", "error.json", "network.json"]);
    expect(files.map((f) => mode(join(target!, f)))).toEqual(["600", "600", "600"]);
  });

  it("tightens directories and files an earlier save left readable to others", async () => {
    const dir = join(root, "snapshots");
    const day = join(dir, new Date().toISOString().slice(0, 10));
    const job = join(day, "job_2");
    mkdirSync(job, { recursive: true });
    for (const d of [dir, day, job]) chmodSync(d, 0o755);
    writeFileSync(join(job, "error.json"), "{}");
    chmodSync(join(job, "error.json"), 0o644);
    const target = await saveSnapshot({ dir, keep: 5, log }, "job_2", null, record, error);
    expect(target).toBe(job);
    expect([dir, day, job].map(mode)).toEqual(["700", "700", "700"]);
    for (const f of readdirSync(job)) expect([f, mode(join(job, f))]).toEqual([f, "600"]);
  });

  it("prune only the day folders they write, never a self-check bundle beside them", async () => {
    const dir = join(root, "snapshots");
    const bundle = join(dir, "self-check-2026-08-30T10-00-00Z");
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, "report.txt"), "kept");
    const first = await saveSnapshot({ dir, keep: 1, log }, "job_a", null, record, error);
    // Older than the next one for certain, so which job is kept does not hang on the clock.
    utimesSync(first!, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await saveSnapshot({ dir, keep: 1, log }, "job_b", null, record, error);
    expect(readdirSync(bundle)).toEqual(["report.txt"]);
    const day = readdirSync(dir).find((d) => /^\d{4}-/.test(d))!;
    expect(readdirSync(join(dir, day))).toEqual(["job_b"]);
  });
});
