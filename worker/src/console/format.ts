/*
 * How the console writes numbers and times: times in UTC, ISO 8601 to the second; counts with
 * thousands separators; durations in ms below ten seconds. An absent value is an em dash.
 */

export const NONE = "—";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const fine = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** Epoch ms as `2026-07-02T10:15:03Z`. */
export function utc(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Epoch seconds (key records) as `utc` writes them. */
export function utcSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? NONE : utc(seconds * 1000);
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : integer.format(n);
}

/** Requests in a window and their rate: `90 (1.5 / min)`. */
export function perMinute(total: number, minutes: number): string {
  return `${integer.format(total)} (${fine.format(total / minutes)} / min)`;
}

/** `840 ms`, `12.3 s`, `4 min 5 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 10_000) return `${integer.format(Math.round(ms))} ms`;
  if (ms < 120_000) return `${decimal.format(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A share as `2.5 %`; NONE when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${decimal.format((100 * part) / whole)} %` : NONE;
}

/** Today's UTC day, `YYYY-MM-DD`, shifted by whole days. */
export function utcDay(nowMs: number, shiftDays = 0): string {
  return new Date(nowMs + shiftDays * 86_400_000).toISOString().slice(0, 10);
}
