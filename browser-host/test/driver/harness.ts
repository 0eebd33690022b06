import type { Browser } from "puppeteer-core";
import type { FinishReason, JobFrame, JobRequest, Usage, WireToolCall } from "@aistudio-edge/shared";
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
    PAGE_TIMEOUT_MS: "10000",
    STALL_TIMEOUT_MS: "2500",
    LOG_LEVEL: "warn",
    ...extra,
  });
}

export const quietLog = createLogger("error");

export function jobFrame(request: Partial<JobRequest> & { prompt?: string }, id = `job_${Math.random().toString(36).slice(2)}`): JobFrame {
  const { prompt, ...rest } = request;
  return {
    v: 1,
    type: "job",
    jobId: id,
    seq: 0,
    deadline: Date.now() + 60_000,
    request: {
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: prompt ?? "Hello" }],
      stop: [],
      tools: [],
      toolChoice: "auto",
      responseFormat: { type: "text" },
      googleSearch: false,
      stream: true,
      ...rest,
    },
  };
}

export class CollectingSink implements JobSink {
  started_ = false;
  text = "";
  thoughts = "";
  calls: WireToolCall[] = [];
  finish: FinishReason | null = null;
  usage: Usage | undefined;
  deltas = 0;

  started(): void {
    this.started_ = true;
  }
  delta(d: { text?: string; thought?: string }): void {
    this.deltas += 1;
    this.text += d.text ?? "";
    this.thoughts += d.thought ?? "";
  }
  toolCalls(calls: WireToolCall[]): void {
    this.calls.push(...calls);
  }
  done(finishReason: FinishReason, usage?: Usage): void {
    this.finish = finishReason;
    this.usage = usage;
  }
}

export async function runOnLane(lane: Lane, browser: Browser, job: JobFrame, signal = new AbortController().signal): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await lane.run(browser, job, sink, signal);
  return sink;
}

/** Runs and returns the thrown error (or fails if the job succeeded). */
export async function failureOf(lane: Lane, browser: Browser, job: JobFrame, signal?: AbortSignal): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await runOnLane(lane, browser, job, signal);
  } catch (err) {
    return err as { code: string; message: string; retryable: boolean };
  }
  throw new Error("the job succeeded but a failure was expected");
}
