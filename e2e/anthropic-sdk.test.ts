import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainAnswer } from "../browser-host/simulator/answers.js";
import { attachmentLines, simulatedImage } from "../browser-host/simulator/media-answers.js";
import type { RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { HOST_TOKEN, createKeyWithCli, startDemo, startEdge, until, type Demo } from "./helpers.js";
import { ScriptedHost, type Script } from "./scripted-host.js";

/*
 * The official @anthropic-ai/sdk against the Messages door: first the whole stack as
 * `npm run demo` starts it (wrangler dev → browser host → Chromium → the AI Studio simulator),
 * then `wrangler dev` with a scripted host, for what a real page cannot be made to do on cue
 * (die mid-answer, answer forever).
 */

const MODEL = "gemini-2.5-flash";

describe("the Anthropic SDK through the demo", () => {
  let demo: Demo;
  let client: Anthropic;
  let simulator: string;
  const recorded = async () =>
    (await (await fetch(`${simulator}/__sim/requests`)).json()) as RecordedRequest[];
  const last = async () => (await recorded()).at(-1)!;

  beforeAll(async () => {
    demo = await startDemo(["--lanes", "2"]);
    simulator = demo.state.simulatorUrl;
    client = new Anthropic({
      apiKey: demo.state.apiKey,
      // The SDK adds /v1/messages itself.
      baseURL: demo.state.baseUrl.replace(/\/v1$/, ""),
      maxRetries: 0,
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
  }, 60_000);

  it("lists models and counts tokens", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain(MODEL);
    const counted = await client.messages.countTokens({
      model: MODEL,
      messages: [{ role: "user", content: "Count me." }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("creates a message without streaming", async () => {
    const prompt = "What is the capital of France?";
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      thinking: { type: "disabled" },
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.type).toBe("message");
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe(MODEL);
    expect(message.content).toEqual([
      { type: "text", text: plainAnswer(MODEL, prompt), citations: null },
    ]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect((await last()).request.thinking).toEqual({
      includeThoughts: false,
      budget: 0,
      level: null,
    });
  });

  it("streams text with messages.stream", async () => {
    const prompt = "Explain tides.";
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      system: "Be concise.",
      messages: [{ role: "user", content: prompt }],
    });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe(plainAnswer(MODEL, prompt));
    // Thinking was not asked for, so the page's thoughts are not returned.
    expect(final.content).toEqual([{ type: "text", text, citations: null }]);
    expect((await last()).request.systemInstruction).toBe("Be concise.");
  });

  it("streams thinking and text, assembled by finalMessage()", async () => {
    const prompt = "Think about tides.";
    const final = await client.messages
      .stream({
        model: MODEL,
        max_tokens: 4096,
        thinking: { type: "enabled", budget_tokens: 2048 },
        messages: [{ role: "user", content: prompt }],
      })
      .finalMessage();
    const answer = (await last()).answer!;
    expect(answer.thoughts.length).toBeGreaterThan(20);
    expect(final.content).toEqual([
      { type: "thinking", thinking: answer.thoughts, signature: expect.any(String) },
      { type: "text", text: plainAnswer(MODEL, prompt), citations: null },
    ]);
    expect((final.content[0] as Anthropic.ThinkingBlock).signature).not.toBe("");
    expect((await last()).request.thinking).toMatchObject({ includeThoughts: true, budget: 2048 });
  });

  it("round-trips a tool call: tool_use with parsed input, then tool_result to a final text", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    ];
    const question: Anthropic.MessageParam = {
      role: "user",
      content: "Use get_weather for Paris.",
    };
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      tools,
      messages: [question],
    });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b) => b.type === "tool_use")!;
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });

    // The simulator calls a function whenever the prompt names one, and the replayed
    // conversation does; tool_choice none sends the result without declaring the tool again.
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      tools,
      tool_choice: { type: "none" },
      messages: [
        question,
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: call.id, content: "18°C and sunny" }],
        },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content).toEqual([
      { type: "text", text: expect.stringMatching(/^Simulated /), citations: null },
    ]);
    const prompt = (await last()).request.contents.at(-1)!.text;
    expect(prompt).toContain(`[Assistant called tool get_weather (id ${call.id})`);
    expect(prompt).toContain(`[Tool result from get_weather for call ${call.id}]\n18°C and sunny`);
  });

  it("sends an image block to the page", async () => {
    const picture = simulatedImage("a picture a client attaches", "4:3").png;
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      thinking: { type: "disabled" },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            {
              type: "image",
              source: {
                type: "base64",
                media_type: "image/png",
                data: picture.toString("base64"),
              },
            },
          ],
        },
      ],
    });
    const description = attachmentLines([{ mimeType: "image/png", bytes: picture }]);
    const block = message.content[0] as Anthropic.TextBlock;
    expect(block.text.startsWith(`${description}\n\n`)).toBe(true);
    expect((await last()).request.contents.at(-1)!.files).toEqual([
      { mimeType: "image/png", data: picture.toString("base64") },
    ]);
  });

  it("raises AuthenticationError for a bad key", async () => {
    const bad = new Anthropic({
      apiKey: `sk-${"0".repeat(48)}`,
      baseURL: demo.state.baseUrl.replace(/\/v1$/, ""),
      maxRetries: 0,
    });
    const err = await bad.messages
      .create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as APIError).status).toBe(401);
    expect((err as APIError).type).toBe("authentication_error");
  });
});

const lastUser = (messages: Array<{ role: string; content: string }>) =>
  messages.filter((m) => m.role === "user").at(-1)?.content ?? "";

const script: Script = async (job, io) => {
  io.started();
  if (lastUser(job.request.messages) === "die") {
    io.text("Half an ");
    // Let the first delta reach the client before the host vanishes.
    setTimeout(() => io.socket.terminate(), 100);
  } else {
    const ticker = setInterval(() => io.text("tick "), 20);
    const reason = await io.cancelled;
    clearInterval(ticker);
    io.error("cancelled", `stopped: ${reason}`, false);
  }
};

describe("the Anthropic SDK with a scripted host", () => {
  let edge: Awaited<ReturnType<typeof startEdge>>;
  let host: ScriptedHost;
  let client: Anthropic;

  beforeAll(async () => {
    edge = await startEdge({ STALL_TIMEOUT_MS: "30000" });
    host = await ScriptedHost.connect({
      url: edge.url,
      token: HOST_TOKEN,
      id: "scripted-anthropic",
      lanes: 1,
      models: [{ id: MODEL }],
      script,
    });
    const { key } = await createKeyWithCli(edge.url, "e2e-anthropic");
    client = new Anthropic({ apiKey: key, baseURL: edge.url, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    host?.close();
    await edge?.cleanup();
  });

  it("an aborted stream makes the host receive job.cancel and frees the lane", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "endless" }],
    });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === "content_block_delta") deltas += 1;
      if (deltas === 3) break; // leaving the loop aborts the request
    }
    await until(() => host.cancels.length === 1, "job.cancel at the host");
    expect(host.received.findLast((f) => f.type === "job.cancel")).toMatchObject({
      reason: "client disconnected",
    });
    await until(
      async () =>
        ((await (await fetch(`${edge.url}/health`)).json()) as { freeLanes: number }).freeLanes ===
        1,
      "the lane to be free again",
    );
  });

  it("a host killed mid-stream makes the SDK raise APIError", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "die" }],
    });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(text).toBe("Half an ");
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as APIError).type).toBe("api_error");
    expect(String((err as Error).message)).toContain("disconnected");
  });
});
