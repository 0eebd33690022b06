import type { Page } from "puppeteer-core";
import { POLL, WAIT, WAIT_MS, fillPrompt } from "./page-helpers.js";

/*
 * Page actions for the 2026-08 contract tests, written against the hooks of facts §9 the way a
 * driver would use them: clicks through the DOM (`element.click()`, which skips hit-testing),
 * and every wait a condition with a deadline.
 */

export const S = {
  textarea: 'footer ms-prompt-box textarea[formcontrolname="promptText"]',
  run: "footer ms-prompt-box ms-run-button button[type=submit]",
  tokenCount: "ms-token-count span.v3-token-count-value",
  modelCard: "ms-model-selector button.model-selector-card",
  siCard: "button[data-test-system-instructions-card]",
  newChat: 'button[data-test-clear="outside"][aria-label="New chat"]',
  moreActions: 'button[aria-label="View more actions"]',
  temporaryItem: 'button[aria-label="Toggle temporary chat"][data-test-incognito-toggle]',
  toolsButton: 'button[aria-label="Expand or collapse tools"]',
  advancedButton: 'button[aria-label="Expand or collapse advanced settings"]',
  temperature: '[data-test-id="temperatureSliderContainer"] input[inputmode="decimal"]',
  topP: 'div[mattooltip="Probability threshold for top-p sampling"] input[inputmode="decimal"]',
  maxTokens: 'input[aria-label="Maximum output tokens"]',
  stopInput: "ms-stop-sequence-input input#chip-input",
  dialog: "mat-dialog-container",
  backdrop: ".cdk-overlay-backdrop",
} as const;

export const switchOf = (label: string) => `button[role="switch"][aria-label="${label}"]`;

/** Clicks as a driver does: `element.click()`, no mouse, no hit-testing. */
export async function domClick(page: Page, selector: string): Promise<void> {
  await page.$eval(selector, (el) => (el as HTMLElement).click());
}

/** Clicks and reports, in the same task, whether `selector` then matches (a click the page swallowed leaves no trace). */
export async function clickThenHas(page: Page, click: string, selector: string): Promise<boolean> {
  return page.$eval(
    click,
    (el, sel) => {
      (el as HTMLElement).click();
      return document.querySelector(sel) !== null;
    },
    selector,
  );
}

/** The dialog whose title is `title`, as a selector-free lookup (the title is all it has). */
export async function waitForDialog(page: Page, title: string): Promise<void> {
  await page.waitForFunction(
    (t) =>
      [...document.querySelectorAll("mat-dialog-container .mat-mdc-dialog-title")].some(
        (h) => h.textContent === t,
      ),
    POLL,
    title,
  );
}

/**
 * Fills the prompt and waits until the page has counted it: the CountTokens answer for this text
 * has arrived and its total is on the page. Until then the page ignores Run (facts §9).
 */
export async function fillAndCount(page: Page, text: string): Promise<number> {
  const before = await page.$eval(S.tokenCount, (el) => el.textContent);
  const encoded = JSON.stringify(text);
  const counted = page.waitForResponse(
    (r) => r.url().endsWith("/CountTokens") && (r.request().postData() ?? "").includes(encoded),
    { timeout: WAIT_MS },
  );
  await fillPrompt(page, "2026-08", text);
  const total = (JSON.parse(await (await counted).text()) as number[])[0]!;
  const shown = total.toLocaleString("en-US");
  // The only sign the count is done is the number changing, so the prompt must change it.
  if (shown === before) throw new Error(`the prompt left the token count at ${shown}`);
  await page.waitForFunction(
    (sel, want) => document.querySelector(sel)?.textContent === want,
    POLL,
    S.tokenCount,
    shown,
  );
  return total;
}

/** Opens a settings group by clicking its title, if it is closed. */
export async function openGroup(page: Page, button: string): Promise<void> {
  if ((await page.$eval(button, (el) => el.getAttribute("aria-expanded"))) === "true") return;
  await page.$eval(button, (el) =>
    (el.closest(".settings-item")!.querySelector("p.group-title") as HTMLElement).click(),
  );
  await page.waitForSelector(`${button}[aria-expanded="true"]`, WAIT);
}

/** Flips a switch and waits for the page to show the new state. */
export async function flip(page: Page, label: string): Promise<void> {
  const sel = switchOf(label);
  const was = await page.$eval(sel, (el) => el.getAttribute("aria-checked"));
  await domClick(page, sel);
  await page.waitForFunction(
    (s, w) => document.querySelector(s)?.getAttribute("aria-checked") !== w,
    POLL,
    sel,
    was,
  );
}

/** Puts text in an editor dialog's textarea and presses its Save button. */
export async function saveEditor(page: Page, saveLabel: string, value: unknown): Promise<void> {
  await page.waitForSelector("mat-dialog-container ms-text-editor textarea", WAIT);
  await page.$eval(
    "mat-dialog-container ms-text-editor textarea",
    (el, v) => ((el as HTMLTextAreaElement).value = v),
    typeof value === "string" ? value : JSON.stringify(value),
  );
  await domClick(page, `mat-dialog-container button[aria-label="${saveLabel}"]`);
}
