import { describe, expect, it } from "vitest";
import { EXIT, verdictOf, type ConceptRow, type Report } from "../../src/self-check/report.js";
import { renderReport } from "../../src/self-check/report-text.js";

/* The one place the exit code is decided, and the table a person reads. */

const concept = (concept: string, need: ConceptRow["need"], status: ConceptRow["status"]) => ({
  concept,
  name: concept,
  need,
  status,
  matched: status === "ok" ? `css-${concept}` : null,
  source: status === "ok" ? ("built-in" as const) : null,
  note: null,
  use: "a use",
  anchors: "an anchor",
  tried: [`css-${concept}`],
});

function draft(change: Partial<Report> = {}): Omit<Report, "exitCode" | "verdict"> {
  return {
    version: 1,
    hostVersion: "0.2.0",
    at: "2026-08-30T10:00:00.000Z",
    target: {
      aistudioUrl: "https://aistudio.google.com",
      profile: "1",
      proxy: null,
      chromium: "/usr/bin/chromium (system)",
      headless: true,
      selectorsFile: null,
      overrides: [],
    },
    signIn: { state: "signed-in", url: null, detail: null, remedy: null },
    generation: "2026-08",
    listModels: { decoded: true, models: 6, error: null },
    currentModel: "gemini-3-flash-preview",
    thinking: "level",
    temporaryChat: "on",
    overlaysDismissed: [],
    groupsExpanded: 2,
    concepts: [
      concept("runButton", "required", "ok"),
      concept("errorCallout", "optional", "absent"),
    ],
    problems: [],
    run: null,
    bundle: null,
    ...change,
  };
}

describe("self-check verdict", () => {
  it("is 0 when every required and needed concept matched; an absent optional one does not count", () => {
    expect(verdictOf(draft()).exitCode).toBe(EXIT.ok);
  });

  it("is 1 for a missing needed concept, a failed step, undecoded ListModels or a failed run", () => {
    const missing = { concepts: [concept("temperature", "needed", "missing")] };
    expect(verdictOf(draft(missing))).toEqual({
      exitCode: EXIT.failed,
      verdict: "FAIL: 1 concept the driver needs missing (temperature)",
    });
    expect(verdictOf(draft({ problems: ["overlays: stuck"] })).exitCode).toBe(EXIT.failed);
    expect(
      verdictOf(draft({ listModels: { decoded: false, models: 0, error: "x" } })).exitCode,
    ).toBe(EXIT.failed);
    const run = {
      ok: false,
      model: "m",
      ms: 1,
      answer: "",
      done: false,
      finishReason: null,
      error: { code: "upstream_stalled", message: "x" },
    };
    expect(verdictOf(draft({ run })).exitCode).toBe(EXIT.failed);
  });

  it("is 3 when signed out, whatever else the report holds", () => {
    const signIn = {
      state: "signed-out" as const,
      url: "https://accounts.google.com/x",
      detail: null,
      remedy: null,
    };
    expect(verdictOf(draft({ signIn, problems: ["p"] })).exitCode).toBe(EXIT.signedOut);
  });

  it("prints each concept as a row and what to put in a SELECTORS_FILE for a missing one", () => {
    const d = draft({ concepts: [concept("runButton", "required", "missing")] });
    const text = renderReport({ ...d, ...verdictOf(d) });
    expect(text).toMatch(/^CONCEPT\s+NEED\s+STATUS\s+SOURCE\s+MATCHED$/m);
    expect(text).toMatch(/^runButton\s+required\s+MISSING\s+-\s+none$/m);
    expect(text).toContain(
      '{"version":1,"candidates":{"runButton":["<a selector that matches it now>"]}}',
    );
    expect(text).toMatch(/^Result\s+FAIL: .* \(exit 1\)$/m);
  });
});
