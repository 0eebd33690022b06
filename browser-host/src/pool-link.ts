import WebSocket from "ws";
import {
  CLOSE_CODES,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  encodeFrame,
  parsePoolFrame,
  type HelloFrame,
  type OutHostFrame,
  type PoolFrame,
} from "@aistudio-edge/shared";
import { linkAgent } from "./link-proxy.js";
import type { Logger } from "./log.js";

/*
 * The host's link to the pool: a WebSocket it dials out (nothing listens on the host), hello on
 * every connect, pings the pool answers without waking, reconnect with jittered backoff from
 * 0.5 s to 10 s. A link whose pongs stop is treated as dead and redialled. Two closes end the
 * redialling: another process took this host id (redialling would take it back, and the two
 * would replace each other forever), and a pool of another protocol version.
 */

export type OutFrame = OutHostFrame;

export interface PoolLinkOptions {
  url: string;
  token: string;
  log: Logger;
  hello: () => Omit<HelloFrame, "v">;
  onFrame: (frame: PoolFrame) => void;
  onDown: (why: string) => void;
  /** The pool closed the link for good; no redial follows. */
  onRefused?: (why: string) => void;
}

export class PoolLink {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastPong = 0;
  connected = false;

  constructor(private readonly options: PoolLinkOptions) {}

  start(): void {
    this.stopped = false;
    this.dial();
  }

  private dial(): void {
    const { log } = this.options;
    // Environment proxies apply (NO_PROXY honoured, loopback always direct); PROXY_URL does not.
    const agent = linkAgent(this.options.url);
    const socket = new WebSocket(this.options.url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 15_000,
      ...(agent ? { agent } : {}),
    });
    this.socket = socket;
    socket.on("open", () => {
      this.attempt = 0;
      this.lastPong = Date.now();
      this.send(this.options.hello());
    });
    socket.on("message", (data) => {
      const text = String(data);
      if (text === HEARTBEAT_PONG) {
        this.lastPong = Date.now();
        return;
      }
      const parsed = parsePoolFrame(text);
      if (!parsed.ok) {
        log.warn("protocol error from the pool", { error: parsed.error });
        this.send({ type: "protocol.error", message: parsed.error });
        return;
      }
      if (parsed.frame.type === "welcome") {
        this.connected = true;
        log.info("connected to the pool", {
          pool: parsed.frame.poolId,
          url: this.options.url.replace(/\?.*$/, ""),
        });
        this.startHeartbeat(parsed.frame.heartbeatMs);
      }
      this.options.onFrame(parsed.frame);
    });
    socket.on("unexpected-response", (_req, res) => {
      const hint = res.statusCode === 401 ? " (HOST_TOKEN does not match the Worker's)" : "";
      log.error("the pool refused the connection", { status: res.statusCode, hint });
      socket.terminate();
    });
    socket.on("error", (err) => log.warn("pool link error", { error: err.message }));
    socket.on("close", (code, reason) => {
      clearInterval(this.heartbeat);
      const was = this.connected;
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      if (was) this.options.onDown(`link closed (${code})`);
      if (code === CLOSE_CODES.replaced || code === CLOSE_CODES.version) {
        const why =
          code === CLOSE_CODES.replaced
            ? "another host process connected to the pool with this HOST_ID; give each host its own HOST_ID"
            : `the pool speaks another protocol version (${String(reason) || "no detail"}); upgrade the host or the Worker`;
        this.stopped = true;
        log.error("the pool closed the link for good", { code, why });
        this.options.onRefused?.(why);
        return;
      }
      if (!this.stopped) this.scheduleRetry();
    });
  }

  private startHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(
      () => {
        const socket = this.socket;
        if (!socket || socket.readyState !== WebSocket.OPEN) return;
        if (Date.now() - this.lastPong > 3 * intervalMs) {
          this.options.log.warn("the pool stopped answering pings; reconnecting");
          socket.terminate();
          return;
        }
        socket.send(HEARTBEAT_PING);
      },
      Math.max(250, Math.floor(intervalMs / 2)),
    );
  }

  private scheduleRetry(): void {
    const base = Math.min(10_000, 500 * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.options.log.info("reconnecting to the pool", { inMs: delay });
    this.retry = setTimeout(() => this.dial(), delay);
  }

  send(frame: OutFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(encodeFrame(frame));
    return true;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.close(1000, "host stopping");
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000).unref();
    });
  }
}
