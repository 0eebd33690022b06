import { z } from "zod";
import { generateKey, generateKeyId, keyHint, sha256Hex } from "./key-material.js";
import { LookupCache } from "./lookup-cache.js";

/*
 * Keys in KV: `hash:<sha256>` holds the record (and the same record as metadata, so a listing
 * needs no extra reads); `id:<id>` points back at the hash so a key can be revoked by id.
 * The key itself is returned once, at creation, and never stored.
 */

export const KeyRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  rpm: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  created: z.number().int(),
  revoked: z.number().int().nullable(),
});
export type KeyRecord = z.infer<typeof KeyRecordSchema>;

const CACHE_MS = 10_000;
/** Bounds per isolate: anyone can present unknown keys, so neither cache may grow with them. */
export const KNOWN_KEYS_CACHED = 1_000;
export const UNKNOWN_KEYS_CACHED = 1_000;

/**
 * Per-isolate caches of lookups by key hash. Safe because revocation does not rely on them:
 * every request also passes the key's limiter, which learns of a revocation at once. Unknown
 * keys have a cache of their own so that a flood of made-up keys cannot push real ones out.
 */
export interface KeyCaches {
  known: LookupCache<KeyRecord>;
  unknown: LookupCache<true>;
}

export function newKeyCaches(now?: () => number): KeyCaches {
  return {
    known: new LookupCache(KNOWN_KEYS_CACHED, CACHE_MS, now),
    unknown: new LookupCache(UNKNOWN_KEYS_CACHED, CACHE_MS, now),
  };
}

export class KeyStore {
  private static readonly shared = newKeyCaches();

  constructor(
    private readonly kv: KVNamespace,
    private readonly caches: KeyCaches = KeyStore.shared,
  ) {}

  async create(input: {
    name: string;
    rpm: number;
    concurrency: number;
  }): Promise<{ key: string; record: KeyRecord }> {
    const key = generateKey();
    const hash = await sha256Hex(key);
    const record: KeyRecord = {
      id: generateKeyId(),
      name: input.name,
      hint: keyHint(key),
      rpm: input.rpm,
      concurrency: input.concurrency,
      created: Math.floor(Date.now() / 1000),
      revoked: null,
    };
    await this.kv.put(`hash:${hash}`, JSON.stringify(record), { metadata: record });
    await this.kv.put(`id:${record.id}`, hash);
    return { key, record };
  }

  async lookup(key: string): Promise<KeyRecord | null> {
    const hash = await sha256Hex(key);
    const known = this.caches.known.get(hash);
    if (known !== undefined) return known;
    if (this.caches.unknown.get(hash) !== undefined) return null;
    const raw = await this.kv.get(`hash:${hash}`, "json");
    const parsed = KeyRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.caches.unknown.set(hash, true);
      return null;
    }
    this.caches.known.set(hash, parsed.data);
    return parsed.data;
  }

  async list(): Promise<KeyRecord[]> {
    const out: KeyRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({
        prefix: "hash:",
        ...(cursor !== undefined ? { cursor } : {}),
      });
      for (const entry of page.keys) {
        const parsed = KeyRecordSchema.safeParse(entry.metadata);
        if (parsed.success) out.push(parsed.data);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor !== undefined);
    return out.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  /**
   * Changes a key's limits; returns the updated record, or null when the id is unknown. The
   * middleware hands the limits to the key's limiter with every request, so they apply from the
   * next one (at once in this isolate; other isolates' caches hold the old record for at most
   * CACHE_MS).
   */
  async update(
    id: string,
    limits: { rpm?: number | undefined; concurrency?: number | undefined },
  ): Promise<KeyRecord | null> {
    const hash = await this.kv.get(`id:${id}`);
    if (hash === null) return null;
    const parsed = KeyRecordSchema.safeParse(await this.kv.get(`hash:${hash}`, "json"));
    if (!parsed.success) return null;
    const record: KeyRecord = KeyRecordSchema.parse({
      ...parsed.data,
      rpm: limits.rpm ?? parsed.data.rpm,
      concurrency: limits.concurrency ?? parsed.data.concurrency,
    });
    await this.kv.put(`hash:${hash}`, JSON.stringify(record), { metadata: record });
    this.caches.known.delete(hash);
    return record;
  }

  /** Marks a key revoked; returns the updated record, or null when the id is unknown. */
  async revoke(id: string): Promise<KeyRecord | null> {
    const hash = await this.kv.get(`id:${id}`);
    if (hash === null) return null;
    const parsed = KeyRecordSchema.safeParse(await this.kv.get(`hash:${hash}`, "json"));
    if (!parsed.success) return null;
    const record: KeyRecord = {
      ...parsed.data,
      revoked: parsed.data.revoked ?? Math.floor(Date.now() / 1000),
    };
    await this.kv.put(`hash:${hash}`, JSON.stringify(record), { metadata: record });
    this.caches.known.delete(hash);
    return record;
  }
}
