import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@aistudio-edge/shared";
import {
  BASE,
  MODELS,
  TestHost,
  chat,
  closeAllHosts,
  createKey,
  hostWithJob,
  readSse,
  until,
} from "./helpers.js";

/*
 * Trust boundaries between hosts: a host's identity is its socket, it is trusted only for the
 * jobs dispatched to that socket, it cannot flood the pool, and it cannot make a client see
 * codes or text that are not a host's to give.
 */

afterEach(closeAllHosts);

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{
    hosts: Array<{ id: string; state: string }>;
    running: number;
    freeLanes: number;
  }>();
const closeCode = (host: TestHost) =>
  new Promise<number>((resolve) => host.ws.addEventListener("close", (e) => resolve(e.code)));

describe("host identity is the socket", () => {
  it("a second hello under another id is a protocol error that closes the socket, and leaves no ghost", async () => {
    const host = await TestHost.connect({ id: "first-name" });
    const closed = closeCode(host);
    host.send({
      type: "hello",
      hostId: "second-name",
      instanceId: "proc-first-name",
      version: "test",
      lanes: 1,
      models: MODELS,
    });
    expect(await closed).toBe(1008);
    await until(async () => (await health()).hosts.length === 0, "the pool to forget the socket");
    // Under the old registry the renamed host stayed "ready" for ~45 s and requests failed with 502.
    const { key } = await createKey();
    const res = await chat(key, {});
    expect(res.status).toBe(503);
    expect((await res.json<any>()).error.code).toBe("no_browser_host");
  });

  it("a repeated hello with the same identity refreshes what the host serves", async () => {
    const host = await TestHost.connect({ id: "refresher", lanes: 1 });
    host.send({
      type: "hello",
      hostId: "refresher",
      instanceId: "proc-refresher",
      version: "test",
      lanes: 3,
      models: MODELS,
    });
    await until(async () => (await health()).freeLanes === 3, "the new lane count");
    expect(host.closed).toBe(false);
  });

  it("frames for a job are accepted only from the socket it was dispatched to", async () => {
    const { key } = await createKey();
    const owner = await TestHost.connect({ id: "owner" });
    const intruder = await TestHost.connect({ id: "intruder" });
    intruder.send({ type: "status", state: "draining", lanes: 1, freeLanes: 0 });
    await until(
      async () => (await health()).hosts.some((h) => h.id === "intruder" && h.state === "draining"),
      "the intruder to drain",
    );
    const pending = chat(key, { stream: true });
    const job = await owner.next("job");
    // The intruder knows the job id (a re-hello as the owner is refused, so it tries directly).
    intruder.event(job.jobId, { t: "started" });
    intruder.event(job.jobId, { t: "text", text: "INJECTED" });
    intruder.event(job.jobId, { t: "done", finishReason: "stop" });
    owner.event(job.jobId, { t: "started" });
    owner.event(job.jobId, { t: "text", text: "genuine" });
    owner.event(job.jobId, { t: "done", finishReason: "stop" });
    const body = (await readSse(await pending)).map((e) => e.data ?? "").join("\n");
    expect(body).toContain("genuine");
    expect(body).not.toContain("INJECTED");
  });

  it("two processes with one host id: the newer wins and the older is told not to redial", async () => {
    const older = await TestHost.connect({ id: "home-pc", instanceId: "process-a" });
    const olderClosed = closeCode(older);
    const newer = await TestHost.connect({ id: "home-pc", instanceId: "process-b" });
    expect(await olderClosed).toBe(4009);
    expect(newer.closed).toBe(false);
    expect((await health()).hosts.map((h) => h.id)).toEqual(["home-pc"]);
  });

  it("the same process reconnecting replaces its stale link with an ordinary close", async () => {
    const stale = await TestHost.connect({ id: "laptop", instanceId: "process-a" });
    const staleClosed = closeCode(stale);
    await TestHost.connect({ id: "laptop", instanceId: "process-a" });
    expect(await staleClosed).toBe(4000);
  });

  it("a hello in another protocol version is refused with a close naming both versions", async () => {
    const ws = await TestHost.open();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
    );
    ws.send(
      JSON.stringify({
        v: 1,
        type: "hello",
        hostId: "old-host",
        version: "0.1.0",
        lanes: 1,
        models: MODELS,
      }),
    );
    const { code, reason } = await closed;
    expect(code).toBe(4010);
    expect(reason).toContain("v1");
    expect(reason).toContain(`v${PROTOCOL_VERSION}`);
  });
});

describe("frame budget", () => {
  it("a socket that floods bogus frames is closed with 1008 and the pool stays responsive", async () => {
    const host = await TestHost.connect({ id: "flooder" });
    const closed = closeCode(host);
    // HOST_FRAME_BURST is 300 and the refill 50/s in the test config.
    for (let i = 0; i < 500; i++) host.event(`job_bogus_${i}`, { t: "text", text: "x" });
    expect(await closed).toBe(1008);
    const res = await SELF.fetch(`${BASE}/health`);
    expect(res.status).toBe(503);
    expect((await res.json<{ hosts: unknown[] }>()).hosts).toHaveLength(0);
  });

  it("a socket that floods even valid frames is closed past its budget", async () => {
    const host = await TestHost.connect({ id: "chatty" });
    const closed = closeCode(host);
    for (let i = 0; i < 2_000; i++)
      host.send({ type: "status", state: "ready", lanes: 1, freeLanes: 1 });
    expect(await closed).toBe(1008);
  });
});

describe("what a host may report", () => {
  for (const code of ["invalid_api_key", "internal_error", "rate_limit_exceeded", "no_such_code"]) {
    it(`a host's '${code}' reaches the client as 502 upstream_error without the host's text`, async () => {
      const { key } = await createKey();
      const host = await TestHost.connect();
      const pending = chat(key, {});
      const job = await host.next("job");
      host.fail(job.jobId, code, {
        message: "Error at /home/me/secret/path.ts:12",
        retryable: false,
      });
      const res = await pending;
      expect(res.status).toBe(502);
      const err = (await res.json<any>()).error;
      expect(err.code).toBe("upstream_error");
      expect(err.message).not.toContain("/home/me");
      expect(err.message).toMatch(/\(request req_[0-9a-f]+\)$/);
    });
  }

  it("a host-side code keeps its meaning, with the catalogue's text", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.fail(job.jobId, "upstream_permission", {
      message: "page said: 403 for user x@y",
      retryable: false,
    });
    const res = await pending;
    expect(res.status).toBe(403);
    const err = (await res.json<any>()).error;
    expect(err.code).toBe("upstream_permission");
    expect(err.message).not.toContain("x@y");
  });
});

describe("a blocked prompt", () => {
  it("is a 400 upstream_blocked, as OpenAI answers a prompt its filter refuses, and is not retried", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "filter-a" });
    const b = await TestHost.connect({ id: "filter-b" });
    const pending = chat(key, {});
    const { host, job, others } = await hostWithJob([a, b]);
    host.fail(job.jobId, "upstream_blocked", { message: "Prohibited content", retryable: false });
    const res = await pending;
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error).toMatchObject({
      code: "upstream_blocked",
      type: "invalid_request_error",
    });
    await others[0]!.expectNo("job", 100);
  });
});

describe("free lanes and retries", () => {
  it("never dispatches to a lane the host reports busy, and a retry never turns the first error into host_busy", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ id: "solo", lanes: 1 });
    const pending = chat(key, {});
    const first = await host.next("job");
    // The host reports its lane busy (the job runs), then fails it; the lane then saves a
    // snapshot, still busy, before it reports itself free again.
    host.send({ type: "status", state: "ready", lanes: 1, freeLanes: 0 });
    host.fail(first.jobId, "upstream_error", { message: "page broke" });
    // Under protocol v1 the pool counted lanes less its own jobs and sent the retry at once.
    await host.expectNo("job", 300);
    // Its lane free again, the host gets the retry; it races and answers host_busy.
    host.send({ type: "status", state: "ready", lanes: 1, freeLanes: 1 });
    const retry = await host.next("job");
    expect(retry.jobId).toBe(`${first.jobId}.2`);
    host.fail(retry.jobId, "host_busy", { message: "no lane" });
    host.send({ type: "status", state: "ready", lanes: 1, freeLanes: 1 });
    const third = await host.next("job");
    host.fail(third.jobId, "host_busy", { message: "no lane" });
    const res = await pending;
    expect(res.status).toBe(502);
    expect((await res.json<any>()).error.code).toBe("upstream_error");
  });

  it("the pool's quota cool-down holds for its configured time whatever the host's status says", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ id: "quota-host" });
    const pending = chat(key, {});
    const job = await host.next("job");
    host.fail(job.jobId, "upstream_quota", { message: "quota" });
    expect((await pending).status).toBe(429);
    // A status frame (which in protocol v1 replaced the pool's cool-downs) changes nothing.
    host.send({ type: "status", state: "ready", lanes: 1, freeLanes: 1 });
    await until(async () => (await health()).freeLanes === 1, "the status to apply");
    const again = await chat(key, {});
    expect(again.status).toBe(429);
    // QUOTA_COOLDOWN_MS is 60000 in the test config; retry-after is whole seconds, at most 60.
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThanOrEqual(58);
    await host.expectNo("job", 50);
  });
});

describe("non-streamed answers", () => {
  it("once output has started, the body starts with whitespace and ends with the completion", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "slow " });
    const res = await pending;
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.trim()).toBe("");
    // NONSTREAM_KEEPALIVE_MS is 200 in tests: wait for more than one keep-alive space.
    let seen = first;
    while (seen.length < 3) seen += new TextDecoder().decode((await reader.read()).value);
    host.event(job.jobId, { t: "text", text: "answer" });
    host.event(job.jobId, { t: "done", finishReason: "stop" });
    for (let r = await reader.read(); !r.done; r = await reader.read())
      seen += new TextDecoder().decode(r.value);
    expect(seen).toMatch(/^ {3,}\{/);
    expect(JSON.parse(seen).choices[0].message.content).toBe("slow answer");
  });

  it("an error after output ends the 200 body with an error object", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.event(job.jobId, { t: "text", text: "partial" });
    const res = await pending;
    expect(res.status).toBe(200);
    host.fail(job.jobId, "upstream_error", { message: "gone", outputStarted: true });
    const body = JSON.parse(await res.text());
    expect(body.error).toMatchObject({ code: "upstream_error", type: "server_error" });
  });

  it("an error before output keeps its own status", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "only" });
    const pending = chat(key, {});
    const { host, job } = await hostWithJob([a]);
    host.fail(job.jobId, "upstream_permission", { message: "denied", retryable: false });
    expect((await pending).status).toBe(403);
  });
});
