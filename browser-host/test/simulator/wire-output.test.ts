import { describe, expect, it } from "vitest";
import {
  decodeRequest,
  encodeRequest,
  type RequestSpec,
} from "../../src/wire/generate-content-request.js";
import { plainAnswer, planAnswer } from "../../simulator/answers.js";
import { answerChunks, bodyPieces } from "../../simulator/response-body.js";
import { readCapture, scanInPieces, summarize } from "../captures.js";
import { completeJsonPrefix } from "./json-prefix.js";

const base: RequestSpec = {
  model: "gemini-2.5-flash",
  contents: [{ role: "user", text: "Tell me about tides 🌊" }],
  systemInstruction: null,
  stopSequences: [],
  maxOutputTokens: 8192,
  temperature: 1,
  topP: 0.95,
  topK: 64,
  responseMimeType: null,
  responseSchema: null,
  thinking: { includeThoughts: true, budget: -1, level: null },
  tools: { googleSearch: false, codeExecution: false, urlContext: false, functions: [] },
  token: "!token",
  previousResponseId: null,
  timeZone: null,
};

/** The shape of a chunk: where its text, thought flag, call, usage, finish reason and id sit. */
function shapeOf(chunk: unknown): string[] {
  const out: string[] = [];
  const c = chunk as any[];
  if (c[0] === null && Array.isArray(c[3])) return ["trailer@3"];
  const candidate = c[0]?.[0];
  for (const part of candidate?.[0]?.[0] ?? []) {
    if (typeof part[1] === "string") out.push(part[12] === 1 ? "thought@1+12" : "text@1");
    if (Array.isArray(part[10]))
      out.push(`call@10[name,struct,${typeof part[10][2] === "string" ? "id" : "-"}]`);
    if (typeof part[14] === "string") out.push("signature@14");
  }
  if (candidate?.[0]?.[1] === "model") out.push("role@0.1");
  if (typeof candidate?.[1] === "number") out.push("finish@1");
  if (Array.isArray(c[2]))
    out.push(`usage@2[${c[2].length >= 10 ? "with-thoughts@9" : "no-thoughts"}]`);
  if (typeof c[7] === "string" && c[7].startsWith("v1_")) out.push("id@7");
  return out;
}

describe("the simulator's GenerateContent body", () => {
  const plan = planAnswer(base, "thinking");
  const pieces = bodyPieces(answerChunks(plan, { chunkChars: 7 }));
  const body = pieces.join("");

  it("is, cut at every byte, a prefix of valid JSON that grows into the final array", () => {
    const bytes = Buffer.from(body, "utf8");
    const decoder = new TextDecoder();
    const final = JSON.parse(body);
    for (let cut = 1; cut <= bytes.length; cut++) {
      // A cut inside a multi-byte character leaves that character for the next read, as a streaming decoder would.
      const text = decoder.decode(bytes.subarray(0, cut), { stream: true });
      decoder.decode();
      expect(completeJsonPrefix(text), `cut at byte ${cut}: ${text.slice(-40)}`).not.toBeNull();
    }
    expect(JSON.parse(body)).toEqual(final);
    expect(scanInPieces(body, 5)).toEqual(final[0]);
  });

  it("the oracle itself rejects what is not a JSON prefix", () => {
    expect(completeJsonPrefix('[[1,"a"],')).not.toBeNull();
    expect(completeJsonPrefix("[[1,]")).toBeNull();
    expect(completeJsonPrefix('[["x" "y"')).toBeNull();
    expect(completeJsonPrefix("[nul")).not.toBeNull();
    expect(completeJsonPrefix("[nux")).toBeNull();
  });

  it("has the shape of the real captures: same positions for text, thought, usage, finish reason and id", () => {
    const real = (JSON.parse(readCapture("generate-thinking-exclaim.json")) as unknown[][])[0]!;
    const ours = JSON.parse(body)[0] as unknown[];
    // First thought chunk, a text chunk, the closing chunk and the trailer, position by position.
    const pick = (chunks: unknown[]) => [
      shapeOf(chunks.find((c) => shapeOf(c).includes("thought@1+12"))),
      shapeOf(
        chunks.find((c) => shapeOf(c).includes("text@1") && !shapeOf(c).includes("finish@1")),
      ),
      shapeOf(chunks.at(-2)),
      shapeOf(chunks.at(-1)),
    ];
    const [realThought, realText, realClose, realTrailer] = pick(real);
    const [ourThought, ourText, ourClose, ourTrailer] = pick(ours);
    // Usage while only thoughts have streamed has no thoughts count in the short capture; ours may.
    expect(ourThought!.filter((s) => !s.startsWith("usage"))).toEqual(
      realThought!.filter((s) => !s.startsWith("usage")),
    );
    expect(ourText).toEqual(realText);
    expect(ourClose).toEqual(realClose);
    expect(ourTrailer).toEqual(realTrailer);
  });

  it("puts a function call where the captured call chunk has it", () => {
    const real = shapeOf(JSON.parse(readCapture("chunk-function-call.json")));
    const spec = {
      ...base,
      tools: {
        ...base.tools,
        functions: [
          {
            name: "getWeather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        ],
      },
    };
    const chunks = answerChunks(planAnswer(spec, "function_call"), { chunkChars: 50 });
    const call = chunks.find((c) => shapeOf(c).some((s) => s.startsWith("call@10")));
    expect(shapeOf(call).filter((s) => s !== "id@7")).toEqual(real.filter((s) => s !== "id@7"));
    const summary = summarize(chunks);
    expect(summary.functionCalls).toEqual([
      { name: "getWeather", args: { city: "Paris" }, id: expect.any(String) },
    ]);
  });

  it("decodes to the planned answer, with cumulative usage and one finish reason", () => {
    const summary = summarize(JSON.parse(body)[0]);
    expect(summary.text).toBe(plan.text);
    expect(summary.thoughts).toBe(plan.thoughts);
    expect(summary.finishReason).toBe(1);
    expect(summary.usage!.total).toBe(
      summary.usage!.prompt! + summary.usage!.candidates! + summary.usage!.thoughts!,
    );
    expect(summary.trailer).toHaveLength(3);
  });
});

describe("answers follow the request", () => {
  it("are deterministic", () => {
    expect(planAnswer(base, "plain").text).toBe(planAnswer(base, "plain").text);
    expect(planAnswer(base, "plain").text).toBe(
      plainAnswer("gemini-2.5-flash", "Tell me about tides 🌊"),
    );
  });

  it("stop at a stop sequence and at the output limit (MAX_TOKENS)", () => {
    const full = planAnswer(base, "plain").text;
    expect(planAnswer({ ...base, stopSequences: ["deterministic"] }, "plain").text).toBe(
      full.slice(0, full.indexOf("deterministic")),
    );
    const limited = planAnswer({ ...base, maxOutputTokens: 5 }, "plain");
    expect(limited.text).toBe(full.slice(0, 20));
    expect(limited.finishReason).toBe(2);
  });

  it("give JSON matching the schema for structured output, and ≥ 100 KB for long", () => {
    const structured = planAnswer(
      {
        ...base,
        responseMimeType: "application/json",
        responseSchema: {
          type: "object",
          properties: { city: { type: "string" }, n: { type: "integer" } },
        },
      },
      "auto",
    );
    expect(JSON.parse(structured.text)).toEqual({ city: "Paris", n: 42 });
    expect(
      planAnswer({ ...base, maxOutputTokens: 65536 }, "long").text.length,
    ).toBeGreaterThanOrEqual(100 * 1024);
  });
});

describe("request codec", () => {
  it("round-trips every setting the page can send", () => {
    const spec: RequestSpec = {
      ...base,
      contents: [
        { role: "user", text: "Hi" },
        { role: "model", text: "Hello", signature: "Es4DCss" },
        { role: "user", text: "Weather?" },
      ],
      systemInstruction: "Be brief.",
      stopSequences: ["END", "STOP"],
      maxOutputTokens: 100,
      temperature: 0.3,
      topP: 0.5,
      responseMimeType: "application/json",
      responseSchema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
      thinking: { includeThoughts: true, budget: 1024, level: null },
      tools: {
        googleSearch: true,
        codeExecution: true,
        urlContext: true,
        functions: [
          {
            name: "f",
            description: "d",
            parameters: { type: "object", properties: { x: { type: "number" } } },
          },
        ],
      },
      timeZone: "Europe/Paris",
    };
    expect(decodeRequest(JSON.parse(JSON.stringify(encodeRequest(spec))))).toEqual(spec);
  });
});
