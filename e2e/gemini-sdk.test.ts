import { ApiError, FunctionCallingConfigMode, GoogleGenAI, type Content } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainAnswer } from "../browser-host/simulator/answers.js";
import { attachmentLines, simulatedImage } from "../browser-host/simulator/media-answers.js";
import type { RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { HOST_TOKEN, createKeyWithCli, startDemo, startEdge, until, type Demo } from "./helpers.js";
import { ScriptedHost, type Script } from "./scripted-host.js";

/*
 * The official @google/genai SDK against the Gemini door (`httpOptions.baseUrl` at the edge):
 * first the whole stack as `npm run demo` starts it (wrangler dev → browser host → Chromium →
 * the AI Studio simulator), then `wrangler dev` with a scripted host that answers until it is
 * cancelled, for a client that aborts.
 */

const MODEL = "gemini-2.5-flash";

/** The edge's origin: the SDK adds /v1beta itself. */
const originOf = (baseUrl: string) => baseUrl.replace(/\/v1$/, "");

describe("the Gemini SDK through the demo", () => {
  let demo: Demo;
  let client: GoogleGenAI;
  let simulator: string;
  const recorded = async () =>
    (await (await fetch(`${simulator}/__sim/requests`)).json()) as RecordedRequest[];
  const last = async () => (await recorded()).at(-1)!;

  beforeAll(async () => {
    demo = await startDemo(["--lanes", "2"]);
    simulator = demo.state.simulatorUrl;
    client = new GoogleGenAI({
      apiKey: demo.state.apiKey,
      httpOptions: { baseUrl: originOf(demo.state.baseUrl), timeout: 60_000 },
    });
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
  }, 60_000);

  it("lists and gets models, and counts tokens on the page", async () => {
    const names: string[] = [];
    for await (const model of await client.models.list()) names.push(model.name!);
    expect(names).toContain(`models/${MODEL}`);
    const model = await client.models.get({ model: MODEL });
    expect(model).toMatchObject({
      name: `models/${MODEL}`,
      supportedActions: ["generateContent", "countTokens"],
    });

    const counted = await client.models.countTokens({ model: MODEL, contents: "Count me." });
    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(counted.sdkHttpResponse?.headers?.["x-aistudio-token-count"]).toBe("page");
  });

  it("generates content without streaming", async () => {
    const prompt = "What is the capital of France?";
    const response = await client.models.generateContent({
      model: MODEL,
      contents: prompt,
      config: { thinkingConfig: { thinkingBudget: 0 } },
    });
    expect(response.text).toBe(plainAnswer(MODEL, prompt));
    expect(response.modelVersion).toBe(MODEL);
    expect(response.candidates![0]!.finishReason).toBe("STOP");
    expect(response.usageMetadata!.promptTokenCount).toBeGreaterThan(0);
    expect(response.usageMetadata!.candidatesTokenCount).toBeGreaterThan(0);
    expect((await last()).request.thinking).toEqual({
      includeThoughts: false,
      budget: 0,
      level: null,
    });
  });

  it("streams content with generateContentStream", async () => {
    const prompt = "Explain tides.";
    const stream = await client.models.generateContentStream({
      model: MODEL,
      contents: prompt,
      config: { systemInstruction: "Be concise." },
    });
    let text = "";
    let finishReason: string | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    }
    expect(text).toBe(plainAnswer(MODEL, prompt));
    expect(finishReason).toBe("STOP");
    expect((await last()).request.systemInstruction).toBe("Be concise.");
  });

  it("round-trips a function call: functionCall with an args object, then its functionResponse", async () => {
    const tools = [
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parametersJsonSchema: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            },
          },
        ],
      },
    ];
    const question: Content = { role: "user", parts: [{ text: "Use get_weather for Paris." }] };
    const first = await client.models.generateContent({
      model: MODEL,
      contents: [question],
      config: { tools },
    });
    const call = first.functionCalls![0]!;
    expect(call).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    expect(first.candidates![0]!.finishReason).toBe("STOP");

    // The simulator calls a function whenever the prompt names one, and the replayed
    // conversation does; mode NONE sends the result without declaring the function again.
    const second = await client.models.generateContent({
      model: MODEL,
      contents: [
        question,
        first.candidates![0]!.content!,
        {
          role: "user",
          parts: [
            {
              functionResponse: { id: call.id, name: "get_weather", response: { temp: "18°C" } },
            },
          ],
        },
      ],
      config: {
        tools,
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } },
      },
    });
    expect(second.functionCalls).toBeUndefined();
    expect(second.text).toMatch(/^Simulated /);
    const prompt = (await last()).request.contents.at(-1)!.text;
    expect(prompt).toContain(`[Assistant called tool get_weather (id ${call.id})`);
    expect(prompt).toContain(`[Tool result from get_weather for call ${call.id}]\n{"temp":"18°C"}`);
  });

  it("sends an inlineData image to the page", async () => {
    const picture = simulatedImage("a picture a client attaches", "4:3").png;
    const response = await client.models.generateContent({
      model: MODEL,
      contents: [
        {
          role: "user",
          parts: [
            { text: "What is in this picture?" },
            { inlineData: { mimeType: "image/png", data: picture.toString("base64") } },
          ],
        },
      ],
      config: { thinkingConfig: { thinkingBudget: 0 } },
    });
    const description = attachmentLines([{ mimeType: "image/png", bytes: picture }]);
    expect(response.text!.startsWith(`${description}\n\n`)).toBe(true);
    expect((await last()).request.contents.at(-1)!.files).toEqual([
      { mimeType: "image/png", data: picture.toString("base64") },
    ]);
  });

  it("raises ApiError with the status for a bad key", async () => {
    const bad = new GoogleGenAI({
      apiKey: `sk-${"0".repeat(48)}`,
      httpOptions: { baseUrl: originOf(demo.state.baseUrl) },
    });
    const err = await bad.models
      .generateContent({ model: MODEL, contents: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toContain("UNAUTHENTICATED");
  });
});

/** Answers with a tick every 20 ms until the pool cancels the job. */
const endless: Script = async (_job, io) => {
  io.started();
  const ticker = setInterval(() => io.text("tick "), 20);
  const reason = await io.cancelled;
  clearInterval(ticker);
  io.error("cancelled", `stopped: ${reason}`, false);
};

describe("the Gemini SDK with a scripted host", () => {
  let edge: Awaited<ReturnType<typeof startEdge>>;
  let host: ScriptedHost;
  let client: GoogleGenAI;

  beforeAll(async () => {
    edge = await startEdge({ STALL_TIMEOUT_MS: "30000" });
    host = await ScriptedHost.connect({
      url: edge.url,
      token: HOST_TOKEN,
      id: "scripted-gemini",
      lanes: 1,
      models: [{ id: MODEL }],
      script: endless,
    });
    const { key } = await createKeyWithCli(edge.url, "e2e-gemini");
    client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: edge.url } });
  }, 120_000);

  afterAll(async () => {
    host?.close();
    await edge?.cleanup();
  });

  it("an aborted stream makes the host receive job.cancel and frees the lane", async () => {
    const abort = new AbortController();
    const stream = await client.models.generateContentStream({
      model: MODEL,
      contents: "endless",
      config: { abortSignal: abort.signal },
    });
    let chunks = 0;
    const err = await (async () => {
      for await (const chunk of stream) {
        if (chunk.text) chunks += 1;
        if (chunks === 3) abort.abort();
      }
    })().catch((e: unknown) => e);
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect((err as Error).name).toBe("AbortError");
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
