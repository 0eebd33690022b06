import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, BASE, TestHost, chat, createKey, closeAllHosts } from "./helpers.js";

afterEach(closeAllHosts);

describe("API keys", () => {
  it("rejects a request without a key in the OpenAI error shape", async () => {
    const res = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.json<any>()).toEqual({
      error: {
        message: expect.stringContaining("API key"),
        type: "authentication_error",
        param: null,
        code: "missing_api_key",
      },
    });
  });

  it("rejects an unknown key without echoing it", async () => {
    const bogus = `sk-${"x".repeat(48)}`;
    const res = await chat(bogus, {});
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe("invalid_api_key");
    expect(text).not.toContain(bogus);
  });

  it("accepts Authorization: Bearer, x-api-key and x-goog-api-key", async () => {
    const { key } = await createKey();
    await TestHost.connect();
    const variants: Array<Record<string, string>> = [
      { authorization: `Bearer ${key}` },
      { "x-api-key": key },
      { "x-goog-api-key": key },
    ];
    for (const headers of variants) {
      const res = await SELF.fetch(`${BASE}/v1/models`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
  });

  it("creates, lists without key material, and revokes keys", async () => {
    const created = await createKey({ name: "alice", rpm: 5, concurrency: 2 });
    expect(created.key).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    expect(created).toMatchObject({ name: "alice", rpm: 5, concurrency: 2 });

    const list = await SELF.fetch(`${BASE}/admin/keys`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const listed = await list.text();
    expect(listed).not.toContain(created.key);
    const entry = JSON.parse(listed).data.find((k: { id: string }) => k.id === created.id);
    expect(entry).toMatchObject({
      name: "alice",
      revoked: null,
      hint: `sk-...${created.key.slice(-4)}`,
    });
    expect(entry).not.toHaveProperty("key");

    await TestHost.connect();
    expect(
      (
        await SELF.fetch(`${BASE}/v1/models`, {
          headers: { authorization: `Bearer ${created.key}` },
        })
      ).status,
    ).toBe(200);
    const del = await SELF.fetch(`${BASE}/admin/keys/${created.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(del.status).toBe(200);
    expect((await del.json<any>()).revoked).toEqual(expect.any(Number));
    const after = await SELF.fetch(`${BASE}/v1/models`, {
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(after.status).toBe(401);
    expect((await after.json<any>()).error.code).toBe("invalid_api_key");
  });

  it("guards the admin API with the admin token", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${ADMIN}x`]) {
      const res = await SELF.fetch(`${BASE}/admin/keys`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect((await res.json<any>()).error.code).toBe("invalid_admin_token");
    }
  });

  it("validates key creation and unknown ids", async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const bad = await SELF.fetch(`${BASE}/admin/keys`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "", rpm: -1 }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.param).toBe("name");
    const notJson = await SELF.fetch(`${BASE}/admin/keys`, { method: "POST", headers, body: "{" });
    expect((await notJson.json<any>()).error.code).toBe("invalid_json");
    const missing = await SELF.fetch(`${BASE}/admin/keys/key_nope`, { method: "DELETE", headers });
    expect(missing.status).toBe(404);
  });

  it("refuses a host upgrade without the host token", async () => {
    for (const authorization of [undefined, "Bearer nope"]) {
      const res = await SELF.fetch(`${BASE}/hosts/connect`, {
        headers: { upgrade: "websocket", ...(authorization ? { authorization } : {}) },
      });
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect((await res.json<any>()).error.code).toBe("invalid_host_token");
    }
  });
});
