import { log } from "../log.js";

/*
 * The console's live overview: every subscriber gets the pool's state as an SSE `overview`
 * event at once, after any change (coalesced: at most one event a second, however busy the
 * pool is, so a burst of jobs cannot turn into a burst of frames) and at least every
 * REFRESH_MS, with keep-alive comments between so idle proxies keep the stream open. Nothing
 * polls: the pool pushes.
 */

export const COALESCE_MS = 1_000;
export const REFRESH_MS = 15_000;
/** Subscribers at once; an operator has a tab or two open, not hundreds. */
export const MAX_SUBSCRIBERS = 32;

const encoder = new TextEncoder();

export class LiveFeed {
  private readonly subscribers = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private pendingTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private lastSentAt = 0;

  /** @param view the current overview, serialised as the event's data */
  constructor(private readonly view: () => unknown) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** A new text/event-stream body; null when there are too many already. */
  subscribe(): ReadableStream<Uint8Array> | null {
    if (this.subscribers.size >= MAX_SUBSCRIBERS) return null;
    let me: ReadableStreamDefaultController<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        me = controller;
        this.subscribers.add(controller);
        // Only this subscriber gets it: the others' coalescing clock is not reset.
        controller.enqueue(encoder.encode(`retry: 3000\n\n${this.event()}`));
        this.refreshTimer ??= setInterval(() => this.refresh(), REFRESH_MS);
      },
      cancel: () => {
        if (me) this.drop(me);
      },
    });
  }

  /** Something an operator would see changed: send it, at most once per COALESCE_MS. */
  changed(): void {
    if (this.subscribers.size === 0 || this.pendingTimer !== null) return;
    const wait = Math.max(0, this.lastSentAt + COALESCE_MS - Date.now());
    this.pendingTimer = setTimeout(() => {
      this.pendingTimer = null;
      this.broadcast(this.event());
    }, wait);
  }

  private refresh(): void {
    if (Date.now() - this.lastSentAt >= REFRESH_MS - 100) this.broadcast(this.event());
    else this.broadcast(": keep-alive\n\n", false);
  }

  private event(): string {
    return `event: overview\ndata: ${JSON.stringify(this.view())}\n\n`;
  }

  private broadcast(text: string, counts = true): void {
    if (counts) this.lastSentAt = Date.now();
    const bytes = encoder.encode(text);
    for (const controller of [...this.subscribers]) {
      try {
        controller.enqueue(bytes);
      } catch (err) {
        // The reader went away without a cancel reaching us.
        log.info("live overview subscriber gone", { error: String(err) });
        this.drop(controller);
      }
    }
  }

  private drop(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.subscribers.delete(controller);
    if (this.subscribers.size === 0) {
      if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
      if (this.pendingTimer !== null) clearTimeout(this.pendingTimer);
      this.refreshTimer = null;
      this.pendingTimer = null;
    }
  }
}
