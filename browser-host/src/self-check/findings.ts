import type { Locator } from "../driver/locate.js";
import type { SelectorCatalog } from "../driver/selector-overrides.js";
import type { SelectorName } from "../driver/selectors.js";
import { TimeoutError } from "../driver/errors.js";
import { waitFor } from "../driver/wait.js";
import { ruleOf } from "./concepts.js";
import type { ConceptRow, Status } from "./report.js";

/*
 * What the self-check saw of each concept, recorded as it walks a page: found (with the
 * candidate that matched and its source), missing, not used for this model, or not checked and
 * why. A concept is looked for with one bounded wait for all of a step's concepts together, so
 * a page that lost several costs one wait, not one per concept.
 */

export interface Finding {
  status: Exclude<Status, "absent">;
  matched: ReturnType<Locator["matched"]>;
  note: string | null;
}

export class Findings {
  private readonly seen = new Map<SelectorName, Finding>();

  constructor(
    private readonly locate: Locator,
    private readonly settleMs: number,
  ) {}

  found(name: SelectorName): boolean {
    return this.seen.get(name)?.status === "ok";
  }

  get(name: SelectorName): Finding | undefined {
    return this.seen.get(name);
  }

  /** Records a concept the driver's own code just found (its winner is in the locator). */
  ok(name: SelectorName): void {
    this.seen.set(name, { status: "ok", matched: this.locate.matched(name), note: null });
  }

  missing(name: SelectorName, note: string | null = null): void {
    this.seen.set(name, { status: "missing", matched: null, note });
  }

  /** Concepts that could not be checked, and why; one already found stays found. */
  skip(names: SelectorName[], note: string, status: "unchecked" | "n/a" = "unchecked"): void {
    for (const name of names)
      if (!this.found(name)) this.seen.set(name, { status, matched: null, note });
  }

  /**
   * Waits up to the settle time for the concepts to be on the page and records each; true when
   * all are. Only a timeout is a miss: a page that cannot be asked throws.
   */
  async look(names: SelectorName[], note: string | null = null): Promise<boolean> {
    const left = new Set(names.filter((n) => !this.found(n)));
    await waitFor(
      async () => {
        for (const name of [...left]) if (await this.locate.has(name)) left.delete(name);
        return left.size === 0;
      },
      { what: `AI Studio's ${names.join(", ")}`, timeoutMs: this.settleMs, intervalMs: 100 },
    ).catch((err: unknown) => {
      if (!(err instanceof TimeoutError)) throw err;
    });
    for (const name of names) {
      if (left.has(name)) this.missing(name, note);
      else if (!this.found(name)) this.ok(name);
    }
    return left.size === 0;
  }

  /** Concepts not looked at yet: one look now, no wait (optional parts of a healthy page). */
  async lookOnce(names: SelectorName[]): Promise<void> {
    for (const name of names.filter((n) => !this.seen.has(n)))
      if (await this.locate.has(name)) this.ok(name);
      else this.missing(name);
  }

  /** Copies another page's findings in (the --run page's, for concepts only a chat with turns has). */
  merge(other: Findings, names: SelectorName[]): void {
    for (const name of names) {
      const finding = other.get(name);
      if (finding) this.seen.set(name, finding);
    }
  }
}

/** The table's rows, in the catalogue's order; an optional concept that is not there is "absent". */
export function conceptRows(catalog: SelectorCatalog, findings: Findings): ConceptRow[] {
  return (Object.keys(catalog) as SelectorName[]).map((concept) => {
    const spec = catalog[concept];
    const rule = ruleOf(concept);
    const finding = findings.get(concept) ?? {
      status: "unchecked" as const,
      matched: null,
      note: "not reached",
    };
    const status: Status =
      finding.status === "missing" && rule.need === "optional" ? "absent" : finding.status;
    return {
      concept,
      name: spec.name,
      need: rule.need,
      status,
      matched: finding.matched?.css ?? null,
      source: finding.matched?.source ?? null,
      note: finding.note,
      use: rule.use,
      anchors: spec.anchors,
      tried: spec.candidates.map((c) => c.css),
    };
  });
}
