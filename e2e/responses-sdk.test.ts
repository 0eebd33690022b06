import OpenAI, { APIError } from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { plainAnswer } from "../browser-host/simulator/answers.js";
import type { RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { HOST_TOKEN, createKeyWithCli, startDemo, startEdge, until, type Demo } from "./helpers.js";
import { ScriptedHost, type Script } from "./scripted-host.js";

/*
 * The official openai SDK against the Responses door: first the whole stack as `npm run demo`
 * starts it (wrangler dev → browser host → Chromium → the AI Studio simulator), then
 * `wrangler dev` with a scripted host, for what a real page cannot be made to do on cue
 * (answer forever until cancelled).
 */

const MODEL = "gemini-2.5-flash";

describe("the openai SDK's Responses API through the demo", () => {
  let demo: Demo;
  let client: OpenAI;
  let simulator: string;
  const last = async () =>
    ((await (await fetch(`${simulator}/__sim/requests`)).json()) as RecordedRequest[]).at(-1)!;

  beforeAll(async () => {
    demo = await startDemo(["--lanes", "2"]);
    simulator = demo.state.simulatorUrl;
    client = new OpenAI({
      apiKey: demo.state.apiKey,
      baseURL: demo.state.baseUrl,
      maxRetries: 0,
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
  }, 60_000);

  it("creates a response without streaming", async () => {
    const prompt = "What is the capital of France?";
    const response = await client.responses.create({
      model: MODEL,
      input: prompt,
      reasoning: { effort: "none" },
    });
    expect(response.object).toBe("response");
    expect(response.id).toMatch(/^resp_/);
    expect(response.status).toBe("completed");
    expect(response.model).toBe(MODEL);
    expect(response.output_text).toBe(plainAnswer(MODEL, prompt));
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("streams text with responses.stream, assembled by finalResponse()", async () => {
    const prompt = "Explain tides.";
    const stream = client.responses.stream({
      model: MODEL,
      instructions: "Be concise.",
      input: prompt,
    });
    let text = "";
    stream.on("response.output_text.delta", (event) => (text += event.delta));
    const final = await stream.finalResponse();
    expect(text).toBe(plainAnswer(MODEL, prompt));
    expect(final.output_text).toBe(text);
    expect(final.status).toBe("completed");
    expect((await last()).request.systemInstruction).toBe("Be concise.");
  });

  it("round-trips a function call: function_call, then function_call_output to a final text", async () => {
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: "function",
        name: "get_weather",
        description: "Weather for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
        strict: false,
      },
    ];
    const question = { role: "user" as const, content: "Use get_weather for Paris." };
    const first = await client.responses.create({ model: MODEL, tools, input: [question] });
    const call = first.output.find((o) => o.type === "function_call")!;
    expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });

    // The simulator calls a function whenever the prompt names one, and the replayed
    // conversation does; tool_choice none sends the result without declaring the tool again.
    const second = await client.responses.create({
      model: MODEL,
      tools,
      tool_choice: "none",
      store: false,
      input: [
        question,
        // What the first answer output, replayed as input (as agents do).
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: "function_call_output", call_id: call.call_id, output: "18°C and sunny" },
      ],
    });
    expect(second.output.map((o) => o.type)).not.toContain("function_call");
    expect(second.output_text).toMatch(/^Simulated /);
    const prompt = (await last()).request.contents.at(-1)!.text;
    expect(prompt).toContain(`[Assistant called tool get_weather (id ${call.call_id})`);
    expect(prompt).toContain(
      `[Tool result from get_weather for call ${call.call_id}]\n18°C and sunny`,
    );
  });

  it("gives structured output that responses.parse parses", async () => {
    const CityFacts = z.object({ city: z.string(), population: z.number().int() });
    const response = await client.responses.parse({
      model: MODEL,
      input: "Give me facts about Paris.",
      text: { format: zodTextFormat(CityFacts, "city_facts") },
    });
    expect(response.output_parsed).toEqual({ city: "Paris", population: 42 });
    expect((await last()).request.responseSchema).toMatchObject({
      type: "object",
      required: ["city", "population"],
    });
  });

  it("continues a stored response with previous_response_id", async () => {
    const first = await client.responses.create({
      model: MODEL,
      input: "My favourite colour is teal.",
    });
    const second = await client.responses.create({
      model: MODEL,
      previous_response_id: first.id,
      input: "Which colour did I name?",
    });
    expect(second.previous_response_id).toBe(first.id);
    const prompt = (await last()).request.contents.at(-1)!.text;
    expect(prompt).toContain("[User]\nMy favourite colour is teal.");
    expect(prompt).toContain(`[Assistant]\n${first.output_text}`);
    expect(prompt).toContain("[User]\nWhich colour did I name?");
    const retrieved = await client.responses.retrieve(second.id);
    expect(retrieved.output_text).toBe(second.output_text);
  });

  it("raises BadRequestError for an unknown previous_response_id", async () => {
    const err = await client.responses
      .create({ model: MODEL, previous_response_id: "resp_unknown", input: "Hi" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).param).toBe("previous_response_id");
  });
});

const endless: Script = async (_job, io) => {
  io.started();
  const ticker = setInterval(() => io.text("tick "), 20);
  const reason = await io.cancelled;
  clearInterval(ticker);
  io.error("cancelled", `stopped: ${reason}`, false);
};

describe("the openai SDK's Responses API with a scripted host", () => {
  let edge: Awaited<ReturnType<typeof startEdge>>;
  let host: ScriptedHost;
  let client: OpenAI;

  beforeAll(async () => {
    edge = await startEdge({ STALL_TIMEOUT_MS: "30000" });
    host = await ScriptedHost.connect({
      url: edge.url,
      token: HOST_TOKEN,
      id: "scripted-responses",
      lanes: 1,
      models: [{ id: MODEL }],
      script: endless,
    });
    const { key } = await createKeyWithCli(edge.url, "e2e-responses");
    client = new OpenAI({ apiKey: key, baseURL: `${edge.url}/v1`, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    host?.close();
    await edge?.cleanup();
  });

  it("an aborted stream makes the host receive job.cancel and frees the lane", async () => {
    const stream = client.responses.stream({ model: MODEL, input: "endless" });
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") deltas += 1;
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
});
