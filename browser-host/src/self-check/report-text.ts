import { missingConcepts, type ConceptRow, type Report } from "./report.js";

/*
 * The report as plain text for a terminal (and report.txt): a few lines about the page, one
 * row per concept, then what is missing with the selectors tried and how to override one.
 */

const STATUS_TEXT: Record<ConceptRow["status"], string> = {
  ok: "OK",
  missing: "MISSING",
  absent: "absent",
  "n/a": "n/a",
  unchecked: "not checked",
};

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

const line = (label: string, value: string) => `${label.padEnd(12)}${value}`;

function signIn(report: Report): string {
  const s = report.signIn;
  if (s.state === "signed-in") return "signed in";
  if (s.state === "unknown") return "unknown (the chat page did not load)";
  return `${s.state === "signed-out" ? "SIGNED OUT" : "REGION BLOCKED"}: AI Studio sent this browser to ${s.url ?? "another page"}`;
}

export function renderReport(report: Report): string {
  const t = report.target;
  const out = [
    `AI Studio self-check — browser host ${report.hostVersion}, ${report.at}`,
    "",
    line(
      "Target",
      `${t.aistudioUrl} (profile: ${t.profile ?? "none"}, proxy: ${t.proxy ?? "none"})`,
    ),
    line("Chromium", `${t.chromium ?? "?"}${t.headless ? ", headless" : ", with a window"}`),
    line(
      "Selectors",
      t.selectorsFile
        ? `built-in, with ${t.selectorsFile} ahead (${t.overrides.join(", ") || "no concepts"})`
        : "built-in (no SELECTORS_FILE)",
    ),
    line("Sign-in", signIn(report)),
  ];
  if (report.signIn.remedy) out.push(line("Remedy", report.signIn.remedy));
  if (report.signIn.state === "signed-in") {
    const lm = report.listModels;
    out.push(
      line("UI", `${report.generation ?? "unknown"} (guessed from the prompt box's selector)`),
      line(
        "ListModels",
        lm.decoded ? `decoded (${lm.models} models)` : `NOT DECODED: ${lm.error ?? "?"}`,
      ),
      line("Model", `${report.currentModel ?? "unknown"} (thinking: ${report.thinking})`),
      line("Temp chat", report.temporaryChat),
      line(
        "Overlays",
        report.overlaysDismissed.length > 0
          ? `dismissed ${report.overlaysDismissed.join("; ")}`
          : "none dismissed",
      ),
      line("Groups", `${report.groupsExpanded} collapsed settings group(s) expanded`),
      "",
      ...table([
        ["CONCEPT", "NEED", "STATUS", "SOURCE", "MATCHED"],
        ...report.concepts.map((c) => [
          c.concept,
          c.need,
          STATUS_TEXT[c.status],
          c.source ?? "-",
          c.matched ?? (c.note ? `none (${c.note})` : "none"),
        ]),
      ]),
    );
  }
  if (report.run) {
    const r = report.run;
    out.push(
      "",
      r.ok
        ? line("Run", `OK in ${(r.ms / 1000).toFixed(1)} s on ${r.model}: "${r.answer}"`)
        : line(
            "Run",
            `FAILED after ${(r.ms / 1000).toFixed(1)} s on ${r.model}: ${r.error?.code}: ${r.error?.message}`,
          ),
    );
  }
  for (const problem of report.problems) out.push(line("Problem", problem));
  const missing = missingConcepts(report);
  if (missing.length > 0) {
    out.push("", "Missing (the driver needs these):");
    for (const c of missing)
      out.push(
        `  ${c.concept} — ${c.name}: ${c.anchors}. Used for: ${c.use}.`,
        `    tried: ${c.tried.map((css) => `'${css}'`).join(", ")}`,
      );
    const example = JSON.stringify({
      version: 1,
      candidates: Object.fromEntries(
        missing.map((c) => [c.concept, ["<a selector that matches it now>"]]),
      ),
    });
    out.push(
      "  Fix: find the element in the bundle's dom.html, put a selector for it in a JSON file,",
      `  ${example}`,
      "  set SELECTORS_FILE to that file, run the self-check again, then restart the host.",
    );
  }
  if (report.bundle)
    out.push("", line("Bundle", `${report.bundle.dir}/ (${report.bundle.files.join(", ")})`));
  out.push(line("Result", `${report.verdict} (exit ${report.exitCode})`));
  return `${out.join("\n")}\n`;
}
