import { randomBytes, randomInt } from "node:crypto";
import { encodeStruct } from "../src/wire/struct-value.js";
import { tokensOf, type AnswerPlan } from "./answers.js";

/*
 * Encodes an answer the way GenerateContent streams it (facts §3.3): one JSON array written
 * in pieces, `[[chunk` `,chunk` … `,trailer]]`. Thought chunks come first with part [12] = 1
 * and no candidate count in their usage; text follows in pieces; a function call is a part of
 * its own at [10] with a signature at [14]; the last content chunk has an empty text part, a
 * signature and the finish reason; usage is cumulative in every chunk; every chunk carries the
 * same `v1_` response id at [7]. An image answer streams as captures/generate-image-cat.json:
 * whole thought parts, a thought preview image (inline data with [12] = 1), the text, the final
 * image as inline data, and usage with candidatesTokensDetails at [6]. A code execution answer
 * streams its lead text, then the executable code (part [7] `[1 = PYTHON, code]`) and its result
 * (part [8] `[1 = OK, output]`) in chunks of their own, then the rest of the text ([I]: facts
 * §3.2 gives the part positions; the fields follow the public ExecutableCode and
 * CodeExecutionResult).
 */

/** ExecutableCode.Language.PYTHON and CodeExecutionResult.Outcome.OUTCOME_OK of the public API. */
const PYTHON = 1;
const OUTCOME_OK = 1;

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
  let imageTokens = 0;
  const usage = () => {
    const u: unknown[] = [
      plan.promptTokens,
      candidateTokens + imageTokens > 0 ? candidateTokens + imageTokens : null,
      plan.promptTokens + candidateTokens + imageTokens + thoughtTokens,
      null,
      [[1, plan.promptTokens]],
    ];
    if (imageTokens > 0)
      u.push(null, [
        [1, candidateTokens],
        [2, imageTokens],
      ]);
    if (thoughtTokens > 0) u[9] = thoughtTokens;
    return Array.from(u, (v) => v ?? null);
  };
  const chunk = (parts: unknown[], finish?: number) => {
    const candidate: unknown[] = [[parts, "model"]];
    if (finish !== undefined) candidate.push(finish, null, null, SAFETY_RATINGS);
    return [[candidate], null, usage(), null, null, null, null, id];
  };

  if (plan.image) {
    for (const thought of plan.image.thoughts) {
      thoughtTokens += tokensOf(thought);
      chunks.push(chunk([part({ 1: thought, 12: 1 })]));
    }
    // [I] the preview's tokens: the capture counts it among the thoughts.
    thoughtTokens += 258;
    chunks.push(chunk([part({ 2: ["image/png", plan.image.preview.toString("base64")], 12: 1 })]));
  } else {
    for (const piece of split(plan.thoughts, options.chunkChars)) {
      thoughtTokens += tokensOf(piece);
      chunks.push(chunk([part({ 1: piece, 12: 1 })]));
    }
  }
  const text = (whole: string) => {
    for (const piece of split(whole, options.chunkChars)) {
      candidateTokens += tokensOf(piece);
      chunks.push(chunk([part({ 1: piece })]));
    }
  };
  if (plan.code) {
    text(plan.code.lead);
    candidateTokens += tokensOf(plan.code.code);
    chunks.push(chunk([part({ 7: [PYTHON, plan.code.code] })]));
    candidateTokens += tokensOf(plan.code.output);
    chunks.push(chunk([part({ 8: [OUTCOME_OK, plan.code.output] })]));
  }
  text(plan.text);
  if (plan.image) {
    imageTokens = plan.image.tokens;
    chunks.push(chunk([part({ 2: ["image/png", plan.image.png.toString("base64")] })]));
  }
  for (const call of plan.functionCalls) {
    candidateTokens += tokensOf(JSON.stringify(call.args)) + 4;
    chunks.push(
      chunk([part({ 10: [call.name, encodeStruct(call.args), call.id], 14: signature() })]),
    );
  }
  chunks.push(chunk([part({ 1: "", 14: signature() })], plan.finishReason));
  chunks.push(trailer());
  return chunks;
}

/** The closing event id (facts §3.3): `[null,null,null,[time_usec, int, int]]`. */
function trailer(): unknown[] {
  return [
    null,
    null,
    null,
    [String(Date.now() * 1000), randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)],
  ];
}

/**
 * [I] PROHIBITED_CONTENT in the public PromptFeedback.BlockReason enum (1 SAFETY, 2 OTHER,
 * 3 BLOCKLIST, 4 PROHIBITED_CONTENT); no capture of a blocked answer exists.
 */
export const BLOCK_REASON_PROHIBITED_CONTENT = 4;

/**
 * A prompt the filter refused before generating: one chunk with no candidate, the block reason
 * in the prompt feedback at [1] (facts §3.3: block reason [0], safety ratings [1]; the page maps
 * it to a finish reason), usage for the prompt only, then the trailer.
 */
export function blockedChunks(promptTokens: number, id = responseId()): unknown[] {
  const usage = [promptTokens, null, promptTokens, null, [[1, promptTokens]]];
  return [
    [null, [BLOCK_REASON_PROHIBITED_CONTENT, SAFETY_RATINGS], usage, null, null, null, null, id],
    trailer(),
  ];
}

/** The pieces the server writes, in order; joined they are the whole body. */
export function bodyPieces(chunks: unknown[]): string[] {
  return chunks.map(
    (c, i) => `${i === 0 ? "[[" : ","}${JSON.stringify(c)}${i === chunks.length - 1 ? "]]" : ""}`,
  );
}
