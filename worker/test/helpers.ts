import { SELF, env } from "cloudflare:test";
import type { Env } from "../src/env.js";
import type { z } from "zod";
import {
  ATTACHMENT_CHUNK_BYTES,
  encodeFrame,
  jobAttachments,
  parsePoolFrame,
  type HostJobEventSchema,
  type HostModel,
  type JobAttachmentFrame,
  type JobFrame,
  type PoolFrame,
} from "@aistudio-edge/shared";
import { until } from "../../shared/test-support/until.js";
import { decodeBase64 } from "../src/base64.js";

declare module "vitest" {
  /** What the suite's globalSetup (test-server/global-setup.ts) provides. */
  export interface ProvidedContext {
    /** Base URL of the loopback file server the attachment tests fetch from. */
    attachmentServer: string;
    /** A loopback port nothing listens on, for "could not fetch". */
    closedPort: number;
  }
}

/** The Worker's bindings, typed (the pool-workers `env` is typed by a global this project does not declare). */
export const bindings = env as unknown as Env;

export const ADMIN = "test-admin-token";
export const HOST_TOKEN = "test-host-token";
export const BASE = "https://edge.test";
export const MODELS: HostModel[] = [
  {
    id: "gemini-2.5-flash",
    displayName: "Gemini 2.5 Flash",
    outputTokenLimit: 65536,
    thinking: "budget",
  },
  { id: "gemini-3-pro-preview", displayName: "Gemini 3 Pro", thinking: "level" },
];

export async function createKey(
  body: { name?: string; rpm?: number; concurrency?: number } = {},
): Promise<{ id: string; key: string }> {
  const res = await SELF.fetch(`${BASE}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "test", ...body }),
  });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function chat(
  key: string,
  body: Record<string, unknown>,
  init: RequestInit = {},
): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/chat/completions`, {
    method: "POST",
    ...init,
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      ...(init.headers ?? {}),
    },
    body: JSON.stringify({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Hi" }],
      ...body,
    }),
  });
}

type FrameOf<T extends PoolFrame["type"]> = Extract<PoolFrame, { type: T }>;
/** A job event as a host writes it (codes are plain strings before the pool narrows them). */
export type HostEventIn = z.input<typeof HostJobEventSchema>;

/** A scripted browser host on a real WebSocket upgrade through the Worker into the pool. */
export class TestHost {
  readonly frames: PoolFrame[] = [];
  readonly raw: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  heartbeat: ReturnType<typeof setInterval> | undefined;
  private seqs = new Map<string, number>();

  private constructor(
    readonly ws: WebSocket,
    readonly id: string,
  ) {
    ws.addEventListener("message", (event) => {
      const text = typeof event.data === "string" ? event.data : "";
      this.raw.push(text);
      const parsed = parsePoolFrame(text);
      if (parsed.ok) this.frames.push(parsed.frame);
      this.wake();
    });
    ws.addEventListener("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  static async open(): Promise<WebSocket> {
    const res = await SELF.fetch(`${BASE}/hosts/connect`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${HOST_TOKEN}` },
    });
    if (res.status !== 101 || !res.webSocket)
      throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
    res.webSocket.accept();
    return res.webSocket;
  }

  /** Every host a test opened, so `closeAllHosts` can end them before the next test. */
  static readonly opened = new Set<TestHost>();

  static async connect(
    options: {
      id?: string;
      instanceId?: string;
      lanes?: number;
      models?: HostModel[];
      ping?: boolean;
    } = {},
  ): Promise<TestHost> {
    const id = options.id ?? `host-${crypto.randomUUID().slice(0, 8)}`;
    const host = new TestHost(await TestHost.open(), id);
    TestHost.opened.add(host);
    host.send({
      type: "hello",
      hostId: id,
      instanceId: options.instanceId ?? `proc-${id}`,
      version: "test",
      lanes: options.lanes ?? 1,
      models: options.models ?? MODELS,
    });
    const welcome = await host.next("welcome");
    // Ping like a real host, or the pool's sweep drops the host as dead.
    if (options.ping !== false)
      host.heartbeat = setInterval(() => {
        if (!host.closed) host.ws.send("ping");
      }, welcome.heartbeatMs / 2);
    return host;
  }

  send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.ws.send(encodeFrame(frame));
  }

  /** Sends one event of a job, in its envelope with the next sequence number for that job. */
  event(jobId: string, event: HostEventIn): void {
    const seq = (this.seqs.get(jobId) ?? 0) + 1;
    this.seqs.set(jobId, seq);
    this.send({ type: "job.event", jobId, seq, event });
  }

  /** Waits for the next unconsumed frame of a type (earlier ones of other types stay queued). */
  next<T extends PoolFrame["type"]>(type: T, timeoutMs = 5_000): Promise<FrameOf<T>> {
    return this.nextOf(type, () => true, timeoutMs);
  }

  /**
   * Reads a job's `job.attachment` frames (as many as its attachments' sizes make) and puts
   * the bytes back together, checking what the protocol promises: attachments in order, each
   * piece where the last one ended, every piece but an attachment's last exactly
   * ATTACHMENT_CHUNK_BYTES, and seq continuing the job frame's.
   */
  async attachments(job: JobFrame): Promise<{ files: Uint8Array[]; frames: JobAttachmentFrame[] }> {
    const described = jobAttachments(job.request);
    const frames: JobAttachmentFrame[] = [];
    const files = described.map((a) => new Uint8Array(a.bytes));
    let seq = job.seq;
    for (const [index, attachment] of described.entries()) {
      for (let offset = 0; offset < attachment.bytes; offset += ATTACHMENT_CHUNK_BYTES) {
        const frame = await this.nextOf("job.attachment", (f) => f.jobId === job.jobId);
        frames.push(frame);
        const bytes = decode(frame.data);
        const expected = Math.min(ATTACHMENT_CHUNK_BYTES, attachment.bytes - offset);
        if (frame.index !== index || frame.offset !== offset || bytes.length !== expected)
          throw new Error(
            `piece ${frame.index}@${frame.offset} (${bytes.length} bytes) where ${index}@${offset} (${expected} bytes) was due`,
          );
        if (frame.seq !== ++seq) throw new Error(`piece seq ${frame.seq}, expected ${seq}`);
        files[index]!.set(bytes, offset);
      }
    }
    return { files, frames };
  }

  /** Like `next`, for the first frame of a type that also matches `which`. */
  async nextOf<T extends PoolFrame["type"]>(
    type: T,
    which: (frame: FrameOf<T>) => boolean,
    timeoutMs = 5_000,
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => f.type === type && which(f as FrameOf<T>));
      if (index >= 0) return this.frames.splice(index, 1)[0] as FrameOf<T>;
      if (this.closed) throw new Error(`${this.id}: socket closed while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.id}: no ${type} frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Asserts that no frame of a type arrives within a window (used for "nothing was sent" checks). */
  async expectNo(type: PoolFrame["type"], windowMs: number): Promise<void> {
    await this.next(type, windowMs).then(
      (frame) => {
        throw new Error(`${this.id}: unexpected ${type} frame ${JSON.stringify(frame)}`);
      },
      () => undefined,
    );
  }

  /** Ends a job with a host's error (retryable, before any output, unless told otherwise). */
  fail(
    jobId: string,
    code: string,
    options: { message?: string; retryable?: boolean; outputStarted?: boolean } = {},
  ): void {
    this.event(jobId, {
      t: "error",
      code,
      message: options.message ?? `failed: ${code}`,
      retryable: options.retryable ?? true,
      outputStarted: options.outputStarted ?? false,
    });
  }

  /** Plays a complete answer for a job. */
  answer(
    jobId: string,
    text: string,
    usage = { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  ): void {
    this.event(jobId, { t: "started" });
    this.event(jobId, { t: "text", text });
    this.event(jobId, { t: "done", finishReason: "stop", usage });
  }

  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (!this.closed) this.ws.close(1000, "test over");
    this.closed = true;
  }
}

/** The host among several that received the next job, without consuming anyone else's frames. */
export async function hostWithJob(
  candidates: TestHost[],
): Promise<{ host: TestHost; job: FrameOf<"job">; others: TestHost[] }> {
  await until(
    () => candidates.some((h) => h.frames.some((f) => f.type === "job")),
    "a job on any host",
  );
  const host = candidates.find((h) => h.frames.some((f) => f.type === "job"))!;
  return { host, job: await host.next("job"), others: candidates.filter((h) => h !== host) };
}

/**
 * Closes every host the test opened and waits until the pool has let go of them, so no pool
 * work (or log line) spills into the next test or past the end of the file.
 */
export async function closeAllHosts(): Promise<void> {
  for (const host of TestHost.opened) host.close();
  TestHost.opened.clear();
  await until(async () => {
    const health = await (
      await SELF.fetch(`${BASE}/health`)
    ).json<{ hosts: unknown[]; running: number; queued: number }>();
    return health.hosts.length === 0 && health.running === 0 && health.queued === 0;
  }, "the pool to drop every test host");
}

export interface SseEvent {
  data?: string;
  comment?: string;
}

/** Reads an SSE body to its end, keeping comments, so tests can check every line. */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  const out: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block === "") continue;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) out.push({ comment: line.slice(1).trim() });
      else if (line.startsWith("data: ")) out.push({ data: line.slice(6) });
    }
  }
  return out;
}

function decode(base64: string): Uint8Array {
  const bytes = decodeBase64(base64);
  if (bytes === null) throw new Error("a job.attachment piece is not base64");
  return bytes;
}

/** Lower-case hex SHA-256, as a JobAttachment carries it. */
export { sha256Hex } from "../src/attachments/resolve-attachments.js";

/** The shared polling wait, re-exported for the Worker's tests. */
export { until };
