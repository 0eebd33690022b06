import { describe, expect, it } from "vitest";
import { decodeChunk } from "../../src/wire/generate-content-response.js";
import { decodeRequest } from "../../src/wire/generate-content-request.js";
import { normalizeElisions, parseJspbError } from "../../src/wire/jspb-error.js";
import { decodeListModels } from "../../src/wire/list-models.js";
import { JspbArrayScanner } from "../../src/wire/jspb-array-scanner.js";
import { readCapture, readExpected, scanInPieces, summarize } from "../captures.js";

const RESPONSES = [
  "generate-plain-hi",
  "generate-thinking-exclaim",
  "generate-thinking-nihao",
  "generate-image-cat",
];

describe("GenerateContent responses from the real site", () => {
  it.each(RESPONSES)("%s decodes to its expected summary, whole and streamed", (name) => {
    const body = readCapture(`${name}.json`);
    const expected = readExpected(`${name}.expected.json`);
    const whole = summarize((JSON.parse(body) as unknown[][])[0]!);
    const summary = { ...whole, usage: whole.usage };
    expect(summary.text).toBe(expected.text);
    expect(summary.thoughts).toBe(expected.thoughts);
    expect(summary.functionCalls).toEqual(expected.functionCalls);
    expect(summary.finishReason).toBe(expected.finishReason);
    expect(summary.usage).toEqual(expected.usage);
    expect(summary.responseId).toBe(expected.responseId);
    expect(summary.chunks).toBe(expected.chunks);
    expect(summary.trailer).toEqual(expected.trailer);
    if (expected.images) {
      expect(summary.images).toEqual(
        expected.images.map((i: any) => ({
          mimeType: i.mimeType,
          thought: i.thought,
          base64Length: i.base64Length,
        })),
      );
    }
    // The same body fed to the streaming scanner in awkward pieces gives the same chunks.
    const compact = JSON.stringify(JSON.parse(body));
    for (const size of [1, 7, 64, 4096]) {
      if (size === 1 && compact.length > 100_000) continue;
      expect(scanInPieces(compact, size)).toEqual((JSON.parse(body) as unknown[][])[0]);
    }
  });

  it("decodes the captured function-call chunk", () => {
    const expected = readExpected("chunk-function-call.expected.json");
    const summary = summarize([JSON.parse(readCapture("chunk-function-call.json"))]);
    expect(summary.functionCalls).toEqual(expected.functionCalls);
    expect(summary.finishReason).toBe(expected.finishReason);
    expect(summary.usage).toEqual(expected.usage);
    expect(summary.responseId).toBe(expected.responseId);
  });

  it("scans a body behind an anti-XSSI prefix and NUL bytes", () => {
    const body = readCapture("generate-plain-hi.json").trim();
    const scanner = new JspbArrayScanner();
    const elements = [
      ...scanner.push(")]}'\n"),
      ...scanner.push("\0" + body.slice(0, 50)),
      ...scanner.push(body.slice(50)),
    ];
    expect(elements.map((e) => JSON.parse(e))).toEqual(JSON.parse(body)[0]);
    expect(scanner.closed).toBe(true);
  });

  it("keeps brackets and quotes inside text out of the structure", () => {
    const chunk = [[[[[[null, 'a "[quoted]" ]] \\" {brace']], "model"]]], null, [1, 1, 2]];
    const body = JSON.stringify([[chunk, [null, null, null, ["1", 2, 3]]]]);
    expect(scanInPieces(body, 3)).toEqual([chunk, [null, null, null, ["1", 2, 3]]]);
    expect(decodeChunk(chunk)[0]).toEqual({ type: "text", text: 'a "[quoted]" ]] \\" {brace' });
  });
});

describe("JSPB error bodies", () => {
  it.each(["error-403-permission-denied", "error-404-per-user-quota-ambiguous"])("%s", (name) => {
    const expected = readExpected(`${name}.expected.json`);
    const text = readCapture(`${name}.txt`);
    expect(JSON.parse(normalizeElisions(text))).toEqual(JSON.parse(expected.normalized));
    expect(parseJspbError(text)).toEqual({
      grpcCode: expected.grpcCode,
      grpcStatus: expected.grpcStatus,
      message: expected.message,
    });
  });
});

describe("ListModels", () => {
  it("decodes the captured list as expected", () => {
    const expected = readExpected("listmodels-2026-02-14.expected.json");
    const decoded = decodeListModels(readCapture("listmodels-2026-02-14.json"));
    expect(decoded.xssiPrefix).toBe(expected.xssiPrefix);
    expect(decoded.models).toHaveLength(expected.modelCount);
    expect(
      decoded.models.map((m) => ({
        id: m.id,
        displayName: m.displayName,
        inputLimit: m.inputLimit,
        outputLimit: m.outputLimit,
        methods: m.methods,
        thinking: m.thinking,
      })),
    ).toEqual(expected.models);
    expect(
      decodeListModels(`)]}'\n${readCapture("listmodels-2026-02-14.json")}`).models,
    ).toHaveLength(expected.modelCount);
  });
});

describe("GenerateContent requests from the real site", () => {
  it("decodes the first-turn request", () => {
    const spec = decodeRequest(JSON.parse(readCapture("request-plain-hi.json")));
    expect(spec).toMatchObject({
      model: "gemini-3-flash-preview",
      contents: [{ role: "user", text: "Hi!" }],
      systemInstruction: null,
      maxOutputTokens: 65536,
      temperature: 1,
      topP: 0.95,
      topK: 64,
      thinking: { includeThoughts: true, budget: null, level: "high" },
      tools: { googleSearch: true, codeExecution: false, functions: [] },
      timeZone: "Europe/Kyiv",
    });
    expect(spec.token.startsWith("!")).toBe(true);
  });

  it("decodes a second turn with the model's signature part", () => {
    const spec = decodeRequest(JSON.parse(readCapture("request-thinking-exclaim.json")));
    expect(spec.contents.map((t) => [t.role, t.text])).toEqual([
      ["user", "Hi!"],
      ["model", "Hello! How can I help you today?"],
      ["user", "!"],
    ]);
    expect(spec.contents[1]!.signature).toMatch(/^Eq/);
  });

  it("decodes stop sequences, structured output, system instruction and tools", () => {
    const spec = decodeRequest(JSON.parse(readCapture("request-gemma-structured-tools.json")));
    expect(spec.stopSequences).toEqual(["6"]);
    expect(spec.responseMimeType).toBe("application/json");
    expect(spec.responseSchema).toEqual({
      type: "object",
      properties: { test_response: { type: "string" } },
    });
    expect(spec.systemInstruction).toBe("测试prompt");
    expect(spec.tools.codeExecution).toBe(true);
    expect(spec.tools.googleSearch).toBe(true);
    expect(spec.tools.functions).toEqual([
      {
        name: "getWeather",
        description: "gets the weather for a requested city",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    ]);
    expect(spec.timeZone).toBe("Asia/Shanghai");
  });
});
