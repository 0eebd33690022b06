import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, TestHost, chat, createKey, closeAllHosts } from "./helpers.js";

afterEach(closeAllHosts);

const models = (key: string) =>
  SELF.fetch(`${BASE}/v1/models`, { headers: { authorization: `Bearer ${key}` } });

describe("per-key limits", () => {
  it("counts requests per minute exactly and answers 429 with retry-after", async () => {
    const { key } = await createKey({ rpm: 3 });
    await TestHost.connect();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await models(key);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("3");
      remaining.push(res.headers.get("x-ratelimit-remaining-requests")!);
      expect(res.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(ms|s|m\d+s)$/);
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const limited = await models(key);
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(await limited.json<any>()).toMatchObject({
      error: { code: "rate_limit_exceeded", type: "rate_limit_error" },
    });
  });

  it("keeps limits apart per key", async () => {
    const a = await createKey({ rpm: 1 });
    const b = await createKey({ rpm: 1 });
    await TestHost.connect();
    expect((await models(a.key)).status).toBe(200);
    expect((await models(a.key)).status).toBe(429);
    expect((await models(b.key)).status).toBe(200);
  });

  it("limits concurrent requests and frees the slot when the stream ends", async () => {
    const { key } = await createKey({ concurrency: 1 });
    const host = await TestHost.connect({ lanes: 2 });

    const first = chat(key, { stream: true });
    const job = await host.next("job");
    const second = await chat(key, { stream: true });
    expect(second.status).toBe(429);
    expect(await second.json<any>()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    expect(second.headers.get("retry-after")).toBe("1");

    host.answer(job.jobId, "done");
    await (await first).text();
    const third = chat(key, { stream: true });
    const job3 = await host.next("job");
    host.answer(job3.jobId, "again");
    expect((await third).status).toBe(200);
  });
});
