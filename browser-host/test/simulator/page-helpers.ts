import type { Page } from "puppeteer-core";
import type { RecordedRequest } from "../../simulator/sim-state.js";

/*
 * Small page actions for the simulator's contract tests. Each wait is a condition with a
 * deadline (puppeteer's waitForFunction/waitForSelector), never a fixed sleep. The deadlines are
 * upper bounds for a slow, loaded 2-core machine (several Chromiums at once), not expected times.
 */

/** The deadline of a wait for the page to react. */
export const WAIT_MS = 30_000;
/** For waitForSelector (which watches DOM mutations). */
export const WAIT = { timeout: WAIT_MS } as const;
/**
 * For waitForFunction: interval polling. Puppeteer's default polls on requestAnimationFrame,
 * which runs only as often as the page renders a frame, and a starved renderer renders few.
 */
export const POLL = { timeout: WAIT_MS, polling: 100 } as const;

export const TEXTAREA = {
  "2026-08": 'footer ms-prompt-box textarea[formcontrolname="promptText"]',
  "2026": "footer ms-prompt-box textarea",
  "2025": "footer ms-prompt-input-wrapper textarea",
} as const;
export const RUN = {
  "2026-08": "footer ms-prompt-box ms-run-button button[type=submit]",
  "2026": "footer ms-run-button button",
  "2025": "footer run-button button.run-button",
} as const;
export type Ui = keyof typeof TEXTAREA;

export async function openChat(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(
    () =>
      (window as { default_MakerSuite?: { ready: boolean } }).default_MakerSuite?.ready === true,
    POLL,
  );
}

/** Fills the prompt the way Angular notices: value, then an `input` event. */
export async function fillPrompt(page: Page, ui: Ui, text: string): Promise<void> {
  await page.$eval(
    TEXTAREA[ui],
    (el, value) => {
      (el as HTMLTextAreaElement).value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    text,
  );
}

/** Sets a number input and commits it (input + change), as typing and leaving the field does. */
export async function setNumber(page: Page, selector: string, value: number): Promise<void> {
  await page.$eval(
    selector,
    (el, v) => {
      (el as HTMLInputElement).value = String(v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    value,
  );
}

/** Model turns so far; older ones are virtualised, so count turns, not their contents. */
export const modelTurns = (page: Page) =>
  page.$$eval(".chat-turn-container.model", (turns) => turns.length);

/** What marks a model turn as over: the run-time pill, or a failure (2026-08: `ms-error-message`). */
const TURN_OVER = ".model-run-time-pill, .model-error, ms-error-message";

/**
 * Presses Run and waits until a new model turn has ended (run-time pill) or failed (turn error),
 * in two steps so a failure says which did not happen. Pressed through the DOM, as the driver
 * does: a mouse click also waits on hit-testing and input acks from the renderer.
 */
export async function runAndWait(page: Page, ui: Ui, timeoutMs = 45_000): Promise<void> {
  const before = await modelTurns(page);
  await page.$eval(RUN[ui], (button) => (button as HTMLElement).click());
  const turns = ".chat-turn-container.model";
  await page
    .waitForFunction((css, n) => document.querySelectorAll(css).length > n, POLL, turns, before)
    .catch((err: Error) =>
      Promise.reject(
        new Error(`Run was pressed but no model turn started: ${err.message}`, { cause: err }),
      ),
    );
  await page
    .waitForFunction(
      (css, n, over) => {
        const all = document.querySelectorAll(css);
        return all.length > n && all[all.length - 1]!.querySelector(over) !== null;
      },
      { timeout: timeoutMs, polling: 100 },
      turns,
      before,
      TURN_OVER,
    )
    .catch((err: Error) =>
      Promise.reject(
        new Error(`the model turn started but did not end or fail: ${err.message}`, { cause: err }),
      ),
    );
}

export async function requests(simUrl: string): Promise<RecordedRequest[]> {
  return (await fetch(`${simUrl}/__sim/requests`)).json() as Promise<RecordedRequest[]>;
}

async function control(simUrl: string, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${simUrl}/__sim/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} refused: ${await res.text()}`);
}

/** Queues a scenario for the next run(s) (`POST /__sim/scenario`). */
export const scenario = (simUrl: string, body: Record<string, unknown>) =>
  control(simUrl, "scenario", body);

/** Changes the simulator's options (`POST /__sim/config`); `/__sim/reset` restores them. */
export const configure = (simUrl: string, body: Record<string, unknown>) =>
  control(simUrl, "config", body);

export async function clickSwitch(page: Page, label: string): Promise<void> {
  await page.click(`button[role="switch"][aria-label="${label}"]`);
}
