import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../app-types.js";
import { poolStub } from "../pool-client.js";
import type { HostView, OverviewView } from "../pool/views.js";
import { requestsChart, summarizeHour, ttftChart } from "./charts.js";
import { NONE, count, duration, perMinute, percent, utc } from "./format.js";
import { layout, type Html } from "./layout.js";

/*
 * The overview, server-rendered from pool.overview(); the script then follows
 * /console/api/live and redraws the same elements (ids and data-stat below) with each update.
 */

export function signInHref(hostId: string): string {
  return `/console/hosts/${encodeURIComponent(hostId)}/signin`;
}

function hostRow(host: HostView): Html {
  const expired = host.state === "auth_expired";
  return html`<tr class="${expired ? "attention" : ""}">
    <td><code>${host.id}</code></td>
    <td><span class="state state-${host.state}">${host.state}</span></td>
    <td class="num">${count(host.lanes)}</td>
    <td class="num">${count(host.busy)}</td>
    <td>
      ${
        host.models.length === 0
          ? NONE
          : html`<details>
              <summary>${count(host.models.length)}</summary>
              <ul class="plain">
                ${host.models.map((m) => html`<li><code>${m}</code></li>`)}
              </ul>
            </details>`
      }
    </td>
    <td>${host.profileId ?? NONE}</td>
    <td>${host.egressCountry ?? NONE}</td>
    <td>${host.version}</td>
    <td><time>${utc(host.connectedAt)}</time></td>
    <td class="detail">${host.detail ?? NONE}</td>
    <td>
      ${
        host.signIn
          ? html`<a class="button secondary" href="${signInHref(host.id)}">Sign-in open</a>`
          : html`<a class="button${expired ? "" : " secondary"}" href="${signInHref(host.id)}"
              >Sign in</a
            >`
      }
    </td>
  </tr>`;
}

export function overviewBody(view: OverviewView): Html {
  const hour = summarizeHour(view.lastHour);
  const ready = view.hosts.filter((h) => h.state === "ready").length;
  const lanes = view.hosts.reduce((n, h) => n + h.lanes, 0);
  const busy = view.hosts.reduce((n, h) => n + h.busy, 0);
  const expired = view.hosts.filter((h) => h.state === "auth_expired");
  return html`<h1>Overview</h1>
    <p class="live-status" id="live-status" aria-live="polite">
      Updated <time id="updated-at">${utc(view.at)}</time>
    </p>
    <div id="banners">
      ${expired.map(
        (h) =>
          html`<p class="notice warn" role="alert">
            Host <code>${h.id}</code> is signed out —
            <a href="${signInHref(h.id)}">Sign in</a>
          </p>`,
      )}
    </div>
    <dl class="stats">
      <div>
        <dt>Hosts (ready)</dt>
        <dd data-stat="hosts">${count(view.hosts.length)} (${count(ready)})</dd>
      </div>
      <div>
        <dt>Lanes busy</dt>
        <dd data-stat="lanes">${count(busy)} / ${count(lanes)}</dd>
      </div>
      <div>
        <dt>Queued</dt>
        <dd data-stat="queued">${count(view.queued)}</dd>
      </div>
      <div>
        <dt>Running</dt>
        <dd data-stat="running">${count(view.running)}</dd>
      </div>
      <div>
        <dt>Requests (last hour)</dt>
        <dd data-stat="rpm">${perMinute(hour.requests, 60)}</dd>
      </div>
      <div>
        <dt>Error rate (last hour)</dt>
        <dd data-stat="error-rate">${percent(hour.errors, hour.requests)}</dd>
      </div>
      <div>
        <dt>Mean time to first token (last hour)</dt>
        <dd data-stat="ttft">${duration(hour.ttftMs)}</dd>
      </div>
    </dl>

    <h2>Hosts</h2>
    <div class="scroll">
      <table class="hosts">
        <thead>
          <tr>
            <th>Host</th>
            <th>State</th>
            <th class="num">Lanes</th>
            <th class="num">Busy</th>
            <th>Models</th>
            <th>Profile</th>
            <th>Egress</th>
            <th>Version</th>
            <th>Connected (UTC)</th>
            <th>Last detail / error</th>
            <th><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody id="hosts-body">
          ${
            view.hosts.length === 0
              ? html`<tr>
                  <td colspan="11" class="empty">
                    No hosts connected. Start one with <code>npm run host</code>.
                  </td>
                </tr>`
              : view.hosts.map(hostRow)
          }
        </tbody>
      </table>
    </div>

    <h2>Last hour</h2>
    <div class="charts">
      <figure>
        ${requestsChart(view.lastHour)}
        <figcaption>Requests per minute (the failed part in red)</figcaption>
      </figure>
      <figure>
        ${ttftChart(view.lastHour)}
        <figcaption>Mean time to first token per minute</figcaption>
      </figure>
    </div>`;
}

export const overview = new Hono<AppEnv>().get("/", async (c) => {
  const view: OverviewView = await poolStub(c.env).overview();
  return c.html(
    layout({
      title: "Overview",
      section: "overview",
      page: "overview",
      signedIn: true,
      body: overviewBody(view),
    }),
  );
});
