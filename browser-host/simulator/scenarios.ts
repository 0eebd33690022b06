import { z } from "zod";

/*
 * What the simulator does on the next Run. Tests and the demo choose through the control API
 * (`POST /__sim/scenario`) or by writing `[[sim:<name>]]` in the prompt; otherwise the answer
 * follows the request (thoughts when thinking is on, JSON when structured output is on, a call
 * when the prompt names a declared function).
 */

export const SCENARIOS = [
  "auto",
  "plain",
  "thinking",
  "function_call",
  "structured",
  "long",
  "slow",
  "stall",
  "quota",
  "rate_limit",
  "internal_error",
  "permission_denied",
  /** GenerateContent answers 200 with the prompt blocked as prohibited content (facts §3.3 [1]). */
  "blocked",
  "signin_redirect",
  "hang",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const PaceSchema = z.object({
  /** Characters of answer text per chunk. */
  chunkChars: z.number().int().positive().max(1_000_000).optional(),
  /** Milliseconds between chunks. */
  paceMs: z.number().int().nonnegative().max(60_000).optional(),
});
export type Pace = z.infer<typeof PaceSchema>;

export const ScenarioRequestSchema = PaceSchema.extend({
  scenario: z.enum(SCENARIOS),
  /** How many of the next runs get it (then back to auto). */
  runs: z.number().int().positive().max(10_000).default(1),
  /** For `stall`: content chunks sent before the stream goes silent. */
  stallAfterChunks: z.number().int().nonnegative().optional(),
});
export type ScenarioRequest = z.infer<typeof ScenarioRequestSchema>;

export const SessionRequestSchema = z.object({ signedIn: z.boolean() });

const DIRECTIVE = /\[\[sim:([a-z_]+)\]\]/;

/** The scenario a prompt asks for with `[[sim:<name>]]`, if it names a known one. */
export function directiveIn(text: string): ScenarioName | null {
  const name = DIRECTIVE.exec(text)?.[1];
  return name !== undefined && (SCENARIOS as readonly string[]).includes(name)
    ? (name as ScenarioName)
    : null;
}

/** Queued scenarios, taken one run at a time. */
export class ScenarioQueue {
  private queue: ScenarioRequest[] = [];

  push(request: ScenarioRequest): void {
    this.queue.push({ ...request });
  }

  /** The scenario for this run: a directive in the prompt wins over the queue. */
  take(prompt: string): ScenarioRequest {
    const directive = directiveIn(prompt);
    if (directive) return { scenario: directive, runs: 1 };
    const head = this.queue[0];
    if (!head) return { scenario: "auto", runs: 1 };
    if (head.runs <= 1) this.queue.shift();
    else head.runs -= 1;
    return head;
  }

  clear(): void {
    this.queue = [];
  }
}
