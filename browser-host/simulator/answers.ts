import type { RequestSpec } from "../src/wire/generate-content-request.js";
import type { Json } from "../src/wire/struct-value.js";
import {
  attachmentLines,
  IMAGE_OUTPUT_TOKENS,
  imageAnswerText,
  imageThoughts,
  previewImage,
  simulatedImage,
  type ResolvedFile,
} from "./media-answers.js";
import { fileTokens } from "./media-rules.js";
import type { ScenarioName } from "./scenarios.js";

export {
  attachmentLine,
  attachmentLines,
  imageAnswerText,
  simulatedImage,
  type ResolvedFile,
} from "./media-answers.js";

/*
 * The answer the simulated model gives, derived only from the request, so a test can predict
 * it: the same request always gets the same text, thoughts and calls. Token counts are
 * characters / 4, rounded up, which is near enough to the real tokenizer for limits to bite
 * where a client expects them to. Files in the last user turn put one line each at the start
 * of the answer (attachmentLine); an image model answers with thoughts, a preview, a line of
 * text and a PNG (simulatedImage). With code execution on, a prompt that asks to run, execute
 * or compute gets code and its result (codeExecutionAnswer); with URL context on, a prompt
 * holding http(s) URLs gets an answer that says it fetched them (urlContextAnswer).
 */

export interface AnswerPlan {
  thoughts: string;
  text: string;
  functionCalls: Array<{ name: string; args: { [key: string]: Json }; id: string }>;
  /** FinishReason code: 1 STOP, 2 MAX_TOKENS. */
  finishReason: number;
  promptTokens: number;
  /** Image models: the thought parts, the preview, the final PNG and its token count. */
  image?: { thoughts: string[]; preview: Buffer; png: Buffer; tokens: number };
  /** Code execution: text before the code, the code and what it printed; `text` comes after. */
  code?: { lead: string; code: string; output: string };
}

export const tokensOf = (text: string): number => Math.ceil(text.length / 4);

export function lastUserText(spec: RequestSpec): string {
  return [...spec.contents].reverse().find((t) => t.role === "user")?.text ?? "";
}

/** A deterministic 32-bit hash (FNV-1a), to vary answers with the prompt. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The plain answer to a prompt, exported so tests can compute what the simulator will say. */
export function plainAnswer(model: string, prompt: string): string {
  const firstLine = prompt.replace(DIRECTIVE_TEXT, "").trim().split("\n")[0]!.slice(0, 120);
  return `Simulated ${model} answer #${hash(prompt).toString(16)}: you asked "${firstLine}" (${prompt.length} characters). Here is a deterministic reply with **markdown** and a list:\n\n1. first point\n2. second point\n\nDone.`;
}

const DIRECTIVE_TEXT = /\[\[sim:[a-z_]+\]\]/g;

/** What makes a prompt one for code execution, when the tool is on. */
const RUN_WORDS = /\b(run|execute|compute)\b/i;

/**
 * The code execution answer to a prompt: a line, Python that sums 1..n (n from the prompt's
 * hash, so prompts differ), what it printed, and a line on the result. Exported for tests.
 */
export function codeExecutionAnswer(prompt: string): {
  lead: string;
  code: string;
  output: string;
  text: string;
} {
  const n = 10 + (hash(prompt) % 90);
  const sum = (n * (n + 1)) / 2;
  return {
    lead: "Let me compute that with code.",
    code: `numbers = range(1, ${n + 1})\nprint(sum(numbers))`,
    output: `${sum}\n`,
    text: `The code printed ${sum}, the sum of 1 to ${n}.`,
  };
}

/** The http(s) URLs of a prompt, in order, without repeats. */
export function promptUrls(prompt: string): string[] {
  return [...new Set(prompt.match(/https?:\/\/[^\s"'<>()[\]]+/g) ?? [])];
}

/** The answer with URL context on to a prompt holding URLs: one line per page fetched, then the plain answer. */
export function urlContextAnswer(model: string, prompt: string): string {
  const fetched = promptUrls(prompt).map((url) => `Fetched ${url} with URL context.`);
  return `${fetched.join("\n")}\n\n${plainAnswer(model, prompt)}`;
}

function longAnswer(prompt: string): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 1; size < 102_400; i++) {
    const line = `Line ${i} of a long answer to #${hash(prompt).toString(16)}: the quick brown fox jumps over the lazy dog.`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

function sampleFor(schema: { [key: string]: Json } | undefined, name: string): Json {
  const type = schema?.type;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[0]!;
  switch (type) {
    case "string":
      return name === "city" || name === "location" ? "Paris" : `${name} value`;
    case "number":
      return 42.5;
    case "integer":
      return 42;
    case "boolean":
      return true;
    case "array":
      return [sampleFor(schema?.items as { [key: string]: Json } | undefined, name)];
    case "object":
    default: {
      const out: { [key: string]: Json } = {};
      const props = (schema?.properties ?? {}) as { [key: string]: { [key: string]: Json } };
      for (const [key, sub] of Object.entries(props)) out[key] = sampleFor(sub, key);
      return out;
    }
  }
}

function structuredAnswer(spec: RequestSpec, prompt: string): string {
  const value = spec.responseSchema
    ? sampleFor(spec.responseSchema, "answer")
    : { answer: plainAnswer(spec.model, prompt).slice(0, 60) };
  return JSON.stringify(value, null, 2);
}

/** Cuts at the first stop sequence, then at the output token limit (finish MAX_TOKENS). */
function applyLimits(text: string, spec: RequestSpec): { text: string; finishReason: number } {
  let out = text;
  for (const stop of spec.stopSequences) {
    const at = stop === "" ? -1 : out.indexOf(stop);
    if (at >= 0) out = out.slice(0, at);
  }
  if (spec.maxOutputTokens !== null && tokensOf(out) > spec.maxOutputTokens) {
    return { text: out.slice(0, spec.maxOutputTokens * 4), finishReason: 2 };
  }
  return { text: out, finishReason: 1 };
}

/**
 * The answer to a request. `files` are the last user turn's files with their bytes (the server
 * resolves Drive references); they count toward the prompt tokens and head the answer text.
 */
export function planAnswer(
  spec: RequestSpec,
  scenario: ScenarioName,
  files: ResolvedFile[] = [],
): AnswerPlan {
  const prompt = lastUserText(spec);
  const promptTokens =
    tokensOf([spec.systemInstruction ?? "", ...spec.contents.map((t) => t.text)].join(" ")) +
    files.reduce((sum, f) => sum + fileTokens(f.mimeType, f.bytes.length), 0);
  const headed = (text: string) =>
    files.length > 0 ? `${attachmentLines(files)}\n\n${text}` : text;
  const thinkingOn = spec.thinking?.includeThoughts === true;
  const named = spec.tools.functions.find((f) => prompt.includes(f.name));

  // Code execution is no scenario of its own: only a request with the tool on gets its parts.
  let kind: ScenarioName | "code_execution" = scenario;
  if (kind === "auto" || kind === "slow" || kind === "stall") {
    if (named) kind = "function_call";
    else if (spec.responseMimeType === "application/json") kind = "structured";
    else if (spec.tools.codeExecution && RUN_WORDS.test(prompt)) kind = "code_execution";
    else if (thinkingOn) kind = "thinking";
    else kind = "plain";
  }

  if (spec.responseModalities?.includes("IMAGE") && (kind === "plain" || kind === "thinking")) {
    const image = {
      thoughts: imageThoughts(prompt),
      preview: previewImage(prompt),
      png: simulatedImage(prompt, spec.aspectRatio ?? null).png,
      tokens: IMAGE_OUTPUT_TOKENS,
    };
    return {
      thoughts: image.thoughts.join(""),
      text: headed(imageAnswerText(prompt)),
      functionCalls: [],
      finishReason: 1,
      promptTokens,
      image,
    };
  }

  const thoughts =
    kind === "thinking" || (thinkingOn && kind !== "plain")
      ? `**Reading the request**\n\nThe user wrote ${prompt.length} characters; the first line is "${prompt.split("\n")[0]!.slice(0, 80)}".\n\n**Planning the answer**\n\nA short, deterministic reply will do.`
      : "";

  if (kind === "function_call") {
    const declared = named ?? spec.tools.functions[0];
    const name = declared?.name ?? "get_weather";
    const args = sampleFor(
      declared?.parameters ?? { type: "object", properties: { city: { type: "string" } } },
      name,
    );
    return {
      thoughts,
      text: "",
      functionCalls: [
        {
          name,
          args: args as { [key: string]: Json },
          id: `call${hash(prompt + name).toString(36)}`,
        },
      ],
      finishReason: 1,
      promptTokens,
    };
  }
  if (kind === "code_execution") {
    const { lead, code, output, text } = codeExecutionAnswer(prompt);
    return {
      thoughts,
      text,
      functionCalls: [],
      finishReason: 1,
      promptTokens,
      code: { lead: headed(lead), code, output },
    };
  }
  const fetching = spec.tools.urlContext && promptUrls(prompt).length > 0;
  const raw =
    kind === "structured"
      ? structuredAnswer(spec, prompt)
      : kind === "long"
        ? longAnswer(prompt)
        : fetching
          ? urlContextAnswer(spec.model, prompt)
          : plainAnswer(spec.model, prompt);
  // Structured output stays JSON: only free text starts with the attachment lines.
  const limited = applyLimits(kind === "structured" ? raw : headed(raw), spec);
  return {
    thoughts,
    text: limited.text,
    functionCalls: [],
    finishReason: limited.finishReason,
    promptTokens,
  };
}
