import { SELF, createExecutionContext } from "cloudflare:test";
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

/* Anthropic's Messages API through the Worker and the pool, to a scripted host. */

afterEach(closeAllHosts);

const ANTHROPIC_HEADERS = { "anthropic-version": "2023-06-01", "content-type": "application/json" };

function post(
  path: string,
  key: string | null,
  body: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: {
      ...ANTHROPIC_HEADERS,
      ...(key !== null ? { "x-api-key": key } : {}),
      ...extraHeaders,
    },
    body: JSON.stringify(body),
  });
}

const ask = (key: string | null, body: Record<string, unknown> = {}) =>
  post("/v1/messages", key, {
    model: "gemini-2.5-flash",
    max_tokens: 256,
    messages: [{ role: "user", content: "Hi" }],
    ...body,
  });

interface Sse {
  event: string;
  data: any;
}

/** Every event of an SSE body (comments dropped), each with its name and parsed data. */
async function events(res: Response): Promise<Sse[]> {
  const out: Sse[] = [];
  for (const block of (await res.text()).split("\n\n")) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) out.push({ event, data: JSON.parse(data) });
  }
  return out;
}

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{ queued: number; freeLanes: number }>();

describe("POST /v1/messages", () => {
  it("answers without streaming in Anthropic's message shape", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = ask(key, {
      model: "gemini-2.5-flash",
      system: "Be brief.",
      thinking: { type: "enabled", budget_tokens: 100 },
      tools: [{ name: "get_weather", input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: "gemini-2.5-flash",
      maxOutputTokens: 256,
      thinkingBudget: 100,
      stream: false,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object" } }],
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
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const body = await res.json<any>();
    expect(body).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "gemini-2.5-flash",
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(body.content).toEqual([
      { type: "thinking", thinking: "Paris.", signature: expect.any(String) },
      { type: "text", text: "Let me check.", citations: null },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
    ]);
  });

  it("resolves an alias with suffixes, echoes the client's name and shows the thinking it asked for", async () => {
    const alias = (init: RequestInit) =>
      SELF.fetch(`${BASE}/admin/aliases/claude-door-test`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      });
    expect((await alias({ method: "PUT", body: '{"model":"gemini-2.5-flash"}' })).ok).toBe(true);
    try {
      const { key } = await createKey();
      const host = await TestHost.connect();
      const pending = ask(key, { model: "claude-door-test-thinking-high" });
      const job = await host.next("job");
      expect(job.request).toMatchObject({ model: "gemini-2.5-flash", reasoningEffort: "high" });
      host.event(job.jobId, { t: "thought", text: "Hmm." });
      host.answer(job.jobId, "ok");
      const body = await (await pending).json<any>();
      expect(body.model).toBe("claude-door-test-thinking-high");
      expect(body.content.map((b: { type: string }) => b.type)).toEqual(["thinking", "text"]);
    } finally {
      await alias({ method: "DELETE" });
    }
  });

  it("streams Anthropic's event sequence, with pings while queued", async () => {
    const { key } = await createKey({ concurrency: 5 });
    const host = await TestHost.connect({ lanes: 1 });
    const first = ask(key);
    const running = await host.next("job");
    const second = ask(key, { stream: true });
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
    const sse = await events(res);
    expect(sse.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "ping", // queued
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    // Thinking was not asked for: no thinking block, as Anthropic returns none.
    expect(sse[3]!.data.content_block).toEqual({ type: "text", text: "", citations: null });
    expect(sse[7]!.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null, stop_details: null },
      usage: {
        input_tokens: 3,
        output_tokens: 2,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it("sends files to the host and maps a tool round trip back to its call", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const pending = ask(key, {
      tools: [{ name: "look", input_schema: { type: "object" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            {
              type: "image",
              source: {
                type: "base64",
                media_type: "image/png",
                data: btoa(String.fromCharCode(...png)),
              },
            },
          ],
        },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_9", name: "look", input: { zoom: 2 } }],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "a dot" }],
        },
      ],
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
        toolCalls: [{ id: "toolu_9", name: "look", arguments: '{"zoom":2}' }],
      },
      { role: "tool", content: "a dot", toolCallId: "toolu_9", name: "look" },
    ]);
    host.answer(job.jobId, "A dot.");
    expect((await (await pending).json<any>()).content).toEqual([
      { type: "text", text: "A dot.", citations: null },
    ]);
  });

  it("names a file the page refused by its request path", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = ask(key, {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Read" },
            {
              type: "document",
              source: { type: "base64", media_type: "application/pdf", data: "JVBERg==" },
            },
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
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(
      /^messages\[0\]\.content\[1\]\.source\.data: AI Studio refused attachment 1/,
    );
  });
});

describe("Anthropic's errors", () => {
  it("401 authentication_error for a missing or unknown key", async () => {
    const missing = await ask(null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("request-id")).toMatch(/^req_/);
    expect(await missing.json<any>()).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
    const unknown = await ask(`sk-${"0".repeat(48)}`);
    expect(unknown.status).toBe(401);
    expect((await unknown.json<any>()).error.type).toBe("authentication_error");
  });

  it("400 invalid_request_error naming the bad field", async () => {
    const { key } = await createKey();
    const noMax = await post("/v1/messages", key, {
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "x" }],
    });
    expect(noMax.status).toBe(400);
    expect(await noMax.json<any>()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    const bash = await ask(key, { tools: [{ type: "bash_20250124", name: "bash" }] });
    expect(bash.status).toBe(400);
    expect((await bash.json<any>()).error.message).toMatch(/^tools\[0\]\.type: /);
    const notJson = await SELF.fetch(`${BASE}/v1/messages`, {
      method: "POST",
      headers: { ...ANTHROPIC_HEADERS, "x-api-key": key },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json<any>()).error.type).toBe("invalid_request_error");
  });

  it("529 overloaded_error with no host, and with the queue full", async () => {
    const { key } = await createKey({ concurrency: 10 });
    const none = await ask(key);
    expect(none.status).toBe(529);
    expect(await none.json<any>()).toMatchObject({ error: { type: "overloaded_error" } });

    const host = await TestHost.connect({ lanes: 1 });
    const running = ask(key);
    const job = await host.next("job");
    const waiting = [ask(key), ask(key)]; // QUEUE_MAX = 2 in tests
    await until(async () => (await health()).queued === 2, "two queued jobs");
    const full = await ask(key);
    expect(full.status).toBe(529);
    expect(full.headers.get("retry-after")).not.toBeNull();
    expect((await full.json<any>()).error.type).toBe("overloaded_error");
    host.answer(job.jobId, "1");
    for (let i = 0; i < 2; i++) host.answer((await host.next("job")).jobId, "n");
    for (const r of [running, ...waiting]) expect((await r).status).toBe(200);
  });

  it("a failure after output: an error event in a stream, Anthropic's error body at the end of JSON", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const streamed = ask(key, { stream: true });
    const first = await host.next("job");
    host.event(first.jobId, { t: "started" });
    host.event(first.jobId, { t: "text", text: "Half" });
    host.fail(first.jobId, "upstream_error", { retryable: false, outputStarted: true });
    const sse = await events(await streamed);
    expect(sse.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "error",
    ]);
    expect(sse.at(-1)!.data).toMatchObject({ type: "error", error: { type: "api_error" } });

    const plain = ask(key);
    const second = await host.next("job");
    host.event(second.jobId, { t: "started" });
    host.event(second.jobId, { t: "text", text: "Half" });
    host.fail(second.jobId, "upstream_error", { retryable: false, outputStarted: true });
    const res = await plain;
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toMatchObject({
      type: "error",
      error: { type: "api_error" },
    });
  });

  it("a client that goes away cancels its job on the host", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ lanes: 1 });
    // In-process, so the test holds the very stream the runtime cancels on a disconnect.
    const res = await worker.fetch!(
      new Request(`${BASE}/v1/messages`, {
        method: "POST",
        headers: { ...ANTHROPIC_HEADERS, "x-api-key": key },
        body: JSON.stringify({
          model: "gemini-2.5-flash",
          max_tokens: 10,
          stream: true,
          messages: [{ role: "user", content: "Hi" }],
        }),
      }) as Request<unknown, IncomingRequestCfProperties>,
      bindings,
      createExecutionContext(),
    );
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "partial" });
    const reader = res.body!.getReader();
    await reader.read(); // message_start
    await reader.cancel();
    const cancel = await host.next("job.cancel");
    expect(cancel.jobId).toBe(job.jobId);
    host.fail(job.jobId, "cancelled", { retryable: false, outputStarted: true });
    await until(async () => (await health()).freeLanes === 1, "the lane to free");
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("estimates without max_tokens or a host, and says it is an estimate", async () => {
    const { key } = await createKey();
    const res = await post("/v1/messages/count_tokens", key, {
      model: "gemini-2.5-flash",
      system: "Be brief.",
      messages: [{ role: "user", content: "How many tokens is this?" }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-aistudio-token-count")).toBe("estimate");
    const body = await res.json<any>();
    expect(body.estimated).toBe(true);
    // 2 messages × 4 + ceil(9 / 4) + ceil(24 / 4)
    expect(body.input_tokens).toBe(17);
    const bad = await post("/v1/messages/count_tokens", key, { model: "m", messages: [] });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.type).toBe("invalid_request_error");
  });

  it("answers the page's own count when a host's lane is free", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const res = post("/v1/messages/count_tokens", key, {
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "How many tokens is this?" }],
    });
    const job = await host.next("job");
    expect(job.request).toMatchObject({ countTokens: true, model: "gemini-2.5-flash" });
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 9, completionTokens: 0, totalTokens: 9 },
    });
    const answer = await res;
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-aistudio-token-count")).toBe("page");
    expect(await answer.json()).toEqual({ input_tokens: 9, estimated: false });
  });
});

describe("GET /v1/models with anthropic-version", () => {
  it("lists and retrieves models in Anthropic's shape", async () => {
    const { key } = await createKey();
    await TestHost.connect();
    const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
    const list = await (await SELF.fetch(`${BASE}/v1/models?limit=1`, { headers })).json<any>();
    expect(list).toEqual({
      data: [expect.objectContaining({ type: "model", id: "gemini-2.5-flash" })],
      has_more: true,
      first_id: "gemini-2.5-flash",
      last_id: "gemini-2.5-flash",
    });
    expect(list.data[0]).toMatchObject({
      display_name: "Gemini 2.5 Flash",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // The page's limits as the host reported them; one it did not report is null.
      max_tokens: 65536,
      max_input_tokens: null,
    });
    const one = await SELF.fetch(`${BASE}/v1/models/gemini-3-pro-preview`, { headers });
    expect(await one.json<any>()).toMatchObject({ type: "model", id: "gemini-3-pro-preview" });
    const missing = await SELF.fetch(`${BASE}/v1/models/claude-nope`, { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json<any>()).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
    // Without the header, the same path is OpenAI's.
    const openai = await SELF.fetch(`${BASE}/v1/models`, { headers: { "x-api-key": key } });
    expect((await openai.json<any>()).object).toBe("list");
  });

  it("lets browsers send Anthropic's headers (CORS)", async () => {
    const res = await SELF.fetch(`${BASE}/v1/messages`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key, anthropic-version, anthropic-beta",
      },
    });
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "x-api-key, anthropic-version, anthropic-beta",
    );
  });
});
