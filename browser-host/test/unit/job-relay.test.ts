import { createHash } from "node:crypto";
import type { Browser } from "puppeteer-core";
import {
  PROTOCOL_VERSION,
  type HostJobEvent,
  type JobAttachment,
  type OutHostFrame,
} from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { HostConfigSchema } from "../../src/config.js";
import type { JobSink } from "../../src/driver/job-runner.js";
import { AttachmentRefusedError, DriverError } from "../../src/driver/errors.js";
import { JobRelay } from "../../src/job-relay.js";
import { createLogger } from "../../src/log.js";
import { jobFrame } from "../driver/harness.js";

/*
 * The relay without a browser: a lane that plays a script. What the pool receives is one
 * envelope per event, numbered, and exactly one end.
 */

const config = HostConfigSchema.parse({
  POOL_URL: "ws://127.0.0.1:9/hosts/connect",
  HOST_TOKEN: "t",
});

function relayOf(script: (sink: JobSink) => Promise<void>, attachments: JobAttachment[] = []) {
  const frames: OutHostFrame[] = [];
  const snapshots: string[] = [];
  const job = jobFrame(
    { messages: [{ role: "user", content: "x", ...(attachments.length ? { attachments } : {}) }] },
    "job_r",
  );
  const relay = new JobRelay(job, config, createLogger("error"), {
    send: (frame) => (frames.push(frame), true),
    onAuthExpired: () => undefined,
  });
  /** What each run of the lane was given as the job's files. */
  const given: Array<readonly Uint8Array[]> = [];
  const lane = {
    index: 0,
    run: async (
      _browser: Browser,
      _job: unknown,
      sink: JobSink,
      _signal: AbortSignal,
      files: readonly Uint8Array[] = [],
    ) => {
      given.push(files);
      return script(sink);
    },
    snapshot: async (_o: unknown, jobId: string) => (snapshots.push(jobId), null),
  };
  const events = () => frames.map((f) => (f as { event: HostJobEvent }).event);
  return { run: () => relay.run({} as Browser, lane), relay, frames, events, snapshots, given };
}

const describeFile = (bytes: Buffer, filename: string): JobAttachment => ({
  kind: "image",
  mimeType: "image/png",
  filename,
  bytes: bytes.length,
  sha256: createHash("sha256").update(bytes).digest("hex"),
});
const piece = (index: number, bytes: Buffer, seq: number) => ({
  v: PROTOCOL_VERSION as typeof PROTOCOL_VERSION,
  type: "job.attachment" as const,
  jobId: "job_r",
  seq,
  index,
  offset: 0,
  data: bytes.toString("base64"),
});

describe("the job relay", () => {
  it("numbers every event of a job from 1, in one envelope each", async () => {
    const r = relayOf(async (sink) => {
      sink({ t: "started" });
      sink({ t: "text", text: "Hi" });
      sink({ t: "done", finishReason: "stop" });
    });
    await r.run();
    expect(r.frames.map((f) => [f.type, (f as { seq: number }).seq])).toEqual([
      ["job.event", 1],
      ["job.event", 2],
      ["job.event", 3],
    ]);
    expect(r.events()[0]).toEqual({ t: "started", lane: 0 });
  });

  it("ends an answer the content filter stopped half-way with content_filter, as OpenAI does", async () => {
    const r = relayOf(async (sink) => {
      sink({ t: "text", text: "Once upon" });
      throw new DriverError(
        "upstream_blocked",
        "AI Studio blocked the request: Content blocked.",
        false,
      );
    });
    await r.run();
    expect(r.events().map((e) => e.t)).toEqual(["text", "done"]);
    expect(r.events().at(-1)).toEqual({ t: "done", finishReason: "content_filter" });
    expect(r.snapshots).toEqual([]);
  });

  it("reports a prompt blocked before any output as upstream_blocked, not retryable, with a snapshot", async () => {
    const r = relayOf(async () => {
      throw new DriverError(
        "upstream_blocked",
        "AI Studio blocked the request: Prohibited content.",
        false,
      );
    });
    await r.run();
    expect(r.events()).toEqual([
      {
        t: "error",
        code: "upstream_blocked",
        message: expect.stringContaining("Prohibited"),
        retryable: false,
        outputStarted: false,
      },
    ]);
    expect(r.snapshots).toEqual(["job_r"]);
  });

  it("turns an unexpected exception into one retryable upstream_error that keeps its cause", async () => {
    const r = relayOf(async (sink) => {
      sink({ t: "started" });
      throw new TypeError("boom");
    });
    await r.run();
    expect(r.events().at(-1)).toMatchObject({
      t: "error",
      code: "upstream_error",
      retryable: true,
      outputStarted: false,
    });
    expect((r.events().at(-1) as { message: string }).message).toContain("boom");
  });

  it("waits for the job's files and gives them to the lane, in order", async () => {
    const a = Buffer.from("first file");
    const b = Buffer.from("second");
    const r = relayOf(
      async (sink) => {
        sink({ t: "started" });
        sink({ t: "done", finishReason: "stop" });
      },
      [describeFile(a, "a.png"), describeFile(b, "b.png")],
    );
    const running = r.run();
    r.relay.attachment(piece(0, a, 1));
    r.relay.attachment(piece(1, b, 2));
    await running;
    expect(r.given).toEqual([[new Uint8Array(a), new Uint8Array(b)]]);
    expect(r.events().map((e) => e.t)).toEqual(["started", "done"]);
  });

  it("fails the job as a retryable upstream_error when a file arrives damaged, without running it", async () => {
    const good = Buffer.from("the real bytes");
    const r = relayOf(async () => undefined, [describeFile(good, "a.png")]);
    const running = r.run();
    r.relay.attachment(piece(0, Buffer.from("the fake bytes"), 1));
    await running;
    expect(r.given).toEqual([]);
    expect(r.events()).toEqual([
      {
        t: "error",
        code: "upstream_error",
        message: expect.stringContaining("does not match its SHA-256"),
        retryable: true,
        outputStarted: false,
      },
    ]);
    // Nothing happened on the page: there is nothing to keep a snapshot of.
    expect(r.snapshots).toEqual([]);
  });

  it("names the file the page refused, not retryable", async () => {
    const r = relayOf(async (sink) => {
      sink({ t: "started" });
      throw new AttachmentRefusedError(1, "type", "The page refused photo.heic.");
    });
    await r.run();
    expect(r.events().at(-1)).toEqual({
      t: "error",
      code: "attachment_refused",
      message: "The page refused photo.heic.",
      retryable: false,
      outputStarted: false,
      attachment: { index: 1, reason: "type" },
    });
  });

  it("counts an image as output: a later failure says output had started", async () => {
    const r = relayOf(async (sink) => {
      sink({ t: "image", mimeType: "image/png", data: "iVBORw0KGgo=" });
      throw new DriverError("upstream_stalled", "stalled", true);
    });
    await r.run();
    expect(r.events().at(-1)).toMatchObject({ t: "error", outputStarted: true });
  });
});
