import type { Browser } from "puppeteer-core";
import {
  PROTOCOL_VERSION,
  plainJobRequest,
  type FinishReason,
  type JobFrame,
  type JobRequest,
  type Usage,
  type WireToolCall,
} from "@aistudio-edge/shared";
import { HostConfigSchema, type HostConfig } from "../../src/config.js";
import type { JobSink } from "../../src/driver/job-runner.js";
import { Lane } from "../../src/lane.js";
import { createLogger } from "../../src/log.js";

/*
 * Drives one lane directly (no pool): a job in, the sink's events out. The tests read what the
 * simulator recorded to check what the page really sent.
 */

export function hostConfig(simUrl: string, extra: Record<string, string> = {}): HostConfig {
  return HostConfigSchema.parse({
    POOL_URL: "ws://127.0.0.1:9/hosts/connect",
    HOST_TOKEN: "unused",
    AISTUDIO_URL: simUrl,
    LANES: "1",
    // Generous for a loaded machine: it bounds the driver's waits on the page, not how long they take.
    PAGE_TIMEOUT_MS: "30000",
    STALL_TIMEOUT_MS: "2500",
    LOG_LEVEL: "warn",
    ...extra,
  });
}

export const quietLog = createLogger("error");

export function jobFrame(
  request: Partial<JobRequest> & { prompt?: string },
  id = `job_${Math.random().toString(36).slice(2)}`,
): JobFrame {
  const { prompt, ...rest } = request;
  return {
    v: PROTOCOL_VERSION,
    type: "job",
    jobId: id,
    seq: 0,
    deadline: Date.now() + 60_000,
    request: plainJobRequest({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: prompt ?? "Hello" }],
      ...rest,
    }),
  };
}

/** What a job sent to its sink, gathered for the assertions. */
export class CollectingSink {
  started_ = false;
  text = "";
  thoughts = "";
  calls: WireToolCall[] = [];
  finish: FinishReason | null = null;
  usage: Usage | undefined;
  deltas = 0;
  images: Array<{ mimeType: string; data: string }> = [];

  readonly sink: JobSink = (event) => {
    switch (event.t) {
      case "started":
        this.started_ = true;
        break;
      case "text":
        this.deltas += 1;
        this.text += event.text;
        break;
      case "thought":
        this.deltas += 1;
        this.thoughts += event.text;
        break;
      case "tool_calls":
        this.calls.push(...event.toolCalls);
        break;
      case "image":
        this.images.push({ mimeType: event.mimeType, data: event.data });
        break;
      case "done":
        this.finish = event.finishReason;
        this.usage = event.usage;
        break;
    }
  };
}

export async function runOnLane(
  lane: Lane,
  browser: Browser,
  job: JobFrame,
  signal = new AbortController().signal,
  files: readonly Uint8Array[] = [],
): Promise<CollectingSink> {
  const collected = new CollectingSink();
  await lane.run(browser, job, collected.sink, signal, files);
  return collected;
}

/** Runs and returns the thrown error (or fails if the job succeeded). */
export async function failureOf(
  lane: Lane,
  browser: Browser,
  job: JobFrame,
  signal?: AbortSignal,
  files: readonly Uint8Array[] = [],
): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await runOnLane(lane, browser, job, signal ?? new AbortController().signal, files);
  } catch (err) {
    return err as { code: string; message: string; retryable: boolean };
  }
  throw new Error("the job succeeded but a failure was expected");
}
