import {
  PROTOCOL_VERSION,
  TokenBucket,
  type HostModel,
  type StatusFrame,
} from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { SocketBudget, WarningLimiter } from "../src/pool/frame-budget.js";
import { Host, pickHost } from "../src/pool/host-registry.js";
import { PoolEventReader, PoolStreamError, encodeEvent } from "../src/pool/pool-events.js";
import { servedModels } from "../src/pool/served-models.js";

/* The pool's pure parts, without sockets: host ranking, budgets, and the event stream reader. */

const MODELS: HostModel[] = [{ id: "m" }, { id: "n" }];
/** A host whose socket only records attachments (nothing is sent in these tests). */
function host(id: string, lanes: number, extra: Partial<StatusFrame> = {}): Host {
  const ws = { serializeAttachment: () => undefined } as unknown as WebSocket;
  const h = new Host(ws, {
    connectedAt: 0,
    hello: { hostId: id, instanceId: id, version: "t", lanes, models: MODELS },
  });
  if (Object.keys(extra).length > 0)
    h.applyStatus({
      v: PROTOCOL_VERSION,
      type: "status",
      state: "ready",
      lanes,
      freeLanes: lanes,
      ...extra,
    });
  return h;
}

describe("host status", () => {
  it("clears the last detail when a status comes without one", () => {
    const h = host("a", 1, { state: "auth_expired", lanes: 0, freeLanes: 0, detail: "signed out" });
    expect(h.info.detail).toBe("signed out");
    h.applyStatus({ v: PROTOCOL_VERSION, type: "status", state: "ready", lanes: 1, freeLanes: 1 });
    expect(h.info.detail).toBeUndefined();
  });
});

describe("host pick", () => {
  it("takes the least loaded host, then the one idle longest", () => {
    const a = host("a", 2);
    const b = host("b", 2);
    a.inflight.add("j1");
    expect(pickHost([a, b], "m", new Set(), 0)).toBe(b);
    b.inflight.add("j2");
    a.lastDispatchAt = 10;
    b.lastDispatchAt = 5;
    expect(pickHost([a, b], "m", new Set(), 0)).toBe(b);
  });

  it("puts hosts the job failed on last, but still uses them", () => {
    const a = host("a", 1);
    const b = host("b", 1);
    expect(pickHost([a, b], "m", new Set([a]), 0)).toBe(b);
    expect(pickHost([a], "m", new Set([a]), 0)).toBe(a);
  });

  it("skips hosts that do not serve the model, are cooling down, draining or full", () => {
    const serving = host("s", 1);
    const other = new Host({ serializeAttachment: () => undefined } as unknown as WebSocket, {
      connectedAt: 0,
      hello: { hostId: "o", instanceId: "o", version: "t", lanes: 4, models: [{ id: "x" }] },
    });
    const cooling = host("c", 4);
    cooling.coolDown("m", 1_000);
    const draining = host("d", 4, { state: "draining" });
    expect(pickHost([other, cooling, draining, serving], "m", new Set(), 500)).toBe(serving);
    expect(pickHost([other, cooling, draining], "m", new Set(), 500)).toBeUndefined();
    expect(pickHost([cooling], "m", new Set(), 1_500)).toBe(cooling);
  });

  it("counts a lane busy when the host says so, even with no job of the pool's on it", () => {
    const h = host("h", 2, { freeLanes: 1 });
    expect(h.free).toBe(1);
    h.inflight.add("j1");
    expect(h.free).toBe(1);
    h.inflight.add("j2");
    expect(h.free).toBe(0);
    const saving = host("saving", 1, { freeLanes: 0 });
    expect(pickHost([saving], "m", new Set(), 0)).toBeUndefined();
  });
});

describe("budgets", () => {
  it("a token bucket refills with time and never past its capacity", () => {
    const bucket = new TokenBucket(2, 1, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(1_000)).toBe(false);
    expect([bucket.take(100_000), bucket.take(100_000), bucket.take(100_000)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("a socket runs out of bad frames long before it runs out of frames", () => {
    const budget = new SocketBudget(0, { burst: 2_000, perSecond: 500 });
    let bad = 0;
    while (budget.badFrame(0)) bad += 1;
    let frames = 0;
    while (budget.frame(0)) frames += 1;
    expect(bad).toBeLessThan(50);
    expect(frames).toBeGreaterThan(1_000);
  });

  it("writes one warning per key and interval, and counts the rest", () => {
    const limiter = new WarningLimiter(1_000, 2);
    expect(limiter.allow("a", 0)).toEqual({ write: true, suppressed: 0 });
    for (let i = 0; i < 5; i++) expect(limiter.allow("a", 10 + i).write).toBe(false);
    expect(limiter.allow("a", 1_500)).toEqual({ write: true, suppressed: 5 });
    // Bounded: a third key pushes out the oldest rather than growing the map.
    limiter.allow("b", 1_600);
    limiter.allow("c", 1_700);
    expect(limiter.allow("a", 1_800)).toEqual({ write: true, suppressed: 0 });
  });
});

function streamOf(chunks: string[]): {
  stream: ReadableStream<Uint8Array>;
  cancelled: () => boolean;
} {
  let cancelled = false;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

describe("the pool event reader", () => {
  it("reads events split anywhere across chunks, and stops after the terminal one", async () => {
    const text = [
      { t: "queued", position: 1 },
      { t: "started" },
      { t: "text", text: "Hé" },
      { t: "done", finishReason: "stop" },
    ]
      .map((e) => new TextDecoder().decode(encodeEvent(e as never)))
      .join("");
    const bytes = new TextEncoder().encode(text);
    // One byte per chunk, so lines and UTF-8 sequences are cut everywhere.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]));
      },
    });
    let cancels = 0;
    const reader = new PoolEventReader(stream, () => (cancels += 1));
    const seen = [];
    for await (const event of reader) seen.push(event);
    expect(seen.map((e) => e.t)).toEqual(["queued", "started", "text", "done"]);
    expect(seen[2]).toEqual({ t: "text", text: "Hé" });
    expect(cancels).toBe(0);
  });

  it("cancelling tells the pool once, even while a read is pending", async () => {
    let cancels = 0;
    const reader = new PoolEventReader(
      new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) }),
      () => (cancels += 1),
    );
    const pending = reader.next();
    await reader.cancel();
    await reader.cancel();
    expect(cancels).toBe(1);
    expect(await pending).toBeNull();
  });

  it("a line that is not a job event is a PoolStreamError, not a crash", async () => {
    const { stream } = streamOf(['{"t":"delta","text":"old vocabulary"}\n']);
    await expect(new PoolEventReader(stream, () => undefined).next()).rejects.toBeInstanceOf(
      PoolStreamError,
    );
    const { stream: garbage } = streamOf(["{not json\n"]);
    await expect(new PoolEventReader(garbage, () => undefined).next()).rejects.toBeInstanceOf(
      PoolStreamError,
    );
  });
});

describe("servedModels", () => {
  it("lists each model once, with the smallest limits its hosts reported", () => {
    const served = servedModels([
      {
        models: [
          {
            id: "b",
            displayName: "B",
            inputTokenLimit: 1000,
            outputTokenLimit: 64,
            thinking: "budget",
          },
          { id: "a" },
        ],
      },
      {
        models: [
          { id: "b", inputTokenLimit: 800, imageOutput: true },
          { id: "a", outputTokenLimit: 8 },
        ],
      },
    ]);
    expect(served).toEqual([
      { id: "a", displayName: null, imageOutput: false, outputTokenLimit: 8 },
      {
        id: "b",
        displayName: "B",
        imageOutput: true,
        inputTokenLimit: 800,
        outputTokenLimit: 64,
        thinking: "budget",
      },
    ]);
  });
});
