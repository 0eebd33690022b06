/**
 * A token bucket: `capacity` tokens at most, refilled continuously at `perSecond`. The caller
 * passes the time (epoch ms) to `take`, so tests drive the clock and a caller that already read
 * the time reads it once. Used for the pool's frame budgets and for remote sign-in input and
 * frames on both sides.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
