import { z } from "zod";
import { NEEDS } from "./concepts.js";

/*
 * What `npm run self-check` found, as one object: printed as a table, written as report.json
 * (and to stdout with --json), and the one place the exit code is decided. Nothing in it is a
 * secret: the proxy is shown as the forwarder redacted it, URLs without credentials or queries.
 */

export const STATUSES = ["ok", "missing", "absent", "n/a", "unchecked"] as const;
export type Status = (typeof STATUSES)[number];

export const ConceptRowSchema = z.object({
  /** The key in selectors.ts and in a SELECTORS_FILE. */
  concept: z.string(),
  name: z.string(),
  need: z.enum(NEEDS),
  status: z.enum(STATUSES),
  matched: z.string().nullable(),
  source: z.enum(["built-in", "override"]).nullable(),
  note: z.string().nullable(),
  use: z.string(),
  anchors: z.string(),
  tried: z.array(z.string()),
});
export type ConceptRow = z.infer<typeof ConceptRowSchema>;

export const SIGN_IN_STATES = ["signed-in", "signed-out", "region-blocked", "unknown"] as const;

export const RunResultSchema = z.object({
  ok: z.boolean(),
  model: z.string(),
  ms: z.number(),
  /** The answer's first 80 characters, as captured from the network. */
  answer: z.string(),
  done: z.boolean(),
  finishReason: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

export const ReportSchema = z.object({
  version: z.literal(1),
  hostVersion: z.string(),
  at: z.string(),
  exitCode: z.number().int(),
  verdict: z.string(),
  target: z.object({
    aistudioUrl: z.string(),
    profile: z.string().nullable(),
    proxy: z.string().nullable(),
    chromium: z.string().nullable(),
    headless: z.boolean(),
    selectorsFile: z.string().nullable(),
    overrides: z.array(z.string()),
  }),
  signIn: z.object({
    state: z.enum(SIGN_IN_STATES),
    url: z.string().nullable(),
    detail: z.string().nullable(),
    remedy: z.string().nullable(),
  }),
  /** The UI generation the prompt box's matching selector belongs to (Locator.generation()). */
  generation: z.string().nullable(),
  listModels: z.object({ decoded: z.boolean(), models: z.number(), error: z.string().nullable() }),
  currentModel: z.string().nullable(),
  thinking: z.enum(["level", "budget", "none", "unknown"]),
  temporaryChat: z.enum(["on", "off", "no toggle", "unknown"]),
  overlaysDismissed: z.array(z.string()),
  groupsExpanded: z.number(),
  concepts: z.array(ConceptRowSchema),
  /** Steps of the walk that failed for a reason other than a missing selector. */
  problems: z.array(z.string()),
  run: RunResultSchema.nullable(),
  bundle: z.object({ dir: z.string(), files: z.array(z.string()) }).nullable(),
});
export type Report = z.infer<typeof ReportSchema>;

/** The exit codes, as the README documents them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, signedOut: 3 } as const;

/** Required and needed concepts that did not match. */
export const missingConcepts = (report: Pick<Report, "concepts">): ConceptRow[] =>
  report.concepts.filter((c) => c.status === "missing" && c.need !== "optional");

/** The exit code and a one-line verdict for what the report says. */
export function verdictOf(report: Omit<Report, "exitCode" | "verdict">): {
  exitCode: number;
  verdict: string;
} {
  if (report.signIn.state === "signed-out" || report.signIn.state === "region-blocked")
    return {
      exitCode: EXIT.signedOut,
      verdict: `${report.signIn.state === "signed-out" ? "signed out" : "region blocked"}: the chat page could not be checked`,
    };
  const failures: string[] = [];
  const missing = missingConcepts(report);
  if (missing.length > 0)
    failures.push(
      `${missing.length} concept${missing.length === 1 ? "" : "s"} the driver needs missing (${missing.map((c) => c.concept).join(", ")})`,
    );
  if (report.signIn.state === "signed-in" && !report.listModels.decoded)
    failures.push("ListModels not decoded");
  if (report.problems.length > 0)
    failures.push(
      `${report.problems.length} step${report.problems.length === 1 ? "" : "s"} failed`,
    );
  if (report.run && !report.run.ok) failures.push("the test prompt failed");
  if (failures.length > 0)
    return { exitCode: EXIT.failed, verdict: `FAIL: ${failures.join("; ")}` };
  return {
    exitCode: EXIT.ok,
    verdict: report.run
      ? "OK: every concept the driver needs matched, and the test prompt was answered"
      : "OK: every concept the driver needs matched",
  };
}
