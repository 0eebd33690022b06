import { z } from "zod";

/*
 * What the pool records of every request, and what the console and /admin/* read back. No
 * prompt or answer text is ever part of a record: times, names, codes and token counts only.
 */

/** How one accepted job ended, written once when it finishes. */
export interface JobRecord {
  /** The job id (`job_…`), without the retry suffix. */
  id: string;
  /** The wire id of the last attempt (`job_…` or `job_….N`): the host's snapshot is under it. */
  wireId: string;
  /** Epoch ms when the pool accepted the job. */
  at: number;
  keyId: string;
  keyName: string;
  requestId: string;
  model: string;
  /** The host of the last attempt; null when the job never left the queue. */
  hostId: string | null;
  /** "ok", or the error code the client was given ("cancelled" when the client went away). */
  outcome: string;
  /** Accepted → first output (text, thought, tool call or image); null without output. */
  ttftMs: number | null;
  /** Accepted → end. */
  durationMs: number;
  attempts: number;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
}

/** A request refused before a job existed (validation, rate limit, no host…), per key. */
export interface RefusalRecord {
  at: number;
  keyId: string;
  keyName: string;
  code: string;
}

/** One key's day (UTC). Days are "YYYY-MM-DD". */
export interface UsageRow {
  day: string;
  keyId: string;
  keyName: string;
  requests: number;
  /** Requests that did not end "ok" (refusals included). */
  errors: number;
  /** Error code → count, for the same day and key. */
  errorsByCode: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
}

/** One minute of the whole pool, for the overview's last-hour chart. */
export interface MinuteRow {
  /** Epoch ms of the minute's start. */
  minute: number;
  requests: number;
  errors: number;
  /** Mean time to first token of the jobs that had output that minute; null without any. */
  ttftMs: number | null;
}

/** Per key: when it was last used and what it used in the last 30 days. */
export interface KeyUsageSummary {
  keyId: string;
  lastUsed: number | null;
  requests30d: number;
  tokens30d: number;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

/** `/admin/usage` and the console's usage page: a day range (inclusive) and one key, optional. */
export const UsageQuerySchema = z.object({
  from: day.optional(),
  to: day.optional(),
  keyId: z.string().min(1).max(64).optional(),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

/** `/admin/jobs`: the newest first, `before` an `at` for paging, failures only when asked. */
export const JobsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  failed: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((s) => s === "true" || s === "1"),
  keyId: z.string().min(1).max(64).optional(),
});
export type JobsQuery = z.infer<typeof JobsQuerySchema>;

/** How long the records are kept. */
export const RETENTION = { rollupDays: 90, jobs: 5_000, minutesHours: 24 } as const;
