import { decodeStruct, type Json } from "./struct-value.js";

/*
 * One chunk of a GenerateContent response (facts §3.3), turned into events in wire order.
 * chunk = [[candidate], promptFeedback, usage, eventId, …, responseId@7]; candidate =
 * [[parts,"model"], finishReason, …]; part [1] text (thought when [12] = 1), [2] inline data,
 * [7] executable code, [8] code execution result, [10] function call [name, argsStruct, id]. A
 * chunk with [0] null and an array at [3] is the trailer.
 *
 * [I] The code parts are in no capture: facts §3.2 places them at [7] and [8] (the page's oneof
 * cases), and their fields are read as the public API's messages, in field order:
 * ExecutableCode [language, code] (1 = PYTHON) and CodeExecutionResult [outcome, output]
 * (1 = OK, 2 = FAILED, 3 = DEADLINE_EXCEEDED).
 */

export interface WireUsage {
  prompt: number | null;
  candidates: number | null;
  total: number | null;
  thoughts: number | null;
}

export type WireEvent =
  | { type: "text"; text: string }
  | { type: "thought"; text: string }
  | { type: "function_call"; name: string; args: { [key: string]: Json }; id: string | null }
  | { type: "inline_data"; mimeType: string; data: string; thought: boolean }
  | { type: "executable_code"; language: CodeLanguage; code: string }
  | { type: "code_result"; outcome: CodeOutcome; output: string }
  | { type: "finish"; reason: number }
  | { type: "blocked"; reason: number }
  | { type: "usage"; usage: WireUsage }
  | { type: "response_id"; id: string }
  | { type: "trailer"; eventId: unknown[] };

export type CodeLanguage = "python" | "unspecified";
export type CodeOutcome = "ok" | "failed" | "deadline_exceeded" | "unspecified";

const LANGUAGES: Record<number, CodeLanguage> = { 1: "python" };
const OUTCOMES: Record<number, CodeOutcome> = { 1: "ok", 2: "failed", 3: "deadline_exceeded" };

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

/** A code part's enum field: a code we do not know (or the elided default 0) is "unspecified". */
const named = <T extends string>(names: Record<number, T>, v: unknown): T | "unspecified" =>
  names[num(v) ?? 0] ?? "unspecified";

export function decodeUsage(raw: unknown): WireUsage | null {
  if (!Array.isArray(raw)) return null;
  return {
    prompt: num(raw[0]),
    candidates: num(raw[1]),
    total: num(raw[2]),
    thoughts: num(raw[9]),
  };
}

export function decodeChunk(chunk: unknown): WireEvent[] {
  if (!Array.isArray(chunk)) return [];
  if ((chunk[0] === null || chunk[0] === undefined) && Array.isArray(chunk[3])) {
    return [{ type: "trailer", eventId: chunk[3] }];
  }
  const events: WireEvent[] = [];
  if (typeof chunk[7] === "string") events.push({ type: "response_id", id: chunk[7] });

  const candidate = Array.isArray(chunk[0]) ? chunk[0][0] : undefined;
  if (Array.isArray(candidate)) {
    const parts =
      Array.isArray(candidate[0]) && Array.isArray(candidate[0][0]) ? candidate[0][0] : [];
    for (const part of parts) {
      if (!Array.isArray(part)) continue;
      const thought = part[12] === 1 || part[12] === true;
      if (typeof part[1] === "string" && part[1] !== "")
        events.push({ type: thought ? "thought" : "text", text: part[1] });
      if (
        Array.isArray(part[2]) &&
        typeof part[2][0] === "string" &&
        typeof part[2][1] === "string"
      ) {
        events.push({ type: "inline_data", mimeType: part[2][0], data: part[2][1], thought });
      }
      // An empty output is still a result (code that printed nothing ran).
      if (Array.isArray(part[7]) && typeof part[7][1] === "string")
        events.push({
          type: "executable_code",
          language: named(LANGUAGES, part[7][0]),
          code: part[7][1],
        });
      if (Array.isArray(part[8]))
        events.push({
          type: "code_result",
          outcome: named(OUTCOMES, part[8][0]),
          output: typeof part[8][1] === "string" ? part[8][1] : "",
        });
      if (Array.isArray(part[10]) && typeof part[10][0] === "string") {
        events.push({
          type: "function_call",
          name: part[10][0],
          args: decodeStruct(part[10][1]),
          id: typeof part[10][2] === "string" ? part[10][2] : null,
        });
      }
    }
    if (typeof candidate[1] === "number") events.push({ type: "finish", reason: candidate[1] });
  }
  // A prompt blocked before generation carries its reason in the prompt feedback.
  if (Array.isArray(chunk[1]) && typeof chunk[1][0] === "number")
    events.push({ type: "blocked", reason: chunk[1][0] });
  const usage = decodeUsage(chunk[2]);
  if (usage) events.push({ type: "usage", usage });
  return events;
}

/** FinishReason codes of the public API, which the wire uses (1 observed; the rest per the enum). */
export const FINISH_REASONS: Record<number, string> = {
  1: "STOP",
  2: "MAX_TOKENS",
  3: "SAFETY",
  4: "RECITATION",
  5: "OTHER",
  6: "BLOCKLIST",
  7: "PROHIBITED_CONTENT",
  8: "SPII",
  9: "MALFORMED_FUNCTION_CALL",
  10: "IMAGE_SAFETY",
};
