import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainAnswer } from "../browser-host/simulator/answers.js";
import { startSimulator, type Simulator } from "../browser-host/simulator/server.js";
import { loadConfig } from "../browser-host/src/config.js";
import { BrowserHost } from "../browser-host/src/host.js";
import { createLogger } from "../browser-host/src/log.js";
import { HOST_TOKEN, createKeyWithCli, startEdge, until } from "./helpers.js";

/*
 * The whole path: the official openai SDK → wrangler dev (Worker + pool) → WebSocket → the
 * browser host with two lanes → real Chromium → the AI Studio simulator, and back as a stream.
 */

const MODEL = "gemini-2.5-flash";
let sim: Simulator;
let edge: Awaited<ReturnType<typeof startEdge>>;
let host: BrowserHost;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ pace: { paceMs: 10, chunkChars: 24 } });
  edge = await startEdge({ STALL_TIMEOUT_MS: "60000" });
  const config = loadConfig({
    POOL_URL: edge.url,
    HOST_TOKEN,
    HOST_ID: "e2e-browser-host",
    LANES: "2",
    AISTUDIO_URL: sim.url,
    PAGE_TIMEOUT_MS: "20000",
    LOG_LEVEL: "warn",
  });
  host = new BrowserHost(config, createLogger("warn"));
  await host.start();
  await until(() => host.snapshot().connected && host.snapshot().lanes === 2, "the host to connect with two lanes", 60_000);
  const { key } = await createKeyWithCli(edge.url, "full-stack", ["--concurrency", "8", "--rpm", "600"]);
  client = new OpenAI({ apiKey: key, baseURL: `${edge.url}/v1`, maxRetries: 0, timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await host?.stop();
  await edge?.cleanup();
  await sim?.close();
});

const last = () => sim.state.requests.at(-1)!;

describe("OpenAI SDK → Worker → browser host → Chromium → simulator", () => {
  it("lists the models the page loaded", async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-2.0-flash"]));
  });

  it("answers without streaming, with the simulator's text", async () => {
    const prompt = "What is the capital of France?";
    const completion = await client.chat.completions.create({ model: MODEL, reasoning_effort: "none", messages: [{ role: "user", content: prompt }] });
    expect(completion.choices[0]!.message.content).toBe(plainAnswer(MODEL, prompt));
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(last().request.thinking).toEqual({ includeThoughts: false, budget: 0, level: null });
  });

  it("streams text and reasoning_content, with system instructions and settings applied", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.4,
      top_p: 0.7,
      messages: [
        { role: "system", content: "Be concise." },
        { role: "user", content: "Explain tides." },
      ],
    });
    let text = "";
    let reasoning = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    const recorded = last();
    expect(text).toBe(recorded.answer!.text);
    expect(text).toBe(plainAnswer(MODEL, "Explain tides."));
    expect(reasoning).toBe(recorded.answer!.thoughts);
    expect(reasoning.length).toBeGreaterThan(20);
    expect(usage!.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(recorded.request).toMatchObject({ systemInstruction: "Be concise.", temperature: 0.4, topP: 0.7, stopSequences: [] });
  });

  it("returns tool calls from native function calling", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
      messages: [{ role: "user", content: "Use get_weather for Paris." }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(call.id).toMatch(/^call_/);
    expect(last().request.tools.functions.map((f) => f.name)).toEqual(["get_weather"]);
  });

  it("stops at max_tokens with finish_reason length", async () => {
    const completion = await client.chat.completions.create({ model: MODEL, reasoning_effort: "none", max_tokens: 10, messages: [{ role: "user", content: "Say a lot." }] });
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.choices[0]!.message.content).toBe(plainAnswer(MODEL, "Say a lot.").slice(0, 40));
    expect(last().request.maxOutputTokens).toBe(10);
  });

  it("serves two concurrent requests on two lanes at once", async () => {
    const before = sim.state.requests.length;
    let finished = 0;
    const ask = (n: number) =>
      client.chat.completions
        .create({ model: MODEL, reasoning_effort: "none", messages: [{ role: "user", content: `[[sim:slow]] parallel ${n}` }] })
        .then((c) => {
          finished += 1;
          return c;
        });
    const both = Promise.all([ask(1), ask(2)]);
    await until(() => sim.state.requests.length >= before + 2, "both requests at the simulator", 30_000);
    expect(finished).toBe(0); // both were generating at the same time
    const [a, b] = await both;
    expect(a.choices[0]!.message.content).toBe(plainAnswer(MODEL, "[[sim:slow]] parallel 1"));
    expect(b.choices[0]!.message.content).toBe(plainAnswer(MODEL, "[[sim:slow]] parallel 2"));
  });

  it("a client abort stops generation in the page and frees the lane", async () => {
    const stream = await client.chat.completions.create({ model: MODEL, reasoning_effort: "none", stream: true, messages: [{ role: "user", content: "[[sim:slow]] stop me" }] });
    let chunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      if (chunks === 2) break;
    }
    const recorded = sim.state.requests.find((r) => r.request.contents.at(-1)?.text === "[[sim:slow]] stop me")!;
    await until(() => recorded.aborted === true, "the page to stop its GenerateContent request", 20_000);
    await until(() => host.snapshot().busy === 0, "the lane to be free again", 20_000);
  });
});
