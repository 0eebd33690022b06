import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ElementHandle, HTTPRequest, HTTPResponse, Page } from "puppeteer-core";
import { POLL, WAIT, WAIT_MS, type Ui } from "./page-helpers.js";

/*
 * Page actions for the media-upload and image-model tests, for every UI generation: the hooks
 * of the upload contract (media button → menu → hidden file input → chips), each wait a
 * condition with a deadline. Files are set the way a driver sets them: ElementHandle.uploadFile
 * on the menu's input (CDP DOM.setFileInputFiles, which fires `change`).
 */

export const MEDIA = {
  button: {
    "2026-08": 'footer ms-add-media-button button[data-test="selectMediaMenu"]',
    "2026": 'footer ms-prompt-box button[aria-label="Insert images, videos, audio, or files"]',
    "2025": 'footer button[data-test-id="add-media-button"]',
  },
  input: {
    "2026-08": '.cdk-overlay-pane div[role="menu"] input[type="file"][data-test-upload-file-input]',
    "2026": '.cdk-overlay-pane div[role="menu"] input[type="file"][data-test-upload-file-input]',
    "2025": '.cdk-overlay-pane div[role="menu"] input[type="file"]',
  },
  chip: {
    "2026-08": "footer ms-prompt-media-chip",
    "2026": "footer ms-prompt-media-chip",
    "2025": "footer div.media-chip",
  },
  tokenCount: {
    "2026-08": "ms-token-count span.v3-token-count-value",
    "2026": "ms-token-count .token-count-container",
    "2025": "ms-token-count .token-count-container",
  },
  newChat: {
    "2026-08": 'button[data-test-clear="outside"][aria-label="New chat"]',
    "2026": 'button[data-test-clear="outside"][aria-label="New chat"]',
    "2025": 'button[data-test-clear="outside"][aria-label="Clear chat"]',
  },
  menu: '.cdk-overlay-container > .cdk-overlay-pane div[role="menu"]',
  backdrop: ".cdk-overlay-container > .cdk-overlay-backdrop",
  snack: "mat-snack-bar-container [role=alert]",
  remove: 'button[aria-label="Remove media"]',
} as const;

/** A request's body; CDP leaves big ones out of the event, so those are fetched. */
async function postData(r: HTTPRequest): Promise<string> {
  return r.postData() ?? (r.hasPostData() ? ((await r.fetchPostData()) ?? "") : "");
}

/** A fresh directory for the files a test uploads. */
export const fixtureDir = () => mkdtempSync(join(tmpdir(), "sim-media-"));

export function writeFixture(dir: string, name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Opens the media menu through the DOM and returns its file input. */
export async function openMediaMenu(page: Page, ui: Ui): Promise<ElementHandle<HTMLInputElement>> {
  await page.$eval(MEDIA.button[ui], (el) => (el as HTMLElement).click());
  return (await page.waitForSelector(MEDIA.input[ui], WAIT)) as ElementHandle<HTMLInputElement>;
}

/** Sets files on the menu's input and waits for the menu to close. */
export async function uploadFiles(page: Page, ui: Ui, paths: string[]): Promise<void> {
  const input = await openMediaMenu(page, ui);
  await input.uploadFile(...paths);
  await page.waitForFunction((sel) => document.querySelector(sel) === null, POLL, MEDIA.menu);
}

/** The names on the prompt box's chips, in order. */
export const chipNames = (page: Page, ui: Ui) =>
  page.$$eval(MEDIA.chip[ui], (chips) =>
    chips.map((c) => c.querySelector(".media-chip-name")?.textContent ?? ""),
  );

export async function waitForChips(page: Page, ui: Ui, n: number): Promise<void> {
  await page.waitForFunction(
    (sel, count, remove) =>
      document.querySelectorAll(sel).length === count &&
      [...document.querySelectorAll(sel)].every((c) => c.querySelector(remove) !== null),
    POLL,
    MEDIA.chip[ui],
    n,
    MEDIA.remove,
  );
}

/** The number the token counter shows. */
export async function shownCount(page: Page, ui: Ui): Promise<number> {
  const text = await page.$eval(MEDIA.tokenCount[ui], (el) => el.textContent ?? "");
  return Number(/^[\d,]+/.exec(text)![0].replace(/,/g, ""));
}

/** A CountTokens call whose last turn holds `files` file parts (inline [2] or Drive [5]). */
function countWithFiles(files: number) {
  return async (r: HTTPResponse) => {
    if (!r.url().endsWith("/CountTokens")) return false;
    try {
      const body = JSON.parse(await postData(r.request())) as unknown[];
      const turns = body[1] as unknown[][];
      const parts = (turns.at(-1)?.[0] ?? []) as unknown[][];
      const fileParts = parts.filter((p) => Array.isArray(p[2]) || Array.isArray(p[5]));
      return turns.length > 0 ? fileParts.length === files : files === 0;
    } catch {
      return false;
    }
  };
}

/**
 * Runs `act` (an upload, a removal) and waits until the page has counted the prompt box with
 * `files` files and shows that total: the page recounts after a chip comes or goes, and the
 * 2026-08 page ignores Run until the count is back. Returns the total.
 */
export async function countAfter(
  page: Page,
  ui: Ui,
  files: number,
  act: () => Promise<void>,
): Promise<number> {
  const counted = page.waitForResponse(countWithFiles(files), { timeout: WAIT_MS });
  await act();
  const total = (JSON.parse(await (await counted).text()) as number[])[0]!;
  await page.waitForFunction(
    (sel, want) => (document.querySelector(sel)?.textContent ?? "").startsWith(want),
    POLL,
    MEDIA.tokenCount[ui],
    total.toLocaleString("en-US"),
  );
  return total;
}

/** The texts of the snack bars now on the page. */
export const snackTexts = (page: Page) =>
  page.$$eval(MEDIA.snack, (els) => els.map((e) => e.textContent ?? ""));

/** Starts a new chat through the discard dialog. */
export async function newChat(page: Page, ui: Ui): Promise<void> {
  await page.$eval(MEDIA.newChat[ui], (el) => (el as HTMLElement).click());
  const confirm = `${ui === "2026-08" ? "mat-dialog-container" : "mat-mdc-dialog-container"} button.ms-button-primary`;
  await page.waitForSelector(confirm, WAIT);
  await page.$eval(confirm, (el) => (el as HTMLElement).click());
}

/** The raw body of the next GenerateContent request the page sends. */
export async function nextGenerateBody(page: Page): Promise<unknown[]> {
  const request = await page.waitForRequest((r) => r.url().endsWith("/GenerateContent"), {
    timeout: WAIT_MS,
  });
  return JSON.parse(await postData(request)) as unknown[];
}
