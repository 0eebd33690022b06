import type { Browser } from "puppeteer-core";
import {
  isOutput,
  jobAttachments,
  type HostErrorCode,
  type HostJobEvent,
  type JobAttachmentFrame,
  type JobFrame,
  type OutHostFrame,
} from "@aistudio-edge/shared";
import { AttachmentAssembler } from "./attachment-assembler.js";
import type { HostConfig } from "./config.js";
import { AttachmentRefusedError, DriverError } from "./driver/errors.js";
import type { Lane } from "./lane.js";
import type { Logger } from "./log.js";

/*
 * One job's relay: it gathers the job's attachments from the `job.attachment` frames that follow
 * the job (on the lane it was given, which it holds meanwhile: the pieces are sent right after
 * the job), runs the job on that lane, sends each event as a `job.event` frame with the job's
 * next sequence number, turns any failure into exactly one error event, and holds the lane
 * until the failure snapshot is saved. It decides nothing about the host's
 * state; it reports what happened through `onAuthExpired`.
 */

export interface RelayPorts {
  send(frame: OutHostFrame): boolean;
  onAuthExpired(message: string): void;
}

export class JobRelay {
  private seq = 0;
  private outputStarted = false;
  readonly controller = new AbortController();
  private readonly assembler: AttachmentAssembler;

  constructor(
    readonly job: JobFrame,
    private readonly config: HostConfig,
    private readonly log: Logger,
    private readonly ports: RelayPorts,
  ) {
    this.assembler = new AttachmentAssembler(jobAttachments(job.request), {
      deadline: job.deadline,
      idleMs: config.STALL_TIMEOUT_MS,
      signal: this.controller.signal,
    });
  }

  emit(event: HostJobEvent): void {
    if (isOutput(event)) this.outputStarted = true;
    this.ports.send({ type: "job.event", jobId: this.job.jobId, seq: ++this.seq, event });
  }

  /** A piece of one of the job's files (a broken transfer fails the job when it runs). */
  attachment(frame: JobAttachmentFrame): void {
    if (!this.assembler.add(frame))
      this.log.warn("a job's attachment piece was not taken", {
        jobId: this.job.jobId,
        index: frame.index,
        offset: frame.offset,
        seq: frame.seq,
      });
  }

  /** Refuses the job without a lane (the pool retries it elsewhere). */
  refuse(code: HostErrorCode, message: string): void {
    this.assembler.dispose();
    this.emit({ t: "error", code, message, retryable: true, outputStarted: false });
  }

  /** Runs the job on a reserved lane; the caller releases the lane when this returns. */
  async run(browser: Browser, lane: Pick<Lane, "index" | "run" | "snapshot">): Promise<void> {
    const { job } = this;
    const log = this.log.child({ jobId: job.jobId, lane: lane.index });
    const timeout = setTimeout(
      () => this.controller.abort("deadline exceeded"),
      Math.max(1_000, job.deadline - Date.now()),
    );
    log.info("job started", { model: job.request.model });
    let onPage = false;
    try {
      const files = await this.assembler.files;
      onPage = true;
      await lane.run(
        browser,
        job,
        (event) => this.emit(event.t === "started" ? { t: "started", lane: lane.index } : event),
        this.controller.signal,
        files,
      );
      log.info("job done");
    } catch (err) {
      const e =
        err instanceof DriverError
          ? err
          : new DriverError("upstream_error", `The lane failed: ${(err as Error).message}`, true, {
              cause: err,
            });
      if (e.code === "upstream_blocked" && this.outputStarted) {
        // As OpenAI does: an answer its filter stopped half-way ends, with content_filter.
        log.info("job ended by AI Studio's content filter", { error: e.message });
        this.emit({ t: "done", finishReason: "content_filter" });
        return;
      }
      log.warn("job failed", {
        code: e.code,
        error: e.message,
        ...(e.cause instanceof Error ? { cause: e.cause.message } : {}),
      });
      this.emit({
        t: "error",
        code: e.code,
        message: e.message,
        retryable: e.retryable,
        outputStarted: this.outputStarted,
        ...(e instanceof AttachmentRefusedError
          ? { attachment: { index: e.index, reason: e.reason } }
          : {}),
      });
      if (e.code === "auth_expired") this.ports.onAuthExpired(e.message);
      // A transfer that failed before the page was touched leaves nothing on it to look at.
      if (e.code !== "cancelled" && onPage) {
        // After the client has its error; the lane stays reserved (and reported busy) meanwhile.
        await lane.snapshot(
          { dir: this.config.SNAPSHOT_DIR, keep: this.config.SNAPSHOT_KEEP, log },
          job.jobId,
          { code: e.code, message: e.message },
        );
      }
    } finally {
      clearTimeout(timeout);
      this.assembler.dispose();
    }
  }
}
