import {
  SignInViewportSchema,
  TokenBucket,
  type OutPoolFrame,
  type SignInState,
} from "@aistudio-edge/shared";
import { log } from "../log.js";
import type { Host, HostRegistry } from "./host-registry.js";
import { ConsoleSignInMessageSchema, type PoolSignInMessage } from "./views.js";

/*
 * Remote sign-in through the pool: the console's WebSocket (accepted here after the Worker
 * checked the operator's session and Origin) is paired with one host's socket. The host's screen
 * frames go to the console; the console's input goes to the host. One session per host. A
 * session is bound to the host process it started on (id and instance): if that host goes or
 * is replaced, the session ends. What the operator types travels only inside `signin.input`
 * frames and is never logged. The pairing lives in the console socket's attachment, so it
 * survives the object hibernating.
 */

export const CONSOLE_TAG = "console";
/** A session ends after this long whatever happens (the host has its own, shorter idle limit). */
export const SESSION_MAX_MS = 30 * 60_000;
/** Screen frames forwarded per second at most (the host throttles too). */
const FRAMES_PER_SECOND = 10;
/** Input events per second (burst) from one console: typing and pointer moves, not floods. */
const INPUT_BURST = 200;
const INPUTS_PER_SECOND = 100;

interface ConsoleAttachment {
  kind: "console";
  hostId: string;
  instanceId: string;
  sessionId: string;
  openedAt: number;
}

const TERMINAL: ReadonlySet<SignInState> = new Set(["signed_in", "failed", "closed"]);

export class SignInRelay {
  private readonly inputBudget = new WeakMap<WebSocket, TokenBucket>();
  private readonly frameBudget = new WeakMap<WebSocket, TokenBucket>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly hosts: HostRegistry,
    private readonly sendHost: (host: Host, frame: OutPoolFrame) => boolean,
    private readonly changed: () => void,
  ) {}

  isConsole(ws: WebSocket): boolean {
    return this.ctx.getTags(ws).includes(CONSOLE_TAG);
  }

  /** Host ids with a session open now, for the overview. */
  openHostIds(): Set<string> {
    return new Set(this.sessions().map(([, a]) => a.hostId));
  }

  /** The console's upgrade: `?host=<id>&w=<px>&h=<px>`. Always a socket, so errors can be shown. */
  accept(url: URL): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [CONSOLE_TAG]);
    const hostId = url.searchParams.get("host") ?? "";
    const viewport = SignInViewportSchema.safeParse({
      width: Number(url.searchParams.get("w") ?? 1280),
      height: Number(url.searchParams.get("h") ?? 800),
    });
    const host = this.hosts.all().find((h) => h.id === hostId);
    const refuse = (code: number, message: string) => {
      this.toConsole(server, { type: "error", message });
      server.close(code, message.slice(0, 120));
      return new Response(null, { status: 101, webSocket: client });
    };
    if (!viewport.success) return refuse(4400, "The viewport must be 320–1920 by 320–1200 pixels.");
    if (!host) return refuse(4404, `Host '${hostId}' is not connected to this pool.`);
    if (this.openHostIds().has(host.id))
      return refuse(4409, `A sign-in session is already open on host '${host.id}'.`);

    const attachment: ConsoleAttachment = {
      kind: "console",
      hostId: host.id,
      instanceId: host.instanceId,
      sessionId: `signin_${crypto.randomUUID().replaceAll("-", "")}`,
      openedAt: Date.now(),
    };
    server.serializeAttachment(attachment);
    log.info("remote sign-in opened", { hostId: host.id, sessionId: attachment.sessionId });
    if (
      !this.sendHost(host, {
        type: "signin.start",
        sessionId: attachment.sessionId,
        viewport: viewport.data,
      })
    )
      return refuse(4502, `Host '${host.id}' could not be reached.`);
    this.changed();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A message from the console: input for the host, or stop. */
  onConsoleMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const session = this.attachmentOf(ws);
    if (!session) return;
    let budget = this.inputBudget.get(ws);
    if (!budget)
      this.inputBudget.set(
        ws,
        (budget = new TokenBucket(INPUT_BURST, INPUTS_PER_SECOND, Date.now())),
      );
    if (!budget.take(Date.now())) return; // Dropped: a flood, not a person.
    let raw: unknown;
    try {
      raw = typeof message === "string" ? JSON.parse(message) : null;
    } catch {
      raw = null;
    }
    const parsed = ConsoleSignInMessageSchema.safeParse(raw);
    if (!parsed.success) {
      // The message may hold typed text: only its shape is reported, never its content.
      this.toConsole(ws, { type: "error", message: "The console sent a malformed message." });
      return;
    }
    const host = this.hostOf(session);
    if (!host) return this.end(ws, "closed", "The host is no longer connected.");
    if (parsed.data.type === "stop") {
      this.sendHost(host, {
        type: "signin.stop",
        sessionId: session.sessionId,
        reason: "stopped by the operator",
      });
      return this.end(ws, "closed", "Stopped.");
    }
    this.sendHost(host, {
      type: "signin.input",
      sessionId: session.sessionId,
      input: parsed.data.input,
    });
  }

  /** The console went away: the host closes its sign-in browser. */
  onConsoleClose(ws: WebSocket): void {
    const session = this.attachmentOf(ws);
    if (!session) return;
    const host = this.hostOf(session);
    if (host)
      this.sendHost(host, {
        type: "signin.stop",
        sessionId: session.sessionId,
        reason: "the console closed",
      });
    this.forget(ws);
  }

  /** A host's frame or state; false when the session is not that host's (the pool counts it). */
  onHostFrame(
    host: Host,
    frame:
      | {
          type: "signin.frame";
          sessionId: string;
          seq: number;
          data: string;
          width: number;
          height: number;
        }
      | {
          type: "signin.state";
          sessionId: string;
          state: SignInState;
          detail?: string;
          location?: string;
        },
  ): boolean {
    const found = this.sessions().find(
      ([, a]) =>
        a.sessionId === frame.sessionId && a.hostId === host.id && a.instanceId === host.instanceId,
    );
    if (!found) return false;
    const [ws] = found;
    if (frame.type === "signin.frame") {
      let budget = this.frameBudget.get(ws);
      if (!budget)
        this.frameBudget.set(
          ws,
          (budget = new TokenBucket(FRAMES_PER_SECOND, FRAMES_PER_SECOND, Date.now())),
        );
      if (budget.take(Date.now()))
        this.toConsole(ws, {
          type: "frame",
          seq: frame.seq,
          data: frame.data,
          width: frame.width,
          height: frame.height,
        });
      return true;
    }
    log.info("remote sign-in state", { hostId: host.id, state: frame.state });
    if (TERMINAL.has(frame.state)) {
      this.end(ws, frame.state, frame.detail, frame.location);
      return true;
    }
    this.toConsole(ws, {
      type: "state",
      state: frame.state,
      ...(frame.detail !== undefined ? { detail: frame.detail } : {}),
      ...(frame.location !== undefined ? { location: frame.location } : {}),
    });
    return true;
  }

  /** The host's socket went: its session ends with it. */
  hostGone(host: Host): void {
    for (const [ws, a] of this.sessions())
      if (a.hostId === host.id && a.instanceId === host.instanceId)
        this.end(ws, "closed", "The host disconnected.");
  }

  /** Ends sessions older than SESSION_MAX_MS (called from the pool's alarm). */
  sweep(now: number): void {
    for (const [ws, a] of this.sessions())
      if (now - a.openedAt > SESSION_MAX_MS) {
        const host = this.hostOf(a);
        if (host)
          this.sendHost(host, {
            type: "signin.stop",
            sessionId: a.sessionId,
            reason: "time limit",
          });
        this.end(ws, "closed", "The session reached its time limit.");
      }
  }

  private end(ws: WebSocket, state: SignInState, detail?: string, location?: string): void {
    this.toConsole(ws, {
      type: "state",
      state,
      ...(detail !== undefined ? { detail } : {}),
      ...(location !== undefined ? { location } : {}),
    });
    this.forget(ws);
    try {
      ws.close(1000, state);
    } catch {
      // Already closed.
    }
  }

  /** Unpairs a console socket, so nothing more is relayed either way. */
  private forget(ws: WebSocket): void {
    if (this.attachmentOf(ws) === null) return;
    ws.serializeAttachment({ kind: "console-ended" });
    this.changed();
  }

  private sessions(): Array<[WebSocket, ConsoleAttachment]> {
    const out: Array<[WebSocket, ConsoleAttachment]> = [];
    for (const ws of this.ctx.getWebSockets(CONSOLE_TAG)) {
      const a = this.attachmentOf(ws);
      if (a) out.push([ws, a]);
    }
    return out;
  }

  private attachmentOf(ws: WebSocket): ConsoleAttachment | null {
    const a = ws.deserializeAttachment() as Partial<ConsoleAttachment> | null;
    return a?.kind === "console" ? (a as ConsoleAttachment) : null;
  }

  private hostOf(a: ConsoleAttachment): Host | undefined {
    return this.hosts.all().find((h) => h.id === a.hostId && h.instanceId === a.instanceId);
  }

  private toConsole(ws: WebSocket, message: PoolSignInMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // The console went; its close handler cleans up.
    }
  }
}
