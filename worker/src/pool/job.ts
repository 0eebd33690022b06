import {
  jobAttachments,
  type DoneEvent,
  type ErrorCode,
  type JobAttachment,
  type JobEvent,
  type JobRequest,
} from "@aistudio-edge/shared";
import type { Host } from "./host-registry.js";
import { encodeEvent } from "./pool-events.js";

export type JobState = "queued" | "running" | "cancelling" | "finished";

/** How an attempt failed, as the client may be told. */
export interface JobFailure {
  code: ErrorCode;
  message: string;
  /** The refused attachment's index, for `attachment_refused`. */
  attachment?: number;
}

/**
 * One accepted request, from the moment the pool takes it until its client has the last event.
 * It owns the NDJSON stream to the Worker and its timers; the pool owns the decisions.
 */
export class Job {
  state: JobState = "queued";
  /** The host (socket) the current attempt runs on: the only one whose frames count for it. */
  host: Host | null = null;
  /** Dispatches so far, first included. */
  attempts = 0;
  outputStarted = false;
  lastSeq = -1;
  /** The id the current attempt carries on the wire (`job_…`, then `job_….2` for a retry). */
  wireId: string;
  readonly avoidHosts = new Set<Host>();
  /** The first attempt's failure, kept so a later `host_busy` cannot hide what really went wrong. */
  firstError: JobFailure | null = null;
  /** Frames the pool has sent the current attempt (the job frame is seq 0). */
  poolSeq = 0;
  /** The job's attachments in conversation order, as its messages describe them. */
  readonly attachments: readonly JobAttachment[];
  /**
   * Their bytes, index-aligned: held while the job waits and runs (a retry sends them again),
   * let go when it ends.
   */
  files: readonly Uint8Array[];
  readonly stream: ReadableStream<Uint8Array>;
  queuedPosition = 0;
  /** The host of the latest attempt, kept when a retry puts the job back in the queue. */
  lastHostId: string | null = null;
  /** Epoch ms of the first output event (text, thought, tool call, image), for the ledger. */
  firstOutputAt: number | null = null;
  /** What the client was told at the end: "ok" or an error code (null until then). */
  outcome: string | null = null;
  /** Token counts from the host's `done`, for the ledger. */
  usage: DoneEvent["usage"] | null = null;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private clientGone = false;
  private readonly onClientGone: (job: Job) => void;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    readonly id: string,
    readonly request: JobRequest,
    readonly keyId: string,
    readonly keyName: string,
    readonly requestId: string,
    readonly acceptedAt: number,
    readonly deadline: number,
    onClientGone: (job: Job) => void,
    files: readonly Uint8Array[] = [],
    /** Taken only onto a free lane, never queued, never retried (JobSubmission.whenFree). */
    readonly whenFree = false,
  ) {
    this.wireId = id;
    this.attachments = jobAttachments(request);
    this.files = files;
    this.onClientGone = onClientGone;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.abandon(),
    });
  }

  /** The client went away, seen either as the stream's cancel or as the Worker's explicit call. */
  abandon(): void {
    if (this.clientGone) return;
    this.clientGone = true;
    this.onClientGone(this);
  }

  get open(): boolean {
    return !this.clientGone && this.state !== "finished";
  }

  emit(event: JobEvent): void {
    if (this.clientGone) return;
    this.controller.enqueue(encodeEvent(event));
  }

  /** Ends the client's stream with an error event; the job itself may still be cancelling on its host. */
  fail(code: ErrorCode, message: string, attachment?: number): void {
    this.outcome ??= code;
    this.emit({ t: "error", code, message, ...(attachment !== undefined ? { attachment } : {}) });
    this.closeStream();
  }

  succeed(event: DoneEvent): void {
    this.outcome ??= "ok";
    this.usage = event.usage ?? null;
    this.emit(event);
    this.closeStream();
  }

  private closeStream(): void {
    if (this.clientGone) return;
    this.clientGone = true;
    this.controller.close();
  }

  /** (Re)arms a named timer; arming one that is set replaces it. */
  arm(name: string, ms: number, fire: () => void): void {
    this.disarm(name);
    this.timers.set(
      name,
      setTimeout(
        () => {
          this.timers.delete(name);
          fire();
        },
        Math.max(0, ms),
      ),
    );
  }

  disarm(name: string): void {
    const timer = this.timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(name);
  }

  disarmAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
