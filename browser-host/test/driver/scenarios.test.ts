import type { Browser } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../../shared/test-support/until.js";
import { Lane } from "../../src/lane.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { failureOf, hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * The driver against every simulator scenario, for every UI generation: the right events, or
 * the right error code.
 */

describe.each(["2026-08", "2026", "2025"] as const)("driver on UI %s", (ui) => {
  let sim: Simulator;
  let browser: Browser;
  let lane: Lane;
  const scenario = (body: Record<string, unknown>) =>
    fetch(`${sim.url}/__sim/scenario`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sim = await startSimulator({ ui, pace: { paceMs: 2, chunkChars: 64 } });
    browser = await launchChromium();
    lane = new Lane(0, hostConfig(sim.url), quietLog);
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });
  afterEach(async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  });
  const last = () => sim.state.requests.at(-1)!;

  it("plain: the text as streamed, finish stop, usage from the wire", async () => {
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "Plain please", reasoningEffort: "none" }),
    );
    expect(sink.started_).toBe(true);
    expect(sink.text).toBe(last().answer!.text);
    expect(sink.thoughts).toBe("");
    expect(sink.finish).toBe("stop");
    expect(sink.usage).toMatchObject({
      promptTokens: expect.any(Number),
      completionTokens: expect.any(Number),
      totalTokens: expect.any(Number),
    });
    expect(sink.deltas).toBeGreaterThan(1);
  });

  it("thinking: thoughts as thought deltas, then the answer", async () => {
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "[[sim:thinking]] think first" }),
    );
    expect(sink.thoughts).toBe(last().answer!.thoughts);
    expect(sink.thoughts.length).toBeGreaterThan(10);
    expect(sink.text).toBe(last().answer!.text);
    expect(sink.usage!.reasoningTokens).toBeGreaterThan(0);
  });

  it("function call: a tool call with JSON arguments and a stable id, finish tool_calls", async () => {
    const tools = [
      {
        name: "lookup",
        description: "Looks things up",
        parameters: { type: "object", properties: { term: { type: "string" } } },
      },
    ];
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "Please lookup tides", tools, reasoningEffort: "none" }, "job_fc"),
    );
    expect(sink.calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_/),
        name: "lookup",
        arguments: JSON.stringify({ term: "term value" }),
      },
    ]);
    expect(sink.finish).toBe("tool_calls");
    expect(sink.text).toBe("");
  });

  it("structured output: JSON text that follows the schema", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, population: { type: "integer" } },
    };
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({
        prompt: "A city as JSON",
        responseFormat: { type: "json_schema", name: "city", schema },
        reasoningEffort: "none",
      }),
    );
    expect(JSON.parse(sink.text)).toEqual({ city: "Paris", population: 42 });
    expect(last().request.responseSchema).toEqual(schema);
  });

  it("long answer: more than 100 KB, intact", async () => {
    await scenario({ scenario: "long", chunkChars: 8192, paceMs: 0 });
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "Go long", reasoningEffort: "none" }),
    );
    expect(sink.text.length).toBeGreaterThanOrEqual(100 * 1024);
    expect(sink.text).toBe(last().answer!.text);
  });

  it.each([
    ["quota", "upstream_quota", true],
    ["rate_limit", "upstream_quota", true],
    ["internal_error", "upstream_error", true],
    ["permission_denied", "upstream_permission", false],
    ["blocked", "upstream_blocked", false],
  ] as const)("%s → %s", async (name, code, retryable) => {
    await scenario({ scenario: name });
    const err = await failureOf(
      lane,
      browser,
      jobFrame({ prompt: `trigger ${name}`, reasoningEffort: "none" }),
    );
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
  });

  it("stall → upstream_stalled after the stall timeout, and the lane works again", async () => {
    await scenario({ scenario: "stall", stallAfterChunks: 1 });
    const err = await failureOf(
      lane,
      browser,
      jobFrame({ prompt: "stall here", reasoningEffort: "none" }),
    );
    expect(err.code).toBe("upstream_stalled");
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "after the stall", reasoningEffort: "none" }),
    );
    expect(sink.text).toBe(last().answer!.text);
  });

  it("sign-in redirect → auth_expired, with the remedy", async () => {
    await scenario({ scenario: "signin_redirect" });
    const err = await failureOf(
      lane,
      browser,
      jobFrame({ prompt: "who am I", reasoningEffort: "none" }),
    );
    expect(err.code).toBe("auth_expired");
    expect(err.message).toContain("npm run auth -- login");
    // The login stays gone: loading the page again is also refused, quickly.
    const again = await failureOf(
      lane,
      browser,
      jobFrame({ prompt: "again", reasoningEffort: "none" }),
    );
    expect(again.code).toBe("auth_expired");
  });

  it("a page that stops responding: the job ends (answer complete from the network, or upstream_stalled) and the next job gets a fresh page", async () => {
    await scenario({ scenario: "hang" });
    const frozen = lane.page;
    // The network may deliver the whole answer even though the page's thread is stuck: reading
    // from the network is the point. Either way the job must end, and not on a hung lane.
    const outcome = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "freeze", reasoningEffort: "none" }),
    ).then(
      (sink) => ({ text: sink.text, code: null as string | null }),
      (err: { code: string }) => ({ text: "", code: err.code }),
    );
    if (outcome.code === null) expect(outcome.text).toBe(last().answer!.text);
    else expect(outcome.code).toBe("upstream_stalled");
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "alive again", reasoningEffort: "none" }),
    );
    expect(sink.text).toBe(last().answer!.text);
    expect(lane.page).not.toBe(frozen);
  });

  it("cancel: Stop is pressed, the request ends, and the lane takes the next job", async () => {
    await scenario({ scenario: "slow", paceMs: 200, chunkChars: 8 });
    const controller = new AbortController();
    const running = failureOf(
      lane,
      browser,
      jobFrame({ prompt: "slowly", reasoningEffort: "none" }),
      controller.signal,
    );
    await until(() => sim.state.requests.length > 0, "the job's GenerateContent request", 30_000);
    controller.abort("client disconnected");
    const err = await running;
    expect(err.code).toBe("cancelled");
    expect(sim.state.requests[0]!.aborted).toBe(true);
    const sink = await runOnLane(
      lane,
      browser,
      jobFrame({ prompt: "next one", reasoningEffort: "none" }),
    );
    expect(sink.finish).toBe("stop");
  });

  it("a 1 MB prompt goes through", async () => {
    const prompt = `${"lorem ipsum dolor sit amet ".repeat(40_000)}END`;
    const sink = await runOnLane(lane, browser, jobFrame({ prompt, reasoningEffort: "none" }));
    expect(last().request.contents.at(-1)!.text).toBe(prompt);
    expect(sink.text).toBe(last().answer!.text);
  });
});
