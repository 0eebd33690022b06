import type { Browser } from "puppeteer-core";
import { ChatCompletionRequestSchema, toJobRequest } from "@aistudio-edge/shared";
import { CLIENT_SCHEMAS } from "../../../shared/test-support/client-schemas.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SELECTORS } from "../../src/driver/selectors.js";
import { Lane } from "../../src/lane.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { ANSWER_SCHEMA, EVERY_SETTING, WEATHER_TOOL, everySettingSent } from "./fixtures.js";
import { CollectingSink, failureOf, hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * The driver against the page of 2026-08 (facts §9) from a fresh profile with every first-run
 * overlay present: collapsed Tools and Advanced groups, decimal number boxes, the chip input for
 * stop sequences, function calling disabled while Google Search is on (and Search on by default
 * for 3 Flash), the temporary-chat menu left open, dialogs that refuse unknown schema keys, and
 * a token count that makes Run ignore presses for long prompts.
 */

describe("driver on UI 2026-08", () => {
  let sim: Simulator;
  let browser: Browser;
  const last = () => sim.state.requests.at(-1)!.request;
  /** A lane on a profile of its own (a fresh browser context), so every first-run overlay shows. */
  const freshLane = async (extra: Record<string, string> = {}, index = 0) => {
    const lane = new Lane(index, hostConfig(sim.url, extra), quietLog);
    await lane.open(browser);
    return lane;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      ui: "2026-08",
      firstRun: "all",
      pace: { paceMs: 0, chunkChars: 200 },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });

  it("every run setting reaches the request, through the collapsed groups and the overlays", async () => {
    const lane = await freshLane();
    try {
      await runOnLane(lane, browser, jobFrame(EVERY_SETTING));
      expect(last()).toMatchObject(everySettingSent(false));
      // Google Search on its own, then structured output: each switch turns the other off first.
      await runOnLane(
        lane,
        browser,
        jobFrame({ model: "gemini-2.5-flash", prompt: "Search", googleSearch: true }),
      );
      expect(last().tools).toMatchObject({ googleSearch: true, functions: [] });
      const schema = ANSWER_SCHEMA;
      await runOnLane(
        lane,
        browser,
        jobFrame({
          model: "gemini-2.5-flash",
          prompt: "JSON",
          responseFormat: { type: "json_schema", name: "a", schema },
        }),
      );
      expect(last()).toMatchObject({
        responseMimeType: "application/json",
        responseSchema: schema,
        tools: { googleSearch: false },
      });
      // The temporary chat menu was closed again: nothing is left over the page.
      expect(await lane.page!.$('.cdk-overlay-pane [role="menu"]')).toBeNull();
    } finally {
      await lane.close();
    }
  });

  it("function calling on 3 Flash, where Google Search is on by default and disables it", async () => {
    const lane = await freshLane();
    try {
      const sink = await runOnLane(
        lane,
        browser,
        jobFrame({
          model: "gemini-3-flash-preview",
          prompt: "Call get_weather for Rome",
          tools: [WEATHER_TOOL],
        }),
      );
      expect(last()).toMatchObject({ model: "gemini-3-flash-preview" });
      expect(last().tools).toMatchObject({ googleSearch: false, functions: [WEATHER_TOOL] });
      expect(sink.calls.map((c) => c.name)).toEqual(["get_weather"]);
      // A thinking level is set on the same page.
      await runOnLane(
        lane,
        browser,
        jobFrame({ model: "gemini-3-flash-preview", prompt: "Low", reasoningEffort: "low" }),
      );
      expect(last().thinking).toMatchObject({ level: "low" });
    } finally {
      await lane.close();
    }
  });

  it("function calling together with Google Search is refused as a combination the page lacks", async () => {
    const lane = await freshLane({ PAGE_TIMEOUT_MS: "8000" });
    try {
      const before = sim.state.requests.length;
      const err = await failureOf(
        lane,
        browser,
        jobFrame({
          model: "gemini-2.5-flash",
          prompt: "both",
          googleSearch: true,
          tools: [WEATHER_TOOL],
        }),
      );
      expect(err).toMatchObject({ code: "upstream_unsupported", retryable: false });
      expect(err.message).toMatch(/does not allow .* together with /);
      expect(err.message).toMatch(/Google Search/);
      expect(err.message).toMatch(/function calling/);
      expect(sim.state.requests.length).toBe(before);
    } finally {
      await lane.close();
    }
  });

  it("a 200 KB prompt is run once the page has counted it", async () => {
    const lane = await freshLane();
    try {
      const prompt = `${"lorem ipsum dolor sit amet ".repeat(7_600)}\nEnd.`;
      expect(prompt.length).toBeGreaterThan(200_000);
      const sink = await runOnLane(
        lane,
        browser,
        jobFrame({ model: "gemini-2.5-flash", prompt, reasoningEffort: "none" }),
      );
      expect(sink.finish).toBe("stop");
      expect(last().contents.at(-1)!.text).toBe(prompt);
    } finally {
      await lane.close();
    }
  });

  it("system instructions a reload brings back from the presets are cleared for the next job", async () => {
    const lane = await freshLane();
    try {
      await runOnLane(
        lane,
        browser,
        jobFrame({
          model: "gemini-2.5-flash",
          messages: [
            { role: "system", content: "Secret instructions of client A." },
            { role: "user", content: "Hi" },
          ],
        }),
      );
      expect(last().systemInstruction).toBe("Secret instructions of client A.");
      // Another model reloads the page, which restores the preset; then back to the first.
      await runOnLane(lane, browser, jobFrame({ model: "gemini-3-flash-preview", prompt: "B" }));
      expect(last().systemInstruction).toBeNull();
      await runOnLane(lane, browser, jobFrame({ model: "gemini-2.5-flash", prompt: "C" }));
      expect(last().systemInstruction).toBeNull();
    } finally {
      await lane.close();
    }
  });

  it("a schema the dialog refuses fails at once with the dialog's words", async () => {
    // A page timeout longer than the test's: waiting the refusal out could not pass.
    const lane = await freshLane({ PAGE_TIMEOUT_MS: "150000" });
    try {
      const err = await failureOf(
        lane,
        browser,
        jobFrame({
          model: "gemini-2.5-flash",
          prompt: "raw",
          tools: [
            {
              name: "raw",
              parameters: { type: "object", additionalProperties: false, properties: {} },
            },
          ],
        }),
      );
      expect(err).toMatchObject({ code: "upstream_ui_changed" });
      expect(err.message).toMatch(/refused the JSON: .*Unknown key/);
    } finally {
      await lane.close();
    }
  });

  it("chooses the model in the model selection dialog when the URL and preference do not", async () => {
    const lane = await freshLane();
    try {
      // As if AI Studio stopped reading ?model= and the stored preference.
      const ignoreModelChoice = () => {
        const get = URLSearchParams.prototype.get;
        URLSearchParams.prototype.get = function (this: URLSearchParams, key: string) {
          return key === "model" ? null : get.call(this, key);
        };
        const getItem = Storage.prototype.getItem;
        Storage.prototype.getItem = function (this: Storage, key: string) {
          const value = getItem.call(this, key);
          if (key !== "aiStudioUserPreference" || value === null) return value;
          const prefs = JSON.parse(value) as Record<string, unknown>;
          delete prefs.promptModel;
          return JSON.stringify(prefs);
        };
      };
      await lane.page!.evaluateOnNewDocument(ignoreModelChoice);
      await runOnLane(lane, browser, jobFrame({ model: "gemini-3-pro-preview", prompt: "Pro" }));
      expect(last().model).toBe("gemini-3-pro-preview");
    } finally {
      await lane.close();
    }
  });

  describe("client schemas, converted at the door, are accepted by the page's dialogs", () => {
    let lane: Lane;
    beforeAll(async () => {
      lane = await freshLane({}, 5);
    });
    afterAll(async () => {
      await lane?.close();
    });

    it.each(Object.entries(CLIENT_SCHEMAS))("%s", async (name, schema) => {
      const request = toJobRequest(
        ChatCompletionRequestSchema.parse({
          model: "gemini-2.5-flash",
          messages: [{ role: "user", content: `schema ${name}` }],
          tools: [
            { type: "function", function: { name: "read_it", parameters: schema, strict: true } },
          ],
        }),
      );
      await runOnLane(lane, browser, { ...jobFrame({}), request });
      expect(last().tools.functions).toEqual([
        { name: "read_it", parameters: request.tools[0]!.parameters },
      ]);
      const asFormat = toJobRequest(
        ChatCompletionRequestSchema.parse({
          model: "gemini-2.5-flash",
          messages: [{ role: "user", content: `format ${name}` }],
          response_format: { type: "json_schema", json_schema: { name, schema, strict: true } },
        }),
      );
      await runOnLane(lane, browser, { ...jobFrame({}), request: asFormat });
      expect(last()).toMatchObject({
        responseMimeType: "application/json",
        responseSchema: (asFormat.responseFormat as { schema: unknown }).schema,
      });
    });
  });

  describe("a control the page no longer has", () => {
    const gone = SELECTORS.stopInput.candidates.map((c) => c.css);
    const hide = (selectors: string[]) => {
      const sweep = () => {
        for (const css of selectors) for (const el of document.querySelectorAll(css)) el.remove();
      };
      sweep();
      new MutationObserver(sweep).observe(document, { childList: true, subtree: true });
    };
    const stopJob = () =>
      jobFrame({ model: "gemini-2.5-flash", prompt: "Stop at X", stop: ["X"], topP: 0.5 });

    it("fails the job naming it (strict, the default)", async () => {
      const lane = await freshLane({ PAGE_TIMEOUT_MS: "4000" });
      try {
        await lane.page!.evaluateOnNewDocument(hide, gone);
        await lane.page!.evaluate(hide, gone);
        const err = await failureOf(lane, browser, stopJob());
        expect(err).toMatchObject({ code: "upstream_ui_changed", retryable: false });
        expect(err.message).toContain("the stop sequences control");
      } finally {
        await lane.close();
      }
    });

    it("is dropped and reported in lenient mode; the rest is applied", async () => {
      const lane = await freshLane({ PAGE_TIMEOUT_MS: "4000", SETTINGS_MODE: "lenient" });
      try {
        await lane.page!.evaluateOnNewDocument(hide, gone);
        await lane.page!.evaluate(hide, gone);
        const events: string[][] = [];
        const sink = new CollectingSink();
        await lane.run(
          browser,
          stopJob(),
          (event) => {
            if (event.t === "settings_dropped") events.push(event.settings);
            sink.sink(event);
          },
          new AbortController().signal,
        );
        expect(events).toEqual([["stop"]]);
        expect(sink.finish).toBe("stop");
        expect(last()).toMatchObject({ topP: 0.5, stopSequences: [] });
        // The next job with the same wish is told again.
        const again: string[][] = [];
        await lane.run(
          browser,
          stopJob(),
          (event) => {
            if (event.t === "settings_dropped") again.push(event.settings);
          },
          new AbortController().signal,
        );
        expect(again).toEqual([["stop"]]);
        // A job that wants no stop sequence is not told about the control it did not ask for.
        const plain: string[][] = [];
        await lane.run(
          browser,
          jobFrame({ model: "gemini-2.5-flash", prompt: "no stop", topP: 0.5 }),
          (event) => {
            if (event.t === "settings_dropped") plain.push(event.settings);
          },
          new AbortController().signal,
        );
        expect(plain).toEqual([]);
      } finally {
        await lane.close();
      }
    });
  });
});
