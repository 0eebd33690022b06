import { readFileSync } from "node:fs";
import { z } from "zod";
import { SELECTORS, type Candidate, type SelectorName, type SelectorSpec } from "./selectors.js";

/*
 * Selector overrides without a rebuild: when AI Studio renames a hook, an operator puts the new
 * selector in a JSON file (SELECTORS_FILE) and restarts the host. Each concept's candidates from
 * the file are tried ahead of the built-in ones, and the locator says which source matched. The
 * file is validated at start, and a bad one stops the host with the file and the key named:
 * a typo must not become a silent fallback to the selectors that just broke.
 *
 *   { "version": 1, "candidates": { "temperature": ["ms-slider input[inputmode=decimal]"] } }
 */

export type SelectorCatalog = Record<SelectorName, SelectorSpec>;

const css = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(500)
  // The catalogue's own rule: one selector per candidate, so the log says which one matched.
  .refine(
    (s) => !/,(?![^[]*\])(?![^(]*\))/.test(s),
    "must be one selector, not a comma-joined list (give several candidates instead)",
  );

const concepts = Object.keys(SELECTORS) as [SelectorName, ...SelectorName[]];

export const SelectorOverridesSchema = z
  .object({
    version: z.literal(1),
    candidates: z.partialRecord(z.enum(concepts), z.array(css).min(1).max(20)),
  })
  .strict();
export type SelectorOverrides = z.infer<typeof SelectorOverridesSchema>;

export class SelectorFileError extends Error {
  override readonly name = "SelectorFileError";
}

/** Reads and validates SELECTORS_FILE; throws a SelectorFileError naming the file and the key. */
export function loadSelectorOverrides(path: string): SelectorOverrides {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    const why =
      (cause as NodeJS.ErrnoException).code === "ENOENT"
        ? "does not exist"
        : `is not JSON (${(cause as Error).message})`;
    throw new SelectorFileError(`SELECTORS_FILE ${path} ${why}.`, { cause });
  }
  const parsed = SelectorOverridesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
    const known =
      issue.code === "invalid_key" || issue.code === "unrecognized_keys"
        ? ` Concepts: ${concepts.join(", ")}.`
        : "";
    throw new SelectorFileError(`SELECTORS_FILE ${path}: ${where}: ${issue.message}.${known}`);
  }
  return parsed.data;
}

/** The built-in catalogue with the file's candidates first in each concept they name. */
export function withOverrides(
  overrides: SelectorOverrides,
  base: SelectorCatalog = SELECTORS,
): SelectorCatalog {
  const out = { ...base };
  for (const [name, list] of Object.entries(overrides.candidates) as Array<
    [SelectorName, string[] | undefined]
  >) {
    if (!list) continue;
    const added: Candidate[] = list.map((selector) => ({
      css: selector,
      ui: "any",
      seen: "override",
      source: "override",
    }));
    out[name] = {
      ...base[name],
      candidates: [...added, ...base[name].candidates.filter((c) => !list.includes(c.css))],
    };
  }
  return out;
}
