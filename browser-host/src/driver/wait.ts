import { AbortedError, TimeoutError } from "./errors.js";

/**
 * Polls a condition until it yields a value, the deadline passes (TimeoutError) or the signal
 * aborts (AbortedError). The interval is how often to look, not a sleep standing in for a
 * condition.
 */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  options: { what: string; timeoutMs: number; signal?: AbortSignal; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(String(options.signal.reason ?? "aborted"));
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new TimeoutError(options.what, options.timeoutMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(options.intervalMs ?? 50, left));
      function done() {
        options.signal?.removeEventListener("abort", done);
        clearTimeout(timer);
        resolve();
      }
      options.signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** Resolves to the promise's value, or to `fallback` after `ms` (for reads from a page that may be frozen). */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
  ]).finally(() => clearTimeout(timer));
}
