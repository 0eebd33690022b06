import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, BASE, TestHost, closeAllHosts, createKey, until } from "./helpers.js";

afterEach(closeAllHosts);

/** MAX_BODY_BYTES in worker/vitest.config.ts. */
const LIMIT = 65_536;
const CHUNK = 1024;
const BIG = 9_000_000;

/**
 * A chunked body (no content-length) that makes its bytes only when the Worker pulls them, so
 * the test can tell how much of it was read. The runtime pulls about one chunk ahead by itself.
 */
function pulledBody(source: Uint8Array | number) {
  const state = { bytes: 0, cancelled: false };
  const filler = new Uint8Array(CHUNK).fill(0x20);
  const total = typeof source === "number" ? source : source.byteLength;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.bytes >= total) return controller.close();
        const chunk =
          typeof source === "number" ? filler : source.subarray(state.bytes, state.bytes + CHUNK);
        state.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, state };
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const post = (
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
const codeOf = async (res: Response) => (await res.json<{ error: { code: string } }>()).error.code;

describe("the body is read only after authentication, and only up to the limit", () => {
  it.each([
    ["/v1/chat/completions", {}, "missing_api_key"],
    ["/v1/chat/completions", { authorization: `Bearer sk-${"x".repeat(48)}` }, "invalid_api_key"],
    ["/admin/keys", {}, "invalid_admin_token"],
    ["/admin/keys", { authorization: "Bearer wrong" }, "invalid_admin_token"],
  ])(
    "an unauthenticated 9 MB chunked body to %s gets 401 %s, nearly unread",
    async (path, headers, code) => {
      const { body, state } = pulledBody(BIG);
      const res = await post(path, body, headers);
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe(code);
      // Reading up to the limit before answering (as before) pulls all 64 KB.
      expect(state.bytes).toBeLessThan(LIMIT / 4);
    },
  );

  it("an authenticated chunked body over the limit gets 413 as soon as it passes it", async () => {
    const { key } = await createKey();
    const { body, state } = pulledBody(BIG);
    const res = await post("/v1/chat/completions", body, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe("request_too_large");
    expect(state.bytes).toBeGreaterThan(LIMIT);
    expect(state.bytes).toBeLessThan(2 * LIMIT);
    await until(() => state.cancelled, "the rest of the body to be cancelled");
  });

  it("a throttled key's body is not read either", async () => {
    const { key } = await createKey({ rpm: 1 });
    await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: "{",
    });
    const { body, state } = pulledBody(BIG);
    const res = await post("/v1/chat/completions", body, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(429);
    expect(state.bytes).toBeLessThan(LIMIT / 4);
  });

  it("a declared content-length over the limit gets 413 unread", async () => {
    const { key } = await createKey();
    const { body, state } = pulledBody(BIG);
    const res = await post("/v1/chat/completions", body, {
      authorization: `Bearer ${key}`,
      "content-length": String(BIG),
    });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe("request_too_large");
    expect(state.bytes).toBeLessThan(LIMIT / 4);
  });

  it("the admin API limits its bodies too", async () => {
    const { body } = pulledBody(BIG);
    const res = await post("/admin/keys", body, { authorization: `Bearer ${ADMIN}` });
    expect(res.status).toBe(413);
  });

  it("a chunked body of exactly the limit works", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const request = { model: "gemini-2.5-flash", messages: [{ role: "user", content: "" }] };
    const padding = LIMIT - json(request).byteLength;
    request.messages[0]!.content = "y".repeat(padding);
    const bytes = json(request);
    expect(bytes.byteLength).toBe(LIMIT);

    const { body, state } = pulledBody(bytes);
    const pending = post("/v1/chat/completions", body, { authorization: `Bearer ${key}` });
    const job = await host.next("job");
    expect(job.request.messages[0]?.content).toBe("y".repeat(padding));
    host.answer(job.jobId, "ok");
    const res = await pending;
    expect(res.status).toBe(200);
    expect(
      (await res.json<{ choices: Array<{ message: { content: string } }> }>()).choices[0]?.message
        .content,
    ).toBe("ok");
    expect(state.bytes).toBe(LIMIT);
  });

  it("a chunked admin body under the limit works", async () => {
    const { body } = pulledBody(json({ name: "chunked" }));
    const res = await post("/admin/keys", body, { authorization: `Bearer ${ADMIN}` });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: "chunked" });
  });
});
