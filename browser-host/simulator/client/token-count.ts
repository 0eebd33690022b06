import { call } from "./rpc.js";
import type { AppState } from "./state.js";

/*
 * 2026-08 token counting (facts §9 "Run vs token counting"): after the prompt changes the page
 * waits for typing to pause, then asks CountTokens (which the simulator answers later the longer
 * the prompt), and shows the total in `ms-token-count span.v3-token-count-value`. Until the
 * answer is back Run is silently ignored. Nothing in the DOM says a count is running: a driver
 * sees only the number change when it is done.
 */

const DEBOUNCE_MS = 300;

export class TokenCounter {
  /** True from a prompt change until its count is shown; Run is ignored meanwhile. */
  counting = false;
  private latest = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly state: AppState) {}

  /** Counts the chat plus the draft once typing pauses; a later change supersedes this one. */
  schedule(): void {
    this.counting = true;
    const mine = ++this.latest;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.count(mine), DEBOUNCE_MS);
  }

  private async count(mine: number): Promise<void> {
    const turns = [...this.state.turns];
    if (this.state.prompt !== "") turns.push({ role: "user", text: this.state.prompt });
    const answer = await call("CountTokens", [
      `models/${this.state.model}`,
      turns.map((t) => [[[null, t.text]], t.role]),
    ]);
    if (mine !== this.latest) return;
    try {
      const total = (JSON.parse(answer.text) as unknown[])[0];
      if (typeof total === "number") this.state.tokenCount = total;
    } catch {
      // A failed count leaves the number as it was, and Run usable again.
    }
    const shown = document.querySelector("ms-token-count span.v3-token-count-value");
    if (shown) shown.textContent = (this.state.tokenCount ?? 0).toLocaleString("en-US");
    this.counting = false;
  }
}
