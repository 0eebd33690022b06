/*
 * Sign-in attempts per client address, per isolate: a fixed one-minute window per address. It
 * slows guessing from one address; the token's length is what makes guessing hopeless.
 */

export const LOGIN_ATTEMPTS_PER_MINUTE = 10;
/** Addresses tracked at once; past this the oldest window is forgotten. */
const TRACKED = 10_000;
const WINDOW_MS = 60_000;

export class LoginLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute = LOGIN_ATTEMPTS_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; returns 0 when it may go ahead, else the ms until the next may. */
  attempt(address: string): number {
    const now = this.now();
    let window = this.windows.get(address);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      this.windows.delete(address);
      if (this.windows.size >= TRACKED) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = { start: now, count: 0 };
      this.windows.set(address, window);
    }
    window.count += 1;
    return window.count <= this.perMinute ? 0 : window.start + WINDOW_MS - now;
  }
}

export const loginLimiter = new LoginLimiter();
