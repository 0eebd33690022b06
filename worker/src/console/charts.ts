import { html } from "hono/html";
import type { MinuteRow } from "../accounting/records.js";
import { count, duration } from "./format.js";
import type { Html } from "./layout.js";

/*
 * Small SVG charts, styled by class from console.css (no style attributes: the CSP forbids
 * them). The overview's two are drawn again by the script on each live update, the same way
 * (console.js `drawMinuteCharts`): keep the two in step.
 */

const WIDTH = 600;
const HEIGHT = 120;
/** The plot's bottom edge; below it the axis labels. */
const BASE = 100;
const TOP = 14;

/** What the overview shows of the last hour, from the pool's minute rows. */
export interface HourSummary {
  requests: number;
  errors: number;
  /** Mean TTFT of the minutes with one, weighted by their successful requests. */
  ttftMs: number | null;
}

export function summarizeHour(rows: MinuteRow[]): HourSummary {
  let requests = 0;
  let errors = 0;
  let weighted = 0;
  let weight = 0;
  for (const row of rows) {
    requests += row.requests;
    errors += row.errors;
    if (row.ttftMs !== null) {
      const w = Math.max(1, row.requests - row.errors);
      weighted += row.ttftMs * w;
      weight += w;
    }
  }
  return { requests, errors, ttftMs: weight > 0 ? weighted / weight : null };
}

/** One bar of height `h` with its failed part (`e`) over it in the error colour, and a tooltip. */
function bar(x: string, w: string, h: number, e: number, title: Html): Html {
  return html`<rect
      class="bar"
      x="${x}"
      y="${(BASE - h).toFixed(1)}"
      width="${w}"
      height="${h.toFixed(1)}"
      ><title>${title}</title></rect
    >${
      e > 0
        ? html`<rect
            class="bar error"
            x="${x}"
            y="${(BASE - e).toFixed(1)}"
            width="${w}"
            height="${e.toFixed(1)}"
          />`
        : ""
    }`;
}

/** Requests per minute as bars, the failed part of each in the error colour. */
export function requestsChart(rows: MinuteRow[]): Html {
  const max = Math.max(1, ...rows.map((r) => r.requests));
  const step = WIDTH / Math.max(rows.length, 1);
  const scale = (n: number) => ((BASE - TOP) * n) / max;
  return html`<svg
    id="chart-requests"
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-label="Requests per minute over the last hour"
  >
    <line class="axis" x1="0" y1="${BASE}" x2="${WIDTH}" y2="${BASE}" />
    ${rows.map((r, i) => {
      const x = (i * step + 1).toFixed(1);
      const w = Math.max(1, step - 2).toFixed(1);
      return bar(
        x,
        w,
        scale(r.requests),
        scale(r.errors),
        html`${minuteLabel(r)}: ${count(r.requests)} requests, ${count(r.errors)} errors`,
      );
    })}
    ${rows.some((r) => r.requests > 0) ? "" : empty("No requests in the last hour")}
    <text class="label" x="0" y="10">max ${count(max)}/min</text>
    <text class="label" x="0" y="${HEIGHT - 4}">−60 min</text>
    <text class="label end" x="${WIDTH}" y="${HEIGHT - 4}">now</text>
  </svg>`;
}

/** Mean time to first token per minute as a line, broken where a minute had none. */
export function ttftChart(rows: MinuteRow[]): Html {
  const values = rows.map((r) => r.ttftMs).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const step = WIDTH / Math.max(rows.length, 1);
  const segments: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  rows.forEach((r, i) => {
    if (r.ttftMs === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    const x = i * step + step / 2;
    const y = BASE - ((BASE - TOP) * r.ttftMs) / max;
    current.push([x, y]);
  });
  if (current.length > 0) segments.push(current);
  return html`<svg
    id="chart-ttft"
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-label="Mean time to first token per minute over the last hour"
  >
    <line class="axis" x1="0" y1="${BASE}" x2="${WIDTH}" y2="${BASE}" />
    ${segments.map(([first, ...rest]) =>
      rest.length === 0 && first !== undefined
        ? html`<circle class="dot" cx="${first[0].toFixed(1)}" cy="${first[1].toFixed(1)}" r="2" />`
        : html`<polyline
            class="line"
            points="${[first, ...rest].map((p) => `${p![0].toFixed(1)},${p![1].toFixed(1)}`).join(" ")}"
          />`,
    )}
    ${values.length > 0 ? "" : empty("No answers in the last hour")}
    <text class="label" x="0" y="10">max ${duration(values.length > 0 ? max : null)}</text>
    <text class="label" x="0" y="${HEIGHT - 4}">−60 min</text>
    <text class="label end" x="${WIDTH}" y="${HEIGHT - 4}">now</text>
  </svg>`;
}

/** Requests per day as bars (the usage page), errors in the error colour. */
export function dayChart(days: Array<{ day: string; requests: number; errors: number }>): Html {
  const max = Math.max(1, ...days.map((d) => d.requests));
  const step = WIDTH / Math.max(days.length, 1);
  const scale = (n: number) => ((BASE - TOP) * n) / max;
  const first = days[0]?.day ?? "";
  const last = days.at(-1)?.day ?? "";
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-label="Requests per day"
  >
    <line class="axis" x1="0" y1="${BASE}" x2="${WIDTH}" y2="${BASE}" />
    ${days.map((d, i) => {
      const x = (i * step + Math.min(1, step / 8)).toFixed(1);
      const w = Math.max(0.5, step - Math.min(2, step / 4)).toFixed(1);
      return bar(
        x,
        w,
        scale(d.requests),
        scale(d.errors),
        html`${d.day}: ${count(d.requests)} requests, ${count(d.errors)} errors`,
      );
    })}
    ${days.some((d) => d.requests > 0) ? "" : empty("No requests in this range")}
    <text class="label" x="0" y="10">max ${count(max)}/day</text>
    <text class="label" x="0" y="${HEIGHT - 4}">${first}</text>
    <text class="label end" x="${WIDTH}" y="${HEIGHT - 4}">${last}</text>
  </svg>`;
}

/** What a chart with nothing in it says across its middle. */
function empty(text: string): Html {
  return html`<text class="label middle" x="${WIDTH / 2}" y="${BASE / 2 + TOP / 2}">${text}</text>`;
}

function minuteLabel(row: MinuteRow): string {
  return new Date(row.minute).toISOString().slice(11, 16) + "Z";
}
