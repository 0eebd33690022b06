import { randomBytes, randomInt } from "node:crypto";
import { encodeStruct } from "../src/wire/struct-value.js";
import { tokensOf, type AnswerPlan } from "./answers.js";

/*
 * Encodes an answer the way GenerateContent streams it (facts §3.3): one JSON array written
 * in pieces, `[[chunk` `,chunk` … `,trailer]]`. Thought chunks come first with part [12] = 1
 * and no candidate count in their usage; text follows in pieces; a function call is a part of
 * its own at [10] with a signature at [14]; the last content chunk has an empty text part, a
 * signature and the finish reason; usage is cumulative in every chunk; every chunk carries the
 * same `v1_` response id at [7].
 */

const SAFETY_RATINGS = [7, 8, 9, 10].map((category) => [null, null, category, 1]);

function split(text: string, size: number): string[] {
  const out: string[] = [];
  // Split by code points so a chunk never ends inside a surrogate pair.
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

function part(fields: Record<number, unknown>): unknown[] {
  const length = Math.max(...Object.keys(fields).map(Number)) + 1;
  return Array.from({ length }, (_, i) => fields[i] ?? null);
}

function signature(): string {
  return randomBytes(48).toString("base64");
}

export function responseId(): string {
  return `v1_${randomBytes(40).toString("base64url")}`;
}

/** The chunks of an answer, in order; the trailer is the last element. */
export function answerChunks(
  plan: AnswerPlan,
  options: { chunkChars: number; id?: string },
): unknown[] {
  const id = options.id ?? responseId();
  const chunks: unknown[] = [];
  let thoughtTokens = 0;
  let candidateTokens = 0;
  const usage = () => {
    const u: unknown[] = [
      plan.promptTokens,
      candidateTokens > 0 ? candidateTokens : null,
      plan.promptTokens + candidateTokens + thoughtTokens,
      null,
      [[1, plan.promptTokens]],
    ];
    if (thoughtTokens > 0) u.push(null, null, null, null, thoughtTokens);
    return u;
  };
  const chunk = (parts: unknown[], finish?: number) => {
    const candidate: unknown[] = [[parts, "model"]];
    if (finish !== undefined) candidate.push(finish, null, null, SAFETY_RATINGS);
    return [[candidate], null, usage(), null, null, null, null, id];
  };

  for (const piece of split(plan.thoughts, options.chunkChars)) {
    thoughtTokens += tokensOf(piece);
    chunks.push(chunk([part({ 1: piece, 12: 1 })]));
  }
  for (const piece of split(plan.text, options.chunkChars)) {
    candidateTokens += tokensOf(piece);
    chunks.push(chunk([part({ 1: piece })]));
  }
  for (const call of plan.functionCalls) {
    candidateTokens += tokensOf(JSON.stringify(call.args)) + 4;
    chunks.push(
      chunk([part({ 10: [call.name, encodeStruct(call.args), call.id], 14: signature() })]),
    );
  }
  chunks.push(chunk([part({ 1: "", 14: signature() })], plan.finishReason));
  chunks.push([
    null,
    null,
    null,
    [String(Date.now() * 1000), randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)],
  ]);
  return chunks;
}

/** The pieces the server writes, in order; joined they are the whole body. */
export function bodyPieces(chunks: unknown[]): string[] {
  return chunks.map(
    (c, i) => `${i === 0 ? "[[" : ","}${JSON.stringify(c)}${i === chunks.length - 1 ? "]]" : ""}`,
  );
}
