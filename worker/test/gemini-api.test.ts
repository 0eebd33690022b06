import { SELF, createExecutionContext } from "cloudflare:test";
import { ApiError, GoogleGenAI } from "@google/genai/web";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../src/index.js";
import {
  ADMIN,
  BASE,
  TestHost,
  bindings,
  closeAllHosts,
  createKey,
  sha256Hex,
  until,
} from "./helpers.js";

/* Google's Gemini API (v1beta) through the Worker and the pool, to a scripted host. */

afterEach(closeAllHosts);

const MODEL = "gemini-2.5-flash";
const HI = { contents: [{ role: "user", parts: [{ text: "Hi" }] }] };

/** A POST to `/v1beta/models/<model>:<method><query>` with the key in x-goog-api-key (or not). */
function call(
  method: string,
  key: string | null,
  body: unknown = HI,
  options: { model?: string; query?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return SELF.fetch(
    `${BASE}/v1beta/models/${options.model ?? MODEL}:${method}${options.query ?? ""}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key !== null ? { "x-goog-api-key": key } : {}),
        ...options.headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
  );
}

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{ queued: number; freeLanes: number }>();

/** The SDK, sending its requests straight into the Worker. */
const sdk = (apiKey: string) =>
  new GoogleGenAI({
    apiKey,
    httpOptions: { baseUrl: BASE, fetch: (url, init) => SELF.fetch(url, init) },
  });

/** The data of every SSE event of a body, parsed, and its comments. */
async function sse(res: Response): Promise<Array<Record<string, any>>> {
  const text = await res.text();
  return text
    .split("\r\n\r\n")
    .filter((block) => block !== "")
    .map((block) =>
      block.startsWith(": ") ? { comment: block.slice(2) } : JSON.parse(block.slice(6)),
    );
}

describe("generateContent", () => {
  it("answers in Google's shape, with the key in ?key= and the client's model name", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = call(
      "generateContent",
      null,
      {
        system_instruction: { parts: [{ text: "Be brief." }] },
        contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
        tools: [
          {
            functionDeclarations: [
              {
                name: "get_weather",
                parameters: { type: "OBJECT", properties: { city: { type: "STRING" } } },
              },
            ],
          },
        ],
        generationConfig: {
          maxOutputTokens: 256,
          thinkingConfig: { thinkingBudget: 100, includeThoughts: true },
        },
      },
      { query: `?key=${key}` },
    );
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: MODEL,
      maxOutputTokens: 256,
      thinkingBudget: 100,
      stream: false,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
      ],
      tools: [
        {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
    });
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "thought", text: "Paris." });
    host.event(job.jobId, { t: "text", text: "Let me check." });
    host.event(job.jobId, {
      t: "tool_calls",
      toolCalls: [{ index: 0, id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
    });
    host.event(job.jobId, {
      t: "done",
      finishReason: "tool_calls",
      usage: { promptTokens: 12, completionTokens: 9, totalTokens: 21, reasoningTokens: 4 },
    });

    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "Paris.", thought: true },
              { text: "Let me check." },
              { functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } } },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 12,
        candidatesTokenCount: 5,
        totalTokenCount: 21,
        thoughtsTokenCount: 4,
      },
      modelVersion: MODEL,
      responseId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("sends files to the host and maps a function response back to its call", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const pending = sdk(key).models.generateContent({
      model: MODEL,
      contents: [
        {
          role: "user",
          parts: [
            { text: "What is this?" },
            { inlineData: { mimeType: "image/png", data: btoa(String.fromCharCode(...png)) } },
          ],
        },
        { role: "model", parts: [{ functionCall: { name: "look", args: { zoom: 2 } } }] },
        {
          role: "user",
          parts: [{ functionResponse: { name: "look", response: { seen: "a dot" } } }],
        },
      ],
      config: { tools: [{ functionDeclarations: [{ name: "look" }] }] },
    });
    const job = await host.next("job");
    const { files } = await host.attachments(job);
    expect(await sha256Hex(files[0]!)).toBe(await sha256Hex(png));
    expect(job.request.messages).toEqual([
      {
        role: "user",
        content: "What is this?",
        attachments: [expect.objectContaining({ kind: "image", mimeType: "image/png", bytes: 7 })],
      },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_1_0", name: "look", arguments: '{"zoom":2}' }],
      },
      { role: "tool", content: '{"seen":"a dot"}', toolCallId: "call_1_0", name: "look" },
    ]);
    host.answer(job.jobId, "A dot.");
    const response = await pending;
    expect(response.text).toBe("A dot.");
    expect(response.modelVersion).toBe(MODEL);
  });

  it("resolves an alias with a suffix, echoes the name and shows the thoughts the suffix asked for", async () => {
    const alias = (init: RequestInit) =>
      SELF.fetch(`${BASE}/admin/aliases/gem-door-test`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      });
    expect((await alias({ method: "PUT", body: `{"model":"${MODEL}"}` })).ok).toBe(true);
    try {
      const { key } = await createKey();
      const host = await TestHost.connect();
      const pending = call("generateContent", key, HI, { model: "gem-door-test-thinking-high" });
      const job = await host.next("job");
      expect(job.request).toMatchObject({ model: MODEL, reasoningEffort: "high" });
      host.event(job.jobId, { t: "thought", text: "Hmm." });
      host.answer(job.jobId, "ok");
      const body = await (await pending).json<any>();
      expect(body.modelVersion).toBe("gem-door-test-thinking-high");
      expect(body.candidates[0].content.parts).toEqual([
        { text: "Hmm.", thought: true },
        { text: "ok" },
      ]);
    } finally {
      await alias({ method: "DELETE" });
    }
  });

  it("ends a failure after output with Google's error body at the end of the JSON", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = call("generateContent", key);
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Half" });
    host.fail(job.jobId, "upstream_error", { retryable: false, outputStarted: true });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toMatchObject({
      error: { code: 502, status: "UNAVAILABLE" },
    });
  });

  it("names a file the page refused by its request path", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = call("generateContent", key, {
      contents: [
        {
          parts: [
            { text: "Read" },
            { inlineData: { mimeType: "application/pdf", data: "JVBERg==" } },
          ],
        },
      ],
    });
    const job = await host.next("job");
    host.event(job.jobId, {
      t: "error",
      code: "attachment_refused",
      message: "no",
      retryable: false,
      outputStarted: false,
      attachment: { index: 0, reason: "type" },
    });
    const res = await pending;
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(body.error.message).toMatch(
      /^contents\[0\]\.parts\[1\]\.inlineData\.data: AI Studio refused attachment 1/,
    );
  });
});

describe("streamGenerateContent", () => {
  it("streams SSE chunks with alt=sse, with a comment while queued", async () => {
    const { key } = await createKey({ concurrency: 5 });
    const host = await TestHost.connect({ lanes: 1 });
    const first = call("generateContent", key);
    const running = await host.next("job");
    const second = call("streamGenerateContent", key, HI, { query: "?alt=sse" });
    await until(async () => (await health()).queued === 1, "the stream to queue");
    host.answer(running.jobId, "first");
    expect((await first).status).toBe(200);

    const job = await host.next("job");
    expect(job.request.stream).toBe(true);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "thought", text: "hidden" });
    host.event(job.jobId, { t: "text", text: "Hel" });
    host.event(job.jobId, { t: "text", text: "lo" });
    host.event(job.jobId, {
      t: "done",
      finishReason: "length",
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
    const res = await second;
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await sse(res);
    expect(events[0]).toEqual({ comment: "queued 1" });
    // Thoughts were not asked for: none in the stream, as Google sends none.
    expect(events.slice(1).map((e) => e.candidates[0].content.parts)).toEqual([
      [{ text: "Hel" }],
      [{ text: "lo" }],
      [{ text: "" }],
    ]);
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: "MAX_TOKENS" }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
      modelVersion: MODEL,
    });
  });

  it("streams one JSON array without alt=sse", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = call("streamGenerateContent", key);
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Hel" });
    host.event(job.jobId, { t: "text", text: "lo" });
    host.event(job.jobId, { t: "done", finishReason: "stop" });
    const res = await pending;
    expect(res.headers.get("content-type")).toContain("application/json");
    const chunks = JSON.parse(await res.text()) as Array<Record<string, any>>;
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text)).toEqual(["Hel", "lo", ""]);
    expect(chunks.at(-1)!.candidates[0].finishReason).toBe("STOP");
  });

  it("is a stream the SDK assembles, and whose failure after output the SDK raises", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const client = sdk(key);

    const ok = client.models.generateContentStream({ model: MODEL, contents: "Hi" });
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Hel" });
    host.event(job.jobId, { t: "text", text: "lo" });
    host.event(job.jobId, { t: "done", finishReason: "stop" });
    let text = "";
    for await (const chunk of await ok) text += chunk.text ?? "";
    expect(text).toBe("Hello");

    const failing = client.models.generateContentStream({ model: MODEL, contents: "Hi" });
    const second = await host.next("job");
    host.event(second.jobId, { t: "started" });
    host.event(second.jobId, { t: "text", text: "Half" });
    host.fail(second.jobId, "upstream_error", { retryable: false, outputStarted: true });
    let partial = "";
    const err = await (async () => {
      for await (const chunk of await failing) partial += chunk.text ?? "";
    })().catch((e: unknown) => e);
    expect(partial).toBe("Half");
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(502);
  });

  it("a client that goes away cancels its job on the host", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ lanes: 1 });
    // In-process, so the test holds the very stream the runtime cancels on a disconnect.
    const res = await worker.fetch!(
      new Request(`${BASE}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": key },
        body: JSON.stringify(HI),
      }) as Request<unknown, IncomingRequestCfProperties>,
      bindings,
      createExecutionContext(),
    );
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "partial" });
    const reader = res.body!.getReader();
    await reader.read(); // the first chunk
    await reader.cancel();
    const cancel = await host.next("job.cancel");
    expect(cancel.jobId).toBe(job.jobId);
    host.fail(job.jobId, "cancelled", { retryable: false, outputStarted: true });
    await until(async () => (await health()).freeLanes === 1, "the lane to free");
  });
});

describe("Google's errors", () => {
  it("401 UNAUTHENTICATED for a missing or unknown key, which the SDK raises as ApiError", async () => {
    const missing = await call("generateContent", null);
    expect(missing.status).toBe(401);
    expect(await missing.json<any>()).toMatchObject({
      error: { code: 401, status: "UNAUTHENTICATED" },
    });
    const unknown = await call("generateContent", null, HI, { query: `?key=sk-${"0".repeat(48)}` });
    expect(unknown.status).toBe(401);
    const err = await sdk(`sk-${"0".repeat(48)}`)
      .models.generateContent({ model: MODEL, contents: "Hi" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    // The key is never read from the URL on the other doors.
    const openai = await SELF.fetch(`${BASE}/v1/models?key=${"x"}`);
    expect(openai.status).toBe(401);
  });

  it("400 INVALID_ARGUMENT naming the bad field", async () => {
    const { key } = await createKey();
    const bad = await call("generateContent", key, {
      ...HI,
      generationConfig: { candidateCount: 3 },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json<any>()).toMatchObject({
      error: {
        code: 400,
        status: "INVALID_ARGUMENT",
        message: expect.stringMatching(/^generationConfig\.candidateCount: /),
      },
    });
    const files = await call("generateContent", key, {
      contents: [
        {
          parts: [
            { fileData: { fileUri: "https://generativelanguage.googleapis.com/v1beta/files/x1" } },
          ],
        },
      ],
    });
    expect(files.status).toBe(400);
    expect((await files.json<any>()).error.message).toMatch(
      /^contents\[0\]\.parts\[0\]\.fileData\.fileUri: Google Files API URIs cannot be used here/,
    );
    const notJson = await call("generateContent", key, "{");
    expect(notJson.status).toBe(400);
    expect((await notJson.json<any>()).error.status).toBe("INVALID_ARGUMENT");
  });

  it("404 NOT_FOUND for an unknown model or method", async () => {
    const { key } = await createKey();
    await TestHost.connect();
    const model = await call("generateContent", key, HI, { model: "gemini-nope" });
    expect(model.status).toBe(404);
    expect(await model.json<any>()).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    const method = await call("embedContent", key);
    expect(method.status).toBe(404);
    expect((await method.json<any>()).error.status).toBe("NOT_FOUND");
    const get = await SELF.fetch(`${BASE}/v1beta/models/gemini-nope`, {
      headers: { "x-goog-api-key": key },
    });
    expect(get.status).toBe(404);
    expect((await get.json<any>()).error.message).toMatch(/^models\/gemini-nope is not found/);
  });

  it("503 UNAVAILABLE when no host serves the pool", async () => {
    const { key } = await createKey();
    const none = await call("generateContent", key);
    expect(none.status).toBe(503);
    expect(await none.json<any>()).toMatchObject({ error: { code: 503, status: "UNAVAILABLE" } });
  });
});

describe("countTokens", () => {
  it("answers a free host's count, and the estimate, flagged, when no host can count", async () => {
    const { key } = await createKey();
    const estimated = await call("countTokens", key, {
      contents: [{ parts: [{ text: "How many tokens is this?" }] }],
    });
    expect(estimated.status).toBe(200);
    expect(estimated.headers.get("x-aistudio-token-count")).toBe("estimate");
    // 1 message × 4 + ceil(24 / 4)
    expect(await estimated.json()).toEqual({ totalTokens: 10, estimated: true });

    const host = await TestHost.connect();
    const pending = call("countTokens", key, {
      generateContentRequest: {
        model: `models/${MODEL}`,
        systemInstruction: { parts: [{ text: "Be brief." }] },
        contents: [{ parts: [{ text: "Count me." }] }],
      },
    });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      countTokens: true,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Count me." },
      ],
    });
    host.event(job.jobId, {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 42, completionTokens: 0, totalTokens: 42 },
    });
    const counted = await pending;
    expect(counted.headers.get("x-aistudio-token-count")).toBe("page");
    expect(await counted.json()).toEqual({ totalTokens: 42, estimated: false });

    const bad = await call("countTokens", key, {});
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.status).toBe("INVALID_ARGUMENT");
  });
});

describe("GET /v1beta/models", () => {
  it("lists the served models and aliases as Google's Model resources, pages and all", async () => {
    const alias = (init: RequestInit) =>
      SELF.fetch(`${BASE}/admin/aliases/gem-list-alias`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      });
    expect((await alias({ method: "PUT", body: `{"model":"${MODEL}"}` })).ok).toBe(true);
    try {
      const { key } = await createKey();
      await TestHost.connect();
      const list = await (await SELF.fetch(`${BASE}/v1beta/models?key=${key}`)).json<any>();
      expect(list.models.map((m: { name: string }) => m.name)).toEqual([
        "models/gem-list-alias",
        `models/${MODEL}`,
        "models/gemini-3-pro-preview",
      ]);
      expect(list.models[0]).toEqual({
        name: "models/gem-list-alias",
        baseModelId: MODEL,
        version: "aistudio",
        displayName: "Gemini 2.5 Flash",
        description: `An alias of ${MODEL}.`,
        // The page's limits and thinking, as the host reported them (helpers.ts MODELS).
        outputTokenLimit: 65536,
        supportedGenerationMethods: ["generateContent", "countTokens"],
        thinking: true,
      });

      // The SDK's pager follows nextPageToken across pages of one.
      const names: string[] = [];
      const pager = await sdk(key).models.list({ config: { pageSize: 1 } });
      for await (const model of pager) names.push(model.name!);
      expect(names).toEqual(list.models.map((m: { name: string }) => m.name));

      const one = await sdk(key).models.get({ model: "gem-list-alias" });
      expect(one).toMatchObject({ name: "models/gem-list-alias", displayName: "Gemini 2.5 Flash" });
    } finally {
      await alias({ method: "DELETE" });
    }
  });
});
