import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  BASE,
  MODELS,
  TestHost,
  chat,
  createKey,
  readSse,
  until,
  closeAllHosts,
} from "./helpers.js";

afterEach(closeAllHosts);

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{
    queued: number;
    running: number;
    freeLanes: number;
  }>();

describe("dispatch and queueing", () => {
  it("spreads jobs over hosts, least loaded first", async () => {
    const { key } = await createKey({ concurrency: 10 });
    const a = await TestHost.connect({ id: "a", lanes: 2 });
    const b = await TestHost.connect({ id: "b", lanes: 2 });
    const pending = [chat(key, {}), chat(key, {})];
    const [ja, jb] = await Promise.all([a.next("job"), b.next("job")]);
    a.answer(ja.jobId, "from a");
    b.answer(jb.jobId, "from b");
    const texts = await Promise.all(
      pending.map(async (p) => (await (await p).json<any>()).choices[0].message.content),
    );
    expect(texts.sort()).toEqual(["from a", "from b"]);
  });

  it("sends a job only to a host that serves its model", async () => {
    const { key } = await createKey();
    const flash = await TestHost.connect({ id: "flash", models: [MODELS[0]!] });
    const pro = await TestHost.connect({ id: "pro", models: [MODELS[1]!] });
    const pending = chat(key, { model: "gemini-3-pro-preview" });
    const job = await pro.next("job");
    await flash.expectNo("job", 100);
    pro.answer(job.jobId, "pro");
    expect((await pending).status).toBe(200);
  });

  it("queues when every lane is busy, tells a streaming client its place, then runs it", async () => {
    const { key } = await createKey({ concurrency: 10 });
    const host = await TestHost.connect({ lanes: 1 });
    const first = chat(key, {});
    const job1 = await host.next("job");
    const second = chat(key, { stream: true });
    await until(async () => (await health()).queued === 1, "the second job to queue");
    await host.expectNo("job", 50);

    host.answer(job1.jobId, "one");
    expect((await first).status).toBe(200);
    const job2 = await host.next("job");
    host.answer(job2.jobId, "two");
    const events = await readSse(await second);
    expect(events[0]).toEqual({ comment: "queued 1" });
    expect(events.at(-1)).toEqual({ data: "[DONE]" });
  });

  it("refuses with 429 queue_full when the queue is full", async () => {
    const { key } = await createKey({ concurrency: 10 });
    const host = await TestHost.connect({ lanes: 1 });
    const running = chat(key, {});
    const job = await host.next("job");
    const waiting = [chat(key, {}), chat(key, {})]; // QUEUE_MAX = 2 in tests
    await until(async () => (await health()).queued === 2, "two queued jobs");
    const refused = await chat(key, {});
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(await refused.json<any>()).toMatchObject({ error: { code: "queue_full" } });

    host.answer(job.jobId, "1");
    for (let i = 0; i < 2; i++) host.answer((await host.next("job")).jobId, "n");
    expect((await running).status).toBe(200);
    for (const w of waiting) expect((await w).status).toBe(200);
  });

  it("ends a job that waited too long: 503 for a plain request, an error event for a stream", async () => {
    const { key } = await createKey({ concurrency: 10 });
    const host = await TestHost.connect({ lanes: 1 });
    const running = chat(key, {});
    const job = await host.next("job");
    const plain = chat(key, {});
    const streamed = chat(key, { stream: true });

    const res = await plain; // QUEUE_TIMEOUT_MS = 1000 in tests
    expect(res.status).toBe(503);
    expect(await res.json<any>()).toMatchObject({ error: { code: "queue_timeout" } });
    const events = await readSse(await streamed);
    expect(JSON.parse(events.at(-1)!.data!)).toMatchObject({ error: { code: "queue_timeout" } });
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);

    host.answer(job.jobId, "late but fine");
    expect((await running).status).toBe(200);
    expect((await health()).queued).toBe(0);
  });
});

describe("health and models", () => {
  it("reports hosts, lanes and queue without secrets", async () => {
    const empty = await SELF.fetch(`${BASE}/health`);
    expect(empty.status).toBe(503);
    expect(await empty.json<any>()).toMatchObject({ status: "no_hosts", hosts: [] });

    await TestHost.connect({ id: "h1", lanes: 3 });
    const res = await SELF.fetch(`${BASE}/health`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({
      status: "ok",
      lanes: 3,
      freeLanes: 3,
      queued: 0,
      hosts: [{ id: "h1", state: "ready", lanes: 3 }],
    });
    expect(body).not.toContain("test-host-token");
  });

  it("lists the union of the hosts' models in the OpenAI shape", async () => {
    const { key } = await createKey();
    await TestHost.connect({ models: [MODELS[0]!] });
    await TestHost.connect({ models: MODELS });
    const res = await SELF.fetch(`${BASE}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = await res.json<any>();
    expect(body.object).toBe("list");
    expect(body.data.map((m: any) => m.id)).toEqual(["gemini-2.5-flash", "gemini-3-pro-preview"]);
    expect(body.data[0]).toEqual({
      id: "gemini-2.5-flash",
      object: "model",
      created: expect.any(Number),
      owned_by: "google",
      output_modalities: ["text"],
    });
    const one = await SELF.fetch(`${BASE}/v1/models/gemini-3-pro-preview`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect((await one.json<any>()).id).toBe("gemini-3-pro-preview");
    expect((await SELF.fetch(`${BASE}/v1/models`)).status).toBe(401);
  });
});
