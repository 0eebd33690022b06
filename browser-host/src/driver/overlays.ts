import type { ElementHandle, Page } from "puppeteer-core";
import type { Logger } from "../log.js";
import { DriverError, TimeoutError } from "./errors.js";
import {
  CONSENT_ACCEPT_TEXTS,
  CONSENT_LABEL,
  DISMISS_BUTTONS,
  DISMISS_TEXTS,
  OVERLAY_HOSTS,
  STRAY_DISMISS_BUTTONS,
  type OverlayHost,
} from "./selectors.js";
import { waitFor } from "./wait.js";

/*
 * The overlay step that runs before every click: first-run dialogs, a guided tour, a cookie bar,
 * a menu left open — any of them can sit over AI Studio's page and swallow the click meant for
 * the page (facts §9). Each round dismisses one overlay that does not hold the element about to
 * be clicked (so the driver's own dialogs and menus stay open), waits for it to go, and looks
 * again; an overlay that will not go is a named error instead of a click lost in a 30 s wait.
 */

/** Overlays dismissed in one step at most: more than this is a page that keeps opening them. */
const MAX_ROUNDS = 10;
/** Tries for one overlay before it counts as stuck. */
const TRIES_PER_OVERLAY = 3;
/** How long a dismissed overlay gets to leave the page. */
const LEAVE_MS = 2_000;

export class OverlayError extends DriverError {
  override readonly name = "OverlayError";
  constructor(what: string, options?: ErrorOptions) {
    super(
      "upstream_ui_changed",
      `An overlay covers AI Studio's page and none of its known dismiss buttons closed it: ${what}. A SELECTORS_FILE cannot name dismiss buttons yet; a snapshot of the page shows the overlay.`,
      true,
      options,
    );
  }
}

interface Spec {
  maxTries: number;
  acceptTerms: boolean;
  /** What a consent checkbox's label contains. */
  consent: string;
  acceptTexts: string[];
  hosts: OverlayHost[];
  buttons: string[];
  texts: string[];
  strays: string[];
}

type StepResult =
  | { kind: "clear" }
  | { kind: "dismissed"; id: string; name: string; how: string }
  | { kind: "stuck"; id: string; name: string; title: string };

const SPEC: Omit<Spec, "acceptTerms" | "consent"> = {
  maxTries: TRIES_PER_OVERLAY,
  acceptTexts: CONSENT_ACCEPT_TEXTS,
  hosts: OVERLAY_HOSTS,
  buttons: DISMISS_BUTTONS,
  texts: DISMISS_TEXTS,
  strays: STRAY_DISMISS_BUTTONS,
};

/**
 * Runs in the page: dismisses the first overlay not holding `target`, marking it so the driver
 * can wait for it to leave. Self-contained, as page functions must be.
 */
function step(target: Element | null, spec: Spec, tries: Record<string, number>): StepResult {
  const norm = (s: string | null) => (s ?? "").replace(/\s+/g, " ").trim().toLowerCase();
  const shown = (e: Element) =>
    e.isConnected &&
    e.getClientRects().length > 0 &&
    getComputedStyle(e).visibility !== "hidden" &&
    !e.closest("[hidden]");
  const idOf = (e: Element) => {
    let id = e.getAttribute("data-edge-overlay");
    if (id === null) {
      id = `o${Math.random().toString(36).slice(2, 10)}`;
      e.setAttribute("data-edge-overlay", id);
    }
    return id;
  };
  const press = (b: Element) => (b as HTMLElement).click();
  // Once, where a key press would go: it bubbles to the document (twice would close two layers).
  const escape = () =>
    (document.activeElement ?? document.body).dispatchEvent(
      new KeyboardEvent("keydown", { key: "Escape", code: "Escape", keyCode: 27, bubbles: true }),
    );

  // Every overlay not holding the target, outermost only, the topmost first: CDK stacks panes
  // in document order, and a page that blocks clicks outside the top one ignores the rest.
  const found: Array<{ e: Element; host: Spec["hosts"][number] }> = [];
  for (const host of spec.hosts)
    for (const e of document.querySelectorAll(host.css))
      if (shown(e) && !(target !== null && e.contains(target)) && !found.some((f) => f.e === e))
        found.push({ e, host });
  const outer = found.filter(({ e }) => !found.some((o) => o.e !== e && o.e.contains(e)));
  const pane = (e: Element) => e.closest(".cdk-overlay-pane") !== null;
  outer.sort((a, b) => {
    if (pane(a.e) !== pane(b.e)) return pane(a.e) ? -1 : 1;
    return a.e.compareDocumentPosition(b.e) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1;
  });

  for (const { e, host } of outer) {
    const id = idOf(e);
    // What a person would call it: its heading, else its label, else the start of its text.
    const title = norm(
      e.querySelector("h1, h2, [mat-dialog-title], .mat-mdc-dialog-title")?.textContent ??
        e.getAttribute("aria-label") ??
        e.textContent,
    ).slice(0, 60);
    const name = `${host.name} "${title}"`;
    if ((tries[id] ?? 0) >= spec.maxTries) return { kind: "stuck", id, name: host.name, title };
    if (host.kind === "menu") {
      escape();
      // A menu that ignores Escape closes on its backdrop, as a click beside it would.
      const backdrop = document.querySelector<HTMLElement>(".cdk-overlay-backdrop");
      if (e.isConnected && backdrop && tries[id]) backdrop.click();
      return { kind: "dismissed", id, name, how: "Escape" };
    }
    // The terms dialog a new account shows once closes only by consenting (ACCEPT_TERMS).
    const consent = [...e.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((c) =>
      norm(c.getAttribute("aria-label") ?? c.closest("label")?.textContent ?? null).includes(
        spec.consent,
      ),
    );
    if (consent) {
      if (!spec.acceptTerms)
        return { kind: "stuck", id, name: host.name, title: `${title}: ACCEPT_TERMS is off` };
      if (!consent.checked) consent.click();
      const accept = [...e.querySelectorAll("button")].find(
        (b) => shown(b) && spec.acceptTexts.includes(norm(b.textContent)),
      );
      if (accept) {
        press(accept);
        return { kind: "dismissed", id, name, how: "consent and accept" };
      }
    }
    for (const css of spec.buttons) {
      const button = [...e.querySelectorAll(css)].find(shown);
      if (button) {
        press(button);
        return { kind: "dismissed", id, name, how: css };
      }
    }
    const byText = [...e.querySelectorAll("button, [role=button]")].find(
      (b) =>
        shown(b) &&
        (spec.texts.includes(norm(b.textContent)) ||
          spec.texts.includes(norm(b.getAttribute("aria-label")))),
    );
    if (byText) {
      press(byText);
      return { kind: "dismissed", id, name, how: `"${norm(byText.textContent)}"` };
    }
    if (host.kind === "dialog") {
      escape();
      return { kind: "dismissed", id, name, how: "Escape" };
    }
    return { kind: "stuck", id, name: host.name, title };
  }
  for (const css of spec.strays) {
    const button = [...document.querySelectorAll(css)].find(
      (b) => shown(b) && (target === null || !b.contains(target)),
    );
    if (button) {
      const id = idOf(button);
      if ((tries[id] ?? 0) >= spec.maxTries) return { kind: "stuck", id, name: css, title: "" };
      press(button);
      return { kind: "dismissed", id, name: css, how: "its close button" };
    }
  }
  return { kind: "clear" };
}

export class Overlays {
  private readonly spec: Spec;

  constructor(
    private readonly page: Page,
    private readonly log: Logger,
    /** Whether the terms of service a new account is shown may be accepted (ACCEPT_TERMS). */
    acceptTerms = true,
  ) {
    this.spec = { ...SPEC, acceptTerms, consent: CONSENT_LABEL };
  }

  /**
   * Dismisses every overlay that does not hold `target` (the element about to be clicked, or
   * null for "nothing may stay open"); returns what it dismissed.
   */
  async clear(target: ElementHandle<Element> | null, signal?: AbortSignal): Promise<string[]> {
    const dismissed: string[] = [];
    const tries: Record<string, number> = {};
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await this.page.evaluate(step, target, this.spec, tries);
      if (result.kind === "clear") return dismissed;
      if (result.kind === "stuck")
        throw new OverlayError(`${result.name}${result.title ? ` "${result.title}"` : ""}`);
      tries[result.id] = (tries[result.id] ?? 0) + 1;
      dismissed.push(result.name);
      this.log.info("dismissed an overlay", { overlay: result.name, how: result.how });
      try {
        await waitFor(
          () =>
            this.page.evaluate((id: string) => {
              const e = document.querySelector(`[data-edge-overlay="${id}"]`);
              return e === null || e.getClientRects().length === 0;
            }, result.id),
          {
            what: `the ${result.name} to close`,
            timeoutMs: LEAVE_MS,
            intervalMs: 50,
            ...(signal ? { signal } : {}),
          },
        );
      } catch (err) {
        // Still there: the next round tries again, up to TRIES_PER_OVERLAY times.
        if (!(err instanceof TimeoutError)) throw err;
        if (tries[result.id]! >= TRIES_PER_OVERLAY)
          throw new OverlayError(result.name, { cause: err });
      }
    }
    throw new OverlayError(`more than ${MAX_ROUNDS} overlays in a row (${dismissed.join(", ")})`);
  }
}
