import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HostFrameSchema,
  SNAPSHOT_CHUNK_BYTES,
  SNAPSHOT_FILE_MAX_BYTES,
  encodeFrame,
  type OutHostFrame,
} from "@aistudio-edge/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { findSnapshot, serveSnapshot } from "../../src/snapshot-serve.js";
import { saveSnapshot } from "../../src/snapshots.js";

/*
 * Failure snapshots fetched on demand: the folder saveSnapshot wrote, found among the day
 * folders, sent as parts that put the files back together byte for byte, long files cut.
 */

let root: string;
const log = createLogger("error");
const JOB = `job_${"1f".repeat(16)}`;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "aistudio-edge-snapshot-serve-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Serves a request and returns the frames, each checked against the wire schema. */
async function serve(jobId: string): Promise<OutHostFrame[]> {
  const frames: OutHostFrame[] = [];
  const ok = await serveSnapshot(
    root,
    { requestId: "r1", jobId },
    (frame) => {
      HostFrameSchema.parse(JSON.parse(encodeFrame(frame)));
      frames.push(frame);
      return true;
    },
    log,
  );
  expect(ok).toBe(true);
  return frames;
}

type Part = Extract<OutHostFrame, { type: "snapshot.part" }>;
type End = Extract<OutHostFrame, { type: "snapshot.end" }>;

/** The files the parts make, checking each file's pieces are in order and all but its last full. */
function reassemble(frames: OutHostFrame[]): Map<string, Buffer> {
  const parts = frames.filter((f): f is Part => f.type === "snapshot.part");
  const files = new Map<string, Buffer>();
  for (const part of parts) {
    const sofar = files.get(part.file) ?? Buffer.alloc(0);
    expect(part.offset).toBe(sofar.length);
    if (sofar.length > 0) expect(sofar.length % SNAPSHOT_CHUNK_BYTES).toBe(0);
    files.set(part.file, Buffer.concat([sofar, Buffer.from(part.data ?? "", "base64")]));
  }
  return files;
}

describe("serving a failure snapshot", () => {
  it("sends every file saveSnapshot wrote, and they reassemble to the same bytes", async () => {
    const saved = await saveSnapshot(
      { dir: root, keep: 10, log },
      JOB,
      null,
      { console: ["one", "two"], network: [] },
      { code: "upstream_error", message: "it failed" },
    );
    expect(saved).not.toBeNull();
    // A binary file of several parts, and an empty one.
    const png = Buffer.from(
      Uint8Array.from({ length: 2 * SNAPSHOT_CHUNK_BYTES + 123 }, (_, i) => (i * 7) % 256),
    );
    writeFileSync(join(saved!, "screenshot.png"), png);
    writeFileSync(join(saved!, "dom.html"), "");
    const frames = await serve(JOB);
    const files = reassemble(frames);
    expect([...files.keys()]).toEqual([
      "error.json",
      "screenshot.png",
      "dom.html",
      "console.log",
      "network.json",
    ]);
    expect(files.get("screenshot.png")!.equals(png)).toBe(true);
    expect(files.get("console.log")!.toString()).toBe("one\ntwo");
    expect(JSON.parse(files.get("error.json")!.toString())).toMatchObject({ jobId: JOB });
    const empty = frames.filter((f) => f.type === "snapshot.part" && f.file === "dom.html");
    expect(empty).toEqual([
      { type: "snapshot.part", requestId: "r1", file: "dom.html", offset: 0, data: "" },
    ]);
    expect(frames.at(-1)).toEqual({
      type: "snapshot.end",
      requestId: "r1",
      found: true,
      truncated: [],
    });
  });

  it("cuts a file longer than SNAPSHOT_FILE_MAX_BYTES and says so", async () => {
    const folder = join(root, "2026-03-04", JOB);
    mkdirSync(folder, { recursive: true });
    const dom = Buffer.alloc(SNAPSHOT_FILE_MAX_BYTES + 5_000, "x");
    writeFileSync(join(folder, "dom.html"), dom);
    const frames = await serve(JOB);
    const files = reassemble(frames);
    expect(files.get("dom.html")!.equals(dom.subarray(0, SNAPSHOT_FILE_MAX_BYTES))).toBe(true);
    expect((frames.at(-1) as End).truncated).toEqual(["dom.html"]);
  });

  it("looks through the day folders, newest first, and answers found:false for an unknown job", async () => {
    for (const day of ["2026-01-01", "2026-01-03"]) {
      mkdirSync(join(root, day, JOB), { recursive: true });
      writeFileSync(join(root, day, JOB, "error.json"), day);
    }
    expect(await findSnapshot(root, JOB)).toBe(join(root, "2026-01-03", JOB));
    const files = reassemble(await serve(JOB));
    expect(files.get("error.json")!.toString()).toBe("2026-01-03");

    const unknown = await serve(`job_${"2e".repeat(16)}`);
    expect(unknown).toEqual([
      { type: "snapshot.end", requestId: "r1", found: false, truncated: [] },
    ]);
  });

  it("never leaves SNAPSHOT_DIR: no id outside the wire's pattern, no linked file", async () => {
    mkdirSync(join(root, "2026-01-01", "elsewhere"), { recursive: true });
    expect(await findSnapshot(root, "../2026-01-01/elsewhere")).toBeNull();
    expect(await findSnapshot(root, "elsewhere")).toBeNull();
    const outside = join(root, "outside.txt");
    writeFileSync(outside, "not part of any snapshot");
    mkdirSync(join(root, "2026-01-01", JOB), { recursive: true });
    symlinkSync(outside, join(root, "2026-01-01", JOB, "dom.html"));
    const frames = await serve(JOB);
    expect(frames).toEqual([{ type: "snapshot.end", requestId: "r1", found: true, truncated: [] }]);
  });

  it("stops when the link goes down mid-way", async () => {
    const folder = join(root, "2026-03-04", JOB);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "dom.html"), Buffer.alloc(3 * SNAPSHOT_CHUNK_BYTES, "y"));
    let sent = 0;
    const ok = await serveSnapshot(root, { requestId: "r1", jobId: JOB }, () => ++sent < 2, log);
    expect(ok).toBe(false);
    expect(sent).toBe(2);
  });
});
