import { describe, expect, it } from "vitest";
import {
  KNOWN_KEYS_CACHED,
  KeyStore,
  UNKNOWN_KEYS_CACHED,
  newKeyCaches,
} from "../src/keys/key-store.js";
import { LookupCache } from "../src/keys/lookup-cache.js";

/** A KV namespace in memory that counts its reads, enough for KeyStore. */
class CountingKv {
  readonly data = new Map<string, string>();
  reads = 0;

  async get(key: string, type?: "json"): Promise<unknown> {
    this.reads += 1;
    const value = this.data.get(key);
    if (value === undefined) return null;
    return type === "json" ? JSON.parse(value) : value;
  }

  async put(key: string, value: string): Promise<void> {
    this.data.set(key, value);
  }

  asKv(): KVNamespace {
    return this as unknown as KVNamespace;
  }
}

const bogus = (i: number) => `sk-${String(i).padStart(48, "0")}`;

describe("LookupCache", () => {
  it("holds at most its bound, dropping the least recently used", () => {
    const cache = new LookupCache<number>(3, 60_000);
    for (const key of ["a", "b", "c"]) cache.set(key, 1);
    expect(cache.get("a")).toBe(1); // a is now the most recent; b the least
    cache.set("d", 1);
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([1, 1, 1]);
  });

  it("forgets entries after their time to live", () => {
    let now = 1_000;
    const cache = new LookupCache<string>(10, 100, () => now);
    cache.set("k", "v");
    now += 99;
    expect(cache.get("k")).toBe("v");
    now += 100;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe("KeyStore's lookup caches", () => {
  it("stay bounded under a flood of unknown keys, and real keys stay cached through it", async () => {
    const kv = new CountingKv();
    const caches = newKeyCaches();
    const store = new KeyStore(kv.asKv(), caches);
    const { key } = await store.create({ name: "real", rpm: 60, concurrency: 4 });
    expect((await store.lookup(key))?.name).toBe("real");

    const flood = 3 * UNKNOWN_KEYS_CACHED;
    for (let i = 0; i < flood; i++) expect(await store.lookup(bogus(i))).toBeNull();
    expect(caches.unknown.size).toBe(UNKNOWN_KEYS_CACHED);
    expect(caches.known.size).toBe(1);

    const reads = kv.reads;
    expect((await store.lookup(key))?.name).toBe("real");
    expect(await store.lookup(bogus(flood - 1))).toBeNull(); // recent: still cached
    expect(kv.reads).toBe(reads);
    expect(await store.lookup(bogus(0))).toBeNull(); // pushed out: read again
    expect(kv.reads).toBe(reads + 1);
  });

  it("bound the known keys too", async () => {
    const kv = new CountingKv();
    const caches = newKeyCaches();
    const store = new KeyStore(kv.asKv(), caches);
    const keys: string[] = [];
    for (let i = 0; i < KNOWN_KEYS_CACHED + 10; i++)
      keys.push((await store.create({ name: `k${i}`, rpm: 1, concurrency: 1 })).key);
    for (const key of keys) await store.lookup(key);
    expect(caches.known.size).toBe(KNOWN_KEYS_CACHED);
    // Evicted keys are still found, from KV.
    const reads = kv.reads;
    expect((await store.lookup(keys[0]!))?.name).toBe("k0");
    expect(kv.reads).toBe(reads + 1);
  });
});
