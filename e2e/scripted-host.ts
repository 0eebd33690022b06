import WebSocket from "ws";
import type { z } from "zod";
import {
  HEARTBEAT_PING,
  encodeFrame,
  parsePoolFrame,
  type HostJobEventSchema,
  type HostModel,
  type JobFrame,
  type PoolFrame,
} from "@aistudio-edge/shared";

/*
 * A browser host without a browser: it speaks the real protocol over a real `ws` connection to
 * the Worker, and answers each job by a script chosen from the last user message. Used by the
 * end-to-end tests until (and beside) the real host.
 */

export type Script = (job: JobFrame, io: JobIo) => Promise<void>;

export interface JobIo {
  started(): void;
  text(text: string): void;
  thought(text: string): void;
  toolCalls(calls: Array<{ id: string; name: string; arguments: string }>): void;
  /** One image of the answer (for a model announced with `imageOutput`): base64, no prefix. */
  image(mimeType: string, data: string): void;
  done(
    finishReason: "stop" | "length" | "tool_calls" | "content_filter",
    usage?: {
      promptTokens: number;
      completionTokens: number;
      totalTokens: number;
      reasoningTokens?: number;
    },
  ): void;
  error(
    code: "upstream_error" | "upstream_quota" | "cancelled",
    message: string,
    retryable: boolean,
  ): void;
  /** Resolves when the pool cancels this job. */
  cancelled: Promise<string>;
  /** The host's socket, for scripts that kill it. */
  socket: WebSocket;
}

export class ScriptedHost {
  readonly received: PoolFrame[] = [];
  readonly cancels: string[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly cancelWaiters = new Map<string, (reason: string) => void>();

  private constructor(
    readonly socket: WebSocket,
    private readonly script: Script,
  ) {}

  static async connect(options: {
    url: string;
    token: string;
    id: string;
    lanes: number;
    models: HostModel[];
    script: Script;
  }): Promise<ScriptedHost> {
    const socket = new WebSocket(`${options.url.replace(/^http/, "ws")}/hosts/connect`, {
      headers: { authorization: `Bearer ${options.token}` },
    });
    const host = new ScriptedHost(socket, options.script);
    const welcomed = new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      socket.on("message", (data) => {
        const parsed = parsePoolFrame(String(data));
        if (!parsed.ok) return;
        host.received.push(parsed.frame);
        if (parsed.frame.type === "welcome") {
          const every = parsed.frame.heartbeatMs / 2;
          host.heartbeat = setInterval(
            () => socket.readyState === WebSocket.OPEN && socket.send(HEARTBEAT_PING),
            every,
          );
          resolve();
        } else host.onFrame(parsed.frame);
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.send(
      encodeFrame({
        type: "hello",
        hostId: options.id,
        instanceId: `scripted-${options.id}`,
        version: "scripted",
        lanes: options.lanes,
        models: options.models,
      }),
    );
    await welcomed;
    socket.once("close", () => clearInterval(host.heartbeat));
    return host;
  }

  private onFrame(frame: PoolFrame): void {
    if (frame.type === "job.cancel") {
      this.cancels.push(frame.jobId);
      this.cancelWaiters.get(frame.jobId)?.(frame.reason);
    } else if (frame.type === "job") void this.run(frame);
  }

  private async run(job: JobFrame): Promise<void> {
    let seq = 0;
    let outputStarted = false;
    const send = (event: z.input<typeof HostJobEventSchema>) => {
      if (this.socket.readyState !== WebSocket.OPEN) return;
      seq += 1;
      this.socket.send(encodeFrame({ type: "job.event", jobId: job.jobId, seq, event }));
    };
    const cancelled = new Promise<string>((resolve) => this.cancelWaiters.set(job.jobId, resolve));
    const io: JobIo = {
      started: () => send({ t: "started" }),
      text: (text) => {
        outputStarted = true;
        send({ t: "text", text });
      },
      thought: (thought) => {
        outputStarted = true;
        send({ t: "thought", text: thought });
      },
      toolCalls: (calls) => {
        outputStarted = true;
        send({ t: "tool_calls", toolCalls: calls.map((c, index) => ({ index, ...c })) });
      },
      image: (mimeType, data) => {
        outputStarted = true;
        send({ t: "image", mimeType, data });
      },
      done: (finishReason, usage) => send({ t: "done", finishReason, ...(usage ? { usage } : {}) }),
      error: (code, message, retryable) =>
        send({ t: "error", code, message, retryable, outputStarted }),
      cancelled,
      socket: this.socket,
    };
    try {
      await this.script(job, io);
    } finally {
      this.cancelWaiters.delete(job.jobId);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.close(1000, "done");
  }

  /** Drops the connection without a close handshake, as a crashed host would. */
  kill(): void {
    clearInterval(this.heartbeat);
    this.socket.terminate();
  }
}
