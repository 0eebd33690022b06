import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withOverrides, type SelectorCatalog } from "../../src/driver/selector-overrides.js";
import { SELECTORS } from "../../src/driver/selectors.js";
import { Lane } from "../../src/lane.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { ANSWER_SCHEMA, EVERY_SETTING, everySettingSent } from "./fixtures.js";
import { hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * What a job asks for is exactly what the page sends, for both UI generations; and a second job
 * with the same settings touches no control.
 */

describe.each(["2026", "2025"] as const)("run settings on UI %s", (ui) => {
  let sim: Simulator;
  let browser: Browser;
  let lane: Lane;

  beforeAll(async () => {
    sim = await startSimulator({ ui, pace: { paceMs: 0, chunkChars: 200 } });
    browser = await launchChromium();
    lane = new Lane(0, hostConfig(sim.url), quietLog);
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  const last = () => sim.state.requests.at(-1)!.request;

  const full = jobFrame({ ...EVERY_SETTING, googleSearch: true });

  it("sends temperature, top-P, max tokens, stop, thinking budget, system instructions and functions", async () => {
    await runOnLane(lane, browser, full);
    expect(last()).toMatchObject({ ...everySettingSent(true), responseMimeType: null });
    expect(last().contents).toEqual([{ role: "user", text: "Weather in Rome?" }]);
  });

  it("does no UI work the second time when the settings are the same", async () => {
    const page = lane.page!;
    await page.evaluate(() => {
      const w = window as unknown as { settingsTouched: number };
      w.settingsTouched = 0;
      for (const type of ["change", "click"]) {
        document.addEventListener(
          type,
          (e) => {
            // Settings controls and their pop-ups; the New chat dialog is not a setting.
            const settings =
              "ms-run-settings, ms-prompt-run-settings, [role='listbox'], ms-text-editor, .system-instructions-panel, ms-system-instructions";
            if ((e.target as Element).closest(settings)) w.settingsTouched += 1;
          },
          true,
        );
      }
    });
    await runOnLane(lane, browser, { ...full, jobId: "job_again" });
    expect(
      await page.evaluate(() => (window as unknown as { settingsTouched: number }).settingsTouched),
    ).toBe(0);
    expect(last()).toMatchObject({
      temperature: 0.25,
      topP: 0.6,
      maxOutputTokens: 777,
      stopSequences: ["STOP1", "###"],
    });
  });

  it("a job that asks for no setting needs no setting control on a fresh lane", async () => {
    const fresh = new Lane(1, hostConfig(sim.url, { PAGE_TIMEOUT_MS: "5000" }), quietLog);
    try {
      await fresh.open(browser);
      const page = fresh.page!;
      // The temperature control is gone (as after a UI change), in this document and any next one.
      const gone = SELECTORS.temperature.candidates.map((c) => c.css);
      const hide = (selectors: string[]) => {
        const sweep = () => {
          for (const css of selectors) for (const el of document.querySelectorAll(css)) el.remove();
        };
        sweep();
        new MutationObserver(sweep).observe(document, { childList: true, subtree: true });
      };
      await page.evaluateOnNewDocument(hide, gone);
      await page.evaluate(hide, gone);
      // The old driver took a fresh page's settings as unknown, drove every control, and failed
      // this plain "hello" on the missing one.
      const sink = await runOnLane(
        fresh,
        browser,
        jobFrame({ model: "gemini-2.5-flash", prompt: "hello" }, "job_plain"),
      );
      expect(sink.finish).toBe("stop");
      expect(last()).toMatchObject({ model: "gemini-2.5-flash", stopSequences: [] });
      expect(last().tools).toMatchObject({ googleSearch: false, functions: [] });
      // Gemini 3 starts with Google Search on: a job that did not ask for it must not be grounded.
      await runOnLane(
        fresh,
        browser,
        jobFrame({ model: "gemini-3-flash-preview", prompt: "plain 3" }, "job_plain3"),
      );
      expect(last()).toMatchObject({ model: "gemini-3-flash-preview" });
      expect(last().tools).toMatchObject({ googleSearch: false });
      // A job that does ask for a temperature still needs the control, and says which is missing.
      const err = await runOnLane(
        fresh,
        browser,
        jobFrame({ model: "gemini-2.5-flash", prompt: "warm", temperature: 0.3 }, "job_warm"),
      ).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toMatchObject({ code: "upstream_ui_changed", retryable: false });
      expect(err?.message).toContain("the temperature control");
    } finally {
      await fresh.close();
    }
  });

  it("a renamed control is found through SELECTORS_FILE's candidates, which are tried first", async () => {
    const builtIns = SELECTORS.temperature.candidates.map((c) => c.css);
    // The page renames the temperature box (as a UI change would): no built-in candidate matches.
    const rename = (selectors: string[]) => {
      const sweep = () => {
        for (const css of selectors) {
          for (const el of document.querySelectorAll(css)) {
            el.setAttribute("data-renamed", "temperature");
            el.setAttribute("type", "text");
            el.classList.remove("slider-number-input");
            el.removeAttribute("max");
            el.removeAttribute("aria-valuemax");
          }
        }
      };
      sweep();
      new MutationObserver(sweep).observe(document, { childList: true, subtree: true });
    };
    const overrides = withOverrides({
      version: 1,
      candidates: { temperature: ['input[data-renamed="temperature"]'] },
    });
    const renamed = async (catalog?: SelectorCatalog) => {
      const l = new Lane(
        2,
        hostConfig(sim.url, { PAGE_TIMEOUT_MS: "5000" }),
        quietLog,
        undefined,
        catalog,
      );
      await l.open(browser);
      await l.page!.evaluateOnNewDocument(rename, builtIns);
      await l.page!.evaluate(rename, builtIns);
      return l;
    };
    const warm = () =>
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "warm",
        temperature: 0.3,
        reasoningEffort: "none",
      });

    const plain = await renamed();
    try {
      const err = await runOnLane(plain, browser, warm()).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toMatchObject({ code: "upstream_ui_changed" });
      expect(err?.message).toContain("the temperature control");
    } finally {
      await plain.close();
    }
    const fixed = await renamed(overrides);
    try {
      await runOnLane(fixed, browser, warm());
      expect(last().temperature).toBe(0.3);
      expect(fixed.matchedSelector("temperature")).toEqual({
        css: 'input[data-renamed="temperature"]',
        source: "override",
      });
    } finally {
      await fixed.close();
    }
  });

  it("changes only what differs, and clears what the next job does not ask for", async () => {
    await runOnLane(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "Plain now",
        temperature: 0.25,
        reasoningEffort: "none",
      }),
    );
    expect(last()).toMatchObject({
      systemInstruction: null,
      temperature: 0.25,
      topP: 0.95,
      maxOutputTokens: 65536,
      stopSequences: [],
      thinking: { includeThoughts: false, budget: 0, level: null },
      tools: { googleSearch: false, functions: [] },
    });
  });

  it("switches model and sends a thinking level; clamps max tokens to the model's limit", async () => {
    await runOnLane(
      lane,
      browser,
      jobFrame({
        model: "gemini-3-pro-preview",
        prompt: "Level please",
        reasoningEffort: "medium",
        maxOutputTokens: 1_000_000,
      }),
    );
    // 3 Pro offers only low and high: medium rounds up.
    expect(last()).toMatchObject({
      model: "gemini-3-pro-preview",
      thinking: { includeThoughts: true, budget: null, level: "high" },
      maxOutputTokens: 65536,
    });
    await runOnLane(
      lane,
      browser,
      jobFrame({ model: "gemini-3-flash-preview", prompt: "Minimal", reasoningEffort: "minimal" }),
    );
    expect(last()).toMatchObject({
      model: "gemini-3-flash-preview",
      thinking: { level: "minimal" },
    });
  });

  it("sends structured output with the job's schema", async () => {
    const schema = ANSWER_SCHEMA;
    await runOnLane(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "JSON",
        responseFormat: { type: "json_schema", name: "a", schema },
        reasoningEffort: "none",
      }),
    );
    expect(last()).toMatchObject({ responseMimeType: "application/json", responseSchema: schema });
  });

  it("renders a multi-turn conversation into the prompt with role markers", async () => {
    await runOnLane(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        reasoningEffort: "none",
        messages: [
          { role: "user", content: "What is the weather?" },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Rome"}' }],
          },
          { role: "tool", content: '{"temp":21}', toolCallId: "call_1" },
        ],
      }),
    );
    const prompt = last().contents.at(-1)!.text;
    expect(prompt).toContain("[User]\nWhat is the weather?");
    expect(prompt).toContain(
      '[Assistant called tool get_weather (id call_1) with arguments {"city":"Rome"}]',
    );
    expect(prompt).toContain('[Tool result for call call_1]\n{"temp":21}');
  });
});
