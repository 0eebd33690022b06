import type { Browser } from "puppeteer-core";
import type { HostJobEvent, OutHostFrame } from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { HostConfigSchema } from "../../src/config.js";
import type { JobSink } from "../../src/driver/job-runner.js";
import { DriverError } from "../../src/driver/errors.js";
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

function relayOf(script: (sink: JobSink) => Promise<void>) {
  const frames: OutHostFrame[] = [];
  const snapshots: string[] = [];
  const relay = new JobRelay(jobFrame({ prompt: "x" }, "job_r"), config, createLogger("error"), {
    send: (frame) => (frames.push(frame), true),
    onAuthExpired: () => undefined,
  });
  const lane = {
    index: 0,
    run: async (_browser: Browser, _job: unknown, sink: JobSink) => script(sink),
    snapshot: async (_o: unknown, jobId: string) => (snapshots.push(jobId), null),
  };
  const events = () => frames.map((f) => (f as { event: HostJobEvent }).event);
  return { run: () => relay.run({} as Browser, lane), frames, events, snapshots };
}

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
});
