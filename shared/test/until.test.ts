import { describe, expect, it } from "vitest";
import { until } from "../test-support/until.js";

/* The shared test wait: it ends when the condition holds, and otherwise says what it waited for. */

describe("until", () => {
  it("returns once a condition holds, sync or async", async () => {
    let calls = 0;
    await until(() => ++calls >= 3, "the third look", 10_000, { intervalMs: 1 });
    expect(calls).toBe(3);
    let ready = false;
    setTimeout(() => (ready = true), 10);
    await until(async () => ready, "the flag", 10_000);
    expect(ready).toBe(true);
  });

  it("fails after its deadline, naming what it waited for", async () => {
    await expect(until(() => false, "a thing that never happens", 30)).rejects.toThrow(
      "timed out after 30 ms waiting for a thing that never happens",
    );
  });

  it("fails with a failing check's own error", async () => {
    await expect(
      until(() => Promise.reject(new Error("health check broke")), "health", 10_000),
    ).rejects.toThrow("health check broke");
  });

  it("stops at once when its signal aborts", async () => {
    const controller = new AbortController();
    const waiting = until(() => false, "the host", 60_000, { signal: controller.signal });
    controller.abort("test over");
    await expect(waiting).rejects.toThrow("stopped waiting for the host: test over");
  });
});
