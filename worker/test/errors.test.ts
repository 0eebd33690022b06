import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, TestHost, chat, createKey, until, closeAllHosts } from "./helpers.js";

afterEach(closeAllHosts);

async function errorOf(res: Response) {
  const body = await res.json<{ error: Record<string, unknown> }>();
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return body.error;
}

describe("every error is an OpenAI error with the right status", () => {
  it("bad JSON → 400 invalid_json", async () => {
    const { key } = await createKey();
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: '{"model": "x", ',
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      code: "invalid_json",
      type: "invalid_request_error",
    });
  });

  it.each([
    [{ messages: [] }, "messages"],
    [{ messages: "hi" }, "messages"],
    [{ model: 42 }, "model"],
    [{ temperature: "hot" }, "temperature"],
    [{ temperature: 3 }, "temperature"],
    [{ n: 2 }, "n"],
    [{ messages: [{ role: "wizard", content: "x" }] }, "messages[0].role"],
    [{ messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ stream: "yes" }, "stream"],
    [{ max_tokens: 0 }, "max_tokens"],
    // Schemas AI Studio's page cannot take, and a tool call it cannot force.
    [
      {
        tools: [
          {
            type: "function",
            function: {
              name: "f",
              parameters: { type: "object", properties: { v: { type: ["string", "integer"] } } },
            },
          },
        ],
      },
      "tools[0].function.parameters.properties.v.type",
    ],
    [
      {
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "r",
            schema: {
              $defs: { N: { properties: { n: { $ref: "#/$defs/N" } } } },
              $ref: "#/$defs/N",
            },
          },
        },
      },
      "response_format.json_schema.schema.$ref.properties.n.$ref",
    ],
    [
      { tools: [{ type: "function", function: { name: "f" } }], tool_choice: "required" },
      "tool_choice",
    ],
  ])("wrong field %j → 400 naming %s", async (patch, param) => {
    const { key } = await createKey();
    const res = await chat(key, patch);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      code: "invalid_request",
      type: "invalid_request_error",
      param,
    });
  });

  it("n > 1 says why", async () => {
    const { key } = await createKey();
    const err = await errorOf(await chat(key, { n: 3 }));
    expect(err.message).toContain("n = 1");
  });

  it("no host connected → 503 no_browser_host with retry-after", async () => {
    const { key } = await createKey();
    const res = await chat(key, {});
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(res)).toMatchObject({ code: "no_browser_host", type: "server_error" });
  });

  it("unknown model → 404 model_not_found with param and the models served", async () => {
    const { key } = await createKey();
    await TestHost.connect();
    const res = await chat(key, { model: "gpt-4o" });
    expect(res.status).toBe(404);
    const err = await errorOf(res);
    expect(err).toMatchObject({ code: "model_not_found", param: "model" });
    expect(err.message).toContain("gemini-2.5-flash");
  });

  it("body over the limit → 413", async () => {
    const { key } = await createKey();
    const res = await chat(key, { messages: [{ role: "user", content: "x".repeat(70_000) }] });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "request_too_large" });
  });

  // JSON.parse builds any depth; JSON.stringify on the way to the pool used to overflow the stack
  // at about 10,000 levels here (a 500). 10,000 levels of `{"a":` fit the test's 64 KB limit.
  const nested = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
  const rawChat = (key: string, fields: string) =>
    SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hi"}],${fields}}`,
    });

  it.each([
    [
      "tools[0].function.parameters",
      `"tools":[{"type":"function","function":{"name":"f","parameters":${nested(10_000)}}}]`,
    ],
    [
      "tools[0].function.parameters",
      `"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${"[".repeat(30_000)}${"]".repeat(30_000)}}}}]`,
    ],
    [
      "response_format.json_schema.schema",
      `"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${nested(10_000)}}}`,
    ],
    ["functions[0].parameters", `"functions":[{"name":"f","parameters":${nested(10_000)}}]`],
    [
      "tools[0].custom",
      `"tools":[{"type":"custom","custom":{"name":"c","format":${nested(10_000)}}}]`,
    ],
    ["web_search_options", `"web_search_options":${nested(10_000)}`],
  ])("JSON nested 10,000 levels deep in %s → 400 naming it", async (param, fields) => {
    const { key } = await createKey();
    await TestHost.connect();
    const res = await rawChat(key, fields);
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param });
    expect(err.message).toContain("nested more than 64 levels deep");
  });

  it("JSON nested within the limit is served", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = rawChat(
      key,
      `"tools":[{"type":"function","function":{"name":"f","parameters":${nested(63)}}}]`,
    );
    const job = await host.next("job");
    host.answer(job.jobId, "ok");
    expect((await pending).status).toBe(200);
  });

  it.each([
    ["an empty body", "invalid_json", ""],
    ["truncated JSON", "invalid_json", '{"model":'],
    ["a bare string", "invalid_request", '"hello"'],
    ["null", "invalid_request", "null"],
    ["an array", "invalid_request", "[]"],
    ["deep arrays as the body", "invalid_request", `${"[".repeat(30_000)}${"]".repeat(30_000)}`],
    [
      "deep arrays as the content",
      "invalid_request",
      `{"model":"m","messages":[{"role":"user","content":${"[".repeat(30_000)}${"]".repeat(30_000)}}]}`,
    ],
    [
      "deep objects as a message",
      "invalid_request",
      `{"model":"m","messages":[${nested(10_000)}]}`,
    ],
    [
      "a number beyond double range",
      "invalid_request",
      '{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1e400}',
    ],
    [
      "a prototype key",
      "invalid_request",
      '{"__proto__":{"model":"m"},"messages":[{"role":"user","content":"x"}]}',
    ],
  ])("%s → 400 %s in OpenAI's shape, never a 500", async (_what, code, body) => {
    const { key } = await createKey();
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code, type: "invalid_request_error" });
  });

  it("bytes that are not UTF-8 → 400, never a 500", async () => {
    const { key } = await createKey();
    const body = new Uint8Array([
      ...new TextEncoder().encode('{"model":"m","messages":[{"role":"user","content":"'),
      0xff,
      0xfe,
      0x80,
      ...new TextEncoder().encode('"}],"n":2}'),
    ]);
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ param: "n" });
  });

  it("unknown route → 404 in the same shape", async () => {
    const res = await SELF.fetch(`${BASE}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "not_found" });
  });

  it("a host whose login expired is named, with the remedy", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ id: "home-pc" });
    host.send({
      type: "status",
      state: "auth_expired",
      lanes: 1,
      freeLanes: 0,
      detail: "sign-in redirect",
    });
    await until(
      async () =>
        (await (await SELF.fetch(`${BASE}/health`)).json<{ hosts: Array<{ state: string }> }>())
          .hosts[0]?.state === "auth_expired",
      "status applied",
    );
    const res = await chat(key, {});
    expect(res.status).toBe(503);
    const err = await errorOf(res);
    expect(err.code).toBe("auth_expired");
    expect(err.message).toContain("home-pc");
    expect(err.message).toContain("auth");
  });
});

describe("CORS", () => {
  it("answers preflights with the SDK headers allowed", async () => {
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://chat.example",
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "authorization, content-type, x-stainless-os, x-api-key, x-evil, anthropic-dangerous-direct-browser-access, x-goog-api-client",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = res.headers.get("access-control-allow-headers")!.split(", ");
    expect(allowed).toEqual([
      "authorization",
      "content-type",
      "x-stainless-os",
      "x-api-key",
      "anthropic-dangerous-direct-browser-access",
      "x-goog-api-client",
    ]);
  });

  it("exposes the rate-limit headers on responses", async () => {
    const res = await SELF.fetch(`${BASE}/v1/models`, {
      headers: { origin: "https://chat.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain(
      "x-ratelimit-remaining-requests",
    );
    expect(res.headers.get("access-control-expose-headers")).toContain("retry-after");
    const exposed = res.headers.get("access-control-expose-headers")!.split(", ");
    expect(exposed).toEqual(expect.arrayContaining(["request-id", "x-aistudio-token-count"]));
  });
});
