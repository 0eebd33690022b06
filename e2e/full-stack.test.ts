import { statSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { plainAnswer } from "../browser-host/simulator/answers.js";
import { attachmentLines, simulatedImage } from "../browser-host/simulator/media-answers.js";
import type { RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { startDemo, until, type Demo } from "./helpers.js";

/*
 * The whole path, started exactly as `npm run demo` starts it: the official openai SDK →
 * wrangler dev (Worker + pool) → WebSocket → the browser host with two lanes → real Chromium →
 * the AI Studio simulator, and back as a stream.
 */

const MODEL = "gemini-2.5-flash";
let demo: Demo;
let state: Demo["state"];
let client: OpenAI;
let requests: RecordedRequest[] = [];

const refresh = async () => {
  requests = (await (
    await fetch(`${state.simulatorUrl}/__sim/requests`)
  ).json()) as RecordedRequest[];
  return requests;
};
const health = async () =>
  (await (await fetch(`${state.baseUrl.replace(/\/v1$/, "")}/health`)).json()) as {
    running: number;
    hosts: Array<{ busy: number; lanes: number }>;
  };

beforeAll(async () => {
  demo = await startDemo(["--lanes", "2"]);
  state = demo.state;
  // The state holds the admin token: this user's alone.
  expect(
    [demo.dir, join(demo.dir, "state.json")].map((p) => (statSync(p).mode & 0o777).toString(8)),
  ).toEqual(["700", "600"]);
  expect(demo.output).toContain(`Ready: ${state.baseUrl}`);
  client = new OpenAI({
    apiKey: state.apiKey,
    baseURL: state.baseUrl,
    maxRetries: 0,
    timeout: 60_000,
  });
}, 180_000);

afterAll(async () => {
  await demo?.stop();
}, 60_000);

const last = () => requests.at(-1)!;

describe("OpenAI SDK → Worker → browser host → Chromium → simulator", () => {
  it("lists the models the page loaded", async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-2.0-flash"]),
    );
  });

  it("answers without streaming, with the simulator's text", async () => {
    const prompt = "What is the capital of France?";
    const completion = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      messages: [{ role: "user", content: prompt }],
    });
    expect(completion.choices[0]!.message.content).toBe(plainAnswer(MODEL, prompt));
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    await refresh();
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
      reasoning +=
        (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)
          ?.reasoning_content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    await refresh();
    const recorded = last();
    expect(text).toBe(recorded.answer!.text);
    expect(text).toBe(plainAnswer(MODEL, "Explain tides."));
    expect(reasoning).toBe(recorded.answer!.thoughts);
    expect(reasoning.length).toBeGreaterThan(20);
    expect(usage!.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(recorded.request).toMatchObject({
      systemInstruction: "Be concise.",
      temperature: 0.4,
      topP: 0.7,
      stopSequences: [],
    });
  });

  it("returns tool calls from native function calling", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather for a city",
            parameters: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            },
          },
        },
      ],
      messages: [{ role: "user", content: "Use get_weather for Paris." }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({
      city: "Paris",
    });
    expect(call.id).toMatch(/^call_/);
    await refresh();
    expect(last().request.tools.functions.map((f) => f.name)).toEqual(["get_weather"]);
  });

  it("stops at max_tokens with finish_reason length", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      max_tokens: 10,
      messages: [{ role: "user", content: "Say a lot." }],
    });
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.choices[0]!.message.content).toBe(
      plainAnswer(MODEL, "Say a lot.").slice(0, 40),
    );
    await refresh();
    expect(last().request.maxOutputTokens).toBe(10);
  });

  it("serves two concurrent requests on two lanes at once", async () => {
    const before = (await refresh()).length;
    let finished = 0;
    const ask = (n: number) =>
      client.chat.completions
        .create({
          model: MODEL,
          reasoning_effort: "none",
          messages: [{ role: "user", content: `[[sim:slow]] parallel ${n}` }],
        })
        .then((c) => {
          finished += 1;
          return c;
        });
    const both = Promise.all([ask(1), ask(2)]);
    await until(
      async () => (await refresh()).length >= before + 2,
      "both requests at the simulator",
      30_000,
    );
    expect(finished).toBe(0); // both were generating at the same time
    const [a, b] = await both;
    expect(a.choices[0]!.message.content).toBe(plainAnswer(MODEL, "[[sim:slow]] parallel 1"));
    expect(b.choices[0]!.message.content).toBe(plainAnswer(MODEL, "[[sim:slow]] parallel 2"));
  });

  it("a client abort stops generation in the page and frees the lane", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      stream: true,
      messages: [{ role: "user", content: "[[sim:slow]] stop me" }],
    });
    let chunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      if (chunks === 2) break;
    }
    const stopped = async () =>
      (await refresh()).find((r) => r.request.contents.at(-1)?.text === "[[sim:slow]] stop me")
        ?.aborted === true;
    await until(stopped, "the page to stop its GenerateContent request", 30_000);
    await until(
      async () => (await health()).running === 0 && (await health()).hosts[0]!.busy === 0,
      "the lane to be free again",
      30_000,
    );
  });
});

const IMAGE_MODEL = "gemini-3.1-flash-image-preview";

/**
 * Decodes a PNG the way a viewer would, for the parts an 8-bit RGB image has: every chunk's
 * length and CRC walked, the IDAT inflated, one filter byte and three bytes per pixel per row.
 */
function decodePng(png: Buffer): { width: number; height: number; pixels: number } {
  expect(png.subarray(0, 8).toString("latin1")).toBe("\x89PNG\r\n\x1a\n");
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 2]);
    } else if (type === "IDAT") idat.push(data);
    at += 12 + length;
    if (type === "IEND") break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (1 + width * 3));
  return { width, height, pixels: width * height };
}

describe("media through the demo", () => {
  it("answers a chat with an image part with the simulator's description of that image", async () => {
    const picture = simulatedImage("a picture a client attaches", "4:3").png;
    const completion = await client.chat.completions.create({
      model: MODEL,
      reasoning_effort: "none",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            {
              type: "image_url",
              image_url: { url: `data:image/png;base64,${picture.toString("base64")}` },
            },
          ],
        },
      ],
    });
    const description = attachmentLines([{ mimeType: "image/png", bytes: picture }]);
    expect(description).toContain(", 64x48 pixels.");
    expect(completion.choices[0]!.message.content!.startsWith(`${description}\n\n`)).toBe(true);
    await refresh();
    expect(last().request.contents.at(-1)!.files).toEqual([
      { mimeType: "image/png", data: picture.toString("base64") },
    ]);
  });

  it("client.images.generate returns a PNG that decodes, in the size's aspect ratio", async () => {
    const prompt = "A red kite over the sea";
    const result = await client.images.generate({
      model: IMAGE_MODEL,
      prompt,
      size: "1792x1024",
      response_format: "b64_json",
    });
    const png = Buffer.from(result.data![0]!.b64_json!, "base64");
    expect(decodePng(png)).toEqual({ width: 64, height: 36, pixels: 64 * 36 });
    expect(png.equals(simulatedImage(prompt, "16:9").png)).toBe(true);
    await refresh();
    expect(last().request.aspectRatio).toBe("16:9");
  });

  it("streams the image model's answer with its image", async () => {
    const prompt = "A lighthouse at dusk";
    const stream = await client.chat.completions.create({
      model: IMAGE_MODEL,
      stream: true,
      messages: [{ role: "user", content: prompt }],
    });
    let text = "";
    const images: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as
        { content?: string | null; images?: Array<{ image_url: { url: string } }> } | undefined;
      text += delta?.content ?? "";
      for (const image of delta?.images ?? []) images.push(image.image_url.url);
    }
    expect(text).toContain("Simulated image for");
    expect(images).toHaveLength(1);
    const [head, data] = images[0]!.split(",");
    expect(head).toBe("data:image/png;base64");
    expect(decodePng(Buffer.from(data!, "base64")).width).toBe(64);
    expect(Buffer.from(data!, "base64").equals(simulatedImage(prompt, null).png)).toBe(true);
  });
});

describe("the demo's shutdown", () => {
  it("stops every process it started on SIGTERM", async () => {
    const base = state.baseUrl.replace(/\/v1$/, "");
    demo.process.kill("SIGTERM");
    await new Promise((resolve) => demo.process.once("exit", resolve));
    expect(demo.output).toContain("Stopping the demo");
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    await expect(fetch(`${state.simulatorUrl}/__sim/state`)).rejects.toThrow();
  });
});
