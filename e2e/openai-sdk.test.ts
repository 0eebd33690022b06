import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImagesResponseSchema, type ImagesResponse } from "@aistudio-edge/shared";
import { HOST_TOKEN, createKeyWithCli, startEdge, until } from "./helpers.js";
import { ScriptedHost, type Script } from "./scripted-host.js";

/*
 * The official openai SDK against `wrangler dev`, with a scripted host dialled in over `ws`:
 * everything between the client and the host is the real thing.
 */

const lastUser = (messages: Array<{ role: string; content: string }>) =>
  messages.filter((m) => m.role === "user").at(-1)?.content ?? "";

const script: Script = async (job, io) => {
  const prompt = lastUser(job.request.messages);
  io.started();
  if (prompt === "think") {
    io.thought("Weighing ");
    io.thought("the options.");
    io.text("The answer ");
    io.text("is 42.");
    io.done("stop", { promptTokens: 4, completionTokens: 5, totalTokens: 21, reasoningTokens: 12 });
  } else if (prompt === "tool") {
    io.toolCalls([{ id: "call_weather_1", name: "getWeather", arguments: '{"city":"Paris"}' }]);
    io.done("tool_calls", { promptTokens: 8, completionTokens: 6, totalTokens: 14 });
  } else if (prompt === "endless") {
    const ticker = setInterval(() => io.text("tick "), 20);
    const reason = await io.cancelled;
    clearInterval(ticker);
    io.error("cancelled", `stopped: ${reason}`, false);
  } else if (prompt === "die") {
    io.text("Half an ");
    // Let the first delta reach the client before the host vanishes.
    setTimeout(() => io.socket.terminate(), 100);
  } else {
    io.text("You said: ");
    io.text(prompt);
    io.done("stop", { promptTokens: 3, completionTokens: 4, totalTokens: 7 });
  }
};

/** A 1×1 PNG, as an image model's answer carries it. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const IMAGE_MODEL = "gemini-2.5-flash-image";

/** An image model: a line of text, then the image. */
const paint: Script = async (_job, io) => {
  io.started();
  io.text("Here it is.");
  io.image("image/png", PNG);
  io.done("stop", { promptTokens: 5, completionTokens: 1290, totalTokens: 1295 });
};

const MODEL = "gemini-2.5-flash";
let edge: Awaited<ReturnType<typeof startEdge>>;
let host: ScriptedHost;
let client: OpenAI;

beforeAll(async () => {
  edge = await startEdge({ STALL_TIMEOUT_MS: "30000", NONSTREAM_KEEPALIVE_MS: "500" });
  host = await ScriptedHost.connect({
    url: edge.url,
    token: HOST_TOKEN,
    id: "scripted-1",
    lanes: 2,
    models: [{ id: MODEL, displayName: "Gemini 2.5 Flash", thinking: "budget" }],
    script,
  });
  const { key } = await createKeyWithCli(edge.url, "e2e", ["--concurrency", "8"]);
  client = new OpenAI({ apiKey: key, baseURL: `${edge.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  host?.close();
  await edge?.cleanup();
});

describe("the openai SDK through wrangler dev", () => {
  it("lists the host's models", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
  });

  it("gets a non-streamed answer", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]!.message.content).toBe("You said: hello");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
    });
  });

  it("streams an answer with reasoning_content and the usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "think" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let reasoning = "";
    const ids = new Set<string>();
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      const choice = chunk.choices[0];
      if (choice) {
        text += choice.delta.content ?? "";
        reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? "";
        if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("The answer is 42.");
    expect(reasoning).toBe("Weighing the options.");
    expect(ids.size).toBe(1);
    expect(finishes).toEqual(["stop"]);
    expect(usage).toEqual({
      prompt_tokens: 4,
      completion_tokens: 5,
      total_tokens: 21,
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it("returns non-streamed reasoning_content", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "think" }],
    });
    expect(
      (completion.choices[0]!.message as { reasoning_content?: string }).reasoning_content,
    ).toBe("Weighing the options.");
  });

  it("delivers tool calls, streamed and not", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "getWeather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const plain = await client.chat.completions.create({
      model: MODEL,
      tools,
      messages: [{ role: "user", content: "tool" }],
    });
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    expect(plain.choices[0]!.message.tool_calls).toEqual([
      {
        id: "call_weather_1",
        type: "function",
        function: { name: "getWeather", arguments: '{"city":"Paris"}' },
      },
    ]);

    const runner = client.chat.completions.stream({
      model: MODEL,
      tools,
      messages: [{ role: "user", content: "tool" }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function).toMatchObject({
      name: "getWeather",
      arguments: '{"city":"Paris"}',
    });
    expect(call.id).toBe("call_weather_1");
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("raises AuthenticationError for a bad key", async () => {
    const bad = new OpenAI({
      apiKey: `sk-${"0".repeat(48)}`,
      baseURL: `${edge.url}/v1`,
      maxRetries: 0,
    });
    const err = await bad.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("invalid_api_key");
  });

  it("raises RateLimitError with the rate-limit headers", async () => {
    const { key } = await createKeyWithCli(edge.url, "tight", ["--rpm", "1"]);
    const tight = new OpenAI({ apiKey: key, baseURL: `${edge.url}/v1`, maxRetries: 0 });
    await tight.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "one" }],
    });
    const err = await tight.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "two" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe("rate_limit_exceeded");
    const retryAfter = Number(err.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(err.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(err.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(err.headers.get("x-ratelimit-reset-requests")).toMatch(/s$/);
  });

  it("an aborted stream makes the host receive job.cancel", async () => {
    const before = host.cancels.length;
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "endless" }],
      stream: true,
    });
    let chunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      if (chunks === 3) break; // leaving the loop aborts the request
    }
    await until(() => host.cancels.length > before, "job.cancel at the host");
    const cancelFrame = host.received.findLast((f) => f.type === "job.cancel");
    expect(cancelFrame).toMatchObject({ type: "job.cancel", reason: "client disconnected" });
  });

  it("a client that hangs up on a non-streamed answer cancels its job and frees the key's slot", async () => {
    const { key } = await createKeyWithCli(edge.url, "one-slot", ["--concurrency", "1"]);
    const before = host.cancels.length;
    const controller = new AbortController();
    const res = await fetch(`${edge.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "endless" }] }),
      signal: controller.signal,
    });
    // Output has started (the host ticks), so the status is settled and the body has begun.
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).trim()).toBe("");
    controller.abort();
    await until(() => host.cancels.length > before, "job.cancel at the host", 20_000);
    // The key's only slot is free again: the next request is served, not refused with 429.
    const next = new OpenAI({ apiKey: key, baseURL: `${edge.url}/v1`, maxRetries: 0 });
    let answer: string | null = null;
    await until(
      async () => {
        try {
          answer = (
            await next.chat.completions.create({
              model: MODEL,
              messages: [{ role: "user", content: "again" }],
            })
          ).choices[0]!.message.content;
          return true;
        } catch (err) {
          // The slot is released a moment after the cancel; anything but a 429 is a failure.
          if (err instanceof OpenAI.RateLimitError) return false;
          throw err;
        }
      },
      "the key's slot to free",
      20_000,
      { intervalMs: 200 },
    );
    expect(answer).toBe("You said: again");
  });

  it("generates images with client.images.generate, and answers chat with message.images", async () => {
    const painter = await ScriptedHost.connect({
      url: edge.url,
      token: HOST_TOKEN,
      id: "painter",
      lanes: 1,
      models: [{ id: IMAGE_MODEL, imageOutput: true }],
      script: paint,
    });
    try {
      const generated = await client.images.generate({ prompt: "a red dot", size: "1792x1024" });
      // Ours is the SDK's type: this assignment is checked by the compiler.
      const ours: ImagesResponse = ImagesResponseSchema.parse(generated);
      const sdk: OpenAI.ImagesResponse = ours;
      expect(sdk.data?.[0]?.b64_json).toBe(PNG);
      expect(sdk.output_format).toBe("png");
      expect(sdk.usage).toEqual({
        input_tokens: 5,
        output_tokens: 1290,
        total_tokens: 1295,
        input_tokens_details: { text_tokens: 5, image_tokens: 0 },
      });
      const job = painter.received.find((f) => f.type === "job");
      expect(job?.type === "job" && job.request).toMatchObject({
        model: IMAGE_MODEL,
        imageAspectRatio: "16:9",
        messages: [{ role: "user", content: "a red dot" }],
      });

      const refused = await client.images
        .generate({ prompt: "x", response_format: "url" })
        .catch((e) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect(refused.param).toBe("response_format");

      type WithImages = { images?: Array<{ type: string; image_url: { url: string } }> };
      const url = `data:image/png;base64,${PNG}`;
      const completion = await client.chat.completions.create({
        model: IMAGE_MODEL,
        messages: [{ role: "user", content: "a red dot" }],
      });
      const message = completion.choices[0]!.message as (typeof completion.choices)[0]["message"] &
        WithImages;
      expect(message.content).toBe("Here it is.");
      expect(message.images).toEqual([{ type: "image_url", image_url: { url } }]);

      const stream = await client.chat.completions.create(
        {
          model: IMAGE_MODEL,
          messages: [{ role: "user", content: "a red dot" }],
          stream: true,
        },
        { headers: { "x-aistudio-image-markdown": "1" } },
      );
      let content = "";
      const images: unknown[] = [];
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as
          (OpenAI.ChatCompletionChunk.Choice.Delta & WithImages) | undefined;
        content += delta?.content ?? "";
        images.push(...(delta?.images ?? []));
      }
      expect(content).toBe(`Here it is.\n\n![image](${url})`);
      expect(images).toEqual([{ type: "image_url", image_url: { url } }]);
    } finally {
      painter.close();
    }
  });

  it("a host killed mid-stream makes the SDK raise APIError instead of ending quietly", async () => {
    const mortal = await ScriptedHost.connect({
      url: edge.url,
      token: HOST_TOKEN,
      id: "mortal",
      lanes: 1,
      models: [{ id: "gemini-mortal" }],
      script,
    });
    const stream = await client.chat.completions.create({
      model: "gemini-mortal",
      messages: [{ role: "user", content: "die" }],
      stream: true,
    });
    let text = "";
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e) => e);
    expect(text).toBe("Half an ");
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toContain("disconnected");
    mortal.close();
  });
});
