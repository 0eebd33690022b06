import { z } from "zod";
import {
  ATTACHMENTS_HARD_CAP_COUNT,
  JobEventSchema,
  JobRequestSchema,
  type ErrorEvent,
  type JobEvent,
} from "@aistudio-edge/shared";

/*
 * What the pool streams back to the Worker for one job: the job events of shared/job-events.ts
 * as newline-delimited JSON, ending with exactly one `done` or `error`. Parsed on the Worker side
 * like any other boundary, because the two run in different isolates and may run different
 * deployments.
 */

/** What the Worker hands the pool to start a job (Durable Object RPC argument). */
export const JobSubmissionSchema = z.object({
  request: JobRequestSchema,
  keyId: z.string(),
  /** The key's name at submission, for the ledger (names can change; records keep theirs). */
  keyName: z.string().max(128).default(""),
  requestId: z.string(),
  /**
   * The bytes of the request's attachments, index-aligned with its messages' attachments in
   * conversation order (the pool checks count and sizes against them).
   */
  files: z
    .array(z.custom<Uint8Array>((value) => value instanceof Uint8Array, "expected bytes"))
    .max(ATTACHMENTS_HARD_CAP_COUNT)
    .default([]),
  /**
   * Run only on a lane that is free now, else refuse at once (`host_busy`): never queued, and so
   * never retried after a failed attempt either (a retry would have to wait). For work that has
   * a cheap fallback and no business holding a place in the queue, such as a token count.
   */
  whenFree: z.boolean().default(false),
});
export type JobSubmission = z.input<typeof JobSubmissionSchema>;

const encoder = new TextEncoder();
export const encodeEvent = (event: JobEvent): Uint8Array =>
  encoder.encode(`${JSON.stringify(event)}\n`);

/** A stream that does not follow the format: the reader's consumer reports it as our failure. */
export class PoolStreamError extends Error {
  override readonly name = "PoolStreamError";
}

/**
 * Reads the pool's NDJSON stream as events. `cancel` works while a read is pending (an async
 * generator's `return` would wait for that read to finish, which may never happen), and
 * cancelling is how the job learns that its client went away.
 */
export class PoolEventReader implements AsyncIterable<JobEvent> {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  /** The pieces of a line not yet ended. */
  private partial: string[] = [];
  private readonly ready: JobEvent[] = [];
  /** Set once the terminal event was read or the reader was cancelled. */
  private finished = false;
  /** The job's error event, once read: the route names a refused attachment's part from it. */
  lastError: ErrorEvent | null = null;

  /**
   * @param onCancel tells the pool the client went away. Cancelling the body alone is not
   * enough: the runtime only reports it to the pool when the pool next writes, and a job may
   * be silent (queued, thinking) for a long time.
   */
  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly onCancel: () => void,
  ) {
    this.reader = body.getReader();
  }

  /** The next event, or null when the stream has ended. Throws `PoolStreamError` on a bad line. */
  async next(): Promise<JobEvent | null> {
    while (this.ready.length === 0) {
      if (this.finished) return null;
      const { done, value } = await this.reader.read();
      if (done) {
        this.finished = true;
        return null;
      }
      // Only the new text is searched: a line can be tens of MiB (an image) in many chunks.
      const text = this.decoder.decode(value, { stream: true });
      let start = 0;
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
        this.partial.push(text.slice(start, newline));
        const line = this.partial.join("");
        this.partial = [];
        start = newline + 1;
        if (line.trim() !== "") this.ready.push(parseLine(line));
      }
      if (start < text.length) this.partial.push(text.slice(start));
    }
    const event = this.ready.shift()!;
    if (event.t === "error") this.lastError = event;
    if (event.t === "done" || event.t === "error") this.finished = true;
    return event;
  }

  async cancel(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.onCancel();
    // Cancelling a stream that already errored rejects; there is nothing left to release then.
    await this.reader.cancel().catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<JobEvent> {
    try {
      for (let event = await this.next(); event !== null; event = await this.next()) yield event;
    } finally {
      await this.cancel();
    }
  }
}

function parseLine(line: string): JobEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (cause) {
    throw new PoolStreamError("the pool sent a line that is not JSON", { cause });
  }
  const parsed = JobEventSchema.safeParse(raw);
  if (!parsed.success)
    throw new PoolStreamError(
      `the pool sent an event that is not a job event: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  return parsed.data;
}
