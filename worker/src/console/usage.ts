import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { UsageQuerySchema, type UsageQuery, type UsageRow } from "../accounting/records.js";
import { usageCsv } from "../accounting/usage-csv.js";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { KeyStore, type KeyRecord } from "../keys/key-store.js";
import { poolStub } from "../pool-client.js";
import { dayChart } from "./charts.js";
import { count, utcDay } from "./format.js";
import { layout, type Html } from "./layout.js";

/** The longest range one page or file covers (the pool keeps 90 days). */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

interface Range {
  from: string;
  to: string;
  keyId: string | undefined;
}

/** `?from&to&key`, defaulting to the last 30 days (UTC) and every key; a 400 when malformed. */
function rangeOf(c: Context<AppEnv>): Range {
  const now = Date.now();
  const parsed = UsageQuerySchema.safeParse({
    from: c.req.query("from") || undefined,
    to: c.req.query("to") || undefined,
    keyId: c.req.query("key") || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      "invalid_request",
      `${String(issue?.path[0] ?? "query")}: ${issue?.message ?? "invalid"}`,
    );
  }
  const { from = utcDay(now, -29), to = utcDay(now), keyId } = parsed.data;
  for (const [field, day] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (Number.isNaN(Date.parse(day)) || utcDay(Date.parse(day)) !== day)
      throw new ApiError("invalid_request", `${field}: ${day} is not a day of the calendar.`);
  }
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1)
    throw new ApiError("invalid_request", "The range's first day (from) is after its last (to).");
  if (days > MAX_DAYS)
    throw new ApiError("invalid_request", `The range covers ${days} days; at most ${MAX_DAYS}.`);
  return { from, to, keyId };
}

async function usageRows(c: Context<AppEnv>, range: Range): Promise<UsageRow[]> {
  const query: UsageQuery = {
    from: range.from,
    to: range.to,
    ...(range.keyId !== undefined ? { keyId: range.keyId } : {}),
  };
  const rows: UsageRow[] = await poolStub(c.env).usage(query);
  return rows;
}

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS) days.push(utcDay(t));
  return days;
}

function errorCodes(row: UsageRow): string {
  return Object.entries(row.errorsByCode)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ${count(n)}`)
    .join(", ");
}

function query(range: Range): string {
  return new URLSearchParams({
    from: range.from,
    to: range.to,
    ...(range.keyId !== undefined ? { key: range.keyId } : {}),
  }).toString();
}

function usagePage(range: Range, rows: UsageRow[], keys: KeyRecord[]): Html {
  const perDay = new Map<string, { requests: number; errors: number }>();
  for (const row of rows) {
    const day = perDay.get(row.day) ?? { requests: 0, errors: 0 };
    day.requests += row.requests;
    day.errors += row.errors;
    perDay.set(row.day, day);
  }
  const days = everyDay(range.from, range.to).map((day) => ({
    day,
    ...(perDay.get(day) ?? { requests: 0, errors: 0 }),
  }));
  const sorted = [...rows].sort(
    (a, b) => b.day.localeCompare(a.day) || a.keyName.localeCompare(b.keyName),
  );
  const total = rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      errors: t.errors + r.errors,
      prompt: t.prompt + r.promptTokens,
      completion: t.completion + r.completionTokens,
      thought: t.thought + r.thoughtTokens,
    }),
    { requests: 0, errors: 0, prompt: 0, completion: 0, thought: 0 },
  );

  return layout({
    title: "Usage",
    section: "usage",
    page: "usage",
    signedIn: true,
    body: html`<h1>Usage</h1>
      <form method="get" action="/console/usage" class="filters">
        <label>From (UTC) <input type="date" name="from" value="${range.from}" required /></label>
        <label>To (UTC) <input type="date" name="to" value="${range.to}" required /></label>
        <label
          >Key
          <select name="key">
            <option value="">All keys</option>
            ${keys.map(
              (k) =>
                html`<option value="${k.id}" ${k.id === range.keyId ? html`selected` : ""}>
                  ${k.name} (${k.id})${k.revoked !== null ? " — revoked" : ""}
                </option>`,
            )}
          </select></label
        >
        <button type="submit">Show</button>
        <a class="button secondary" href="/console/usage.csv?${query(range)}" download
          >Download CSV</a
        >
      </form>

      <figure>
        ${dayChart(days)}
        <figcaption>
          Requests per day, ${range.from} to ${range.to} (the failed part in red)
        </figcaption>
      </figure>

      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Day (UTC)</th>
              <th>Key</th>
              <th class="num">Requests</th>
              <th class="num">Errors</th>
              <th>Error codes</th>
              <th class="num">Prompt tokens</th>
              <th class="num">Completion tokens</th>
              <th class="num">Thought tokens</th>
            </tr>
          </thead>
          <tbody>
            ${
              sorted.length === 0
                ? html`<tr>
                    <td colspan="8" class="empty">No usage in this range.</td>
                  </tr>`
                : sorted.map(
                    (r) =>
                      html`<tr>
                        <td>${r.day}</td>
                        <td>${r.keyName} <code class="muted">${r.keyId}</code></td>
                        <td class="num">${count(r.requests)}</td>
                        <td class="num">${count(r.errors)}</td>
                        <td class="codes">${errorCodes(r)}</td>
                        <td class="num">${count(r.promptTokens)}</td>
                        <td class="num">${count(r.completionTokens)}</td>
                        <td class="num">${count(r.thoughtTokens)}</td>
                      </tr>`,
                  )
            }
          </tbody>
          ${
            sorted.length === 0
              ? ""
              : html`<tfoot>
                  <tr>
                    <th colspan="2">Total</th>
                    <td class="num">${count(total.requests)}</td>
                    <td class="num">${count(total.errors)}</td>
                    <td></td>
                    <td class="num">${count(total.prompt)}</td>
                    <td class="num">${count(total.completion)}</td>
                    <td class="num">${count(total.thought)}</td>
                  </tr>
                </tfoot>`
          }
        </table>
      </div>`,
  });
}

/** Usage per day and key from the pool's rollups, as a page and as CSV. */
export const usage = new Hono<AppEnv>()
  .get("/usage", async (c) => {
    const range = rangeOf(c);
    const [rows, keys] = await Promise.all([usageRows(c, range), new KeyStore(c.env.KEYS).list()]);
    return c.html(usagePage(range, rows, keys));
  })
  .get("/usage.csv", async (c) => {
    const range = rangeOf(c);
    const csv = usageCsv(await usageRows(c, range));
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      // Both days passed the YYYY-MM-DD check: nothing else can reach this header.
      "content-disposition": `attachment; filename="usage-${range.from}-${range.to}.csv"`,
    });
  });
