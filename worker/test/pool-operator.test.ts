import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { encodeBase64 } from "../src/base64.js";
import { poolStub } from "../src/pool-client.js";
import type { PoolSignInMessage } from "../src/pool/views.js";
import {
  ADMIN,
  BASE,
  TestHost,
  bindings,
  chat,
  closeAllHosts,
  createKey,
  until,
} from "./helpers.js";

/*
 * The pool's operator side: the ledger fed by real jobs and refusals (read back through
 * /admin/usage and /admin/jobs), failure snapshots fetched from the host that ran the job, the
 * remote sign-in relay between a console socket and a host socket, and the live overview.
 */

afterEach(closeAllHosts);

const pool = () => poolStub(bindings);
const admin = (path: string) =>
  SELF.fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });

async function jobsOf(keyId: string) {
  const res = await admin(`/admin/jobs?keyId=${keyId}`);
  expect(res.status).toBe(200);
  return (await res.json<{ data: Array<Record<string, unknown>> }>()).data;
}

/** A console socket straight into the pool, as the Worker's console route forwards it. */
class ConsoleSocket {
  readonly messages: PoolSignInMessage[] = [];
  closed: { code: number } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => this.messages.push(JSON.parse(String(e.data))));
    ws.addEventListener("close", (e) => (this.closed = { code: e.code }));
  }
  static async open(hostId: string): Promise<ConsoleSocket> {
    const res = await pool().fetch(`https://pool/console/signin?host=${hostId}&w=800&h=600`, {
      headers: { upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    return new ConsoleSocket(res.webSocket!);
  }
  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }
  async next(type: PoolSignInMessage["type"]): Promise<PoolSignInMessage> {
    await until(() => this.messages.some((m) => m.type === type), `a console ${type} message`);
    return this.messages.splice(
      this.messages.findIndex((m) => m.type === type),
      1,
    )[0]!;
  }
}

describe("accounting", () => {
  it("records a finished job with its key, host, outcome, time to first token and tokens", async () => {
    const { id, key } = await createKey({ name: "ledger-key" });
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.answer(job.jobId, "Hello", { promptTokens: 11, completionTokens: 7, totalTokens: 18 });
    expect((await pending).status).toBe(200);

    await until(async () => (await jobsOf(id)).length === 1, "the job in /admin/jobs");
    const [record] = await jobsOf(id);
    expect(record).toMatchObject({
      id: job.jobId,
      wireId: job.jobId,
      keyName: "ledger-key",
      hostId: host.id,
      model: "gemini-2.5-flash",
      outcome: "ok",
      attempts: 1,
      stream: false,
      promptTokens: 11,
      completionTokens: 7,
    });
    expect(record!.ttftMs).toEqual(expect.any(Number));
    // The record holds no text of the prompt or the answer.
    expect(JSON.stringify(record)).not.toMatch(/Hello|"Hi"/);

    const usage = await (
      await admin(`/admin/usage?keyId=${id}`)
    ).json<{
      data: Array<Record<string, unknown>>;
    }>();
    expect(usage.data).toEqual([
      expect.objectContaining({ keyId: id, requests: 1, errors: 0, promptTokens: 11 }),
    ]);
  });

  it("counts refusals and failed jobs as errors by code, and exports CSV", async () => {
    const { id, key } = await createKey({ name: "error-key" });
    // Refused at the edge (bad body) and at the pool (no host): no job existed for either.
    expect((await chat(key, { messages: [] })).status).toBe(400);
    expect((await chat(key, {})).status).toBe(503);
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.fail(job.jobId, "upstream_blocked", { retryable: false });
    expect((await pending).status).toBe(400);

    await until(async () => {
      const res = await admin(`/admin/usage?keyId=${id}`);
      const rows = (await res.json<{ data: Array<{ requests: number }> }>()).data;
      return rows[0]?.requests === 3;
    }, "three requests in the usage row");
    const rows = (
      await (
        await admin(`/admin/usage?keyId=${id}`)
      ).json<{
        data: Array<{ errors: number; errorsByCode: Record<string, number> }>;
      }>()
    ).data;
    expect(rows[0]).toMatchObject({
      errors: 3,
      errorsByCode: { invalid_request: 1, no_browser_host: 1, upstream_blocked: 1 },
    });
    const failed = await (
      await admin(`/admin/jobs?keyId=${id}&failed=true`)
    ).json<{
      data: Array<{ outcome: string }>;
    }>();
    expect(failed.data.map((j) => j.outcome)).toEqual(["upstream_blocked"]);

    const csv = await admin(`/admin/usage?keyId=${id}&format=csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(await csv.text()).toMatch(/^day,key_id,key_name,/);
  });

  it("keeps /admin/usage and /admin/jobs behind the admin token, with query errors as 400", async () => {
    expect((await SELF.fetch(`${BASE}/admin/jobs`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}/admin/usage`)).status).toBe(401);
    const bad = await admin(`/admin/usage?from=yesterday`);
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { param: string } }>()).error.param).toBe("from");
    expect((await admin(`/admin/jobs?limit=100000`)).status).toBe(400);
  });
});

describe("failure snapshots on demand", () => {
  async function failedJob() {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.fail(job.jobId, "upstream_error", { retryable: false });
    await pending;
    await until(
      async () => (await pool().jobs({ limit: 5, failed: true })).some((j) => j.id === job.jobId),
      "the failed job's record",
    );
    return { host, job };
  }

  it("asks the job's own host and reassembles the files it sends", async () => {
    const { host, job } = await failedJob();
    const shot = new Uint8Array(1024 * 1024 + 10).map((_, i) => i % 251);
    const result = pool().snapshot(job.jobId);
    const request = await host.next("snapshot.request");
    expect(request.jobId).toBe(job.jobId);
    host.send({
      type: "snapshot.part",
      requestId: request.requestId,
      file: "screenshot.png",
      offset: 0,
      data: encodeBase64(shot.subarray(0, 1024 * 1024)),
    });
    host.send({
      type: "snapshot.part",
      requestId: request.requestId,
      file: "screenshot.png",
      offset: 1024 * 1024,
      data: encodeBase64(shot.subarray(1024 * 1024)),
    });
    host.send({
      type: "snapshot.part",
      requestId: request.requestId,
      file: "console.log",
      offset: 0,
      data: "",
    });
    host.send({
      type: "snapshot.end",
      requestId: request.requestId,
      found: true,
      truncated: ["console.log"],
    });
    const answer = await result;
    expect(answer.found).toBe(true);
    if (!answer.found) return;
    const files = Object.fromEntries(answer.files.map((f) => [f.name, f]));
    expect(files["screenshot.png"]!.base64).toBe(encodeBase64(shot));
    expect(files["console.log"]).toMatchObject({ base64: "", truncated: true });
  });

  it("takes no pieces from another host, and ends when the asked host goes", async () => {
    const { host, job } = await failedJob();
    const intruder = await TestHost.connect();
    const result = pool().snapshot(job.jobId);
    const request = await host.next("snapshot.request");
    intruder.send({
      type: "snapshot.end",
      requestId: request.requestId,
      found: true,
      truncated: [],
    });
    host.close();
    expect(await result).toMatchObject({
      found: false,
      reason: expect.stringContaining("disconnected"),
    });
  });

  it("says why when there is no record or no host", async () => {
    expect(await pool().snapshot("job_0123456789abcdef0123456789abcdef")).toMatchObject({
      found: false,
      reason: expect.stringContaining("No record"),
    });
  });
});

describe("remote sign-in relay", () => {
  it("pairs one console with one host: frames out, input in, stop on close", async () => {
    const host = await TestHost.connect();
    const console = await ConsoleSocket.open(host.id);
    const start = await host.next("signin.start");
    expect(start.viewport).toEqual({ width: 800, height: 600 });
    expect((await pool().overview()).hosts.find((h) => h.id === host.id)?.signIn).toBe(true);

    host.send({
      type: "signin.frame",
      sessionId: start.sessionId,
      seq: 1,
      data: "/9j/AAAA",
      width: 800,
      height: 600,
    });
    expect(await console.next("frame")).toMatchObject({ data: "/9j/AAAA", width: 800 });
    host.send({
      type: "signin.state",
      sessionId: start.sessionId,
      state: "opened",
      location: "https://accounts.google.com/v3/signin/identifier",
    });
    expect(await console.next("state")).toMatchObject({ state: "opened" });

    console.send({ type: "input", input: { kind: "text", text: "me@example.com" } });
    const input = await host.next("signin.input");
    expect(input).toMatchObject({
      sessionId: start.sessionId,
      input: { kind: "text", text: "me@example.com" },
    });
    // Malformed input is answered on the console and never reaches the host.
    console.send({ type: "input", input: { kind: "mouse", action: "explode", x: 1, y: 1 } });
    expect(await console.next("error")).toMatchObject({
      message: expect.stringContaining("malformed"),
    });
    await host.expectNo("signin.input", 300);

    console.ws.close(1000, "bye");
    expect(await host.next("signin.stop")).toMatchObject({ sessionId: start.sessionId });
    await until(
      async () => !(await pool().overview()).hosts.find((h) => h.id === host.id)?.signIn,
      "the session to end",
    );
  });

  it("refuses a second console for the same host and an unknown host", async () => {
    const host = await TestHost.connect();
    await ConsoleSocket.open(host.id);
    await host.next("signin.start");
    const second = await ConsoleSocket.open(host.id);
    expect(await second.next("error")).toMatchObject({
      message: expect.stringContaining("already open"),
    });
    await until(() => second.closed !== null, "the second console to close");
    expect(second.closed!.code).toBe(4409);
    const nobody = await ConsoleSocket.open("no-such-host");
    expect(await nobody.next("error")).toMatchObject({
      message: expect.stringContaining("not connected"),
    });
  });

  it("relays nothing from another host, and ends with the host's final state", async () => {
    const host = await TestHost.connect();
    const intruder = await TestHost.connect();
    const console = await ConsoleSocket.open(host.id);
    const start = await host.next("signin.start");
    intruder.send({
      type: "signin.frame",
      sessionId: start.sessionId,
      seq: 1,
      data: "/9j/EVIL",
      width: 10,
      height: 10,
    });
    intruder.send({ type: "signin.state", sessionId: start.sessionId, state: "signed_in" });
    host.send({ type: "signin.state", sessionId: start.sessionId, state: "opened" });
    expect(await console.next("state")).toMatchObject({ state: "opened" });
    expect(console.messages.some((m) => m.type === "frame")).toBe(false);

    host.send({
      type: "signin.state",
      sessionId: start.sessionId,
      state: "signed_in",
      detail: "saved profile demo",
    });
    expect(await console.next("state")).toMatchObject({
      state: "signed_in",
      detail: "saved profile demo",
    });
    await until(() => console.closed !== null, "the console socket to close");
    // The session is over: the console's late input goes nowhere.
    await host.expectNo("signin.input", 200);
  });

  it("ends the session when the host disconnects", async () => {
    const host = await TestHost.connect();
    const console = await ConsoleSocket.open(host.id);
    await host.next("signin.start");
    host.close();
    expect(await console.next("state")).toMatchObject({
      state: "closed",
      detail: expect.stringContaining("disconnected"),
    });
  });
});

describe("live overview", () => {
  it("pushes the overview at once and again when a host connects", async () => {
    const reader = (await pool().live()).pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the live stream ended");
        text += value;
      }
    };
    await readUntil(/event: overview\ndata: .*\n\n/);
    const host = await TestHost.connect({ id: "live-host" });
    await readUntil(/"id":"live-host"/);
    const last = text.split("event: overview\ndata: ").at(-1)!.split("\n")[0]!;
    const view = JSON.parse(last) as {
      hosts: Array<{ id: string; version: string }>;
      lastHour: unknown[];
    };
    expect(view.hosts.find((h) => h.id === "live-host")).toMatchObject({ version: "test" });
    expect(view.lastHour).toHaveLength(60);
    await reader.cancel();
    host.close();
  });
});
