// The bare module: the simulator's page bundles this file and needs none of zod.
import { bareModelId, modelResourceName } from "@aistudio-edge/shared/model-id";
import { decodeStruct, encodeStruct, type Json } from "./struct-value.js";
import { jsonSchemaToWire, wireToJsonSchema } from "./schema-wire.js";

/*
 * The GenerateContent request body (facts §3.2), positional JSPB. `encodeRequest` is what the
 * simulator's page does when Run is pressed; `decodeRequest` is how the simulator (and tests)
 * read back what a page sent. Field positions are the facts sheet's; comments mark the two
 * encodings no capture shows (URL context tool, function-response part) as inferred. Files are
 * parts of their turn (inline data [2] or a Drive reference [5]); image models add config [14]
 * (response modalities) and [26] (aspect ratio, image size), as captures/request-image-cat.json.
 */

export type ThinkingLevel = "minimal" | "low" | "medium" | "high";
export const THINKING_LEVEL_CODES: Record<ThinkingLevel, number> = {
  low: 1,
  medium: 2,
  high: 3,
  minimal: 4,
};
const LEVEL_BY_CODE: Record<number, ThinkingLevel> = {
  1: "low",
  2: "medium",
  3: "high",
  4: "minimal",
};

/**
 * A file in a turn (facts §3.2 part layout): inline data at part [2] `[mimeType, base64]`, or a
 * Drive reference at part [5] `[fileId]` for an uploaded file. The page puts them before the text.
 */
export type FilePart = { mimeType: string; data: string } | { driveId: string };

/** GenerationConfig.Modality of the public API, which config [14] uses: `[2,1]` = IMAGE, TEXT. */
export type ResponseModality = "TEXT" | "IMAGE" | "AUDIO";
const MODALITY_CODES: Record<ResponseModality, number> = { TEXT: 1, IMAGE: 2, AUDIO: 3 };
const MODALITY_BY_CODE: Record<number, ResponseModality> = { 1: "TEXT", 2: "IMAGE", 3: "AUDIO" };

export interface Turn {
  role: "user" | "model";
  text: string;
  /** Files of the turn, in the order the page sent them (before the text part). */
  files?: FilePart[];
  thought?: string;
  functionCalls?: Array<{ name: string; args: { [key: string]: Json }; id?: string }>;
  /** Thought signature the model sent, echoed back in the history (part [14]). */
  signature?: string;
}

export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: { [key: string]: Json };
}

export interface RequestSpec {
  model: string;
  contents: Turn[];
  systemInstruction: string | null;
  stopSequences: string[];
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  responseMimeType: string | null;
  responseSchema: { [key: string]: Json } | null;
  thinking: { includeThoughts: boolean; budget: number | null; level: ThinkingLevel | null } | null;
  tools: {
    googleSearch: boolean;
    codeExecution: boolean;
    urlContext: boolean;
    functions: FunctionDeclaration[];
  };
  token: string;
  previousResponseId: string | null;
  timeZone: string | null;
  /** Image models: config [14], e.g. ["IMAGE", "TEXT"]; absent when the request has none. */
  responseModalities?: ResponseModality[];
  /** Image models: config [26][0], e.g. "16:9"; null for the UI's "Auto"; absent without [26]. */
  aspectRatio?: string | null;
  /** Image models: config [26][1], the UI's "1K" (a capture shows "512"); absent without [26]. */
  imageSize?: string | null;
}

/** Safety categories 7–10 (harassment, hate, sexual, dangerous), all set to 5 = off: the 2026 default. */
const DEFAULT_SAFETY = [7, 8, 9, 10].map((category) => [null, null, category, 5]);

/** A positional JSPB message from its set fields (index → value); the holes are nulls. */
function message(fields: Record<number, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const [index, value] of Object.entries(fields)) out[Number(index)] = value;
  return fill(out);
}

/** A file's part: `[null,null,[mime,b64]]` inline, `[null,null,null,null,null,[id]]` from Drive. */
export function encodeFilePart(file: FilePart): unknown[] {
  return "driveId" in file
    ? message({ 5: [file.driveId] })
    : message({ 2: [file.mimeType, file.data] });
}

function encodeTurn(turn: Turn): unknown[] {
  const parts: unknown[] = [];
  // Part fields (facts §3.2): [1] text, [2] inline data, [5] Drive file, [10] function call,
  // [12] thought flag, [14] signature. Files go before the text, as the page sends them.
  if (turn.thought) parts.push(message({ 1: turn.thought, 12: 1 }));
  for (const file of turn.files ?? []) parts.push(encodeFilePart(file));
  const files = turn.files?.length ?? 0;
  if (turn.text !== "" || (!turn.functionCalls?.length && !turn.thought && files === 0))
    parts.push([null, turn.text]);
  for (const call of turn.functionCalls ?? []) {
    parts.push(message({ 10: [call.name, encodeStruct(call.args), call.id ?? null] }));
  }
  if (turn.signature) parts.push(message({ 1: "", 14: turn.signature }));
  return [parts, turn.role];
}

const fill = (arr: unknown[]) => Array.from(arr, (v) => (v === undefined ? null : v));

export function encodeRequest(spec: RequestSpec): unknown[] {
  const config: unknown[] = [];
  config[1] = spec.stopSequences.length > 0 ? spec.stopSequences : null;
  config[3] = spec.maxOutputTokens;
  config[4] = spec.temperature;
  config[5] = spec.topP;
  config[6] = spec.topK;
  if (spec.responseMimeType) config[7] = spec.responseMimeType;
  if (spec.responseSchema) config[8] = jsonSchemaToWire(spec.responseSchema);
  if (spec.responseModalities) config[14] = spec.responseModalities.map((m) => MODALITY_CODES[m]);
  if (spec.aspectRatio !== undefined || spec.imageSize !== undefined)
    config[26] = [spec.aspectRatio ?? null, spec.imageSize ?? null];
  if (spec.thinking) {
    const t = spec.thinking;
    config[16] = [
      t.includeThoughts ? 1 : 0,
      t.budget,
      null,
      t.level ? THINKING_LEVEL_CODES[t.level] : null,
    ];
  }
  const tools: unknown[] = [];
  if (spec.tools.codeExecution) tools.push([[]]);
  if (spec.tools.functions.length > 0) {
    tools.push([
      null,
      spec.tools.functions.map((f) => [
        f.name,
        f.description ?? "",
        f.parameters ? jsonSchemaToWire(f.parameters) : null,
      ]),
    ]);
  }
  if (spec.tools.googleSearch) tools.push([null, null, null, []]);
  // [I] URL context is not in any capture; Tool field 8 (index 7) is our reading of the proto.
  if (spec.tools.urlContext) tools.push(message({ 7: [] }));

  const body: unknown[] = [];
  body[0] = modelResourceName(spec.model);
  body[1] = spec.contents.map(encodeTurn);
  body[2] = DEFAULT_SAFETY;
  body[3] = fill(config);
  body[4] = spec.token;
  body[5] = spec.systemInstruction ? [[[null, spec.systemInstruction]], "user"] : null;
  body[6] = tools.length > 0 ? tools : null;
  body[10] = 1;
  body[11] = spec.previousResponseId;
  if (spec.timeZone) body[13] = [[null, null, spec.timeZone]];
  return fill(body);
}

function decodeTurn(raw: unknown): Turn {
  const [parts, role] = Array.isArray(raw) ? raw : [];
  const turn: Turn = { role: role === "model" ? "model" : "user", text: "" };
  for (const part of Array.isArray(parts) ? parts : []) {
    if (!Array.isArray(part)) continue;
    if (typeof part[1] === "string" && part[1] !== "") {
      if (part[12] === 1) turn.thought = (turn.thought ?? "") + part[1];
      else turn.text += part[1];
    }
    if (Array.isArray(part[10]) && typeof part[10][0] === "string") {
      (turn.functionCalls ??= []).push({
        name: part[10][0],
        args: decodeStruct(part[10][1]),
        ...(typeof part[10][2] === "string" ? { id: part[10][2] } : {}),
      });
    }
    if (typeof part[14] === "string") turn.signature = part[14];
    const file = decodeFilePart(part);
    if (file) (turn.files ??= []).push(file);
  }
  return turn;
}

/** The file a part carries (inline data or a Drive reference), if any; thought images are not files. */
export function decodeFilePart(part: unknown[]): FilePart | null {
  if (part[12] === 1) return null;
  const inline = part[2];
  if (Array.isArray(inline) && typeof inline[0] === "string" && typeof inline[1] === "string")
    return { mimeType: inline[0], data: inline[1] };
  const drive = part[5];
  if (Array.isArray(drive) && typeof drive[0] === "string") return { driveId: drive[0] };
  return null;
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

export function decodeRequest(raw: unknown): RequestSpec {
  if (!Array.isArray(raw) || typeof raw[0] !== "string")
    throw new Error("not a GenerateContent request: [0] is not a model name");
  const config = Array.isArray(raw[3]) ? raw[3] : [];
  const thinking = Array.isArray(config[16]) ? config[16] : null;
  const tools = Array.isArray(raw[6]) ? raw[6] : [];
  const functions: FunctionDeclaration[] = [];
  let googleSearch = false;
  let codeExecution = false;
  let urlContext = false;
  for (const tool of tools) {
    if (!Array.isArray(tool)) continue;
    if (Array.isArray(tool[0])) codeExecution = true;
    if (Array.isArray(tool[1])) {
      for (const f of tool[1]) {
        if (!Array.isArray(f) || typeof f[0] !== "string") continue;
        functions.push({
          name: f[0],
          ...(typeof f[1] === "string" && f[1] !== "" ? { description: f[1] } : {}),
          ...(Array.isArray(f[2]) ? { parameters: wireToJsonSchema(f[2]) } : {}),
        });
      }
    }
    if (tool[3] !== undefined && tool[3] !== null) googleSearch = true;
    if (tool[7] !== undefined && tool[7] !== null) urlContext = true;
  }
  const system = Array.isArray(raw[5]) ? decodeTurn(raw[5]).text : null;
  const modalities = Array.isArray(config[14])
    ? config[14]
        .map((code) => MODALITY_BY_CODE[num(code) ?? 0])
        .filter((m): m is ResponseModality => m !== undefined)
    : null;
  const image = Array.isArray(config[26]) ? config[26] : null;
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const tz = Array.isArray(raw[13]) && Array.isArray(raw[13][0]) ? raw[13][0][2] : null;
  return {
    model: bareModelId(raw[0]),
    contents: (Array.isArray(raw[1]) ? raw[1] : []).map(decodeTurn),
    systemInstruction: system,
    stopSequences: Array.isArray(config[1])
      ? config[1].filter((s): s is string => typeof s === "string")
      : [],
    maxOutputTokens: num(config[3]),
    temperature: num(config[4]),
    topP: num(config[5]),
    topK: num(config[6]),
    responseMimeType: typeof config[7] === "string" ? config[7] : null,
    responseSchema: Array.isArray(config[8]) ? wireToJsonSchema(config[8]) : null,
    thinking: thinking
      ? {
          includeThoughts: thinking[0] === 1,
          budget: num(thinking[1]),
          level: LEVEL_BY_CODE[num(thinking[3]) ?? 0] ?? null,
        }
      : null,
    tools: { googleSearch, codeExecution, urlContext, functions },
    token: typeof raw[4] === "string" ? raw[4] : "",
    previousResponseId: typeof raw[11] === "string" ? raw[11] : null,
    timeZone: typeof tz === "string" ? tz : null,
    // Present only when the request has them, so a text model's spec has no image fields.
    ...(modalities ? { responseModalities: modalities } : {}),
    ...(image ? { aspectRatio: str(image[0]), imageSize: str(image[1]) } : {}),
  };
}
