import { z } from "zod";
import { ErrorCodeSchema, FinishReasonSchema, JobRequestSchema, UsageSchema, WireToolCallSchema } from "@aistudio-edge/shared";

/*
 * What the pool streams back to the Worker for one job: newline-delimited JSON, one event per
 * line, ending with exactly one `done` or `error`. Parsed on the Worker side like any other
 * boundary, because the two run in different isolates and may run different deployments.
 */

export const PoolEventSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("queued"), position: z.number().int().positive() }),
  z.object({ t: z.literal("started"), host: z.string() }),
  z.object({ t: z.literal("delta"), text: z.string().optional(), thought: z.string().optional() }),
  z.object({ t: z.literal("tool_calls"), toolCalls: z.array(WireToolCallSchema) }),
  z.object({ t: z.literal("done"), finishReason: FinishReasonSchema, usage: UsageSchema.optional() }),
  z.object({ t: z.literal("error"), code: ErrorCodeSchema, message: z.string() }),
]);
export type PoolEvent = z.infer<typeof PoolEventSchema>;

/** The body the Worker posts to the pool to start a job. */
export const JobSubmissionSchema = z.object({
  request: JobRequestSchema,
  keyId: z.string(),
  requestId: z.string(),
});
export type JobSubmission = z.infer<typeof JobSubmissionSchema>;

const encoder = new TextEncoder();
export const encodeEvent = (event: PoolEvent): Uint8Array => encoder.encode(`${JSON.stringify(event)}\n`);

/**
 * Reads the pool's NDJSON stream as events. `cancel` works while a read is pending (an async
 * generator's `return` would wait for that read to finish, which may never happen), and
 * cancelling is how the job learns that its client went away.
 */
export class PoolEventReader implements AsyncIterable<PoolEvent> {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffered = "";
  private readonly ready: PoolEvent[] = [];
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

  /** The next event, or null when the stream has ended. */
  async next(): Promise<PoolEvent | null> {
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
        if (line.trim() !== "") this.ready.push(PoolEventSchema.parse(JSON.parse(line)));
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
    await this.reader.cancel().catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PoolEvent> {
    try {
      for (let event = await this.next(); event !== null; event = await this.next()) yield event;
    } finally {
      await this.cancel();
    }
  }
}
