import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  PROTOCOL_VERSION,
  encodeFrame,
  errorBody,
  jobAttachments,
  parseHostFrame,
  statusOf,
  type HelloFrame,
  type OutPoolFrame,
} from "@aistudio-edge/shared";
import { jobRecord } from "../accounting/job-record.js";
import { Ledger } from "../accounting/ledger.js";
import {
  type JobRecord,
  type JobsQuery,
  type KeyUsageSummary,
  type MinuteRow,
  type RefusalRecord,
  type UsageQuery,
  type UsageRow,
} from "../accounting/records.js";
import { configOf, type Config, type Env } from "../env.js";
import { log } from "../log.js";
import { admit, refusal, type Refusal } from "./admission.js";
import { filesMismatch } from "./attachment-frames.js";
import { Dispatcher } from "./dispatcher.js";
import { SocketGuard } from "./frame-budget.js";
import { Host, HostRegistry, type HostAttachment } from "./host-registry.js";
import { LiveFeed } from "./live-feed.js";
import { AliasOverrideStore, type AliasOverrides } from "./alias-overrides.js";
import { hostView } from "./operator-views.js";
import { JobSubmissionSchema } from "./pool-events.js";
import { SignInRelay } from "./signin-relay.js";
import { servedModels, type ServedModel } from "./served-models.js";
import { SnapshotRequests } from "./snapshot-requests.js";
import type { OverviewView, PoolOperatorApi, SnapshotResult } from "./views.js";

/** Finished jobs are written to SQLite this long after they end, in one batch, off their path. */
const LEDGER_FLUSH_MS = 250;

export interface PoolHealth {
  status: "ok" | "degraded" | "no_hosts";
  hosts: Array<{ id: string; state: string; lanes: number; busy: number; models: number }>;
  lanes: number;
  freeLanes: number;
  running: number;
  queued: number;
}

/** What `submit` answers: the job's event stream, or a refusal made before the job existed. */
export type SubmitResult =
  { ok: true; jobId: string; stream: ReadableStream<Uint8Array> } | Refusal;

/**
 * The pool: one Durable Object per pool name. Browser hosts dial in over hibernatable
 * WebSockets; the Worker submits jobs over RPC and reads each job's events back as a stream.
 * This class owns the sockets: who a host is (fixed at its first hello), what each socket may
 * send, and when a socket goes. The jobs themselves are the dispatcher's.
 */
export class Pool extends DurableObject<Env> implements PoolOperatorApi {
  private readonly config: Config;
  private readonly hosts = new HostRegistry();
  private readonly dispatcher: Dispatcher;
  /** Null with ACCOUNTING=false. */
  private readonly ledger: Ledger | null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly feed = new LiveFeed(() => this.overview());
  private readonly snapshots: SnapshotRequests;
  private readonly signIn: SignInRelay;
  /** Last time each host's socket carried a frame; heartbeats are tracked by the runtime. */
  private readonly lastFrameAt = new WeakMap<WebSocket, number>();
  private readonly guard: SocketGuard;
  private readonly aliases: AliasOverrideStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = configOf(env);
    this.guard = new SocketGuard({
      burst: this.config.HOST_FRAME_BURST,
      perSecond: this.config.HOST_FRAMES_PER_SECOND,
    });
    // Answered by the runtime without waking the object, so idle hosts cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    for (const ws of ctx.getWebSockets()) this.hosts.restore(ws);
    this.dispatcher = new Dispatcher(this.config, this.hosts, {
      send: (host, frame) => this.send(host.ws, frame),
      hostUnreachable: (host) => this.dropHost(host, "send failed"),
      jobEnded: (job) => {
        this.ledger?.addJob(jobRecord(job, Date.now()));
        this.scheduleFlush();
        this.feed.changed();
      },
      changed: () => this.feed.changed(),
    });
    this.ledger = this.config.ACCOUNTING ? new Ledger(ctx.storage.sql) : null;
    this.aliases = new AliasOverrideStore(ctx.storage.sql);
    this.snapshots = new SnapshotRequests((host, frame) => this.send(host.ws, frame));
    this.signIn = new SignInRelay(
      ctx,
      this.hosts,
      (host, frame) => this.send(host.ws, frame),
      () => this.feed.changed(),
    );
  }

  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/connect") return this.acceptHost(request);
    if (path === "/console/signin" && request.headers.get("upgrade")?.toLowerCase() === "websocket")
      return this.signIn.accept(new URL(request.url));
    return Response.json(
      errorBody("not_found", `The pool has no route ${request.method} ${path}.`),
      { status: statusOf("not_found") },
    );
  }

  // ── Hosts ────────────────────────────────────────────────────────────────────────────────

  private async acceptHost(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(
        errorBody("invalid_request", "This endpoint only accepts a WebSocket upgrade."),
        { status: 400 },
      );
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connectedAt: Date.now() } satisfies HostAttachment);
    await this.scheduleSweep();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // A registered host is never a console: the map lookup spares every host frame a tag read.
    if (!this.hosts.bySocket(ws) && this.signIn.isConsole(ws))
      return this.signIn.onConsoleMessage(ws, message);
    if (this.guard.closing(ws)) return;
    const now = Date.now();
    this.lastFrameAt.set(ws, now);
    if (!this.guard.frame(ws, now))
      return this.closeSocket(ws, CLOSE_CODES.policy, "frame budget exceeded");
    const host = this.hosts.bySocket(ws);

    if (typeof message !== "string")
      return this.refuseFrame(ws, host, "frames must be JSON text, not binary");
    const parsed = parseHostFrame(message);
    if (!parsed.ok) {
      if (parsed.version !== undefined && host === undefined) {
        // A host of another release: say which versions meet, and do not let it retry in a loop.
        const why = `protocol v${String(parsed.version)} is not supported; this pool speaks v${PROTOCOL_VERSION}`;
        log.warn("host refused: protocol version", {
          version: String(parsed.version),
          speaks: PROTOCOL_VERSION,
        });
        this.send(ws, {
          type: "protocol.error",
          message: `${why}. Upgrade the host or the Worker so both speak one version.`,
        });
        return this.closeSocket(ws, CLOSE_CODES.version, why);
      }
      return this.refuseFrame(ws, host, parsed.error);
    }
    const frame = parsed.frame;
    if (frame.type === "hello") return this.onHello(ws, frame);
    if (host === undefined) {
      this.send(ws, {
        type: "protocol.error",
        message: `"${frame.type}" before "hello": say hello first`,
      });
      return this.closeSocket(ws, CLOSE_CODES.policy, "hello expected");
    }
    switch (frame.type) {
      case "status":
        if (host.applyStatus(frame))
          log.info("host status", {
            hostId: host.id,
            state: frame.state,
            lanes: frame.lanes,
            freeLanes: frame.freeLanes,
          });
        this.dispatcher.pump();
        this.feed.changed();
        return;
      case "signin.frame":
      case "signin.state":
        if (!this.signIn.onHostFrame(host, frame)) this.foreignFrame(ws, host, frame.type, now);
        return;
      case "snapshot.part":
        if (!this.snapshots.onPart(host, frame)) this.foreignFrame(ws, host, frame.type, now);
        return;
      case "snapshot.end":
        if (!this.snapshots.onEnd(host, frame)) this.foreignFrame(ws, host, frame.type, now);
        return;
      case "protocol.error":
        this.guard.warn(`peer-error:${host.id}`, "host reports a protocol error", {
          hostId: host.id,
          jobId: frame.jobId ?? null,
          error: frame.message,
        });
        if (!this.guard.badFrame(ws, now))
          this.closeSocket(ws, CLOSE_CODES.policy, "too many protocol errors");
        return;
      case "job.event":
        if (!this.dispatcher.onJobFrame(host, frame)) {
          this.guard.warn(
            `foreign-job:${host.id}`,
            "dropped a frame for a job this socket does not hold",
            { hostId: host.id, jobId: frame.jobId },
          );
          if (!this.guard.badFrame(ws, now))
            this.closeSocket(
              ws,
              CLOSE_CODES.policy,
              "too many frames for jobs this host does not hold",
            );
        }
        return;
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    if (this.signIn.isConsole(ws)) this.signIn.onConsoleClose(ws);
    const host = this.hosts.bySocket(ws);
    if (host) this.dropHost(host, `connection closed (${code}${reason ? ` ${reason}` : ""})`);
    // Reciprocate the close so the host's socket leaves CLOSING promptly.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    if (this.signIn.isConsole(ws)) this.signIn.onConsoleClose(ws);
    const host = this.hosts.bySocket(ws);
    if (host) this.dropHost(host, `connection error (${String(error)})`);
  }

  private onHello(ws: WebSocket, frame: HelloFrame): void {
    const { v: _v, type: _type, ...hello } = frame;
    const existing = this.hosts.bySocket(ws);
    if (existing) {
      // A socket's identity is fixed at its first hello; a later hello may only refresh what it serves.
      if (existing.id !== hello.hostId || existing.instanceId !== hello.instanceId) {
        log.warn("host tried to change identity on its socket", {
          hostId: existing.id,
          claimed: hello.hostId,
        });
        this.send(ws, {
          type: "protocol.error",
          message: `this socket is host '${existing.id}'; a hello cannot change that`,
        });
        this.closeSocket(ws, CLOSE_CODES.policy, "identity is fixed at the first hello");
        return;
      }
      existing.info = { ...existing.info, hello, lanes: hello.lanes };
      existing.persist();
    } else {
      const attachment = ws.deserializeAttachment() as HostAttachment | null;
      const host = new Host(ws, {
        connectedAt: attachment?.connectedAt ?? Date.now(),
        hello,
        state: "ready",
        lanes: hello.lanes,
      });
      host.persist();
      this.hosts.add(host);
      for (const previous of this.hosts.namedOnOtherSockets(hello.hostId, ws))
        this.replace(previous, host);
    }
    log.info("host connected", {
      hostId: hello.hostId,
      version: hello.version,
      lanes: hello.lanes,
      models: hello.models.length,
    });
    this.send(ws, {
      type: "welcome",
      poolId: this.config.POOL_NAME,
      heartbeatMs: this.config.HEARTBEAT_MS,
    });
    this.dispatcher.pump();
    this.feed.changed();
  }

  /**
   * The newer socket of a host id wins. The same process reconnecting (its old link may be
   * half-dead) just loses the old link; another process under the same id is told, with a close
   * code it acts on, not to redial — otherwise two hosts sharing an id replace each other forever.
   */
  private replace(previous: Host, newer: Host): void {
    const sameProcess = previous.instanceId === newer.instanceId;
    if (!sameProcess) {
      log.error("two host processes use one host id; the newer connection wins", {
        hostId: newer.id,
      });
    }
    this.dropHost(previous, "replaced by a new connection");
    this.closeSocket(
      previous.ws,
      sameProcess ? 4000 : CLOSE_CODES.replaced,
      sameProcess
        ? "replaced by a new connection"
        : "another host process connected with this HOST_ID",
    );
  }

  private dropHost(host: Host, why: string): void {
    if (this.hosts.bySocket(host.ws) !== host) return;
    this.hosts.remove(host);
    this.dispatcher.hostGone(host, why);
    this.snapshots.hostGone(host);
    this.signIn.hostGone(host);
    this.feed.changed();
  }

  /** A frame for a session or request this socket does not hold: dropped and counted. */
  private foreignFrame(ws: WebSocket, host: Host, type: string, now: number): void {
    this.guard.warn(`foreign-${type}:${host.id}`, "dropped a frame this socket had no part in", {
      hostId: host.id,
      type,
    });
    if (!this.guard.badFrame(ws, now))
      this.closeSocket(ws, CLOSE_CODES.policy, "too many frames this host had no part in");
  }

  /** A frame the protocol does not allow: answered, logged (rate-limited) and counted. */
  private refuseFrame(ws: WebSocket, host: Host | undefined, error: string): void {
    this.guard.warn(`bad-frame:${host?.id ?? "anonymous"}`, "protocol error from host", {
      hostId: host?.id ?? null,
      error,
    });
    this.send(ws, { type: "protocol.error", message: error });
    if (!this.guard.badFrame(ws, Date.now()))
      this.closeSocket(ws, CLOSE_CODES.policy, "too many frames that break the protocol");
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    if (!this.guard.markClosing(ws)) return;
    const host = this.hosts.bySocket(ws);
    if (host) this.dropHost(host, reason);
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  // ── Jobs (Durable Object RPC from the Worker) ────────────────────────────────────────────

  /** Takes a job, or refuses it with a code the Worker answers as is. */
  async submit(submission: unknown): Promise<SubmitResult> {
    const parsed = JobSubmissionSchema.safeParse(submission);
    if (!parsed.success)
      return refusal("internal_error", "The pool got a malformed job submission.");
    const { request, keyId, keyName, requestId, files, whenFree } = parsed.data;
    const mismatch = filesMismatch(jobAttachments(request), files);
    if (mismatch !== null) {
      log.error("a job submission's files do not match its attachments", {
        requestId,
        mismatch,
      });
      return refusal("internal_error", "The pool got a malformed job submission.");
    }
    const now = Date.now();
    const refused = admit(this.hosts.all(), request.model, now);
    if (refused) return refused;
    const job = this.dispatcher.accept(request, files, keyId, keyName, requestId, now, whenFree);
    if (job) return { ok: true, jobId: job.id, stream: job.stream };
    // No retry-after: the caller of a whenFree job does not wait, it falls back at once.
    if (whenFree) return refusal("host_busy", `No lane serving '${request.model}' is free now.`);
    return refusal(
      "queue_full",
      `Every lane is busy and ${this.dispatcher.queued} requests are already waiting.`,
      { retryAfterMs: 5_000 },
    );
  }

  /** The Worker's word that a job's client went away (see PoolEventReader). */
  cancelJob(jobId: string): void {
    this.dispatcher.abandon(jobId);
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
    this.signIn.sweep(now);
    for (const ws of this.ctx.getWebSockets()) {
      // Console sockets carry no heartbeats; the relay's sweep bounds their life.
      if (this.signIn.isConsole(ws)) continue;
      const info = ws.deserializeAttachment() as HostAttachment | null;
      const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      const lastSeen = Math.max(heartbeat, this.lastFrameAt.get(ws) ?? 0, info?.connectedAt ?? 0);
      const host = this.hosts.bySocket(ws);
      if (!host && now - (info?.connectedAt ?? 0) > this.config.HELLO_TIMEOUT_MS) {
        this.closeSocket(ws, 4001, "no hello");
      } else if (host && now - lastSeen > 3 * this.config.HEARTBEAT_MS) {
        this.dropHost(host, "heartbeats stopped");
        this.closeSocket(ws, 4002, "heartbeats stopped");
      }
    }
    if (this.ctx.getWebSockets().length > 0)
      await this.ctx.storage.setAlarm(Date.now() + this.config.HEARTBEAT_MS);
  }

  // ── Read-only views for the Worker ───────────────────────────────────────────────────────

  health(): PoolHealth {
    const hosts = this.hosts.all();
    const accepting = hosts.filter((h) => h.accepting);
    return {
      status:
        hosts.length === 0 ? "no_hosts" : accepting.length === hosts.length ? "ok" : "degraded",
      hosts: hosts.map((h) => ({
        id: h.id,
        state: h.state,
        lanes: h.lanes,
        busy: h.inflight.size,
        models: h.models.length,
      })),
      lanes: accepting.reduce((n, h) => n + h.lanes, 0),
      freeLanes: accepting.reduce((n, h) => n + h.free, 0),
      running: this.dispatcher.running,
      queued: this.dispatcher.queued,
    };
  }

  /** The served models; `imageOutput` when any host serving one says it answers with images. */
  models(): ServedModel[] {
    return servedModels(this.hosts.all());
  }

  // ── Operator views (console, /admin/*) ──────────────────────────────────────────────────

  overview(): OverviewView {
    const signIn = this.signIn.openHostIds();
    return {
      at: Date.now(),
      hosts: this.hosts
        .all()
        .map((h) => hostView(h, signIn.has(h.id)))
        .sort((a, b) => a.id.localeCompare(b.id)),
      queued: this.dispatcher.queued,
      running: this.dispatcher.running,
      lastHour: this.ledger?.lastHour() ?? emptyHour(Date.now()),
    };
  }

  live(): ReadableStream<Uint8Array> {
    const stream = this.feed.subscribe();
    if (stream) return stream;
    // Past the cap: one event and the end, so a runaway tab cannot pin the object.
    return new Response(
      `event: error\ndata: ${JSON.stringify({ message: "Too many live views are open." })}\n\n`,
    ).body!;
  }

  usage(query: UsageQuery): UsageRow[] {
    return this.ledger?.usage(query) ?? [];
  }

  jobs(query: JobsQuery): JobRecord[] {
    return this.ledger?.jobs(query) ?? [];
  }

  /** One job's record, by job id or wire id. */
  job(id: string): JobRecord | null {
    return this.ledger?.job(id) ?? null;
  }

  keyUsage(): KeyUsageSummary[] {
    return this.ledger?.keyUsage() ?? [];
  }

  // ── Model aliases (the admin API's changes to wrangler.toml's MODEL_ALIASES) ───────────

  aliasOverrides(): AliasOverrides {
    return this.aliases.all();
  }

  /** Sets an alias to a model, hides it (null), or with `reset` drops the change. */
  changeAlias(alias: string, change: { model: string | null } | { reset: true }): AliasOverrides {
    if ("reset" in change) this.aliases.reset(alias);
    else this.aliases.set(alias, change.model, Date.now());
    return this.aliases.all();
  }

  recordRefusal(record: RefusalRecord): void {
    this.ledger?.addRefusal(record);
    this.scheduleFlush();
  }

  /** The failure snapshot of a job (by job or wire id), fetched from its host now. */
  async snapshot(jobId: string): Promise<SnapshotResult> {
    const record = this.ledger?.job(jobId) ?? null;
    if (!record) return { found: false, reason: `No record of job '${jobId}'.` };
    if (record.hostId === null)
      return { found: false, reason: "The job never reached a host, so there is no snapshot." };
    const host = this.hosts.all().find((h) => h.id === record.hostId);
    if (!host)
      return { found: false, reason: `Host '${record.hostId}' is not connected to this pool.` };
    return this.snapshots.request(host, record.wireId);
  }

  private scheduleFlush(): void {
    if (!this.ledger || this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      try {
        this.ledger?.flush();
      } catch (err) {
        // Accounting must never take jobs down with it.
        log.error("could not write the ledger", { error: String(err) });
      }
    }, LEDGER_FLUSH_MS);
  }

  private send(ws: WebSocket, frame: OutPoolFrame): boolean {
    try {
      ws.send(encodeFrame(frame));
      return true;
    } catch (err) {
      log.warn("send to host failed", { error: String(err) });
      return false;
    }
  }
}

/** Sixty empty minutes ending with the current one, for a pool that keeps no ledger. */
function emptyHour(now: number): MinuteRow[] {
  const current = Math.floor(now / 60_000) * 60_000;
  return Array.from({ length: 60 }, (_, i) => ({
    minute: current - (59 - i) * 60_000,
    requests: 0,
    errors: 0,
    ttftMs: null,
  }));
}
