/*
 * The one polling wait for tests in every suite (Node, workerd, end to end): a condition checked
 * until it holds, failing with what was awaited once the deadline passes. Only web-standard APIs,
 * because the Worker's tests run inside workerd. The interval is how often to look; the deadline
 * is an upper bound for a slow, loaded machine, not an expected duration.
 */

export interface UntilOptions {
  /** How often to look, in ms (default 20). */
  intervalMs?: number;
  /** Stops waiting (the wait fails with the signal's reason). */
  signal?: AbortSignal;
}

export const UNTIL_TIMEOUT_MS = 15_000;

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = UNTIL_TIMEOUT_MS,
  options: UntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const interval = options.intervalMs ?? 20;
  for (;;) {
    if (options.signal?.aborted)
      throw new Error(`stopped waiting for ${what}: ${String(options.signal.reason)}`, {
        cause: options.signal.reason,
      });
    if (await check()) return;
    // Checked once more at the deadline, so a slow check that finally holds is not a failure.
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(interval, deadline - Date.now())));
      options.signal?.addEventListener("abort", done, { once: true });
    });
  }
}
