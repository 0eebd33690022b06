import { SELF, evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, TestHost, bindings, chat, closeAllHosts, createKey, until } from "./helpers.js";

afterEach(closeAllHosts);

const health = async () =>
  (await SELF.fetch(`${BASE}/health`)).json<{ hosts: Array<{ id: string }> }>();
const pool = () => bindings.POOL.get(bindings.POOL.idFromName("default"));

describe("liveness", () => {
  it("keeps its hosts across hibernation and still dispatches to them", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ id: "sleepy", lanes: 2 });
    await evictDurableObject(pool(), { webSockets: "hibernate" });
    expect((await health()).hosts.map((h) => h.id)).toEqual(["sleepy"]);
    const pending = chat(key, {});
    const job = await host.next("job");
    host.answer(job.jobId, "awake");
    const res = await pending;
    expect((await res.json<any>()).choices[0].message.content).toBe("awake");
  });

  it("drops a host whose heartbeats stop", async () => {
    await TestHost.connect({ id: "silent", ping: false });
    expect((await health()).hosts).toHaveLength(1);
    // HEARTBEAT_MS = 1000 in tests: three missed intervals and the sweep lets it go.
    await until(
      async () => (await health()).hosts.length === 0,
      "the silent host to be dropped",
      8_000,
    );
  });

  it("closes a socket that never says hello", async () => {
    const ws = await TestHost.open();
    const code = await new Promise<number>((resolve) =>
      ws.addEventListener("close", (e) => resolve(e.code)),
    );
    expect(code).toBe(4001);
  });

  it("ends a job at its deadline even while output flows, and cancels it on the host", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, { stream: true });
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    // Output keeps the stall watchdog quiet; only the deadline (JOB_DEADLINE_MS = 4000) can end it.
    const ticker = setInterval(() => host.event(job.jobId, { t: "text", text: "." }), 200);
    try {
      const text = await (await pending).text();
      const last = text.trim().split("\n\n").at(-1)!;
      expect(JSON.parse(last.slice("data: ".length))).toMatchObject({
        error: { code: "deadline_exceeded" },
      });
      expect((await host.next("job.cancel")).reason).toContain("deadline");
    } finally {
      clearInterval(ticker);
    }
  });
});
