import { z } from "zod";
import { JobEventSchema, JobRequestSchema, type JobEvent } from "@aistudio-edge/shared";

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
  requestId: z.string(),
});
export type JobSubmission = z.infer<typeof JobSubmissionSchema>;

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
  private buffered = "";
  private readonly ready: JobEvent[] = [];
  /** Set once the terminal event was read or the reader was cancelled. */
  private finished = false;

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
      this.buffered += this.decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = this.buffered.indexOf("\n")) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        if (line.trim() !== "") this.ready.push(parseLine(line));
      }
    }
    const event = this.ready.shift()!;
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
