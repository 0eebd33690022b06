import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

/*
 * One Durable Object per API key: the single place in the world that decides whether that
 * key may start a request, so limits are exact and global rather than per-edge-location.
 * Requests per minute are a token bucket (capacity = rpm, refilled continuously); concurrency
 * is a set of leases, each released when its response ends and expiring on its own in case a
 * release is lost. A revocation is recorded here too, so it applies on the next request
 * everywhere, whatever KV caches still say.
 */

export interface LimitInput {
  rpm: number;
  concurrency: number;
  /** Take a concurrency lease (chat completions) or only count the request (other routes). */
  lease: boolean;
  leaseTtlMs: number;
}

export type LimitDecision =
  | { ok: true; limit: number; remaining: number; resetMs: number; leaseId: string | null }
  | {
      ok: false;
      reason: "rpm" | "concurrency" | "revoked";
      limit: number;
      remaining: number;
      resetMs: number;
      retryAfterMs: number;
    };

export class KeyLimiter extends DurableObject<Env> {
  private tokens: number | null = null;
  private updatedAt = 0;
  private readonly leases = new Map<string, number>();
  private revoked: boolean | null = null;

  async acquire(input: LimitInput): Promise<LimitDecision> {
    const now = Date.now();
    if (this.revoked === null)
      this.revoked = (await this.ctx.storage.get<boolean>("revoked")) ?? false;

    const capacity = input.rpm;
    const perMs = input.rpm / 60_000;
    // A changed rpm takes effect at once; the bucket never holds more than the new capacity.
    const refilled = this.tokens === null ? capacity : this.tokens + (now - this.updatedAt) * perMs;
    this.tokens = Math.min(capacity, refilled);
    this.updatedAt = now;
    const resetMs = (t: number) => Math.ceil((capacity - t) / perMs);

    if (this.revoked) {
      return {
        ok: false,
        reason: "revoked",
        limit: capacity,
        remaining: 0,
        resetMs: 0,
        retryAfterMs: 0,
      };
    }
    if (this.tokens < 1) {
      return {
        ok: false,
        reason: "rpm",
        limit: capacity,
        remaining: 0,
        resetMs: resetMs(this.tokens),
        retryAfterMs: Math.ceil((1 - this.tokens) / perMs),
      };
    }
    for (const [id, expires] of this.leases) if (expires <= now) this.leases.delete(id);
    if (input.lease && this.leases.size >= input.concurrency) {
      return {
        ok: false,
        reason: "concurrency",
        limit: capacity,
        remaining: Math.floor(this.tokens),
        resetMs: resetMs(this.tokens),
        retryAfterMs: 1_000,
      };
    }
    this.tokens -= 1;
    let leaseId: string | null = null;
    if (input.lease) {
      leaseId = crypto.randomUUID();
      this.leases.set(leaseId, now + input.leaseTtlMs);
    }
    return {
      ok: true,
      limit: capacity,
      remaining: Math.floor(this.tokens),
      resetMs: resetMs(this.tokens),
      leaseId,
    };
  }

  async release(leaseId: string): Promise<void> {
    this.leases.delete(leaseId);
  }

  async revoke(): Promise<void> {
    this.revoked = true;
    await this.ctx.storage.put("revoked", true);
  }
}
