import { Hono } from "hono";
import { html } from "hono/html";
import {
  JobsQuerySchema,
  RETENTION,
  type JobRecord,
  type JobsQuery,
} from "../accounting/records.js";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { poolStub } from "../pool-client.js";
import { NONE, count, duration, utc } from "./format.js";
import { layout, type Html } from "./layout.js";

const PAGE_SIZE = 50;
const JOB_ID = /^job_[0-9a-f]{32}$/;

export function jobHref(job: Pick<JobRecord, "id">): string {
  return `/console/jobs/${encodeURIComponent(job.id)}`;
}

/** "ok", or the failure's code, linked to the job's page unless already on it. */
function outcome(job: JobRecord, link = true): Html {
  if (job.outcome === "ok") return html`<span class="outcome ok">ok</span>`;
  if (!link) return html`<span class="outcome failed">${job.outcome}</span>`;
  return html`<a class="outcome failed" href="${jobHref(job)}">${job.outcome}</a>`;
}

function tokens(job: JobRecord): string {
  const parts = [`${count(job.promptTokens)} in`, `${count(job.completionTokens)} out`];
  if (job.thoughtTokens > 0) parts.push(`${count(job.thoughtTokens)} thought`);
  return parts.join(" · ");
}

function jobsPage(rows: JobRecord[], query: JobsQuery): Html {
  const older =
    rows.length === query.limit
      ? `/console/jobs?${new URLSearchParams({
          before: String(rows.at(-1)!.at),
          ...(query.failed ? { failed: "1" } : {}),
        }).toString()}`
      : null;
  const newest = query.failed ? "/console/jobs?failed=1" : "/console/jobs";
  return layout({
    title: "Jobs",
    section: "jobs",
    page: "jobs",
    signedIn: true,
    body: html`<h1>Jobs</h1>
      <form method="get" action="/console/jobs" class="filters">
        <label
          ><input type="checkbox" name="failed" value="1" ${query.failed ? html`checked` : ""} />
          Failed only</label
        >
        <button type="submit">Show</button>
        ${
          query.before !== undefined
            ? html`<span class="hint">Jobs before <time>${utc(query.before)}</time></span>`
            : ""
        }
      </form>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Key</th>
              <th>Model</th>
              <th>Host</th>
              <th>Outcome</th>
              <th class="num">TTFT</th>
              <th class="num">Duration</th>
              <th class="num">Attempts</th>
              <th>Tokens</th>
            </tr>
          </thead>
          <tbody>
            ${
              rows.length === 0
                ? html`<tr>
                    <td colspan="9" class="empty">
                      ${query.failed ? "No failed jobs." : "No jobs yet."}
                    </td>
                  </tr>`
                : rows.map(
                    (j) =>
                      html`<tr class="${j.outcome === "ok" ? "" : "failed"}">
                        <td><time>${utc(j.at)}</time></td>
                        <td>${j.keyName}</td>
                        <td><code>${j.model}</code></td>
                        <td>${j.hostId ?? NONE}</td>
                        <td>${outcome(j)}</td>
                        <td class="num">${duration(j.ttftMs)}</td>
                        <td class="num">${duration(j.durationMs)}</td>
                        <td class="num">${count(j.attempts)}</td>
                        <td>${tokens(j)}</td>
                      </tr>`,
                  )
            }
          </tbody>
        </table>
      </div>
      <nav class="paging" aria-label="Pages">
        ${query.before !== undefined ? html`<a href="${newest}">Newest</a>` : ""}
        ${older !== null ? html`<a href="${older}">Older jobs →</a>` : ""}
      </nav>`,
  });
}

function jobPage(job: JobRecord): Html {
  const failed = job.outcome !== "ok";
  const snapshot =
    job.hostId === null
      ? html`<p class="hint">This job never reached a host, so no host holds a snapshot of it.</p>`
      : !failed
        ? html`<p class="hint">Hosts save snapshots of failed jobs only.</p>`
        : html`<div id="snapshot" data-wire-id="${job.wireId}" data-host-id="${job.hostId}">
            <p id="snapshot-status" aria-live="polite">
              The snapshot is fetched from host <code>${job.hostId}</code> when this page opens;
              nothing of it is stored at the edge.
            </p>
            <button type="button" id="snapshot-fetch" class="secondary">Fetch again</button>
            <div id="snapshot-files"></div>
          </div>`;
  const field = (label: string, value: Html | string) =>
    html`<dt>${label}</dt>
      <dd>${value}</dd>`;
  return layout({
    title: `Job ${job.id}`,
    section: "jobs",
    page: "job",
    signedIn: true,
    body: html`<h1>Job <code>${job.id}</code></h1>
      <dl class="record">
        ${field("Accepted (UTC)", html`<time>${utc(job.at)}</time>`)}
        ${field("Outcome", outcome(job, false))}
        ${field("Key", html`${job.keyName} <code class="muted">${job.keyId}</code>`)}
        ${field("Model", html`<code>${job.model}</code>`)} ${field("Host", job.hostId ?? NONE)}
        ${field("Request id", html`<code>${job.requestId}</code>`)}
        ${field("Last attempt", html`<code>${job.wireId}</code>`)}
        ${field("Attempts", count(job.attempts))} ${field("Streamed", job.stream ? "yes" : "no")}
        ${field("Time to first token", duration(job.ttftMs))}
        ${field("Duration", duration(job.durationMs))}
        ${field(
          "Tokens",
          `${count(job.promptTokens)} prompt, ${count(job.completionTokens)} completion, ${count(job.thoughtTokens)} thought`,
        )}
      </dl>
      <section>
        <h2>Snapshot</h2>
        ${snapshot}
      </section>
      <p><a href="/console/jobs?failed=1">Back to failed jobs</a></p>`,
  });
}

/** The pool's job records: a page of them, newest first, and one with its host's snapshot. */
export const jobs = new Hono<AppEnv>()
  .get("/", async (c) => {
    const parsed = JobsQuerySchema.safeParse({
      limit: PAGE_SIZE,
      before: c.req.query("before") || undefined,
      failed: c.req.query("failed") === "1" || c.req.query("failed") === "true" ? "1" : "0",
    });
    if (!parsed.success)
      throw new ApiError("invalid_request", "before: expected a time in epoch milliseconds.");
    const rows: JobRecord[] = await poolStub(c.env).jobs(parsed.data);
    return c.html(jobsPage(rows, parsed.data));
  })
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    const job = JOB_ID.test(id) ? await poolStub(c.env).job(id) : null;
    if (job === null)
      throw new ApiError(
        "not_found",
        `No job ${id} among the ${count(RETENTION.jobs)} the pool keeps.`,
      );
    return c.html(jobPage(job));
  });
