/*
 * CountTokens (facts §6): the page posts `["models/<id>", contents]`, contents in
 * GenerateContent's turn layout (`[[part, …], role]`, a text part `[null, "text"]`), and gets
 * `[total, [], [[[modality], count]…], null, null, [[modality, count]…]]`; only the total at
 * `[0]` is read. A `)]}'` anti-XSSI line is stripped when present, as for ListModels.
 */

function parse(text: string): unknown {
  const trimmed = text.trimStart();
  try {
    return JSON.parse(trimmed.startsWith(")]}'") ? trimmed.slice(4) : trimmed);
  } catch {
    return undefined;
  }
}

/** The total of a CountTokens answer, or null when the body is not one. */
export function decodeCountTokens(text: string): number | null {
  const body = parse(text);
  if (!Array.isArray(body)) return null;
  const total: unknown = body[0];
  // [I] JSPB leaves a zero out, so an answer without a total counted nothing.
  if (total === undefined || total === null) return 0;
  return typeof total === "number" && Number.isSafeInteger(total) && total >= 0 ? total : null;
}

/**
 * The texts a CountTokens request counted, turn by turn (thought parts left out): what tells
 * one count from another, since the page counts on every change and answers only the latest.
 */
export function countedTexts(requestBody: string): string[] {
  const body = parse(requestBody);
  const contents = Array.isArray(body) ? (body[1] as unknown) : null;
  if (!Array.isArray(contents)) return [];
  const texts: string[] = [];
  for (const turn of contents) {
    const parts: unknown = Array.isArray(turn) ? turn[0] : null;
    if (!Array.isArray(parts)) continue;
    for (const part of parts) {
      if (Array.isArray(part) && typeof part[1] === "string" && part[12] !== 1) texts.push(part[1]);
    }
  }
  return texts;
}
