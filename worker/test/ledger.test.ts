import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Ledger } from "../src/accounting/ledger.js";
import {
  JobsQuerySchema,
  RETENTION,
  type JobRecord,
  type RefusalRecord,
  type UsageRow,
} from "../src/accounting/records.js";
import { usageCsv } from "../src/accounting/usage-csv.js";
import type { Env } from "../src/env.js";

/*
 * The ledger against a real Durable Object SQLite: each test gets its own Pool object (so its
 * own database) and drives the ledger with a fake clock.
 */

const POOL = (env as unknown as Env).POOL;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Noon UTC, so ± a few hours stays on one day. */
const T0 = Date.UTC(2026, 5, 15, 12, 0, 0);

type PoolStub = ReturnType<typeof POOL.get>;

function freshPool(): PoolStub {
  return POOL.get(POOL.idFromName("ledger-test-" + crypto.randomUUID()));
}

interface Ctx {
  ledger: Ledger;
  sql: SqlStorage;
  clock: { now: number };
}

/** Runs `fn` inside a Pool object with a new Ledger on its storage; the clock starts at T0. */
function withLedger<R>(fn: (ctx: Ctx) => R, stub: PoolStub = freshPool()): Promise<R> {
  return runInDurableObject(stub, (_pool, state) => {
    const clock = { now: T0 };
    const ledger = new Ledger(state.storage.sql, () => clock.now);
    return fn({ ledger, sql: state.storage.sql, clock });
  });
}

let seq = 0;
/** A finished job with unique, sortable ids; every field overridable. */
function job(over: Partial<JobRecord> = {}): JobRecord {
  const id = `job_${String(++seq).padStart(6, "0")}`;
  return {
    id,
    wireId: id,
    at: T0,
    keyId: "key_a",
    keyName: "Alpha",
    requestId: `req_${seq}`,
    model: "gemini-2.5-flash",
    hostId: "host-1",
    outcome: "ok",
    ttftMs: 100,
    durationMs: 500,
    attempts: 1,
    stream: true,
    promptTokens: 10,
    completionTokens: 5,
    thoughtTokens: 2,
    ...over,
  };
}

function refusal(over: Partial<RefusalRecord> = {}): RefusalRecord {
  return { at: T0, keyId: "key_a", keyName: "Alpha", code: "rate_limited", ...over };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const count = (sql: SqlStorage, table: string) =>
  sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
const allJobs = JobsQuerySchema.parse({ limit: "500" });

describe("Ledger", () => {
  it("buffers without SQL and shows buffered records to every read", async () => {
    await withLedger(({ ledger, sql }) => {
      let calls = 0;
      const counting = new Proxy(sql, {
        get(target, prop) {
          if (prop === "exec")
            return (query: string, ...bindings: unknown[]) => {
              calls++;
              return target.exec(query, ...bindings);
            };
          return Reflect.get(target, prop, target) as unknown;
        },
      });
      const spied = new Ledger(counting, () => T0);
      const before = calls;
      for (let i = 0; i < 50; i++) spied.addJob(job());
      spied.addRefusal(refusal());
      expect(calls).toBe(before);
      expect(spied.pending).toBe(51);

      expect(spied.jobs(allJobs)).toHaveLength(50);
      expect(spied.pending).toBe(0);
      expect(calls).toBeGreaterThan(before);

      // Each read flushes on its own.
      const j = job();
      ledger.addJob(j);
      expect(ledger.job(j.id)?.id).toBe(j.id);
      ledger.addRefusal(refusal({ keyId: "key_z", keyName: "Zed" }));
      expect(ledger.usage({}).find((r) => r.keyId === "key_z")?.requests).toBe(1);
      ledger.addJob(job({ at: T0 }));
      expect(ledger.lastHour().at(-1)?.requests).toBe(54); // 50 + 1 refusal, then three more
      ledger.addJob(job({ keyId: "key_y" }));
      expect(ledger.keyUsage().map((k) => k.keyId)).toContain("key_y");
    });
  });

  it("sums jobs and refusals per key per UTC day", async () => {
    await withLedger(({ ledger, clock }) => {
      clock.now = Date.UTC(2026, 5, 16, 12);
      ledger.addJob(job({ at: Date.UTC(2026, 5, 15, 23, 59, 59) }));
      ledger.addJob(job({ at: Date.UTC(2026, 5, 16, 0, 0, 1), promptTokens: 7 }));
      ledger.addRefusal(refusal({ at: Date.UTC(2026, 5, 15, 10) }));
      ledger.addJob(job({ at: Date.UTC(2026, 5, 15, 9), keyId: "key_b", keyName: "Beta" }));
      // Out of order within one flush: the later record's name still wins.
      ledger.addJob(job({ at: Date.UTC(2026, 5, 15, 8), keyId: "key_b", keyName: "Old Beta" }));

      expect(ledger.usage({})).toEqual<UsageRow[]>([
        {
          day: "2026-06-16",
          keyId: "key_a",
          keyName: "Alpha",
          requests: 1,
          errors: 0,
          errorsByCode: {},
          promptTokens: 7,
          completionTokens: 5,
          thoughtTokens: 2,
        },
        {
          day: "2026-06-15",
          keyId: "key_a",
          keyName: "Alpha",
          requests: 2,
          errors: 1,
          errorsByCode: { rate_limited: 1 },
          promptTokens: 10,
          completionTokens: 5,
          thoughtTokens: 2,
        },
        {
          day: "2026-06-15",
          keyId: "key_b",
          keyName: "Beta",
          requests: 2,
          errors: 0,
          errorsByCode: {},
          promptTokens: 20,
          completionTokens: 10,
          thoughtTokens: 4,
        },
      ]);

      // Across flushes the upsert keeps the name of the latest record, whatever the order.
      ledger.addJob(job({ at: Date.UTC(2026, 5, 15, 7), keyId: "key_b", keyName: "Older" }));
      ledger.flush();
      ledger.addJob(job({ at: Date.UTC(2026, 5, 15, 20), keyId: "key_b", keyName: "Bravo" }));
      const b = ledger.usage({ keyId: "key_b" });
      expect(b.map((r) => [r.day, r.keyName, r.requests])).toEqual([["2026-06-15", "Bravo", 4]]);

      expect(ledger.usage({ from: "2026-06-16", to: "2026-06-16" })).toHaveLength(1);
      expect(ledger.usage({ to: "2026-06-15", keyId: "key_a" })).toHaveLength(1);
    });
  });

  it("counts errors by code, cancelled included, and only once per job id", async () => {
    await withLedger(({ ledger }) => {
      const ok = job();
      ledger.addJob(ok);
      ledger.addJob(job({ outcome: "upstream_error", completionTokens: 0 }));
      ledger.addJob(job({ outcome: "upstream_error", ttftMs: null }));
      ledger.addJob(job({ outcome: "cancelled" }));
      ledger.addRefusal(refusal({ code: "no_host" }));
      ledger.flush();
      ledger.addJob(ok); // recorded twice: not summed twice
      const [row] = ledger.usage({});
      expect(row?.requests).toBe(5);
      expect(row?.errors).toBe(4);
      expect(row?.errorsByCode).toEqual({ upstream_error: 2, cancelled: 1, no_host: 1 });
      expect(ledger.jobs(JobsQuerySchema.parse({ failed: "true" })).map((j) => j.outcome)).toEqual([
        "upstream_error",
        "upstream_error",
        "cancelled",
      ]);
      expect(ledger.lastHour().at(-1)).toMatchObject({ requests: 5, errors: 4 });
    });
  });

  it("gives the last hour as 60 minute rows with the mean time to first token", async () => {
    await withLedger(({ ledger, clock }) => {
      clock.now = T0 + 30_000; // 12:00:30, so 12:00 is the current minute
      const first = T0 - 59 * MINUTE; // 11:01
      ledger.addJob(job({ at: T0 - 50_000, ttftMs: 100 })); // 11:59:10
      ledger.addJob(job({ at: T0 - 10_000, ttftMs: 201 })); // 11:59:50
      ledger.addJob(job({ at: T0 - 5_000, ttftMs: null, outcome: "upstream_error" }));
      ledger.addJob(job({ at: first, ttftMs: 40 }));
      ledger.addJob(job({ at: first - 1, ttftMs: 40 })); // 11:00:59: outside the hour
      ledger.addRefusal(refusal({ at: T0 + 20_000 }));

      const rows = ledger.lastHour();
      expect(rows).toHaveLength(60);
      expect(rows[0]?.minute).toBe(first);
      expect(rows[59]?.minute).toBe(T0);
      expect(rows.every((r, i) => r.minute === first + i * MINUTE)).toBe(true);
      expect(rows[0]).toEqual({ minute: first, requests: 1, errors: 0, ttftMs: 40 });
      expect(rows[58]).toEqual({ minute: T0 - MINUTE, requests: 3, errors: 1, ttftMs: 151 });
      expect(rows[59]).toEqual({ minute: T0, requests: 1, errors: 1, ttftMs: null });
      const quiet = rows.slice(1, 58);
      expect(quiet.every((r) => r.requests === 0 && r.errors === 0 && r.ttftMs === null)).toBe(
        true,
      );
    });
  });

  it("pages jobs newest first with before, failed and keyId", async () => {
    await withLedger(({ ledger }) => {
      const at = (s: number) => T0 + s * 1000;
      const js = [
        job({ at: at(1) }),
        job({ at: at(2), outcome: "upstream_error" }),
        job({ at: at(3), keyId: "key_b" }),
        job({ at: at(4), keyId: "key_b", outcome: "cancelled" }),
        job({ at: at(5) }),
        job({ at: at(5) }), // same time: ordered by id
      ];
      for (const j of js) ledger.addJob(j);
      const ids = (q: Record<string, string>) =>
        ledger.jobs(JobsQuerySchema.parse(q)).map((j) => js.findIndex((x) => x.id === j.id) + 1);

      expect(ids({ limit: "3" })).toEqual([5, 6, 4]);
      expect(ids({ limit: "3", before: String(at(4)) })).toEqual([3, 2, 1]);
      expect(ids({ limit: "3", before: String(at(1)) })).toEqual([]);
      expect(ids({ failed: "1" })).toEqual([4, 2]);
      expect(ids({ keyId: "key_b" })).toEqual([4, 3]);
      expect(ids({ keyId: "key_b", failed: "true", before: String(at(4)) })).toEqual([]);
      expect(ids({ keyId: "key_a", failed: "false" })).toEqual([5, 6, 2, 1]);
      expect(ledger.jobs(allJobs)[0]).toEqual(js[4]);
    });
  });

  it("finds a job by its id or by the wire id of its last attempt", async () => {
    await withLedger(({ ledger }) => {
      const j = job({ id: "job_retry", wireId: "job_retry.2", attempts: 2, hostId: null });
      ledger.addJob(j);
      expect(ledger.job("job_retry.2")).toEqual(j);
      expect(ledger.job("job_retry")).toEqual(j);
      expect(ledger.job("job_retry.1")).toBeNull();
      expect(ledger.job("job_unknown")).toBeNull();
    });
  });

  it(`keeps the newest ${RETENTION.jobs} jobs, and keyUsage outlives the pruned ones`, async () => {
    const stub = freshPool();
    const oldest = job({ at: T0 - 40 * DAY, keyId: "key_old", keyName: "Old" });
    const month = job({ at: T0 - 20 * DAY, keyId: "key_old", keyName: "Old", promptTokens: 1 });
    const total = RETENTION.jobs + 20;
    await withLedger(({ ledger, sql }) => {
      ledger.addJob(oldest);
      ledger.addJob(month);
      ledger.flush();
      // In batches, as the pool flushes; every job after the first two is newer than both.
      for (let i = 2; i < total;) {
        for (const end = Math.min(total, i + 1_000); i < end; i++)
          ledger.addJob(job({ at: T0 - 10 * DAY + i * 1000 }));
        ledger.flush();
      }
      expect(count(sql, "ledger_jobs")).toBe(RETENTION.jobs);
      expect(ledger.job(oldest.id)).toBeNull();
      expect(ledger.job(month.id)).toBeNull();
      expect(ledger.jobs(JobsQuerySchema.parse({ limit: "1" }))[0]?.at).toBe(
        T0 - 10 * DAY + (total - 1) * 1000,
      );

      expect(ledger.keyUsage().find((k) => k.keyId === "key_old")).toEqual({
        keyId: "key_old",
        lastUsed: month.at,
        requests30d: 1, // the 40-day-old job is outside the 30 days
        tokens30d: 1 + 5 + 2,
      });
      const a = ledger.keyUsage().find((k) => k.keyId === "key_a");
      expect(a?.requests30d).toBe(total - 2);
      expect(a?.lastUsed).toBe(T0 - 10 * DAY + (total - 1) * 1000);
    }, stub);

    // A new Ledger counts what is stored, so the cap still holds after a restart.
    await withLedger(({ ledger, sql }) => {
      ledger.addJob(job({ at: T0 }));
      ledger.flush();
      expect(count(sql, "ledger_jobs")).toBe(RETENTION.jobs);
    }, stub);
  });

  it(`drops rollups older than ${RETENTION.rollupDays} days and minutes older than ${RETENTION.minutesHours} hours`, async () => {
    await withLedger(({ ledger, sql, clock }) => {
      const limit = RETENTION.rollupDays * DAY;
      ledger.addJob(job({ at: T0 - limit - DAY, outcome: "upstream_error" }));
      ledger.addJob(job({ at: T0 - limit, outcome: "upstream_error" }));
      ledger.addJob(job({ at: T0 }));
      ledger.addJob(job({ at: T0 - RETENTION.minutesHours * HOUR - MINUTE }));
      ledger.addJob(job({ at: T0 - RETENTION.minutesHours * HOUR + MINUTE }));
      ledger.flush();

      const days = () => ledger.usage({ from: "2000-01-01" }).map((r) => r.day);
      expect(days()).toEqual([day(T0), day(T0 - DAY), day(T0 - limit)]);
      expect(count(sql, "ledger_daily_errors")).toBe(1);
      const minutes = sql
        .exec<{ minute: number }>(`SELECT minute FROM ledger_minutes ORDER BY minute`)
        .toArray()
        .map((r) => r.minute);
      expect(minutes).toEqual([T0 - RETENTION.minutesHours * HOUR + MINUTE, T0]);
      // Job rows are capped by count, not age.
      expect(count(sql, "ledger_jobs")).toBe(5);

      // A day later, the 90-day-old rollup is 91 days old: the next read prunes it.
      clock.now = T0 + DAY;
      expect(days()).toEqual([day(T0), day(T0 - DAY)]);
      expect(count(sql, "ledger_daily_errors")).toBe(0);
      expect(count(sql, "ledger_minutes")).toBe(1);
    });
  });

  it("keeps its data when a Ledger is opened again on the same storage", async () => {
    const stub = freshPool();
    const j = job({ outcome: "cancelled" });
    const before = await withLedger(({ ledger }) => {
      ledger.addJob(j);
      ledger.addRefusal(refusal());
      ledger.flush();
      return { usage: ledger.usage({}), hour: ledger.lastHour(), keys: ledger.keyUsage() };
    }, stub);
    await withLedger(({ ledger, sql }) => {
      expect(ledger.job(j.id)).toEqual(j);
      expect(ledger.usage({})).toEqual(before.usage);
      expect(ledger.lastHour()).toEqual(before.hour);
      expect(ledger.keyUsage()).toEqual(before.keys);
      expect(
        sql
          .exec<{ value: number }>(`SELECT value FROM ledger_meta WHERE name = 'schema_version'`)
          .one().value,
      ).toBe(1);
      // And keeps adding to the same rollups.
      ledger.addRefusal(refusal());
      expect(ledger.usage({})[0]).toMatchObject({ requests: 3, errors: 3 });
    }, stub);
  });
});

describe("usageCsv", () => {
  const row = (over: Partial<UsageRow> = {}): UsageRow => ({
    day: "2026-06-15",
    keyId: "key_a",
    keyName: "Alpha",
    requests: 3,
    errors: 2,
    errorsByCode: {},
    promptTokens: 30,
    completionTokens: 15,
    thoughtTokens: 6,
    ...over,
  });
  const HEADER =
    "day,key_id,key_name,requests,errors,prompt_tokens,completion_tokens,thought_tokens,errors_by_code";

  it("writes a header and one CRLF-ended line per row", () => {
    expect(usageCsv([])).toBe(`${HEADER}\r\n`);
    const csv = usageCsv([row({ errorsByCode: { upstream_error: 1, cancelled: 1 } }), row()]);
    expect(csv).toBe(
      `${HEADER}\r\n` +
        "2026-06-15,key_a,Alpha,3,2,30,15,6,cancelled=1;upstream_error=1\r\n" +
        "2026-06-15,key_a,Alpha,3,2,30,15,6,\r\n",
    );
  });

  it("quotes fields with commas, quotes and line breaks", () => {
    const names = ["a,b", 'say "hi"', "two\r\nlines", "cr\ronly", "plain name"];
    const csv = usageCsv(names.map((keyName) => row({ keyName })));
    expect(csv).toContain(',"a,b",');
    expect(csv).toContain(',"say ""hi""",');
    expect(csv).toContain(',"two\r\nlines",');
    expect(csv).toContain(',"cr\ronly",');
    expect(csv).toContain(",plain name,");
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    const cases: Array<[string, string]> = [
      ["=HYPERLINK(1)", "'=HYPERLINK(1)"],
      ["+1", "'+1"],
      ["-1", "'-1"],
      ["@SUM(A1)", "'@SUM(A1)"],
      ["\tx", "'\tx"],
      ["\rx", `"'\rx"`],
      ["=1,2", `"'=1,2"`],
      ["a=1", "a=1"],
    ];
    for (const [keyName, cell] of cases)
      expect(usageCsv([row({ keyName })]).split("\r\n")[1]).toBe(
        `2026-06-15,key_a,${cell},3,2,30,15,6,`,
      );
  });
});
