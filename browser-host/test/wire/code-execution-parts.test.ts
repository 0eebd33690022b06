import { describe, expect, it } from "vitest";
import type { RequestSpec } from "../../src/wire/generate-content-request.js";
import { decodeChunk, type WireEvent } from "../../src/wire/generate-content-response.js";
import {
  codeExecutionAnswer,
  plainAnswer,
  planAnswer,
  urlContextAnswer,
} from "../../simulator/answers.js";
import { answerChunks, bodyPieces } from "../../simulator/response-body.js";
import { scanInPieces } from "../captures.js";

/*
 * Code execution's parts on the wire (facts §3.2: executable code at part [7], its result at
 * [8]) as the decoder reads them, and the simulator's answers with the tools on: code and result
 * in their own chunks between the text, and a URL context answer naming the pages it fetched.
 */

const spec = (prompt: string, tools: Partial<RequestSpec["tools"]> = {}): RequestSpec => ({
  model: "gemini-2.5-flash",
  contents: [{ role: "user", text: prompt }],
  systemInstruction: null,
  stopSequences: [],
  maxOutputTokens: 8192,
  temperature: 1,
  topP: 0.95,
  topK: 64,
  responseMimeType: null,
  responseSchema: null,
  thinking: null,
  tools: { googleSearch: false, codeExecution: false, urlContext: false, functions: [], ...tools },
  token: "!token",
  previousResponseId: null,
  timeZone: null,
});

/** A content chunk holding the given parts (each a sparse part array). */
const chunkOf = (...parts: unknown[][]) => [[[[parts, "model"]]], null, null];

const part = (fields: Record<number, unknown>) =>
  Array.from(
    { length: Math.max(...Object.keys(fields).map(Number)) + 1 },
    (_, i) => fields[i] ?? null,
  );

const content = (events: WireEvent[]) =>
  events.filter((e) =>
    ["text", "thought", "executable_code", "code_result", "function_call"].includes(e.type),
  );

describe("code execution parts on the wire", () => {
  it("decodes executable code and its result with their language and outcome", () => {
    const events = decodeChunk(
      chunkOf(
        part({ 1: "Let me check." }),
        part({ 7: [1, "print(1 + 1)"] }),
        part({ 8: [1, "2\n"] }),
        part({ 8: [2, "Traceback: ZeroDivisionError"] }),
        part({ 8: [3, ""] }),
      ),
    );
    expect(content(events)).toEqual([
      { type: "text", text: "Let me check." },
      { type: "executable_code", language: "python", code: "print(1 + 1)" },
      { type: "code_result", outcome: "ok", output: "2\n" },
      { type: "code_result", outcome: "failed", output: "Traceback: ZeroDivisionError" },
      { type: "code_result", outcome: "deadline_exceeded", output: "" },
    ]);
  });

  it("keeps parts whose enums are elided or unknown, and a result with no output", () => {
    const events = decodeChunk(
      chunkOf(part({ 7: [null, "x = 1"] }), part({ 7: [9, "?"] }), part({ 8: [] })),
    );
    expect(content(events)).toEqual([
      { type: "executable_code", language: "unspecified", code: "x = 1" },
      { type: "executable_code", language: "unspecified", code: "?" },
      { type: "code_result", outcome: "unspecified", output: "" },
    ]);
  });

  it("ignores code parts that are not arrays (a text part with nulls at [7] and [8])", () => {
    expect(content(decodeChunk(chunkOf(part({ 1: "hi", 7: null, 8: null }))))).toEqual([
      { type: "text", text: "hi" },
    ]);
  });
});

describe("the simulator's answers with the tools on", () => {
  const prompt = "Please compute the sum of the first numbers";

  it("streams the code and its result between the lead and the closing text, in any pieces", () => {
    const expected = codeExecutionAnswer(prompt);
    const plan = planAnswer(spec(prompt, { codeExecution: true }), "auto");
    const body = bodyPieces(answerChunks(plan, { chunkChars: 7 })).join("");
    for (const size of [1, 5, 64, body.length]) {
      const events = scanInPieces(body, size).flatMap(decodeChunk);
      const kinds = content(events);
      const code = kinds.findIndex((e) => e.type === "executable_code");
      expect(kinds[code]).toEqual({
        type: "executable_code",
        language: "python",
        code: expected.code,
      });
      expect(kinds[code + 1]).toEqual({
        type: "code_result",
        outcome: "ok",
        output: expected.output,
      });
      const textOf = (list: WireEvent[]) =>
        list.map((e) => (e.type === "text" ? e.text : "")).join("");
      expect(textOf(kinds.slice(0, code))).toBe(expected.lead);
      expect(textOf(kinds.slice(code + 2))).toBe(expected.text);
    }
    // The printed number is the code's true result.
    const n = Number(/range\(1, (\d+)\)/.exec(expected.code)![1]) - 1;
    expect(expected.output).toBe(`${(n * (n + 1)) / 2}\n`);
  });

  it("answers in plain text when the tool is off or the prompt asks for nothing to run", () => {
    for (const s of [spec(prompt), spec("Tell me about tides", { codeExecution: true })]) {
      const plan = planAnswer(s, "auto");
      expect(plan.code).toBeUndefined();
      expect(plan.text).toBe(plainAnswer("gemini-2.5-flash", s.contents[0]!.text));
    }
    // "running" is not "run": the words must stand alone.
    expect(
      planAnswer(spec("I am running late", { codeExecution: true }), "auto").code,
    ).toBeUndefined();
  });

  it("says which pages it fetched with URL context on, once each, and only then", () => {
    const withUrls =
      "Summarise https://example.com/a and (https://example.org/b?x=1), https://example.com/a";
    const text = planAnswer(spec(withUrls, { urlContext: true }), "auto").text;
    expect(text).toBe(urlContextAnswer("gemini-2.5-flash", withUrls));
    expect(text.split("\n\n")[0]).toBe(
      "Fetched https://example.com/a with URL context.\nFetched https://example.org/b?x=1 with URL context.",
    );
    expect(planAnswer(spec(withUrls), "auto").text).toBe(plainAnswer("gemini-2.5-flash", withUrls));
    expect(planAnswer(spec("No links here", { urlContext: true }), "auto").text).toBe(
      plainAnswer("gemini-2.5-flash", "No links here"),
    );
  });
});
