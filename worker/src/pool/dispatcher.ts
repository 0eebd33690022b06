import {
  publicHostMessage,
  type HostJobEvent,
  type JobEventFrame,
  type JobRequest,
  type OutPoolFrame,
} from "@aistudio-edge/shared";
import type { Config } from "../env.js";
import { log } from "../log.js";
import type { Host, HostRegistry } from "./host-registry.js";
import { attachmentFrames } from "./attachment-frames.js";
import { refusalMessage } from "./attachment-refusal.js";
import { Job, type JobFailure } from "./job.js";

/*
 * The job queue and everything that happens to a job after the pool accepted it: dispatch to
 * the least-loaded host, the host's events forwarded to the job's stream, re-dispatch of an
 * attempt that failed before any output, stall and deadline timers, cancellation. Every job ends
 * in exactly one `done` or `error` event (DESIGN.md, "Request lifecycle and failure semantics").
 * It does not own sockets: it sends through `send` and tells the pool when a host must go.
 */

export interface DispatcherPorts {
  send(host: Host, frame: OutPoolFrame): boolean;
  /** A send failed: the pool drops the host (which comes back here through `hostGone`). */
  hostUnreachable(host: Host): void;
  /** A job has ended for good (called once per job), for the ledger and the live overview. */
  jobEnded(job: Job): void;
  /** The queue or the running set changed, for the live overview. */
  changed(): void;
}

export class Dispatcher {
  /** Running and cancelling jobs by the id their current attempt carries on the wire. */
  private readonly onWire = new Map<string, Job>();
  private readonly queue: Job[] = [];
  /** Every job from acceptance until its end, by job id. */
  private readonly live = new Map<string, Job>();

  constructor(
    private readonly config: Config,
    private readonly hosts: HostRegistry,
    private readonly ports: DispatcherPorts,
  ) {}

  get running(): number {
    return this.onWire.size;
  }
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Takes a job onto a free lane or into the queue; null when it would wait and the queue is
   * full, or (`whenFree`) when it would wait at all.
   */
  accept(
    request: JobRequest,
    files: readonly Uint8Array[],
    keyId: string,
    keyName: string,
    requestId: string,
    now: number,
    whenFree = false,
  ): Job | null {
    const host = this.hosts.pick(request.model, new Set(), now);
    if (!host && (whenFree || this.queue.length >= this.config.QUEUE_MAX)) return null;
    const job = new Job(
      `job_${crypto.randomUUID().replaceAll("-", "")}`,
      request,
      keyId,
      keyName,
      requestId,
      now,
      now + this.config.JOB_DEADLINE_MS,
      (j) => this.onClientGone(j),
      files,
      whenFree,
    );
    log.info("job accepted", { jobId: job.id, requestId, keyId, model: request.model });
    this.live.set(job.id, job);
    job.arm("deadline", job.deadline - now, () => this.onDeadline(job));
    if (host) this.dispatch(job, host);
    else this.enqueue(job, "back");
    return job;
  }

  /** The Worker's word that a job's client went away. */
  abandon(jobId: string): void {
    this.live.get(jobId)?.abandon();
  }

  private enqueue(job: Job, end: "front" | "back"): void {
    job.state = "queued";
    job.host = null;
    if (end === "front") this.queue.unshift(job);
    else this.queue.push(job);
    const waited = Date.now() - job.acceptedAt;
    job.arm("queue", this.config.QUEUE_TIMEOUT_MS - waited, () => {
      this.dequeue(job);
      log.warn("job timed out in the queue", { jobId: job.id });
      job.fail(
        "queue_timeout",
        `Every lane stayed busy for ${Math.round(this.config.QUEUE_TIMEOUT_MS / 1000)}s; try again later.`,
      );
      this.finish(job);
    });
    this.reportPositions();
    this.ports.changed();
  }

  private dequeue(job: Job): void {
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
    this.reportPositions();
  }

  private reportPositions(): void {
    this.queue.forEach((job, index) => {
      if (job.queuedPosition !== index + 1) {
        job.queuedPosition = index + 1;
        job.emit({ t: "queued", position: index + 1 });
      }
    });
  }

  /** Gives waiting jobs to free lanes, oldest first, skipping jobs whose model has no free host. */
  pump(): void {
    if (this.queue.length === 0) return;
    const now = Date.now();
    for (const job of [...this.queue]) {
      const host = this.hosts.pick(job.request.model, job.avoidHosts, now);
      if (!host) continue;
      this.queue.splice(this.queue.indexOf(job), 1);
      this.dispatch(job, host);
    }
    this.reportPositions();
  }

  private dispatch(job: Job, host: Host): void {
    job.disarm("queue");
    job.queuedPosition = 0;
    job.attempts += 1;
    job.state = "running";
    job.host = host;
    job.lastHostId = host.id;
    job.lastSeq = -1;
    // Each attempt has its own wire id, so a late frame from a failed attempt cannot leak into the next.
    const wireId = job.attempts === 1 ? job.id : `${job.id}.${job.attempts}`;
    job.wireId = wireId;
    this.onWire.set(wireId, job);
    host.inflight.add(wireId);
    host.lastDispatchAt = Date.now();
    this.ports.changed();
    log.info("job dispatched", { jobId: wireId, hostId: host.id, attempt: job.attempts });
    job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
    job.poolSeq = 0;
    if (
      !this.ports.send(host, {
        type: "job",
        jobId: wireId,
        seq: job.poolSeq++,
        deadline: job.deadline,
        request: job.request,
      })
    ) {
      this.ports.hostUnreachable(host);
      return;
    }
    // The bytes follow at once: the host starts the job when the last piece is in.
    for (const frame of attachmentFrames(wireId, job.poolSeq, job.files)) {
      job.poolSeq += 1;
      if (!this.ports.send(host, frame)) {
        this.ports.hostUnreachable(host);
        return;
      }
    }
  }

  /**
   * A job frame from a host. Returns false when the frame was not this host's to send (no such
   * job, or a job dispatched to another socket), so the pool can count it against the socket.
   */
  onJobFrame(host: Host, frame: JobEventFrame): boolean {
    const job = this.onWire.get(frame.jobId);
    if (!job || job.host !== host) return false;
    if (frame.seq <= job.lastSeq) {
      log.warn("dropped a repeated frame", { jobId: frame.jobId, seq: frame.seq });
      return true;
    }
    job.lastSeq = frame.seq;
    const event = frame.event;

    if (job.state === "cancelling") {
      // The client has its answer already (or left); only the end of the job matters now.
      if (event.t === "done" || event.t === "error") this.release(job, host);
      return true;
    }
    switch (event.t) {
      case "started":
        job.emit({ t: "started" });
        break;
      case "settings_dropped":
        log.warn("host ran a job without some settings", {
          jobId: frame.jobId,
          hostId: host.id,
          dropped: event.settings.join(","),
        });
        job.emit(event);
        break;
      case "text":
      case "thought":
      case "tool_calls":
      case "image":
        job.outputStarted = true;
        job.firstOutputAt ??= Date.now();
        job.emit(event);
        break;
      case "done":
        log.info("job done", { jobId: frame.jobId, finishReason: event.finishReason });
        job.succeed(event);
        this.release(job, host);
        return true;
      case "error":
        this.onHostError(job, host, event);
        return true;
    }
    job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
    return true;
  }

  private onHostError(job: Job, host: Host, event: Extract<HostJobEvent, { t: "error" }>): void {
    // The host's text is for the operator: it may name files or quote the page.
    log.warn("host reported a job error", {
      jobId: job.wireId,
      hostId: host.id,
      code: event.code,
      detail: event.message.slice(0, 500),
    });
    if (event.code === "upstream_quota" && this.config.QUOTA_COOLDOWN_MS > 0) {
      host.coolDown(job.request.model, Date.now() + this.config.QUOTA_COOLDOWN_MS);
    }
    host.inflight.delete(job.wireId);
    this.onWire.delete(job.wireId);
    // Another host's page would refuse the same file: an attachment refusal is never retried.
    const refused = event.code === "attachment_refused";
    const retryable = event.retryable && !event.outputStarted && !refused;
    const failure: JobFailure = refused
      ? { code: event.code, ...refusalMessage(event, job.attachments, job.requestId) }
      : { code: event.code, message: publicHostMessage(event.code, job.requestId) };
    this.retryOrFail(job, host, failure, retryable);
    this.pump();
  }

  /** A host's socket went: its jobs are retried or failed, cancelling ones just end. */
  hostGone(host: Host, why: string): void {
    log.warn("host gone", { hostId: host.id, why, jobs: host.inflight.size });
    for (const wireId of [...host.inflight]) {
      const job = this.onWire.get(wireId);
      host.inflight.delete(wireId);
      if (!job) continue;
      this.onWire.delete(wireId);
      if (job.state === "cancelling") this.finish(job);
      else
        this.retryOrFail(
          job,
          host,
          {
            code: "host_disconnected",
            message: publicHostMessage("host_disconnected", job.requestId),
          },
          true,
        );
    }
    this.pump();
  }

  /**
   * Before any output a retryable failure goes back to the queue's front, at most MAX_RETRIES
   * times. A `whenFree` job is never queued, so it is never retried: it fails, and its caller
   * falls back (a token count answers its estimate).
   */
  private retryOrFail(job: Job, host: Host, failure: JobFailure, retryable: boolean): void {
    const { code } = failure;
    job.disarm("stall");
    // `host_busy` says only that a lane raced; it never replaces what failed before it.
    if (code !== "host_busy" && job.firstError === null) job.firstError = failure;
    const servable = this.hosts.canServe(job.request.model, Date.now());
    if (
      retryable &&
      !job.whenFree &&
      servable &&
      !job.outputStarted &&
      job.open &&
      job.attempts <= this.config.MAX_RETRIES
    ) {
      log.warn("job attempt failed before output; retrying", {
        jobId: job.id,
        hostId: host.id,
        code,
        attempt: job.attempts,
      });
      job.avoidHosts.add(host);
      this.enqueue(job, "front");
      return;
    }
    const shown = code === "host_busy" && job.firstError !== null ? job.firstError : failure;
    log.warn("job failed", {
      jobId: job.id,
      hostId: host.id,
      code: shown.code,
      attempts: job.attempts,
    });
    job.fail(shown.code, shown.message, shown.attachment);
    this.finish(job);
  }

  private onStall(job: Job): void {
    const seconds = Math.round(this.config.STALL_TIMEOUT_MS / 1000);
    log.warn("job stalled", { jobId: job.wireId, hostId: job.host?.id ?? null });
    job.fail("upstream_stalled", `AI Studio sent no output for ${seconds}s; the job was stopped.`);
    this.cancelOnHost(job, "stalled");
  }

  private onDeadline(job: Job): void {
    const seconds = Math.round(this.config.JOB_DEADLINE_MS / 1000);
    job.fail("deadline_exceeded", `The request ran past its deadline of ${seconds}s.`);
    if (job.state === "queued") {
      this.dequeue(job);
      this.finish(job);
    } else this.cancelOnHost(job, "deadline exceeded");
  }

  private onClientGone(job: Job): void {
    log.info("client went away", { jobId: job.id, state: job.state });
    if (job.state === "queued") {
      this.dequeue(job);
      this.finish(job);
    } else if (job.state === "running") this.cancelOnHost(job, "client disconnected");
  }

  /** Asks the host to stop; its lane stays taken until it confirms, or until the grace period ends. */
  private cancelOnHost(job: Job, reason: string): void {
    const host = job.host;
    job.disarmAll();
    if (!host || job.state !== "running" || this.hosts.bySocket(host.ws) !== host) {
      if (host) this.release(job, host);
      else this.finish(job);
      return;
    }
    job.state = "cancelling";
    this.ports.send(host, { type: "job.cancel", jobId: job.wireId, seq: job.poolSeq++, reason });
    job.arm("cancel-grace", this.config.CANCEL_GRACE_MS, () => {
      log.warn("host did not confirm a cancel; freeing the lane", {
        jobId: job.wireId,
        hostId: host.id,
      });
      this.release(job, host);
    });
  }

  private release(job: Job, host: Host): void {
    host.inflight.delete(job.wireId);
    this.onWire.delete(job.wireId);
    this.finish(job);
    this.pump();
  }

  private finish(job: Job): void {
    if (job.state === "finished") return;
    this.live.delete(job.id);
    job.disarmAll();
    job.state = "finished";
    // A finished job is never sent again; its bytes need not wait for the object to go.
    job.files = [];
    // A client that left before any end was sent was never told anything else.
    job.outcome ??= "cancelled";
    this.ports.jobEnded(job);
  }
}
