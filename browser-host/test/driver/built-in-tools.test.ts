import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codePartText } from "../../src/driver/code-execution-text.js";
import { SELECTORS } from "../../src/driver/selectors.js";
import { Lane } from "../../src/lane.js";
import { codeExecutionAnswer, urlContextAnswer } from "../../simulator/answers.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { ANSWER_SCHEMA, WEATHER_TOOL } from "./fixtures.js";
import { CollectingSink, failureOf, hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * URL context and code execution on the 2026-08 page (facts §9): their switches sit in the
 * collapsed Tools group, and while one is on the page disables function calling and structured
 * outputs (and the other way round). A job that asks for a tool gets its switch on and the tool
 * in the request; the code the model ran and its output reach the job's text; a job that wants
 * a tool together with function calling or a schema is refused before Run.
 */

describe("URL context and code execution on UI 2026-08", () => {
  let sim: Simulator;
  let browser: Browser;
  let lane: Lane;
  const last = () => sim.state.requests.at(-1)!.request;
  /** What the page's switch shows now, read from the page itself. */
  const switchOn = (css: string) =>
    lane.page!.$eval(css, (e) => e.getAttribute("aria-checked") === "true");
  const CODE_SWITCH = SELECTORS.codeExecution.candidates[0]!.css;
  const URL_SWITCH = SELECTORS.urlContext.candidates[0]!.css;

  beforeAll(async () => {
    sim = await startSimulator({ ui: "2026-08", pace: { paceMs: 0, chunkChars: 40 } });
    browser = await launchChromium();
    lane = new Lane(0, hostConfig(sim.url), quietLog);
  });
  afterAll(async () => {
    await lane?.close();
    await browser?.close();
    await sim?.close();
  });

  it("turns URL context on for a job that asks, and the answer says what it fetched", async () => {
    const prompt = "What does https://example.com/docs/page say?";
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ model: "gemini-2.5-flash", prompt, urlContext: true }),
    );
    expect(last().tools).toEqual({
      googleSearch: false,
      codeExecution: false,
      urlContext: true,
      functions: [],
    });
    expect(await switchOn(URL_SWITCH)).toBe(true);
    expect(sink.text).toBe(urlContextAnswer("gemini-2.5-flash", prompt));
    expect(sink.text).toMatch(/^Fetched https:\/\/example\.com\/docs\/page with URL context\./);
    expect(sink.finish).toBe("stop");
  });

  it("runs code with code execution on: the code and its output reach the text as fenced blocks", async () => {
    const prompt = "Please compute a sum for me";
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ model: "gemini-2.5-flash", prompt, codeExecution: true }),
    );
    // URL context, which this job did not ask for, went off again.
    expect(last().tools).toEqual({
      googleSearch: false,
      codeExecution: true,
      urlContext: false,
      functions: [],
    });
    expect(await switchOn(CODE_SWITCH)).toBe(true);
    expect(await switchOn(URL_SWITCH)).toBe(false);
    const answer = codeExecutionAnswer(prompt);
    const code = codePartText(
      { type: "executable_code", language: "python", code: answer.code },
      answer.lead,
    );
    const output = codePartText(
      { type: "code_result", outcome: "ok", output: answer.output },
      code,
    );
    expect(sink.text).toBe(`${answer.lead}${code}${output}${answer.text}`);
    expect(sink.text).toContain("```python\nnumbers = range(1, ");
    expect(sink.text).toContain(`\`\`\`output\n${answer.output}\`\`\`\n`);
    expect(sink.finish).toBe("stop");
    expect(sink.usage?.completionTokens).toBeGreaterThan(0);
  });

  it("turns both tools off for the next job that does not ask for them", async () => {
    await runOnLane(lane, browser, jobFrame({ model: "gemini-2.5-flash", prompt: "Run nothing" }));
    expect(last().tools).toMatchObject({ codeExecution: false, urlContext: false });
    expect(await switchOn(CODE_SWITCH)).toBe(false);
  });

  it("keeps Google Search beside code execution on 3 Flash only when the job wants it", async () => {
    const job = (googleSearch: boolean) =>
      jobFrame({
        model: "gemini-3-flash-preview",
        prompt: "Execute a quick check",
        codeExecution: true,
        googleSearch,
      });
    // Search is on by default for Gemini 3: this job turns it off and code execution on.
    await runOnLane(lane, browser, job(false));
    expect(last()).toMatchObject({ model: "gemini-3-flash-preview" });
    expect(last().tools).toMatchObject({ googleSearch: false, codeExecution: true });
    // The built-in tools do not exclude each other.
    await runOnLane(lane, browser, job(true));
    expect(last().tools).toMatchObject({ googleSearch: true, codeExecution: true });
  });

  it("refuses function calling with code execution, and a schema with URL context, before Run", async () => {
    const before = sim.state.requests.length;
    const calls = await failureOf(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "Call get_weather and compute",
        tools: [WEATHER_TOOL],
        codeExecution: true,
      }),
    );
    expect(calls).toMatchObject({ code: "upstream_unsupported", retryable: false });
    expect(calls.message).toMatch(/does not allow .* together with /);
    expect(calls.message).toMatch(/function calling/);
    expect(calls.message).toMatch(/code execution/);

    const schema = await failureOf(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "JSON about https://example.com",
        responseFormat: { type: "json_schema", name: "a", schema: ANSWER_SCHEMA },
        urlContext: true,
      }),
    );
    expect(schema).toMatchObject({ code: "upstream_unsupported", retryable: false });
    expect(schema.message).toMatch(/structured output/);
    expect(schema.message).toMatch(/URL context/);
    expect(sim.state.requests.length).toBe(before);

    // The lane is not stuck with the half-applied tools: function calling alone works next.
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({
        model: "gemini-2.5-flash",
        prompt: "Call get_weather for Rome",
        tools: [WEATHER_TOOL],
      }),
    );
    expect(last().tools).toMatchObject({
      codeExecution: false,
      urlContext: false,
      functions: [WEATHER_TOOL],
    });
    expect(sink.calls.map((c) => c.name)).toEqual(["get_weather"]);
  });

  describe("a page without the code execution switch", () => {
    const gone = SELECTORS.codeExecution.candidates.map((c) => c.css);
    const hide = (selectors: string[]) => {
      const sweep = () => {
        for (const css of selectors) for (const el of document.querySelectorAll(css)) el.remove();
      };
      sweep();
      new MutationObserver(sweep).observe(document, { childList: true, subtree: true });
    };
    const codeJob = () =>
      jobFrame({ model: "gemini-2.5-flash", prompt: "Compute it", codeExecution: true, topP: 0.4 });

    it("fails the job naming the control (strict)", async () => {
      const strict = new Lane(1, hostConfig(sim.url, { PAGE_TIMEOUT_MS: "4000" }), quietLog);
      try {
        await strict.open(browser);
        await strict.page!.evaluateOnNewDocument(hide, gone);
        await strict.page!.evaluate(hide, gone);
        const err = await failureOf(strict, browser, codeJob());
        expect(err).toMatchObject({ code: "upstream_ui_changed", retryable: false });
        expect(err.message).toContain("the code execution control");
      } finally {
        await strict.close();
      }
    });

    it("runs without it in lenient mode and says so by the request's name for it", async () => {
      const lenient = new Lane(
        2,
        hostConfig(sim.url, { PAGE_TIMEOUT_MS: "4000", SETTINGS_MODE: "lenient" }),
        quietLog,
      );
      try {
        await lenient.open(browser);
        await lenient.page!.evaluateOnNewDocument(hide, gone);
        await lenient.page!.evaluate(hide, gone);
        const dropped: string[][] = [];
        const sink = new CollectingSink();
        await lenient.run(
          browser,
          codeJob(),
          (event) => {
            if (event.t === "settings_dropped") dropped.push(event.settings);
            sink.sink(event);
          },
          new AbortController().signal,
        );
        expect(dropped).toEqual([["tools.code_execution"]]);
        expect(last()).toMatchObject({ topP: 0.4, tools: { codeExecution: false } });
        expect(sink.text).not.toContain("```python");
        expect(sink.finish).toBe("stop");
      } finally {
        await lenient.close();
      }
    });
  });
});
