import {
  SELF,
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../src/index.js";
import type { Env } from "../src/env.js";
import type { ResponseStore } from "../src/responses/response-store.js";
import { BASE, TestHost, bindings, closeAllHosts, createKey, until } from "./helpers.js";

/* OpenAI's Responses API through the Worker and the pool, to a scripted host. */

afterEach(closeAllHosts);

const request = (
  path: string,
  key: string | null,
  init: { method?: string; body?: Record<string, unknown> } = {},
) =>
  new Request(`${BASE}${path}`, {
    method: init.method ?? "POST",
    headers: {
      "content-type": "application/json",
      ...(key !== null ? { authorization: `Bearer ${key}` } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });

const create = (key: string | null, body: Record<string, unknown> = {}) =>
  SELF.fetch(
    request("/v1/responses", key, { body: { model: "gemini-2.5-flash", input: "Hi", ...body } }),
  );

const retrieve = (key: string, id: string, method = "GET") =>
  SELF.fetch(request(`/v1/responses/${id}`, key, { method }));

/** The same Worker in-process with other settings (a TTL per test), and its waitUntil work. */
function withVars(vars: Record<string, string>, req: Request) {
  const ctx = createExecutionContext();
  const res = worker.fetch!(
    req as Request<unknown, IncomingRequestCfProperties>,
    { ...bindings, ...vars } as Env,
    ctx,
  );
  return { res, settled: () => waitOnExecutionContext(ctx) };
}

const storeOf = (keyId: string) =>
  bindings.RESPONSES.get(bindings.RESPONSES.idFromName(keyId)) as DurableObjectStub<ResponseStore>;

const stored = async (key: string, id: string) => (await retrieve(key, id)).status === 200;

interface Sse {
  event: string;
  data: any;
}

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

describe("POST /v1/responses", () => {
  it("answers without streaming in the response shape, and names the tools the page was not given", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = create(key, {
      instructions: "Be brief.",
      input: [{ role: "user", content: [{ type: "input_text", text: "Weather?" }] }],
      tools: [
        { type: "function", name: "get_weather", parameters: { type: "object" } },
        { type: "file_search", vector_store_ids: ["vs_1"] },
      ],
      reasoning: { effort: "low", summary: "auto" },
      max_output_tokens: 100,
      metadata: { run: "7" },
    });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: "gemini-2.5-flash",
      maxOutputTokens: 100,
      reasoningEffort: "low",
      stream: false,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
      ],
      tools: [{ name: "get_weather", parameters: { type: "object" } }],
    });
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "thought", text: "Paris?" });
    host.event(job.jobId, { t: "text", text: "Checking." });
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
    expect(res.headers.get("x-aistudio-dropped-settings")).toBe("tools[1] (file_search)");
    const body = await res.json<any>();
    expect(body).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: "response",
      status: "completed",
      model: "gemini-2.5-flash",
      instructions: "Be brief.",
      metadata: { run: "7" },
      store: true,
      usage: { input_tokens: 12, output_tokens: 9, output_tokens_details: { reasoning_tokens: 4 } },
    });
    expect(body.output.map((o: { type: string }) => o.type)).toEqual([
      "reasoning",
      "message",
      "function_call",
    ]);
    expect(body.output[2]).toMatchObject({ call_id: "call_1", arguments: '{"city":"Paris"}' });
  });

  it("streams the documented events in order, with comments while queued", async () => {
    const { key } = await createKey({ concurrency: 5 });
    const host = await TestHost.connect({ lanes: 1 });
    const first = create(key);
    const running = await host.next("job");
    const second = create(key, { stream: true, tools: [{ type: "computer_use_preview" }] });
    await until(async () => (await health()).queued === 1, "the stream to queue");
    host.answer(running.jobId, "first");
    expect((await first).status).toBe(200);

    const job = await host.next("job");
    expect(job.request.stream).toBe(true);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Hel" });
    host.event(job.jobId, { t: "text", text: "lo" });
    host.event(job.jobId, {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
    const res = await second;
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-aistudio-dropped-settings")).toBe("tools[0] (computer_use_preview)");
    const text = await res.clone().text();
    expect(text).toContain(": queued 1\n\n");
    const sse = await events(res);
    expect(sse.map((e) => e.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sse.map((e) => e.data.sequence_number)).toEqual(sse.map((_, i) => i));
    expect(sse.at(-1)!.data.response).toMatchObject({
      status: "completed",
      output: [{ type: "message", content: [{ type: "output_text", text: "Hello" }] }],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
  });

  it("a client that goes away cancels its job on the host", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ lanes: 1 });
    // In-process, so the test holds the very stream the runtime cancels on a disconnect.
    const res = await withVars(
      {},
      request("/v1/responses", key, {
        body: { model: "gemini-2.5-flash", input: "Hi", stream: true },
      }),
    ).res;
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "partial" });
    const reader = res.body!.getReader();
    await reader.read(); // response.created
    await reader.cancel();
    const cancel = await host.next("job.cancel");
    expect(cancel.jobId).toBe(job.jobId);
    host.fail(job.jobId, "cancelled", { retryable: false, outputStarted: true });
    await until(async () => (await health()).freeLanes === 1, "the lane to free");
  });
});

describe("the Responses door's errors", () => {
  it("answers OpenAI's error shape before the job: 401, 400 naming the field, 503 with no host", async () => {
    const missing = await create(null);
    expect(missing.status).toBe(401);
    expect((await missing.json<any>()).error).toMatchObject({ type: "authentication_error" });

    const { key } = await createKey();
    const background = await create(key, { background: true });
    expect(background.status).toBe(400);
    expect((await background.json<any>()).error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_request",
      param: "background",
    });
    const fileId = await create(key, {
      input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }],
    });
    expect((await fileId.json<any>()).error.param).toBe("input[0].content[0].file_id");

    const none = await create(key);
    expect(none.status).toBe(503);
    expect((await none.json<any>()).error.code).toBe("no_browser_host");
  });

  it("a failure after output: response.failed and error in a stream, the error body at the end of JSON", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const streamed = create(key, { stream: true });
    const first = await host.next("job");
    host.event(first.jobId, { t: "started" });
    host.event(first.jobId, { t: "text", text: "Half" });
    host.fail(first.jobId, "upstream_error", { retryable: false, outputStarted: true });
    const sse = await events(await streamed);
    expect(sse.slice(-2).map((e) => e.event)).toEqual(["response.failed", "error"]);
    expect(sse.at(-2)!.data.response).toMatchObject({
      status: "failed",
      error: { code: "server_error" },
    });
    expect(sse.at(-1)!.data).toMatchObject({
      code: "upstream_error",
      error: { type: "server_error", code: "upstream_error" },
    });

    const plain = create(key);
    const second = await host.next("job");
    host.event(second.jobId, { t: "started" });
    host.event(second.jobId, { t: "text", text: "Half" });
    host.fail(second.jobId, "upstream_error", { retryable: false, outputStarted: true });
    const res = await plain;
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toMatchObject({
      error: { type: "server_error", code: "upstream_error" },
    });
  });
});

describe("stored responses", () => {
  it("are read back, continued with previous_response_id and deleted", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = create(key, { instructions: "Old instructions.", input: "My name is Ada." });
    host.answer((await host.next("job")).jobId, "Hello Ada.");
    const first = await (await pending).json<any>();
    await until(() => stored(key, first.id), "the response to be stored");
    expect(await (await retrieve(key, first.id)).json()).toEqual(first);

    const next = create(key, { previous_response_id: first.id, input: "What is my name?" });
    const job = await host.next("job");
    // The earlier turn comes first; the earlier instructions do not carry over.
    expect(job.request.messages).toEqual([
      { role: "user", content: "My name is Ada." },
      { role: "assistant", content: "Hello Ada." },
      { role: "user", content: "What is my name?" },
    ]);
    host.answer(job.jobId, "Ada.");
    const second = await (await next).json<any>();
    expect(second.previous_response_id).toBe(first.id);

    const deleted = await retrieve(key, first.id, "DELETE");
    expect(await deleted.json()).toEqual({ id: first.id, object: "response", deleted: true });
    expect((await retrieve(key, first.id)).status).toBe(404);
    expect((await retrieve(key, first.id, "DELETE")).status).toBe(404);
  });

  it("an unknown id is a 400 naming previous_response_id, and a 404 to GET", async () => {
    const { key } = await createKey();
    const res = await create(key, { previous_response_id: "resp_nope" });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error).toMatchObject({
      code: "invalid_request",
      param: "previous_response_id",
      message: expect.stringContaining("not found or expired"),
    });
    const missing = await retrieve(key, "resp_nope");
    expect(missing.status).toBe(404);
    expect((await missing.json<any>()).error.type).toBe("invalid_request_error");
  });

  it("store: false keeps nothing", async () => {
    const { id: keyId, key } = await createKey();
    const host = await TestHost.connect();
    const unstored = create(key, { store: false });
    host.answer((await host.next("job")).jobId, "not kept");
    const body = await (await unstored).json<any>();
    expect(body.store).toBe(false);
    // A stored answer after it: once that one is there, the first would have been too.
    const kept = create(key);
    host.answer((await host.next("job")).jobId, "kept");
    const keptId = (await (await kept).json<any>()).id;
    await until(() => stored(key, keptId), "the second response to be stored");
    expect((await retrieve(key, body.id)).status).toBe(404);
    expect(await storeOf(keyId).count()).toBe(1);
  });

  it("no key reads, continues or deletes another key's responses", async () => {
    const a = await createKey({ name: "a" });
    const b = await createKey({ name: "b" });
    const host = await TestHost.connect();
    const pending = create(a.key);
    host.answer((await host.next("job")).jobId, "secret");
    const { id } = await (await pending).json<any>();
    await until(() => stored(a.key, id), "the response to be stored");
    expect((await retrieve(b.key, id)).status).toBe(404);
    expect((await retrieve(b.key, id, "DELETE")).status).toBe(404);
    const continued = await create(b.key, { previous_response_id: id });
    expect(continued.status).toBe(400);
    expect((await continued.json<any>()).error.param).toBe("previous_response_id");
    expect(await stored(a.key, id)).toBe(true);
  });

  it("expire after RESPONSES_TTL_SECONDS, and 0 stores nothing", async () => {
    const { id: keyId, key } = await createKey();
    const host = await TestHost.connect();
    const short = await withVars(
      { RESPONSES_TTL_SECONDS: "1" },
      request("/v1/responses", key, { body: { model: "gemini-2.5-flash", input: "Hi" } }),
    );
    host.answer((await host.next("job")).jobId, "brief");
    const { id } = await (await short.res).json<any>();
    await short.settled();
    expect(await storeOf(keyId).count()).toBe(1);
    await until(async () => !(await stored(key, id)), "the response to expire", 10_000);
    const late = await create(key, { previous_response_id: id });
    expect(late.status).toBe(400);

    const off = await withVars(
      { RESPONSES_TTL_SECONDS: "0" },
      request("/v1/responses", key, { body: { model: "gemini-2.5-flash", input: "Hi" } }),
    );
    host.answer((await host.next("job")).jobId, "unkept");
    const offBody = await (await off.res).json<any>();
    await off.settled();
    expect(offBody.store).toBe(false);
    // The expired record was deleted when it was read; nothing was added.
    expect(await storeOf(keyId).count()).toBe(0);
  });

  it("the store's alarm deletes what has expired and wakes again for what has not", async () => {
    const stub = storeOf(`alarm-test-${crypto.randomUUID()}`);
    const now = Date.now();
    await stub.put("resp_old", "{}", now + 30_000);
    await stub.put("resp_new", "{}", now + 60_000);
    // Time passes for the first record only. (Stored with a past expiry, its alarm would fire
    // by itself at once and race the one this test runs.)
    await runInDurableObject(stub, async (_store, state) => {
      state.storage.sql.exec(
        `UPDATE responses SET expires_at = ? WHERE id = 'resp_old'`,
        Date.now() - 1_000,
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.count()).toBe(1);
    expect(await stub.get("resp_new")).toBe("{}");
    expect(await runInDurableObject(stub, async (_store, state) => state.storage.getAlarm())).toBe(
      now + 60_000,
    );
  });

  it("keeps a record larger than one SQLite row in pieces", async () => {
    const stub = storeOf(`pieces-test-${crypto.randomUUID()}`);
    const big = JSON.stringify({ text: "é".repeat(1_300_000) });
    await stub.put("resp_big", big, Date.now() + 60_000);
    expect(await stub.get("resp_big")).toBe(big);
  });
});

describe("POST /v1/responses/input_tokens", () => {
  it("estimates without a host, and says it is an estimate", async () => {
    const { key } = await createKey();
    const res = await SELF.fetch(
      request("/v1/responses/input_tokens", key, {
        body: { model: "gemini-2.5-flash", instructions: "Be brief.", input: "Count me." },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-aistudio-token-count")).toBe("estimate");
    // 2 messages × 4 + ceil(9 / 4) + ceil(9 / 4)
    expect(await res.json()).toEqual({
      object: "response.input_tokens",
      input_tokens: 14,
      estimated: true,
    });
  });
});
