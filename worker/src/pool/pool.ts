import { DurableObject } from "cloudflare:workers";
import {
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  encodeFrame,
  errorBody,
  parseHostFrame,
  statusOf,
  type ErrorCode,
  type HostFrame,
  type HostJobFrame,
  type PoolFrame,
} from "@aistudio-edge/shared";
import { configOf, type Config, type Env } from "../env.js";
import { retryAfter } from "../errors.js";
import { log } from "../log.js";
import { Host, HostRegistry, type HostAttachment } from "./host-registry.js";
import { Job } from "./job.js";
import { JobSubmissionSchema } from "./pool-events.js";

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

export interface PoolHealth {
  status: "ok" | "degraded" | "no_hosts";
  hosts: Array<{ id: string; state: string; lanes: number; busy: number; models: number }>;
  lanes: number;
  freeLanes: number;
  running: number;
  queued: number;
}

function errorResponse(code: ErrorCode, message: string, extra: { param?: string; headers?: Record<string, string> } = {}): Response {
  return Response.json(errorBody(code, message, extra.param ?? null), { status: statusOf(code), headers: extra.headers ?? {} });
}

/**
 * The pool: one Durable Object per pool name. Browser hosts dial in over hibernatable
 * WebSockets; the Worker posts jobs and reads each job's events back as a stream. The pool
 * queues jobs, gives each to the least-loaded host that serves its model, re-dispatches a job
 * whose attempt failed before any output, and makes sure every accepted job ends in exactly one
 * `done` or `error` event (DESIGN.md, "Request lifecycle and failure semantics").
 */
export class Pool extends DurableObject<Env> {
  private readonly config: Config;
  private readonly hosts = new HostRegistry();
  /** Running and cancelling jobs by the id their current attempt carries on the wire. */
  private readonly onWire = new Map<string, Job>();
  private readonly queue: Job[] = [];
  /** Every job from acceptance until its end, by job id. */
  private readonly live = new Map<string, Job>();
  /** Last time each host's socket carried a frame; heartbeats are tracked by the runtime. */
  private readonly lastFrameAt = new WeakMap<WebSocket, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = configOf(env);
    // Answered by the runtime without waking the object, so idle hosts cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    for (const ws of ctx.getWebSockets()) this.hosts.restore(ws);
  }

  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/connect") return this.acceptHost(request);
    if (path === "/jobs" && request.method === "POST") return this.submit(request);
    return errorResponse("not_found", `The pool has no route ${request.method} ${path}.`);
  }

  // ── Hosts ────────────────────────────────────────────────────────────────────────────────

  private async acceptHost(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("invalid_request", "This endpoint only accepts a WebSocket upgrade.");
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connectedAt: Date.now() } satisfies HostAttachment);
    await this.scheduleSweep();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.lastFrameAt.set(ws, Date.now());
    if (typeof message !== "string") {
      this.send(ws, { type: "protocol.error", message: "frames must be JSON text, not binary" });
      return;
    }
    const parsed = parseHostFrame(message);
    const host = this.hosts.bySocket(ws);
    if (!parsed.ok) {
      log.warn("protocol error from host", { hostId: host?.id ?? null, error: parsed.error });
      this.send(ws, { type: "protocol.error", message: parsed.error });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "hello") return this.onHello(ws, frame);
    if (host === undefined) {
      this.send(ws, { type: "protocol.error", message: `"${frame.type}" before "hello": say hello first` });
      ws.close(1008, "hello expected");
      return;
    }
    switch (frame.type) {
      case "status":
        host.applyStatus(frame);
        log.info("host status", { hostId: host.id, state: frame.state, lanes: frame.lanes, freeLanes: frame.freeLanes });
        this.pump();
        return;
      case "protocol.error":
        log.warn("host reports a protocol error", { hostId: host.id, jobId: frame.jobId ?? null, error: frame.message });
        return;
      default:
        this.onJobFrame(host, frame);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const host = this.hosts.bySocket(ws);
    if (host) this.onHostGone(host, `connection closed (${code}${reason ? ` ${reason}` : ""})`);
    // Reciprocate the close so the host's socket leaves CLOSING promptly.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const host = this.hosts.bySocket(ws);
    if (host) this.onHostGone(host, `connection error (${String(error)})`);
  }

  private onHello(ws: WebSocket, frame: Extract<HostFrame, { type: "hello" }>): void {
    const { v: _v, type: _type, ...hello } = frame;
    const existing = this.hosts.bySocket(ws);
    if (existing) {
      // A repeated hello on the same socket refreshes what the host serves.
      existing.info = { ...existing.info, hello };
      existing.persist();
    } else {
      const attachment = ws.deserializeAttachment() as HostAttachment | null;
      const host = new Host(ws, { connectedAt: attachment?.connectedAt ?? Date.now(), hello, state: "ready", lanes: hello.lanes });
      host.persist();
      const previous = this.hosts.add(host);
      if (previous && previous.ws !== ws) {
        // The same host reconnected (its old link may be half-dead): the new link wins.
        this.onHostGone(previous, "replaced by a new connection");
        try {
          previous.ws.close(4000, "replaced by a new connection");
        } catch {
          // Already closed.
        }
      }
    }
    log.info("host connected", { hostId: frame.hostId, version: frame.version, lanes: frame.lanes, models: frame.models.length });
    this.send(ws, { type: "welcome", poolId: this.config.POOL_NAME, heartbeatMs: this.config.HEARTBEAT_MS });
    this.pump();
  }

  private onHostGone(host: Host, why: string): void {
    this.hosts.remove(host);
    log.warn("host gone", { hostId: host.id, why, jobs: host.inflight.size });
    for (const wireId of [...host.inflight]) {
      const job = this.onWire.get(wireId);
      host.inflight.delete(wireId);
      if (!job) continue;
      this.onWire.delete(wireId);
      if (job.state === "cancelling") this.finish(job);
      else this.retryOrFail(job, host, "host_disconnected", `The browser host ${host.id} disconnected (${why}).`, true);
    }
    this.pump();
  }

  // ── Jobs ─────────────────────────────────────────────────────────────────────────────────

  private async submit(request: Request): Promise<Response> {
    const parsed = JobSubmissionSchema.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return errorResponse("internal_error", "The pool got a malformed job submission.");
    const { request: jobRequest, keyId, requestId } = parsed.data;
    const model = jobRequest.model;
    const now = Date.now();

    const hosts = this.hosts.all();
    if (hosts.length === 0) {
      return errorResponse(
        "no_browser_host",
        "No browser host is connected to the pool. Start one (npm run host) and point it at this Worker.",
        { headers: retryAfter(10_000) },
      );
    }
    const serving = hosts.filter((h) => h.serves(model));
    if (serving.length === 0) {
      const served = [...new Set(hosts.flatMap((h) => h.models.map((m) => m.id)))].sort();
      return errorResponse(
        "model_not_found",
        `The model '${model}' does not exist or no connected browser host serves it. Served now: ${served.join(", ") || "none"}.`,
        { param: "model" },
      );
    }
    const accepting = serving.filter((h) => h.accepting);
    if (accepting.length === 0) {
      const expired = serving.filter((h) => h.state === "auth_expired").map((h) => h.id);
      if (expired.length > 0) {
        return errorResponse(
          "auth_expired",
          `The Google login of host ${expired.join(", ")} has expired: AI Studio sends it to sign-in. Renew the profile (npm run auth -- login) and restart the host.`,
          { headers: retryAfter(60_000) },
        );
      }
      return errorResponse("no_browser_host", `Every host serving '${model}' is draining.`, { headers: retryAfter(10_000) });
    }
    const coolUntil = Math.min(...accepting.map((h) => h.coolingUntil(model, now)));
    if (coolUntil > 0) {
      return errorResponse("upstream_quota", `AI Studio's quota for '${model}' is used up on every connected account.`, {
        headers: retryAfter(coolUntil - now),
      });
    }

    const job = new Job(
      `job_${crypto.randomUUID().replaceAll("-", "")}`,
      jobRequest,
      keyId,
      requestId,
      now,
      now + this.config.JOB_DEADLINE_MS,
      (j) => this.onClientGone(j),
    );
    const host = this.hosts.pick(model, job.avoidHosts, now);
    if (host === undefined && this.queue.length >= this.config.QUEUE_MAX) {
      return errorResponse("queue_full", `Every lane is busy and ${this.queue.length} requests are already waiting.`, {
        headers: retryAfter(5_000),
      });
    }
    log.info("job accepted", { jobId: job.id, requestId, keyId, model });
    this.live.set(job.id, job);
    job.arm("deadline", job.deadline - now, () => this.onDeadline(job));
    if (host) this.dispatch(job, host);
    else this.enqueue(job, "back");
    return new Response(job.stream, { headers: { "content-type": "application/x-ndjson", "x-job-id": job.id } });
  }

  private enqueue(job: Job, end: "front" | "back"): void {
    job.state = "queued";
    job.hostId = null;
    if (end === "front") this.queue.unshift(job);
    else this.queue.push(job);
    const waited = Date.now() - job.acceptedAt;
    job.arm("queue", this.config.QUEUE_TIMEOUT_MS - waited, () => {
      this.dequeue(job);
      log.warn("job timed out in the queue", { jobId: job.id });
      job.fail("queue_timeout", `Every lane stayed busy for ${Math.round(this.config.QUEUE_TIMEOUT_MS / 1000)}s; try again later.`);
      this.finish(job);
    });
    this.reportPositions();
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
  private pump(): void {
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
    job.hostId = host.id;
    job.lastSeq = -1;
    // Each attempt has its own wire id, so a late frame from a failed attempt cannot leak into the next.
    const wireId = job.attempts === 1 ? job.id : `${job.id}.${job.attempts}`;
    job.wireId = wireId;
    this.onWire.set(wireId, job);
    host.inflight.add(wireId);
    host.lastDispatchAt = Date.now();
    log.info("job dispatched", { jobId: wireId, hostId: host.id, attempt: job.attempts });
    job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
    if (!this.send(host.ws, { type: "job", jobId: wireId, seq: 0, deadline: job.deadline, request: job.request })) {
      this.onHostGone(host, "send failed");
    }
  }

  private onJobFrame(host: Host, frame: HostJobFrame): void {
    const job = this.onWire.get(frame.jobId);
    if (!job || job.hostId !== host.id) {
      log.warn("dropped a frame for a job this host does not hold", { hostId: host.id, jobId: frame.jobId, type: frame.type });
      return;
    }
    if (frame.seq <= job.lastSeq) {
      log.warn("dropped a repeated frame", { jobId: frame.jobId, seq: frame.seq });
      return;
    }
    job.lastSeq = frame.seq;

    if (job.state === "cancelling") {
      // The client has its answer already (or left); only the end of the job matters now.
      if (frame.type === "job.done" || frame.type === "job.error") this.release(job, host);
      return;
    }
    switch (frame.type) {
      case "job.started":
        job.emit({ t: "started", host: host.id });
        job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
        return;
      case "job.delta":
        job.outputStarted = true;
        job.emit({
          t: "delta",
          ...(frame.text !== undefined ? { text: frame.text } : {}),
          ...(frame.thought !== undefined ? { thought: frame.thought } : {}),
        });
        job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
        return;
      case "job.tool_calls":
        job.outputStarted = true;
        job.emit({ t: "tool_calls", toolCalls: frame.toolCalls });
        job.arm("stall", this.config.STALL_TIMEOUT_MS, () => this.onStall(job));
        return;
      case "job.done":
        log.info("job done", { jobId: frame.jobId, finishReason: frame.finishReason });
        job.succeed({ t: "done", finishReason: frame.finishReason, ...(frame.usage ? { usage: frame.usage } : {}) });
        this.release(job, host);
        return;
      case "job.error":
        if (frame.code === "upstream_quota" && this.config.QUOTA_COOLDOWN_MS > 0) {
          host.coolDown(job.request.model, Date.now() + this.config.QUOTA_COOLDOWN_MS);
        }
        host.inflight.delete(frame.jobId);
        this.onWire.delete(frame.jobId);
        this.retryOrFail(job, host, frame.code, frame.message, frame.retryable && !frame.outputStarted);
        this.pump();
        return;
    }
  }

  /** Before any output a retryable failure goes back to the queue's front, at most MAX_RETRIES times. */
  private retryOrFail(job: Job, host: Host, code: ErrorCode, message: string, retryable: boolean): void {
    job.disarm("stall");
    const servable = this.hosts.canServe(job.request.model, Date.now());
    if (retryable && servable && !job.outputStarted && job.open && job.attempts <= this.config.MAX_RETRIES) {
      log.warn("job attempt failed before output; retrying", { jobId: job.id, hostId: host.id, code, attempt: job.attempts });
      job.avoidHosts.add(host.id);
      this.enqueue(job, "front");
      return;
    }
    log.warn("job failed", { jobId: job.id, hostId: host.id, code, attempts: job.attempts });
    job.fail(code, message);
    this.finish(job);
  }

  private onStall(job: Job): void {
    const seconds = Math.round(this.config.STALL_TIMEOUT_MS / 1000);
    log.warn("job stalled", { jobId: job.wireId, hostId: job.hostId });
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
    const host = job.hostId === null ? undefined : this.hosts.get(job.hostId);
    job.disarmAll();
    if (!host || job.state !== "running") {
      this.finish(job);
      return;
    }
    job.state = "cancelling";
    this.send(host.ws, { type: "job.cancel", jobId: job.wireId, seq: 1, reason });
    job.arm("cancel-grace", this.config.CANCEL_GRACE_MS, () => {
      log.warn("host did not confirm a cancel; freeing the lane", { jobId: job.wireId, hostId: host.id });
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
    this.live.delete(job.id);
    job.disarmAll();
    job.state = "finished";
  }

  // ── Liveness ─────────────────────────────────────────────────────────────────────────────

  private async scheduleSweep(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + this.config.HEARTBEAT_MS);
    }
  }

  /** Closes sockets that never said hello and hosts whose heartbeats stopped. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const info = ws.deserializeAttachment() as HostAttachment | null;
      const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      const lastSeen = Math.max(heartbeat, this.lastFrameAt.get(ws) ?? 0, info?.connectedAt ?? 0);
      const host = this.hosts.bySocket(ws);
      if (!host && now - (info?.connectedAt ?? 0) > this.config.HELLO_TIMEOUT_MS) {
        ws.close(4001, "no hello");
      } else if (host && now - lastSeen > 3 * this.config.HEARTBEAT_MS) {
        this.onHostGone(host, "heartbeats stopped");
        ws.close(4002, "heartbeats stopped");
      }
    }
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(Date.now() + this.config.HEARTBEAT_MS);
  }

  /** The Worker's word that a job's client went away (see PoolEventReader). */
  cancelJob(jobId: string): void {
    const job = this.live.get(jobId);
    if (job) job.abandon();
  }

  // ── Read-only views for the Worker ───────────────────────────────────────────────────────

  health(): PoolHealth {
    const hosts = this.hosts.all();
    const accepting = hosts.filter((h) => h.accepting);
    const lanes = accepting.reduce((n, h) => n + h.lanes, 0);
    return {
      status: hosts.length === 0 ? "no_hosts" : accepting.length === hosts.length ? "ok" : "degraded",
      hosts: hosts.map((h) => ({ id: h.id, state: h.state, lanes: h.lanes, busy: h.inflight.size, models: h.models.length })),
      lanes,
      freeLanes: accepting.reduce((n, h) => n + h.free, 0),
      running: this.onWire.size,
      queued: this.queue.length,
    };
  }

  models(): Array<{ id: string; displayName: string | null }> {
    const seen = new Map<string, string | null>();
    for (const host of this.hosts.all()) {
      for (const model of host.models) if (!seen.has(model.id)) seen.set(model.id, model.displayName ?? null);
    }
    return [...seen].map(([id, displayName]) => ({ id, displayName })).sort((a, b) => a.id.localeCompare(b.id));
  }

  private send(ws: WebSocket, frame: Without<PoolFrame>): boolean {
    try {
      ws.send(encodeFrame(frame));
      return true;
    } catch (err) {
      log.warn("send to host failed", { error: String(err) });
      return false;
    }
  }
}
