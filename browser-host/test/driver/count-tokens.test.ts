import { createHash } from "node:crypto";
import type { Browser } from "puppeteer-core";
import type { JobRequest } from "@aistudio-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedText } from "../../src/driver/count-job.js";
import { renderPrompt } from "../../src/driver/prompt-render.js";
import { Lane } from "../../src/lane.js";
import { tokensOf } from "../../simulator/answers.js";
import { simulatedImage } from "../../simulator/media-answers.js";
import { fileTokens } from "../../simulator/media-rules.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { failureOf, hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * Count-only jobs on a real page: the driver puts the job in as for a run, reads the page's own
 * CountTokens answer, and never presses Run. The simulator counts what it is given (text as
 * `tokensOf`, files as `fileTokens`), so the expected count is computed here from what the job
 * puts in; it records every GenerateContent, so "no Run" is "no new record".
 */

const PNG = simulatedImage("a blue square to count", "1:1").png;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const TOOLS: JobRequest["tools"] = [
  {
    name: "lookup_order",
    description: "Finds an order by its number.",
    parameters: { type: "OBJECT", properties: { number: { type: "STRING" } } },
  },
];

describe("count-only jobs on UI 2026-08 (the page counts as the prompt changes)", () => {
  let sim: Simulator;
  let browser: Browser;
  let lane: Lane;

  beforeAll(async () => {
    sim = await startSimulator({ ui: "2026-08", pace: { paceMs: 0, chunkChars: 400 } });
    browser = await launchChromium();
    lane = new Lane(0, hostConfig(sim.url), quietLog);
    await lane.open(browser);
  });
  afterAll(async () => {
    await lane?.close();
    await browser?.close();
    await sim?.close();
  });

  const promptBox = () =>
    lane.page!.$eval("ms-prompt-box textarea, textarea", (t) => (t as HTMLTextAreaElement).value);
  const chips = () => lane.page!.$$eval('button[aria-label="Remove media"]', (b) => b.length);

  it("answers the page's count of instructions, conversation and declarations, and presses no Run", async () => {
    const job = jobFrame({
      // Another model than the lane's page shows: the count is of the job's model.
      model: "gemini-2.5-pro",
      countTokens: true,
      messages: [
        { role: "system", content: "Answer like a pirate." },
        { role: "user", content: "Where is my order?" },
        { role: "assistant", content: "Which order number?" },
        { role: "user", content: "Number 4711, please look it up." },
      ],
      tools: TOOLS,
    });
    const before = sim.state.requests.length;
    const out = await runOnLane(lane, browser, job);

    // What the page's CountTokens leaves out is written into the counted text instead.
    const counted = countedText(job.request);
    expect(counted).toBe(
      ["Answer like a pirate.", renderPrompt(job.request), JSON.stringify(TOOLS[0])].join("\n\n"),
    );
    const expected = tokensOf(counted);
    expect(out.finish).toBe("stop");
    expect(out.usage).toEqual({
      promptTokens: expected,
      completionTokens: 0,
      totalTokens: expected,
    });
    expect(out.text).toBe("");
    expect(sim.state.requests.length).toBe(before);
    expect(await promptBox()).toBe("");
    expect(lane.page!.url()).toContain("model=gemini-2.5-pro");
  });

  it("counts the job's files with its text, and removes them from the prompt box after", async () => {
    const job = jobFrame({
      countTokens: true,
      messages: [
        {
          role: "user",
          content: "How many tokens is this picture?",
          attachments: [
            {
              kind: "image",
              mimeType: "image/png",
              filename: "square.png",
              bytes: PNG.length,
              sha256: sha(PNG),
            },
          ],
        },
      ],
    });
    const before = sim.state.requests.length;
    const out = await runOnLane(lane, browser, job, undefined, [PNG]);

    const expected = tokensOf(countedText(job.request)) + fileTokens("image/png", PNG.length);
    expect(out.usage?.promptTokens).toBe(expected);
    expect(sim.state.requests.length).toBe(before);
    expect(await chips()).toBe(0);
    expect(await promptBox()).toBe("");
  });

  it("leaves the lane clean: the next real job runs and sends only its own prompt", async () => {
    await runOnLane(lane, browser, jobFrame({ countTokens: true, prompt: "Count this first." }));
    const before = sim.state.requests.length;
    const out = await runOnLane(lane, browser, jobFrame({ prompt: "Now really answer me." }));

    expect(sim.state.requests.length).toBe(before + 1);
    const sent = sim.state.requests.at(-1)!;
    expect(sent.request.contents).toEqual([{ role: "user", text: "Now really answer me." }]);
    expect(out.text).toBe(sent.answer!.text);
    expect(out.finish).toBe("stop");
  });
});

describe("count-only jobs on UI 2026 (the page counts only on Run)", () => {
  let sim: Simulator;
  let browser: Browser;
  let lane: Lane;

  beforeAll(async () => {
    sim = await startSimulator({ ui: "2026", pace: { paceMs: 0, chunkChars: 400 } });
    browser = await launchChromium();
    lane = new Lane(0, hostConfig(sim.url), quietLog);
    await lane.open(browser);
  });
  afterAll(async () => {
    await lane?.close();
    await browser?.close();
    await sim?.close();
  });

  it("fails the job as unsupported rather than press Run, so the Worker estimates", async () => {
    const failure = await failureOf(
      lane,
      browser,
      jobFrame({ countTokens: true, prompt: "Count me if you can." }),
    );
    expect(failure).toMatchObject({ code: "upstream_unsupported", retryable: false });
    expect(sim.state.requests.length).toBe(0);
  });
});
