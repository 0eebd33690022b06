import { SELF, createExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { plainJobRequest, type JobRequest } from "@aistudio-edge/shared";
import type { AppEnv } from "../src/app-types.js";
import { countTokens } from "../src/doors/count-tokens.js";
import { estimateTokens } from "../src/doors/token-estimate.js";
import { apiKey } from "../src/middleware/api-key.js";
import { requestId } from "../src/middleware/request-id.js";
import { onError } from "../src/on-error.js";
import { poolStub } from "../src/pool-client.js";
import {
  ADMIN,
  BASE,
  TestHost,
  bindings,
  chat,
  closeAllHosts,
  createKey,
  sha256Hex,
  until,
} from "./helpers.js";

/*
 * Counting tokens through a host: `countTokens()` (doors/count-tokens.ts) called from a Hono
 * app built here with the real key and request-id middleware (the doors' count endpoints
 * call it too; their tests check the door's shape), against the real pool and a scripted host. And the
 * pool's `whenFree` submissions it rests on: refused at once when no lane is free, never
 * queued, never retried.
 */

const FILE = new TextEncoder().encode("a small text file to count");

async function requestWithFile(): Promise<JobRequest> {
  return plainJobRequest({
    model: "gemini-2.5-flash",
    messages: [
      {
        role: "user",
        content: "How many tokens is this, with the file?",
        attachments: [
          {
            kind: "file",
            mimeType: "text/plain",
            filename: "note.txt",
            bytes: FILE.length,
            sha256: await sha256Hex(FILE),
          },
        ],
      },
    ],
  });
}

const PLAIN = plainJobRequest({
  model: "gemini-2.5-flash",
  messages: [{ role: "user", content: "How many tokens is this?" }],
});

function countApp(request: JobRequest, files: Uint8Array[] = []): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId, apiKey);
  app.post("/count", async (c) => c.json(await countTokens(c, request, files)));
  app.onError(onError);
  return app;
}

async function count(
  key: string,
  request: JobRequest,
  options: { files?: Uint8Array[]; signal?: AbortSignal } = {},
): Promise<{ totalTokens: number; estimated: boolean }> {
  const res = await countApp(request, options.files).fetch(
    new Request(`${BASE}/count`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    bindings,
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  return res.json();
}

async function health(): Promise<{ running: number; queued: number }> {
  return (await SELF.fetch(`${BASE}/health`)).json();
}

const submission = (whenFree: boolean) => ({
  request: PLAIN,
  keyId: "key_test",
  requestId: `req_${crypto.randomUUID().slice(0, 8)}`,
  whenFree,
});

afterEach(closeAllHosts);

describe("whenFree submissions", () => {
  it("are refused at once with host_busy and no retry-after when the only lane is busy", async () => {
    const host = await TestHost.connect();
    const busy = await poolStub(bindings).submit(submission(false));
    expect(busy.ok).toBe(true);
    const running = await host.next("job");

    const refused = await poolStub(bindings).submit(submission(true));
    expect(refused).toMatchObject({ ok: false, code: "host_busy", retryAfterMs: null });
    // Nothing waits: the queue is as empty as before, and the host got no second job.
    expect((await health()).queued).toBe(0);
    await host.expectNo("job", 300);

    host.answer(running.jobId, "done");
    await until(async () => (await health()).running === 0, "the first job to end");
  });

  it("are not retried on another host after a failure, however retryable", async () => {
    const hosts = [await TestHost.connect(), await TestHost.connect()];
    const submitted = await poolStub(bindings).submit(submission(true));
    if (!submitted.ok) throw new Error(`refused: ${submitted.code}`);
    await until(() => hosts.some((h) => h.frames.some((f) => f.type === "job")), "the job");
    const first = hosts.find((h) => h.frames.some((f) => f.type === "job"))!;
    const other = hosts.find((h) => h !== first)!;
    const job = await first.next("job");
    first.fail(job.jobId, "upstream_error", { retryable: true });

    const text = await new Response(submitted.stream).text();
    expect(JSON.parse(text.trim())).toMatchObject({ t: "error", code: "upstream_error" });
    await other.expectNo("job", 300);
  });

  it("still go through admission: no host is no_browser_host", async () => {
    expect(await poolStub(bindings).submit(submission(true))).toMatchObject({
      ok: false,
      code: "no_browser_host",
    });
  });
});

describe("countTokens()", () => {
  it("answers the host's count, unestimated, from a count-only job with the request's files", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const request = await requestWithFile();
    const answer = count(key, request, { files: [FILE] });

    const job = await host.next("job");
    expect(job.request).toMatchObject({ countTokens: true, stream: false, model: request.model });
    const { files } = await host.attachments(job);
    expect(files).toEqual([FILE]);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 42, completionTokens: 0, totalTokens: 42 },
    });

    expect(await answer).toEqual({ totalTokens: 42, estimated: false });
  });

  it("records a count job in the ledger without tokens: counting spends none", async () => {
    const { id, key } = await createKey();
    const host = await TestHost.connect();
    const answer = count(key, PLAIN);
    const job = await host.next("job");
    host.event(job.jobId, {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 42, completionTokens: 0, totalTokens: 42 },
    });
    expect(await answer).toEqual({ totalTokens: 42, estimated: false });

    const jobs = async () =>
      (
        await (
          await SELF.fetch(`${BASE}/admin/jobs?keyId=${id}`, {
            headers: { authorization: `Bearer ${ADMIN}` },
          })
        ).json<{ data: Array<{ outcome: string; promptTokens: number }> }>()
      ).data;
    await until(async () => (await jobs()).length === 1, "the count job in /admin/jobs");
    expect(await jobs()).toMatchObject([{ outcome: "ok", promptTokens: 0 }]);
  });

  it("estimates, flagged, when the only lane is busy, and queues nothing", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const busy = chat(key, { stream: true });
    const running = await host.next("job");

    expect(await count(key, PLAIN)).toEqual({
      totalTokens: estimateTokens(PLAIN),
      estimated: true,
    });
    await host.expectNo("job", 300);

    host.answer(running.jobId, "done");
    await (await busy).text();
  });

  it("estimates when no host is connected", async () => {
    const { key } = await createKey();
    expect(await count(key, PLAIN)).toEqual({
      totalTokens: estimateTokens(PLAIN),
      estimated: true,
    });
  });

  it("estimates when the count job fails on its host, without trying another", async () => {
    const { key } = await createKey();
    const hosts = [await TestHost.connect(), await TestHost.connect()];
    const answer = count(key, PLAIN);
    await until(() => hosts.some((h) => h.frames.some((f) => f.type === "job")), "the job");
    const first = hosts.find((h) => h.frames.some((f) => f.type === "job"))!;
    const job = await first.next("job");
    first.fail(job.jobId, "upstream_unsupported", { retryable: true });

    expect(await answer).toEqual({ totalTokens: estimateTokens(PLAIN), estimated: true });
    await hosts.find((h) => h !== first)!.expectNo("job", 300);
  });

  it("cancels the count job on its host when the client goes away", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const client = new AbortController();
    const answer = count(key, PLAIN, { signal: client.signal }).catch((err: unknown) => err);
    const job = await host.next("job");

    client.abort();
    const cancel = await host.next("job.cancel");
    expect(cancel).toMatchObject({ jobId: job.jobId, reason: "client disconnected" });
    host.fail(job.jobId, "cancelled", { retryable: false });
    await answer;
    await until(async () => (await health()).running === 0, "the lane to free");
  });
});
