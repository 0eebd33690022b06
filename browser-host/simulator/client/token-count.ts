import { encodeFilePart, type Turn } from "../../src/wire/generate-content-request.js";
import { call } from "./rpc.js";
import type { AppState } from "./state.js";

/*
 * 2026-08 token counting (facts §9 "Run vs token counting"): after the prompt changes the page
 * waits for typing to pause, then asks CountTokens (which the simulator answers later the longer
 * the prompt), and shows the total in `ms-token-count span.v3-token-count-value`. Until the
 * answer is back Run is silently ignored. Nothing in the DOM says a count is running: a driver
 * sees only the number change when it is done. Files count too (the prompt box's once their chip
 * shows); every generation recounts when a chip comes or goes, and only 2026-08 holds Run back.
 */

/** The contents CountTokens gets: each turn's files, then its text. */
export function countedContents(turns: Turn[]): unknown[] {
  return turns.map((t) => [[...(t.files ?? []).map(encodeFilePart), [null, t.text]], t.role]);
}

/** Shows a total in this generation's counter: 2026-08's value span, or the older "n / limit". */
export function showTokenCount(total: number): void {
  const text = total.toLocaleString("en-US");
  const v3 = document.querySelector("ms-token-count span.v3-token-count-value");
  if (v3) v3.textContent = text;
  const old = document.querySelector("ms-token-count .token-count-container");
  if (old) old.textContent = old.textContent!.replace(/^[\d,]+/, text);
}

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
    const files = this.state.attachments.flatMap((a) => (a.part ? [a.part] : []));
    if (this.state.prompt !== "" || files.length > 0)
      turns.push({ role: "user", text: this.state.prompt, ...(files.length ? { files } : {}) });
    const answer = await call("CountTokens", [
      `models/${this.state.model}`,
      countedContents(turns),
    ]);
    if (mine !== this.latest) return;
    try {
      const total = (JSON.parse(answer.text) as unknown[])[0];
      if (typeof total === "number") this.state.tokenCount = total;
    } catch {
      // A failed count leaves the number as it was, and Run usable again.
    }
    showTokenCount(this.state.tokenCount ?? 0);
    this.counting = false;
  }
}
