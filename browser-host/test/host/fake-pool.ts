import { WebSocketServer, type WebSocket } from "ws";
import {
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  encodeFrame,
  parseHostFrame,
  type HostFrame,
  type HostJobEvent,
  type PoolFrame,
} from "@aistudio-edge/shared";

/** A pool that speaks the protocol over a real WebSocket on loopback, for testing the host alone. */
export class FakePool {
  readonly frames: HostFrame[] = [];
  /** When each of `frames` arrived (Date.now()), index for index. */
  readonly arrivals: number[] = [];
  /** Called with every frame as it arrives, for checks that depend on what else was true then. */
  readonly listeners: Array<(frame: HostFrame) => void> = [];
  socket: WebSocket | null = null;
  connections = 0;
  tokens: string[] = [];

  private constructor(private readonly server: WebSocketServer) {
    server.on("connection", (socket, req) => {
      this.connections += 1;
      this.tokens.push(req.headers.authorization ?? "");
      this.socket = socket;
      socket.on("message", (data) => {
        const text = String(data);
        if (text === HEARTBEAT_PING) return socket.send(HEARTBEAT_PONG);
        const parsed = parseHostFrame(text);
        if (!parsed.ok) throw new Error(`host sent a bad frame: ${parsed.error}`);
        this.frames.push(parsed.frame);
        this.arrivals.push(Date.now());
        for (const listener of this.listeners) listener(parsed.frame);
        if (parsed.frame.type === "hello")
          socket.send(encodeFrame({ type: "welcome", poolId: "fake", heartbeatMs: 1000 }));
      });
    });
  }

  static async start(): Promise<FakePool> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new FakePool(server);
  }

  get url(): string {
    const address = this.server.address();
    return `ws://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/hosts/connect`;
  }

  send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.socket!.send(encodeFrame(frame));
  }

  of<T extends HostFrame["type"]>(type: T, jobId?: string): Array<Extract<HostFrame, { type: T }>> {
    return this.frames.filter(
      (f) => f.type === type && (jobId === undefined || (f as { jobId?: string }).jobId === jobId),
    ) as Array<Extract<HostFrame, { type: T }>>;
  }

  /** The sign-in frames (or states) the host sent for one session, in order. */
  signIn<T extends "signin.frame" | "signin.state">(
    type: T,
    sessionId: string,
  ): Array<Extract<HostFrame, { type: T }>> {
    return this.frames.filter(
      (f) => f.type === type && (f as { sessionId?: string }).sessionId === sessionId,
    ) as Array<Extract<HostFrame, { type: T }>>;
  }

  /** The arrival times of one session's screen frames. */
  frameTimes(sessionId: string): number[] {
    return this.frames.flatMap((f, i) =>
      f.type === "signin.frame" && f.sessionId === sessionId ? [this.arrivals[i]!] : [],
    );
  }

  /** The events the host sent for one job, in order, optionally of one kind. */
  events<T extends HostJobEvent["t"]>(
    jobId: string,
    t?: T,
  ): Array<Extract<HostJobEvent, { t: T }>> {
    return this.of("job.event", jobId)
      .map((f) => f.event)
      .filter((e) => t === undefined || e.t === t) as Array<Extract<HostJobEvent, { t: T }>>;
  }

  /** Whether the job has ended (done or error). */
  ended(jobId: string): boolean {
    return this.events(jobId).some((e) => e.t === "done" || e.t === "error");
  }

  lastStatus(): Extract<HostFrame, { type: "status" }> | undefined {
    return this.of("status").at(-1);
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type { PoolFrame };
