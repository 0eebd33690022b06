import { SELF, createExecutionContext } from "cloudflare:test";
import worker from "../src/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@aistudio-edge/shared";
import {
  BASE,
  TestHost,
  bindings,
  chat,
  createKey,
  hostWithJob,
  readSse,
  until,
  closeAllHosts,
} from "./helpers.js";

afterEach(closeAllHosts);

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{
    running: number;
    freeLanes: number;
    hosts: unknown[];
  }>();
const lastError = (events: Array<{ data?: string }>) => JSON.parse(events.at(-1)!.data!).error;

describe("failure semantics", () => {
  it("a client that goes away cancels its job on the host, and the lane frees after the host confirms", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ lanes: 1 });
    // Called in-process so the test holds the very stream the runtime would cancel when the
    // client's connection drops (the e2e suite checks that a real disconnect does this).
    const res = await worker.fetch!(
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "gemini-2.5-flash",
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
    await reader.read(); // the role chunk
    await reader.cancel();

    const cancel = await host.next("job.cancel");
    expect(cancel.jobId).toBe(job.jobId);
    expect(cancel.reason).toContain("client");
    expect((await health()).freeLanes).toBe(0);
    host.fail(job.jobId, "cancelled", {
      message: "stopped",
      retryable: false,
      outputStarted: true,
    });
    await until(async () => (await health()).freeLanes === 1, "the lane to free");
  });

  it("re-dispatches a job that failed before its first delta, to another host, at most twice", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "a" });
    const b = await TestHost.connect({ id: "b" });
    const pending = chat(key, { stream: true });
    const { host: firstHost, job: first, others } = await hostWithJob([a, b]);
    const otherHost = others[0]!;
    firstHost.fail(first.jobId, "upstream_error", { message: "internal" });
    const second = await otherHost.next("job");
    expect(second.jobId).not.toBe(first.jobId);
    expect(second.jobId.startsWith(first.jobId)).toBe(true);
    // A late frame from the failed attempt must not reach the client.
    firstHost.event(first.jobId, { t: "text", text: "GHOST" });
    otherHost.fail(second.jobId, "host_disconnected", { message: "lane crashed" });
    const third = await firstHost.next("job");
    firstHost.fail(third.jobId, "upstream_error", { message: "again" });

    const events = await readSse(await pending);
    expect(events.map((e) => e.data ?? "").join("")).not.toContain("GHOST");
    // The client gets the catalogue's text and its request id, never the host's own words.
    expect(lastError(events)).toMatchObject({ code: "upstream_error" });
    expect(lastError(events).message).toMatch(/^AI Studio failed to answer.*\(request req_/);
    expect(lastError(events).message).not.toContain("again");
    await otherHost.expectNo("job", 100);
  });

  it("streams the retried attempt's answer after the failed one had started", async () => {
    // Each attempt reports `started`: the second renders to nothing in the SSE writer (the role
    // chunk is out already), and the stream must go on to the new attempt's answer.
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "a" });
    const b = await TestHost.connect({ id: "b" });
    const pending = chat(key, { stream: true });
    const { host: firstHost, job: first, others } = await hostWithJob([a, b]);
    const otherHost = others[0]!;
    firstHost.event(first.jobId, { t: "started" });
    firstHost.fail(first.jobId, "upstream_error", { message: "internal" });
    const second = await otherHost.next("job");
    otherHost.event(second.jobId, { t: "started" });
    otherHost.event(second.jobId, { t: "text", text: "Second time lucky." });
    otherHost.event(second.jobId, { t: "done", finishReason: "stop" });

    const events = await readSse(await pending);
    const text = events
      .filter((e) => e.data !== undefined && e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data!).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("Second time lucky.");
    expect(events.at(-1)?.data).toBe("[DONE]");
  });

  it("does not retry after output started: the stream ends with an error event", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect();
    const b = await TestHost.connect();
    const pending = chat(key, { stream: true });
    const { host, job, others } = await hostWithJob([a, b]);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Hello" });
    host.fail(job.jobId, "upstream_error", { message: "broke", outputStarted: true });
    const events = await readSse(await pending);
    const text = events
      .filter((e) => e.data && e.data.startsWith('{"id"'))
      .map((e) => JSON.parse(e.data!).choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("Hello");
    expect(lastError(events)).toMatchObject({ code: "upstream_error" });
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);
    await others[0]!.expectNo("job", 100);
  });

  it("a host that disconnects mid-stream ends the stream with an error event", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, { stream: true });
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Half an ans" });
    await until(async () => (await health()).running === 1, "the job to run");
    host.close();
    const events = await readSse(await pending);
    expect(lastError(events)).toMatchObject({ code: "host_disconnected", type: "server_error" });
  });

  it("a host that disconnects before output has its job re-dispatched", async () => {
    const { key } = await createKey();
    const flaky = await TestHost.connect({ id: "flaky" });
    const pending = chat(key, {});
    await flaky.next("job");
    const steady = await TestHost.connect({ id: "steady" });
    flaky.close();
    const job = await steady.next("job");
    steady.answer(job.jobId, "rescued");
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json<any>()).choices[0].message.content).toBe("rescued");
  });

  it("a job with no output for the stall timeout ends as upstream_stalled and is cancelled on the host", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    const res = await pending; // STALL_TIMEOUT_MS = 2500 in tests
    expect(res.status).toBe(504);
    expect(await res.json<any>()).toMatchObject({ error: { code: "upstream_stalled" } });
    expect((await host.next("job.cancel")).jobId).toBe(job.jobId);
  });

  it("a quota error cools the model down on that host and fails over to another", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "qa" });
    const pending = chat(key, {});
    const job = await a.next("job");
    a.fail(job.jobId, "upstream_quota", { message: "quota" });
    const res = await pending;
    expect(res.status).toBe(429);
    expect(await res.json<any>()).toMatchObject({ error: { code: "upstream_quota" } });
    const again = await chat(key, {});
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    await a.expectNo("job", 50);
    // Another account's host still serves the model.
    const b = await TestHost.connect({ id: "qb" });
    const ok = chat(key, {});
    b.answer((await b.next("job")).jobId, "fresh quota");
    expect((await ok).status).toBe(200);
  });
});

describe("protocol hygiene", () => {
  it("answers malformed and unknown frames with protocol.error and keeps the link", async () => {
    const host = await TestHost.connect();
    host.ws.send("not json");
    expect((await host.next("protocol.error")).message).toContain("not JSON");
    host.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "job.teleport", jobId: "x", seq: 1 }));
    expect((await host.next("protocol.error")).message).toContain("job.teleport");
    host.ws.send(JSON.stringify({ v: 9, type: "status" }));
    expect((await host.next("protocol.error")).message).toContain("version 9");
    expect((await health()).hosts).toHaveLength(1);
  });

  it("requires hello before anything else", async () => {
    const ws = await TestHost.open();
    const frames: string[] = [];
    ws.addEventListener("message", (e) => frames.push(String(e.data)));
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener("close", (e) => resolve(e.code)),
    );
    ws.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "status",
        state: "ready",
        lanes: 1,
        freeLanes: 1,
      }),
    );
    expect(await closed).toBe(1008);
    expect(frames.join("")).toContain("hello");
  });

  it("a reconnecting host replaces its old link", async () => {
    const first = await TestHost.connect({ id: "same" });
    const second = await TestHost.connect({ id: "same" });
    await until(() => first.closed, "the old link to close");
    expect(second.closed).toBe(false);
    expect((await health()).hosts).toHaveLength(1);
  });

  it("answers heartbeats without a frame of the protocol", async () => {
    const host = await TestHost.connect();
    host.ws.send("ping");
    await until(() => host.raw.includes("pong"), "pong");
  });
});
