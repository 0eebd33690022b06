import type { UsageRow } from "./records.js";

/*
 * `/admin/usage` as CSV, for spreadsheets: RFC 4180 (CRLF, quotes only where needed) and no
 * cell a spreadsheet would run as a formula. Key names are chosen by whoever creates keys, so a
 * name like `=HYPERLINK(…)` must arrive as text.
 */

const HEADER = [
  "day",
  "key_id",
  "key_name",
  "requests",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "thought_tokens",
  "errors_by_code",
];

export function usageCsv(rows: UsageRow[]): string {
  const lines = [HEADER.join(",")];
  for (const r of rows)
    lines.push(
      [
        text(r.day),
        text(r.keyId),
        text(r.keyName),
        String(r.requests),
        String(r.errors),
        String(r.promptTokens),
        String(r.completionTokens),
        String(r.thoughtTokens),
        text(errorsByCode(r.errorsByCode)),
      ].join(","),
    );
  return lines.map((line) => `${line}\r\n`).join("");
}

/** `code=n;code=n`, by code, so the same day always reads the same. */
function errorsByCode(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => `${code}=${n}`)
    .join(";");
}

/** A text cell: neutralised, then quoted if it needs to be. Every text cell, not only names. */
function text(value: string): string {
  // A leading apostrophe makes spreadsheets show the rest as text instead of evaluating it.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
