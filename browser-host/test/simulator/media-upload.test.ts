import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attachmentLine, plainAnswer } from "../../simulator/answers.js";
import { sha256Hex } from "../../simulator/media-answers.js";
import { solidPng } from "../../simulator/png.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { decodeRequest } from "../../src/wire/generate-content-request.js";
import { launchChromium } from "../chromium.js";
import {
  POLL,
  RUN,
  TEXTAREA,
  WAIT,
  configure,
  fillPrompt,
  openChat,
  requests,
  runAndWait,
  type Ui,
} from "./page-helpers.js";
import { fillAndCount } from "./page-helpers-2026-08.js";
import {
  MEDIA,
  chipNames,
  countAfter,
  fixtureDir,
  newChat,
  nextGenerateBody,
  openMediaMenu,
  shownCount,
  snackTexts,
  uploadFiles,
  waitForChips,
  writeFixture,
} from "./page-helpers-media.js";

/*
 * Media upload on every UI generation, in real Chromium, as a driver would do it: the media
 * button's menu (and its backdrop that swallows clicks), the file input that exists only while
 * the menu is open, chips that show only after the simulated upload, Run ignored meanwhile, the
 * token count growing by the file's tokens, refusals as snack bars, and what GenerateContent
 * carries: small files inline, big ones as Drive references, before the text; the answer names
 * each file's type, size and SHA-256.
 */

const MENU_ITEMS = [
  "Upload a file",
  "Drive",
  "Record audio",
  "Camera",
  "YouTube video",
  "Sample media",
];

describe.each(["2026-08", "2026", "2025"] as const)("media upload, UI %s", (ui: Ui) => {
  let sim: Simulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const chat = () => `${sim.url}/prompts/new_chat`;
  const has = async (selector: string) => (await page.$(selector)) !== null;
  /** Fills the prompt; on 2026-08 also waits for its count, without which Run is ignored. */
  const prompt = async (text: string) =>
    ui === "2026-08" ? void (await fillAndCount(page, text)) : fillPrompt(page, ui, text);

  beforeAll(async () => {
    sim = await startSimulator({
      ui,
      firstRun: "none",
      pace: { paceMs: 5, chunkChars: 200 },
      uploadDelayMs: 150,
      uploadMsPerMb: 100,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    dir = fixtureDir();
    context = await browser.createBrowserContext();
    page = await context.newPage();
    await openChat(page, chat());
  });
  afterEach(async () => {
    await context.close();
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens a menu over a backdrop that swallows clicks; the file input exists only while it is open", async () => {
    expect(await has(MEDIA.input[ui])).toBe(false);
    await openMediaMenu(page, ui);
    const items = await page.$$eval(`${MEDIA.menu} button[role="menuitem"]`, (els) =>
      els.map((e) => e.textContent),
    );
    expect(items).toEqual(MENU_ITEMS);
    expect(await has(MEDIA.backdrop)).toBe(true);
    expect(await page.$eval(MEDIA.input[ui], (el) => el.hasAttribute("multiple"))).toBe(true);

    // A click through the DOM on the prompt box does not reach it; the menu stays.
    const reached = await page.$eval(TEXTAREA[ui], (el) => {
      let seen = false;
      el.addEventListener("click", () => (seen = true));
      (el as HTMLElement).click();
      return seen;
    });
    expect(reached).toBe(false);
    expect(await has(MEDIA.menu)).toBe(true);
    // A mouse click there lands on the backdrop: the menu closes, the prompt box gets nothing.
    await page.$eval(TEXTAREA[ui], (el) =>
      el.addEventListener("click", () => document.body.setAttribute("data-reached", "")),
    );
    const box = (await (await page.$(TEXTAREA[ui]))!.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction((sel) => document.querySelector(sel) === null, POLL, MEDIA.menu);
    expect(await has("body[data-reached]")).toBe(false);
    expect(await has(MEDIA.input[ui])).toBe(false);
    expect(await has(MEDIA.backdrop)).toBe(false);

    // Escape closes it too; the other items lead nowhere and close it.
    await openMediaMenu(page, ui);
    await page.keyboard.press("Escape");
    await page.waitForFunction((sel) => document.querySelector(sel) === null, POLL, MEDIA.menu);
    await openMediaMenu(page, ui);
    await page.$$eval(`${MEDIA.menu} button[role="menuitem"]`, (els) =>
      (els[1] as HTMLElement).click(),
    );
    await page.waitForFunction((sel) => document.querySelector(sel) === null, POLL, MEDIA.menu);
  });

  it("shows a chip after the upload; the count grows by the file's tokens; Remove media takes it away", async () => {
    await prompt("Describe the picture.");
    const before = await shownCount(page, ui);
    const png = writeFixture(dir, "pixel.png", solidPng(8, 4, [200, 30, 40]));
    const withFile = await countAfter(page, ui, 1, () => uploadFiles(page, ui, [png]));
    await waitForChips(page, ui, 1);
    expect(await chipNames(page, ui)).toEqual(["pixel.png"]);
    // Before 2026-08 the page had not counted the prompt yet, so only 2026-08 compares to before.
    if (ui === "2026-08") expect(withFile).toBe(before + 258);
    const without = await countAfter(page, ui, 0, () =>
      page.$eval(`${MEDIA.chip[ui]} ${MEDIA.remove}`, (el) => (el as HTMLElement).click()),
    );
    expect(without).toBe(withFile - 258);
    expect(await has(MEDIA.chip[ui])).toBe(false);
  });

  it("ignores Run while an upload is pending, then runs with the file", async () => {
    await configure(sim.url, { uploadDelayMs: 3_000 });
    await openChat(page, chat());
    await prompt("Read this file.");
    const text = writeFixture(dir, "notes.txt", "hello, file\n".repeat(40));
    await uploadFiles(page, ui, [text]);
    // The upload shows as pending (the name, no chip, no Remove media) and Run does nothing.
    await page.waitForSelector("footer .media-chip-pending", WAIT);
    expect(await has(MEDIA.chip[ui])).toBe(false);
    const started = await page.$eval(RUN[ui], (el) => {
      (el as HTMLElement).click();
      return document.querySelector("ms-chat-turn") !== null;
    });
    expect(started).toBe(false);
    await countAfter(page, ui, 1, () => waitForChips(page, ui, 1));
    expect(await has("ms-chat-turn")).toBe(false);
    expect(await requests(sim.url)).toHaveLength(0);
    await runAndWait(page, ui);
    const [recorded] = await requests(sim.url);
    expect(recorded!.request.contents.at(-1)!.files).toEqual([
      { mimeType: "text/plain", data: Buffer.from("hello, file\n".repeat(40)).toString("base64") },
    ]);
  });

  it("refuses an unsupported type, a file over the size limit and one over the file limit, each with a snack bar, and takes the rest", async () => {
    await configure(sim.url, { maxUploadBytes: 2 ** 20, maxUploadFiles: 2 });
    await openChat(page, chat());
    const files = [
      writeFixture(dir, "a.png", solidPng(2, 2, [1, 2, 3])),
      writeFixture(dir, "archive.zip", Buffer.from("PK\x03\x04 not really a zip")),
      writeFixture(dir, "big.txt", Buffer.alloc(2 ** 20 + 1, "x")),
      writeFixture(dir, "b.txt", "second file"),
      writeFixture(dir, "c.txt", "one too many"),
    ];
    await uploadFiles(page, ui, files);
    await page.waitForFunction(
      (sel) => document.querySelectorAll(sel).length === 3,
      POLL,
      MEDIA.snack,
    );
    expect((await snackTexts(page)).sort()).toEqual(
      [
        "Unsupported file type: archive.zip",
        "big.txt is too large. The maximum file size is 1 MB.",
        "You can upload up to 2 files.",
      ].sort(),
    );
    await waitForChips(page, ui, 2);
    expect(await chipNames(page, ui)).toEqual(["a.png", "b.txt"]);
  });

  it("sends a small file inline and a big one as a Drive reference, before the text; the answer names their SHA-256", async () => {
    const small = solidPng(8, 4, [10, 200, 90]);
    const big = randomBytes(600 * 1024);
    const paths = [writeFixture(dir, "small.png", small), writeFixture(dir, "report.pdf", big)];
    const words = "What are these?";
    await prompt(words);
    await countAfter(page, ui, 2, () => uploadFiles(page, ui, paths));
    expect(await chipNames(page, ui)).toEqual(["small.png", "report.pdf"]);
    const sent = nextGenerateBody(page);
    await runAndWait(page, ui);

    // On the wire: [2] inline, then [5] Drive, then the text, in the last user turn.
    const raw = await sent;
    const parts = ((raw[1] as unknown[][]).at(-1)![0] as unknown[][]).map((p) =>
      p[2] ? "inline" : p[5] ? "drive" : typeof p[1] === "string" ? "text" : "?",
    );
    expect(parts).toEqual(["inline", "drive", "text"]);
    const spec = decodeRequest(raw);
    const files = spec.contents.at(-1)!.files!;
    expect(files[0]).toEqual({ mimeType: "image/png", data: small.toString("base64") });
    expect(files[1]).toEqual({ driveId: expect.any(String) });
    const driveId = (files[1] as { driveId: string }).driveId;
    expect(sim.state.drive.get(driveId)?.bytes.equals(big)).toBe(true);
    expect(sim.state.drive.get(driveId)?.mimeType).toBe("application/pdf");

    const [recorded] = await requests(sim.url);
    expect(recorded!.answer!.text).toBe(
      [
        attachmentLine(1, "image/png", small.length, sha256Hex(small), { w: 8, h: 4 }),
        attachmentLine(2, "application/pdf", big.length, sha256Hex(big)),
        "",
        plainAnswer(spec.model, words),
      ].join("\n"),
    );
    // The files went with the text: the prompt box is empty, the user turn names them.
    expect(await has(MEDIA.chip[ui])).toBe(false);
    expect(
      await page.$$eval("[data-turn-role=User] ms-file-chunk", (els) =>
        els.map((e) => e.textContent),
      ),
    ).toEqual(["small.png", "report.pdf"]);
  });

  it("clears the chips on a new chat", async () => {
    const png = writeFixture(dir, "x.png", solidPng(3, 3, [9, 9, 9]));
    await uploadFiles(page, ui, [png]);
    await waitForChips(page, ui, 1);
    await newChat(page, ui);
    await page.waitForFunction((sel) => document.querySelector(sel) === null, POLL, MEDIA.chip[ui]);
    expect(await has("footer .media-chip-pending")).toBe(false);
  });
});
