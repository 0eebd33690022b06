import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { imageAnswerText, simulatedImage } from "../../simulator/answers.js";
import { PNG_SIGNATURE, pngSize } from "../../simulator/png.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { decodeChunk, type WireEvent } from "../../src/wire/generate-content-response.js";
import { launchChromium } from "../chromium.js";
import {
  POLL,
  WAIT,
  WAIT_MS,
  fillPrompt,
  openChat,
  requests,
  runAndWait,
  type Ui,
} from "./page-helpers.js";
import { fillAndCount, openGroup, S, switchOf } from "./page-helpers-2026-08.js";
import { nextGenerateBody } from "./page-helpers-media.js";

/*
 * The image-output model on every UI generation, in real Chromium: the run settings show the
 * "Aspect ratio" select (built like Thinking Level) and none of the tools an image model lacks;
 * the ratio picked goes to config [26] with [14] = IMAGE, TEXT; the answer streams like the
 * captured image answer and its final image is a real PNG of the predicted size and bytes.
 */

const MODEL = "gemini-3.1-flash-image-preview";
const SELECT = 'ms-run-settings mat-select[aria-label="Aspect ratio"][role="combobox"]';
const OPTIONS = '.cdk-overlay-pane [role="listbox"] mat-option[role="option"]';
const RATIOS = ["Auto", "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

describe.each(["2026-08", "2026", "2025"] as const)("image model, UI %s", (ui: Ui) => {
  let sim: Simulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const has = async (selector: string) => (await page.$(selector)) !== null;
  const domClick = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).click());

  beforeAll(async () => {
    sim = await startSimulator({ ui, firstRun: "none", pace: { paceMs: 5, chunkChars: 200 } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    context = await browser.createBrowserContext();
    page = await context.newPage();
    await openChat(page, `${sim.url}/prompts/new_chat?model=${MODEL}`);
  });
  afterEach(async () => {
    await context.close();
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  });

  it("shows the Aspect ratio select and none of the controls an image model lacks", async () => {
    await page.waitForSelector(SELECT, WAIT);
    expect(await page.$eval(`${SELECT} .mat-mdc-select-value-text`, (el) => el.textContent)).toBe(
      "Auto",
    );
    // 2026-08: at the top level of the run settings, not inside a collapsed group.
    if (ui === "2026-08") {
      expect(await page.$eval(SELECT, (el) => el.closest(".settings-group") === null)).toBe(true);
      await openGroup(page, S.toolsButton);
      await openGroup(page, S.advancedButton);
      expect(await has(S.temperature)).toBe(true);
      expect(await has(S.topP)).toBe(true);
    } else {
      expect(await has('input[type="number"][data-setting="temperature"]')).toBe(true);
      expect(await has('input[type="number"][data-setting="topP"]')).toBe(true);
    }
    for (const gone of [
      'mat-select[aria-label="Thinking Level"]',
      switchOf("Toggle thinking mode"),
      'input[aria-label="Thinking budget"]',
      switchOf("Function calling"),
      switchOf("Structured output"),
      switchOf("Structured outputs"),
      switchOf("Grounding with Google Search"),
    ])
      expect(await has(gone), gone).toBe(false);
    // A chat model has no such select.
    await openChat(page, `${sim.url}/prompts/new_chat?model=gemini-3-flash-preview`);
    expect(await has(SELECT)).toBe(false);
  });

  it("sends the chosen ratio in [26] with [14] = IMAGE, TEXT, and answers with a PNG of that shape", async () => {
    await domClick(SELECT);
    await page.waitForSelector(OPTIONS, WAIT);
    expect(await page.$$eval(OPTIONS, (els) => els.map((e) => e.textContent))).toEqual(RATIOS);
    await page.$$eval(OPTIONS, (els) =>
      (els.find((e) => e.textContent === "16:9") as HTMLElement).click(),
    );
    await page.waitForFunction(
      (sel) => document.querySelector(`${sel} .mat-mdc-select-value-text`)?.textContent === "16:9",
      POLL,
      SELECT,
    );
    expect(await has(OPTIONS)).toBe(false);

    const prompt = "A lighthouse at dusk\nwith gulls";
    if (ui === "2026-08") await fillAndCount(page, prompt);
    else await fillPrompt(page, ui, prompt);
    const sent = nextGenerateBody(page);
    const answered = page.waitForResponse((r) => r.url().endsWith("/GenerateContent"), {
      timeout: WAIT_MS,
    });
    await runAndWait(page, ui);
    const config = (await sent)[3] as unknown[];
    expect(config[14]).toEqual([2, 1]);
    expect(config[26]).toEqual(["16:9", "1K"]);
    const [recorded] = await requests(sim.url);
    expect(recorded!.request).toMatchObject({
      model: MODEL,
      responseModalities: ["IMAGE", "TEXT"],
      aspectRatio: "16:9",
      imageSize: "1K",
      tools: { googleSearch: false, functions: [] },
      responseSchema: null,
    });

    const body = JSON.parse(await (await answered).text()) as unknown[][];
    const events: WireEvent[] = body[0]!.flatMap(decodeChunk);
    const images = events.filter((e) => e.type === "inline_data");
    expect(images.map((e) => [e.mimeType, e.thought])).toEqual([
      ["image/png", true],
      ["image/png", false],
    ]);
    const png = Buffer.from(images[1]!.data, "base64");
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ w: 64, h: 36 });
    expect(png.equals(simulatedImage(prompt, "16:9").png)).toBe(true);
    const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
    expect(text).toBe(imageAnswerText(prompt));
    expect(text).toBe('Simulated image for "A lighthouse at dusk".');
    expect(events.filter((e) => e.type === "thought").length).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === "finish").map((e) => e.reason)).toEqual([1]);
    // The page shows the final image in the model turn.
    await page.waitForSelector(
      '[data-turn-role="Model"] ms-image-chunk img[src^="data:image/png;base64,"]',
      WAIT,
    );
  });

  it("sends null for Auto", async () => {
    await page.waitForSelector(SELECT, WAIT);
    const prompt = "A square thing";
    if (ui === "2026-08") await fillAndCount(page, prompt);
    else await fillPrompt(page, ui, prompt);
    const sent = nextGenerateBody(page);
    await runAndWait(page, ui);
    expect(((await sent)[3] as unknown[])[26]).toEqual([null, "1K"]);
  });
});
