import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeChunk, type WireEvent } from "../src/wire/generate-content-response.js";
import { JspbArrayScanner } from "../src/wire/jspb-array-scanner.js";

/** `../shared/captures` beside the repository: real RPC bodies with their expected decodings. */
export const CAPTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "shared",
  "captures",
);

export const readCapture = (name: string): string => readFileSync(join(CAPTURES, name), "utf8");
export const readExpected = <T = any>(name: string): T => JSON.parse(readCapture(name));

/** Folds wire events into the summary shape of the captures' `*.expected.json`. */
export function summarize(chunks: unknown[]) {
  let text = "";
  let thoughts = "";
  const functionCalls: Array<{ name: string; args: unknown; id?: string }> = [];
  const images: Array<{ mimeType: string; thought: boolean; base64Length: number }> = [];
  let finishReason: number | null = null;
  let usage: {
    prompt: number | null;
    candidates: number | null;
    total: number | null;
    thoughts: number | null;
  } | null = null;
  let responseId: string | null = null;
  let trailer: unknown[] | null = null;
  let content = 0;
  for (const chunk of chunks) {
    const events: WireEvent[] = decodeChunk(chunk);
    if (events.some((e) => e.type === "trailer")) {
      trailer = (events[0] as Extract<WireEvent, { type: "trailer" }>).eventId;
      continue;
    }
    content += 1;
    for (const e of events) {
      if (e.type === "text") text += e.text;
      else if (e.type === "thought") thoughts += e.text;
      else if (e.type === "function_call")
        functionCalls.push({ name: e.name, args: e.args, ...(e.id !== null ? { id: e.id } : {}) });
      else if (e.type === "inline_data")
        images.push({ mimeType: e.mimeType, thought: e.thought, base64Length: e.data.length });
      else if (e.type === "finish") finishReason = e.reason;
      else if (e.type === "usage") usage = e.usage;
      else if (e.type === "response_id") responseId = e.id;
    }
  }
  return {
    text,
    thoughts,
    functionCalls,
    finishReason,
    usage,
    responseId,
    chunks: content,
    trailer,
    images,
  };
}

/** Runs a body through the streaming scanner in pieces of `size` characters. */
export function scanInPieces(body: string, size: number): unknown[] {
  const scanner = new JspbArrayScanner();
  const out: unknown[] = [];
  for (let i = 0; i < body.length; i += size)
    for (const element of scanner.push(body.slice(i, i + size))) out.push(JSON.parse(element));
  return out;
}
