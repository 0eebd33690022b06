import { TokenBucket } from "@aistudio-edge/shared";
import { log, type LogFields } from "../log.js";

/*
 * Limits on what one host socket can make the pool do. Every frame costs the pool work (and a
 * /health call waits behind it in the object's queue), so each socket gets a token bucket for
 * frames and a much smaller one for frames it had no business sending (malformed, before hello,
 * for a job it does not hold). Running out closes that socket with 1008; a real host never comes
 * near either. Frames are counted, not bytes: an `image` event is one frame of up to
 * MAX_IMAGE_BASE64 characters (~24 MiB, under the runtime's 32 MiB WebSocket message cap), and
 * nothing here caps a frame's length. Budgets live in memory: after the object wakes they start
 * full, which is lenient.
 */

/** Frames the protocol does not allow: a few are a bug worth a log line, dozens are an attack. */
export const BAD_FRAME_BURST = 20;
export const BAD_FRAMES_PER_SECOND = 0.2;

export class SocketBudget {
  private readonly frames: TokenBucket;
  private readonly bad: TokenBucket;

  /**
   * @param limits the frame bucket (HOST_FRAME_BURST, HOST_FRAMES_PER_SECOND): a streaming host
   * sends a few frames per lane per second, so the defaults (2,000 at once, 500/s) are far past
   * any real one.
   */
  constructor(now: number, limits: { burst: number; perSecond: number }) {
    this.frames = new TokenBucket(limits.burst, limits.perSecond, now);
    this.bad = new TokenBucket(BAD_FRAME_BURST, BAD_FRAMES_PER_SECOND, now);
  }

  /** Counts a frame; false once the socket has sent more than its budget. */
  frame(now: number): boolean {
    return this.frames.take(now);
  }

  /** Counts a frame that broke the protocol; false once there were too many. */
  badFrame(now: number): boolean {
    return this.bad.take(now);
  }
}

/**
 * Warnings that a peer can cause, at most one per key per interval; the next one that is
 * written says how many were held back meanwhile.
 */
export class WarningLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys = 1_000,
  ) {}

  /** Whether to write the warning now, and how many of its kind were held back before it. */
  allow(key: string, now: number): { write: boolean; suppressed: number } {
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed += 1;
      return { write: false, suppressed: 0 };
    }
    if (!seen && this.last.size >= this.maxKeys) {
      // Bounded: forget the oldest key rather than grow with every peer that misbehaves.
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.delete(key);
    this.last.set(key, { at: now, suppressed: 0 });
    return { write: true, suppressed: seen?.suppressed ?? 0 };
  }
}

/**
 * What each host socket may still send, and which sockets the pool is closing (whatever they
 * still had queued is dropped unread). Warnings a peer can cause go through here, rate-limited.
 */
export class SocketGuard {
  private readonly budgets = new WeakMap<WebSocket, SocketBudget>();
  private readonly closed = new WeakSet<WebSocket>();
  private readonly warnings = new WarningLimiter(10_000);

  constructor(private readonly limits: { burst: number; perSecond: number }) {}

  closing(ws: WebSocket): boolean {
    return this.closed.has(ws);
  }

  /** Marks a socket as being closed; false when it already was. */
  markClosing(ws: WebSocket): boolean {
    if (this.closed.has(ws)) return false;
    this.closed.add(ws);
    return true;
  }

  /** Counts a frame; false once the socket is past its budget. */
  frame(ws: WebSocket, now: number): boolean {
    return this.budgetOf(ws, now).frame(now);
  }

  /** Counts a frame that broke the protocol; false once there were too many. */
  badFrame(ws: WebSocket, now: number): boolean {
    return this.budgetOf(ws, now).badFrame(now);
  }

  warn(key: string, msg: string, fields: LogFields): void {
    const { write, suppressed } = this.warnings.allow(key, Date.now());
    if (write) log.warn(msg, suppressed > 0 ? { ...fields, suppressed } : fields);
  }

  private budgetOf(ws: WebSocket, now: number): SocketBudget {
    let budget = this.budgets.get(ws);
    if (!budget) {
      budget = new SocketBudget(now, this.limits);
      this.budgets.set(ws, budget);
    }
    return budget;
  }
}
