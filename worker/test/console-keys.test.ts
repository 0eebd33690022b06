import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, BASE, TestHost, closeAllHosts } from "./helpers.js";
import { page, postForm, signIn } from "./console-helpers.js";

/*
 * Keys through the console's forms: the key shown once on creation, limits edited and the key
 * revoked with the same effect as the admin API (MODELS_PUBLIC is false here, so /v1/models
 * needs the key).
 */

afterEach(closeAllHosts);

const KEY = /sk-[0-9A-Za-z]{48}/g;

async function adminKey(id: string): Promise<Record<string, unknown> | undefined> {
  const res = await SELF.fetch(`${BASE}/admin/keys`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  const { data } = await res.json<{ data: Array<Record<string, unknown>> }>();
  return data.find((k) => k.id === id);
}

function models(key: string) {
  return SELF.fetch(`${BASE}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
}

async function createThroughConsole(cookie: string, fields: Record<string, string>) {
  const res = await postForm("/console/keys", cookie, fields);
  expect(res.status).toBe(201);
  const text = await res.text();
  const keys = text.match(KEY) ?? [];
  expect(keys).toHaveLength(1);
  const id = /<code>(key_[0-9A-Za-z]+)<\/code>/.exec(text)?.[1];
  expect(id).toBeDefined();
  return { text, key: keys[0]!, id: id! };
}

describe("keys in the console", () => {
  it("creates a key and shows it exactly once, with a copy button; the list never shows it", async () => {
    const cookie = await signIn();
    const { text, key, id } = await createThroughConsole(cookie, {
      name: "console <b>alice</b>",
      rpm: "7",
      concurrency: "3",
    });
    expect(text).toContain("will not be shown again");
    expect(text).toContain('data-copy="new-key"');
    expect(text).toContain("console &lt;b&gt;alice&lt;/b&gt;");
    expect(text).not.toContain("<b>alice</b>");
    expect(await adminKey(id)).toMatchObject({
      name: "console <b>alice</b>",
      rpm: 7,
      concurrency: 3,
    });

    const list = await page("/console/keys", cookie);
    expect(list.status).toBe(200);
    const listed = await list.text();
    expect(listed).toContain(id);
    expect(listed).toContain(`sk-...${key.slice(-4)}`);
    expect(listed).not.toContain(key);
    expect(listed.match(KEY)).toBeNull();
  });

  it("takes the defaults for empty limits", async () => {
    const cookie = await signIn();
    const { id } = await createThroughConsole(cookie, {
      name: "defaults",
      rpm: "",
      concurrency: "",
    });
    expect(await adminKey(id)).toMatchObject({ rpm: 60, concurrency: 4 });
  });

  it("edits limits (303 back to the list) and the limiter sees them with the next request", async () => {
    const cookie = await signIn();
    const { key, id } = await createThroughConsole(cookie, { name: "limits", rpm: "50" });
    await TestHost.connect();
    const before = await models(key);
    expect(before.status).toBe(200);
    expect(before.headers.get("x-ratelimit-limit-requests")).toBe("50");

    const res = await postForm(`/console/keys/${id}/limits`, cookie, {
      rpm: "9",
      concurrency: "2",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/console/keys?updated=${id}`);
    expect(await adminKey(id)).toMatchObject({ rpm: 9, concurrency: 2 });
    const after = await models(key);
    expect(after.status).toBe(200);
    expect(after.headers.get("x-ratelimit-limit-requests")).toBe("9");

    const list = await (await page(`/console/keys?updated=${id}`, cookie)).text();
    expect(list).toContain("Limits of limits");
    expect(list).toContain("9 per minute, 2 concurrent");
  });

  it("revokes a key (303), after which it gets 401 on /v1/models", async () => {
    const cookie = await signIn();
    const { key, id } = await createThroughConsole(cookie, { name: "doomed" });
    await TestHost.connect();
    expect((await models(key)).status).toBe(200);

    const res = await postForm(`/console/keys/${id}/revoke`, cookie, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/console/keys?revoked=${id}`);
    const after = await models(key);
    expect(after.status).toBe(401);
    expect((await after.json<any>()).error.code).toBe("invalid_api_key");
    expect((await adminKey(id))?.revoked).toEqual(expect.any(Number));

    const list = await (await page(`/console/keys?revoked=${id}`, cookie)).text();
    expect(list).toContain("Key doomed");
    expect(list).toContain('class="revoked"');
  });

  it("answers bad forms with a 400 page naming the field, and unknown ids with 404", async () => {
    const cookie = await signIn();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ["/console/keys", { name: "" }, 400, "Name must be"],
      ["/console/keys", { name: "x", rpm: "0" }, 400, "Requests per minute must be"],
      ["/console/keys", { name: "x", concurrency: "1e3" }, 400, "Concurrent requests must be"],
      ["/console/keys/key_nope/limits", { rpm: "5" }, 404, "No key with id"],
      ["/console/keys/key_nope/revoke", {}, 404, "No key with id"],
      ["/console/keys/bogus!/revoke", {}, 404, "No key with id"],
    ];
    for (const [path, fields, status, message] of cases) {
      const res = await postForm(path, cookie, fields);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain(message);
    }
    const { id } = await createThroughConsole(cookie, { name: "nothing-to-change" });
    expect((await postForm(`/console/keys/${id}/limits`, cookie, {})).status).toBe(400);
  });

  it("refuses a body that is not a form", async () => {
    const cookie = await signIn();
    const res = await SELF.fetch(`${BASE}/console/keys`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: BASE, "content-type": "application/json" },
      body: JSON.stringify({ name: "json" }),
    });
    expect(res.status).toBe(400);
  });
});
