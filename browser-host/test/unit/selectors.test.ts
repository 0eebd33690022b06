import { describe, expect, it } from "vitest";
import { SELECTORS } from "../../src/driver/selectors.js";

/* The selector catalogue keeps its own rules: one selector per candidate, each concept explained. */

/** Commas outside quotes, brackets and parentheses: the separators of a selector list. */
function topLevelCommas(css: string): number {
  let depth = 0;
  let quote: string | null = null;
  let commas = 0;
  for (const ch of css) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "(") depth += 1;
    else if (ch === "]" || ch === ")") depth -= 1;
    else if (ch === "," && depth === 0) commas += 1;
  }
  return commas;
}

describe("the selector catalogue", () => {
  it("has no comma-joined lists: each candidate is one selector, tried on its own", () => {
    expect(topLevelCommas("a, b")).toBe(1);
    expect(topLevelCommas('button[aria-label="a, b"]:not(.x, .y)')).toBe(0);
    for (const [name, spec] of Object.entries(SELECTORS)) {
      for (const candidate of spec.candidates)
        expect(topLevelCommas(candidate.css), `${name}: ${candidate.css}`).toBe(0);
    }
  });

  it("says for every concept what it anchors to, with at least one distinct candidate", () => {
    for (const [name, spec] of Object.entries(SELECTORS)) {
      expect(spec.name, name).not.toBe("");
      expect(spec.anchors.length, name).toBeGreaterThan(10);
      expect(spec.candidates.length, name).toBeGreaterThan(0);
      expect(new Set(spec.candidates.map((c) => c.css)).size, `${name} repeats a candidate`).toBe(
        spec.candidates.length,
      );
      for (const c of spec.candidates)
        expect(c.seen, `${name}: ${c.css}`).toMatch(/^(\d{4}(-\d{2})?|simulator)$/);
    }
  });
});
