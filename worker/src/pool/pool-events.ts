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

/** Reads the pool's NDJSON stream as events; the reader is released however the loop ends. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<PoolEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() !== "") yield PoolEventSchema.parse(JSON.parse(line));
      }
    }
  } finally {
    // Reaching here early (the client went away) cancels the pool's stream, which cancels the job.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
