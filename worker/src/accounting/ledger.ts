import {
  RETENTION,
  type JobRecord,
  type JobsQuery,
  type KeyUsageSummary,
  type MinuteRow,
  type RefusalRecord,
  type UsageQuery,
  type UsageRow,
} from "./records.js";

/*
 * The usage ledger, in the pool's own SQLite (`ctx.storage.sql`). Records arrive on the pool's
 * hot path and are only buffered there; `flush` writes them in one synchronous stretch, which the
 * Durable Object runtime commits as one implicit transaction, so a crash never leaves a job row
 * without its rollups (or the reverse). Every table is prefixed `ledger_` so the pool can keep
 * other tables in the same database.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The usage page's default range and the keys page's "last 30 days", today included. */
const RECENT_DAYS = 30;

/** Bump with a migration in `migrate` whenever a table changes shape. */
const SCHEMA_VERSION = 1;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ledger_jobs (
    id TEXT PRIMARY KEY,
    wire_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    request_id TEXT NOT NULL,
    model TEXT NOT NULL,
    host_id TEXT,
    outcome TEXT NOT NULL,
    ttft_ms INTEGER,
    duration_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    stream INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    thought_tokens INTEGER NOT NULL
  )`,
  // Declared in `jobs()` order, so that order reads the index forwards and the prune backwards.
  `CREATE INDEX IF NOT EXISTS ledger_jobs_at ON ledger_jobs (at DESC, id)`,
  `CREATE INDEX IF NOT EXISTS ledger_jobs_key ON ledger_jobs (key_id, at DESC, id)`,
  `CREATE INDEX IF NOT EXISTS ledger_jobs_wire ON ledger_jobs (wire_id)`,
  // last_used lives here, not only in ledger_jobs, so it outlives the jobs prune.
  `CREATE TABLE IF NOT EXISTS ledger_daily (
    day TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    last_used INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    thought_tokens INTEGER NOT NULL,
    PRIMARY KEY (day, key_id)
  )`,
  `CREATE TABLE IF NOT EXISTS ledger_daily_errors (
    day TEXT NOT NULL,
    key_id TEXT NOT NULL,
    code TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, key_id, code)
  )`,
  `CREATE TABLE IF NOT EXISTS ledger_minutes (
    minute INTEGER PRIMARY KEY,
    requests INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    ttft_sum REAL NOT NULL,
    ttft_count INTEGER NOT NULL
  )`,
];

type JobRow = {
  id: string;
  wire_id: string;
  at: number;
  key_id: string;
  key_name: string;
  request_id: string;
  model: string;
  host_id: string | null;
  outcome: string;
  ttft_ms: number | null;
  duration_ms: number;
  attempts: number;
  stream: number;
  prompt_tokens: number;
  completion_tokens: number;
  thought_tokens: number;
};

type DailyRow = {
  day: string;
  key_id: string;
  key_name: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  thought_tokens: number;
};

/** One (day, key)'s share of a flush, summed in memory so each group is one upsert. */
interface DayTotals {
  day: string;
  keyId: string;
  keyName: string;
  lastUsed: number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
}

interface MinuteTotals {
  requests: number;
  errors: number;
  ttftSum: number;
  ttftCount: number;
}

/** Something that happened to a key at a time: a finished job or a refusal. */
interface Entry {
  at: number;
  keyId: string;
  keyName: string;
  /** null when it ended "ok". */
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  ttftMs: number | null;
}

export class Ledger {
  private jobBuffer: JobRecord[] = [];
  private refusalBuffer: RefusalRecord[] = [];
  /** Rows in ledger_jobs, so the jobs prune only runs when the cap may have been passed. */
  private jobCount: number;
  /** The day / minute retention last ran for: each prune runs once per period, not per flush. */
  private prunedDay = "";
  private prunedMinute = -1;

  constructor(
    private readonly sql: SqlStorage,
    private readonly now: () => number = Date.now,
  ) {
    for (const statement of SCHEMA) sql.exec(statement);
    this.migrate();
    // Once per object start; ledger_jobs holds at most RETENTION.jobs rows, so this is small.
    this.jobCount = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ledger_jobs`).one().n;
  }

  /** Records a finished job. Memory only: the pool's hot path must not wait on SQL. */
  addJob(record: JobRecord): void {
    this.jobBuffer.push(record);
  }

  /** Records a request refused before a job existed. Memory only, like `addJob`. */
  addRefusal(record: RefusalRecord): void {
    this.refusalBuffer.push(record);
  }

  /** Records buffered and not yet written. */
  get pending(): number {
    return this.jobBuffer.length + this.refusalBuffer.length;
  }

  /**
   * Writes every buffered record and applies retention. The buffers are taken first: if a write
   * throws, that batch is dropped rather than retried forever (refusals would count twice).
   */
  flush(): void {
    const jobs = this.jobBuffer;
    const refusals = this.refusalBuffer;
    this.jobBuffer = [];
    this.refusalBuffer = [];

    const entries: Entry[] = [];
    for (const job of jobs) if (this.insertJob(job)) entries.push(jobEntry(job));
    for (const r of refusals)
      entries.push({
        at: r.at,
        keyId: r.keyId,
        keyName: r.keyName,
        errorCode: r.code,
        promptTokens: 0,
        completionTokens: 0,
        thoughtTokens: 0,
        ttftMs: null,
      });
    if (entries.length > 0) this.writeRollups(entries);
    this.prune();
  }

  /** Per key and UTC day, newest day first; by default the last 30 days, today included. */
  usage(q: UsageQuery): UsageRow[] {
    this.flush();
    const to = q.to ?? dayOf(this.now());
    // The regex lets "2026-13-45" through; such a `to` still bounds the string range.
    const toMs = Date.parse(to);
    const from = q.from ?? (Number.isNaN(toMs) ? to : dayOf(toMs - (RECENT_DAYS - 1) * DAY_MS));
    const keyFilter = q.keyId === undefined ? "" : " AND key_id = ?";
    const args = q.keyId === undefined ? [from, to] : [from, to, q.keyId];

    const rows = this.sql
      .exec<DailyRow>(
        `SELECT day, key_id, key_name, requests, errors, prompt_tokens, completion_tokens,
                thought_tokens
           FROM ledger_daily WHERE day >= ? AND day <= ?${keyFilter}
          ORDER BY day DESC, key_name, key_id`,
        ...args,
      )
      .toArray()
      .map((r): UsageRow => ({
        day: r.day,
        keyId: r.key_id,
        keyName: r.key_name,
        requests: r.requests,
        errors: r.errors,
        errorsByCode: {},
        promptTokens: r.prompt_tokens,
        completionTokens: r.completion_tokens,
        thoughtTokens: r.thought_tokens,
      }));

    const byDayKey = new Map(rows.map((r) => [`${r.day}\n${r.keyId}`, r]));
    const errors = this.sql.exec<{ day: string; key_id: string; code: string; count: number }>(
      `SELECT day, key_id, code, count FROM ledger_daily_errors
        WHERE day >= ? AND day <= ?${keyFilter}`,
      ...args,
    );
    for (const e of errors) {
      const row = byDayKey.get(`${e.day}\n${e.key_id}`);
      if (row) row.errorsByCode[e.code] = e.count;
    }
    return rows;
  }

  /**
   * Newest first. `before` is exclusive, so a page that ends among jobs of the same `at` skips
   * the rest of them (JobsQuery pages by time alone).
   */
  jobs(q: JobsQuery): JobRecord[] {
    this.flush();
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.before !== undefined) {
      where.push("at < ?");
      args.push(q.before);
    }
    if (q.failed) where.push("outcome <> 'ok'");
    if (q.keyId !== undefined) {
      where.push("key_id = ?");
      args.push(q.keyId);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.sql
      .exec<JobRow>(
        `SELECT * FROM ledger_jobs ${clause} ORDER BY at DESC, id LIMIT ?`,
        ...args,
        q.limit,
      )
      .toArray()
      .map(toRecord);
  }

  /** One job by its id or by the wire id of its last attempt. */
  job(id: string): JobRecord | null {
    this.flush();
    const row = this.sql
      .exec<JobRow>(`SELECT * FROM ledger_jobs WHERE id = ? OR wire_id = ? LIMIT 1`, id, id)
      .toArray()[0];
    return row ? toRecord(row) : null;
  }

  /** The last 60 minutes of the whole pool, oldest first, the current minute last. */
  lastHour(): MinuteRow[] {
    this.flush();
    const last = minuteOf(this.now());
    const first = last - 59 * MINUTE_MS;
    const stored = new Map(
      this.sql
        .exec<{
          minute: number;
          requests: number;
          errors: number;
          ttft_sum: number;
          ttft_count: number;
        }>(`SELECT * FROM ledger_minutes WHERE minute >= ? AND minute <= ?`, first, last)
        .toArray()
        .map((r) => [r.minute, r]),
    );
    const out: MinuteRow[] = [];
    for (let minute = first; minute <= last; minute += MINUTE_MS) {
      const r = stored.get(minute);
      out.push({
        minute,
        requests: r?.requests ?? 0,
        errors: r?.errors ?? 0,
        ttftMs: r && r.ttft_count > 0 ? Math.round(r.ttft_sum / r.ttft_count) : null,
      });
    }
    return out;
  }

  /** Every key in the rollups: when it was last used, and its last 30 days. */
  keyUsage(): KeyUsageSummary[] {
    this.flush();
    const since = dayOf(this.now() - (RECENT_DAYS - 1) * DAY_MS);
    return this.sql
      .exec<{ key_id: string; last_used: number | null; requests: number; tokens: number }>(
        `SELECT key_id, MAX(last_used) AS last_used,
                SUM(CASE WHEN day >= ?1 THEN requests ELSE 0 END) AS requests,
                SUM(CASE WHEN day >= ?1
                         THEN prompt_tokens + completion_tokens + thought_tokens ELSE 0 END) AS tokens
           FROM ledger_daily GROUP BY key_id ORDER BY key_id`,
        since,
      )
      .toArray()
      .map((r) => ({
        keyId: r.key_id,
        lastUsed: r.last_used,
        requests30d: r.requests,
        tokens30d: r.tokens,
      }));
  }

  // ── Writing ──────────────────────────────────────────────────────────────────────────────

  /** Inserts a job row; false when that job id is already recorded (so it is not summed twice). */
  private insertJob(j: JobRecord): boolean {
    const inserted = this.sql
      .exec(
        `INSERT INTO ledger_jobs (id, wire_id, at, key_id, key_name, request_id, model, host_id,
           outcome, ttft_ms, duration_ms, attempts, stream, prompt_tokens, completion_tokens,
           thought_tokens)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        j.id,
        j.wireId,
        j.at,
        j.keyId,
        j.keyName,
        j.requestId,
        j.model,
        j.hostId,
        j.outcome,
        j.ttftMs,
        j.durationMs,
        j.attempts,
        j.stream ? 1 : 0,
        j.promptTokens,
        j.completionTokens,
        j.thoughtTokens,
      )
      .toArray().length;
    this.jobCount += inserted;
    return inserted > 0;
  }

  private writeRollups(entries: Entry[]): void {
    const days = new Map<string, DayTotals>();
    const codes = new Map<string, { day: string; keyId: string; code: string; count: number }>();
    const minutes = new Map<number, MinuteTotals>();

    for (const e of entries) {
      const day = dayOf(e.at);
      const dayKey = `${day}\n${e.keyId}`;
      let d = days.get(dayKey);
      if (!d) {
        d = {
          day,
          keyId: e.keyId,
          keyName: e.keyName,
          lastUsed: e.at,
          requests: 0,
          errors: 0,
          promptTokens: 0,
          completionTokens: 0,
          thoughtTokens: 0,
        };
        days.set(dayKey, d);
      }
      // The name of the latest record wins: a renamed key shows its new name.
      if (e.at >= d.lastUsed) {
        d.lastUsed = e.at;
        d.keyName = e.keyName;
      }
      d.requests++;
      d.promptTokens += e.promptTokens;
      d.completionTokens += e.completionTokens;
      d.thoughtTokens += e.thoughtTokens;

      const minute = minuteOf(e.at);
      let m = minutes.get(minute);
      if (!m) {
        m = { requests: 0, errors: 0, ttftSum: 0, ttftCount: 0 };
        minutes.set(minute, m);
      }
      m.requests++;
      if (e.ttftMs !== null) {
        m.ttftSum += e.ttftMs;
        m.ttftCount++;
      }

      if (e.errorCode !== null) {
        d.errors++;
        m.errors++;
        const codeKey = `${dayKey}\n${e.errorCode}`;
        const c = codes.get(codeKey);
        if (c) c.count++;
        else codes.set(codeKey, { day, keyId: e.keyId, code: e.errorCode, count: 1 });
      }
    }

    for (const d of days.values())
      // SET expressions see the row as it was, so the CASE compares against the old last_used.
      this.sql.exec(
        `INSERT INTO ledger_daily (day, key_id, key_name, last_used, requests, errors,
           prompt_tokens, completion_tokens, thought_tokens)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, key_id) DO UPDATE SET
           key_name = CASE WHEN excluded.last_used >= last_used
                           THEN excluded.key_name ELSE key_name END,
           last_used = MAX(last_used, excluded.last_used),
           requests = requests + excluded.requests,
           errors = errors + excluded.errors,
           prompt_tokens = prompt_tokens + excluded.prompt_tokens,
           completion_tokens = completion_tokens + excluded.completion_tokens,
           thought_tokens = thought_tokens + excluded.thought_tokens`,
        d.day,
        d.keyId,
        d.keyName,
        d.lastUsed,
        d.requests,
        d.errors,
        d.promptTokens,
        d.completionTokens,
        d.thoughtTokens,
      );
    for (const c of codes.values())
      this.sql.exec(
        `INSERT INTO ledger_daily_errors (day, key_id, code, count) VALUES (?, ?, ?, ?)
         ON CONFLICT (day, key_id, code) DO UPDATE SET count = count + excluded.count`,
        c.day,
        c.keyId,
        c.code,
        c.count,
      );
    for (const [minute, m] of minutes)
      this.sql.exec(
        `INSERT INTO ledger_minutes (minute, requests, errors, ttft_sum, ttft_count)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (minute) DO UPDATE SET
           requests = requests + excluded.requests,
           errors = errors + excluded.errors,
           ttft_sum = ttft_sum + excluded.ttft_sum,
           ttft_count = ttft_count + excluded.ttft_count`,
        minute,
        m.requests,
        m.errors,
        m.ttftSum,
        m.ttftCount,
      );
  }

  /** Retention, each part only when it can have something to delete. */
  private prune(): void {
    const now = this.now();

    if (this.jobCount > RETENTION.jobs) {
      // The oldest rows in reverse `jobs()` order: a walk of the index as long as the excess.
      this.sql.exec(
        `DELETE FROM ledger_jobs WHERE id IN
           (SELECT id FROM ledger_jobs ORDER BY at, id DESC LIMIT ?)`,
        this.jobCount - RETENTION.jobs,
      );
      this.jobCount = RETENTION.jobs;
    }

    const today = dayOf(now);
    if (today !== this.prunedDay) {
      const oldest = dayOf(now - RETENTION.rollupDays * DAY_MS);
      this.sql.exec(`DELETE FROM ledger_daily WHERE day < ?`, oldest);
      this.sql.exec(`DELETE FROM ledger_daily_errors WHERE day < ?`, oldest);
      this.prunedDay = today;
    }

    const minute = minuteOf(now);
    if (minute !== this.prunedMinute) {
      this.sql.exec(
        `DELETE FROM ledger_minutes WHERE minute < ?`,
        minute - RETENTION.minutesHours * 60 * MINUTE_MS,
      );
      this.prunedMinute = minute;
    }
  }

  /** Brings tables written by an older release up to SCHEMA_VERSION (none yet: v1 is the first). */
  private migrate(): void {
    const stored = this.sql
      .exec<{ value: number }>(`SELECT value FROM ledger_meta WHERE name = 'schema_version'`)
      .toArray()[0]?.value;
    // A newer version (a rolled-back deploy) is left as it is: changes are meant to be additive.
    if (stored !== undefined && stored >= SCHEMA_VERSION) return;
    this.sql.exec(
      `INSERT INTO ledger_meta (name, value) VALUES ('schema_version', ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      SCHEMA_VERSION,
    );
  }
}

function jobEntry(j: JobRecord): Entry {
  return {
    at: j.at,
    keyId: j.keyId,
    keyName: j.keyName,
    // "cancelled" is a code like any other: the client did not get an answer.
    errorCode: j.outcome === "ok" ? null : j.outcome,
    promptTokens: j.promptTokens,
    completionTokens: j.completionTokens,
    thoughtTokens: j.thoughtTokens,
    ttftMs: j.ttftMs,
  };
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    wireId: r.wire_id,
    at: r.at,
    keyId: r.key_id,
    keyName: r.key_name,
    requestId: r.request_id,
    model: r.model,
    hostId: r.host_id,
    outcome: r.outcome,
    ttftMs: r.ttft_ms,
    durationMs: r.duration_ms,
    attempts: r.attempts,
    stream: r.stream !== 0,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    thoughtTokens: r.thought_tokens,
  };
}

/** "YYYY-MM-DD" of an epoch ms, in UTC. */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}
