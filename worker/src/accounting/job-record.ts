import type { Job } from "../pool/job.js";
import type { JobRecord } from "./records.js";

/** What the ledger keeps of a finished job: times, names, codes and token counts, no text. */
export function jobRecord(job: Job, endedAt: number): JobRecord {
  // A count-only job's usage is the count it answered: no token was spent, none is billed.
  const usage = job.request.countTokens === true ? null : job.usage;
  return {
    id: job.id,
    wireId: job.wireId,
    at: job.acceptedAt,
    keyId: job.keyId,
    keyName: job.keyName,
    requestId: job.requestId,
    model: job.request.model,
    hostId: job.host?.id ?? job.lastHostId,
    outcome: job.outcome ?? "cancelled",
    ttftMs: job.firstOutputAt === null ? null : job.firstOutputAt - job.acceptedAt,
    durationMs: Math.max(0, endedAt - job.acceptedAt),
    attempts: job.attempts,
    stream: job.request.stream,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    thoughtTokens: usage?.reasoningTokens ?? 0,
  };
}
