import { describe, expect, it } from "vitest";
import {
  GeminiCountTokensRequestSchema,
  GeminiGenerateContentRequestSchema,
  type JobAttachment,
  type JobEvent,
} from "@aistudio-edge/shared";
import { ApiError } from "../src/errors.js";
import { countedRequest } from "../src/gemini/count-tokens.js";
import { geminiResponse } from "../src/gemini/generate-response.js";
import { geminiStream, type StreamForm } from "../src/gemini/generate-stream.js";
import { geminiAttachmentSources } from "../src/gemini/media-sources.js";
import { GeminiModelQuerySchema, geminiModel, geminiModelPage } from "../src/gemini/model-list.js";
import { methodOfPath } from "../src/gemini/model-path.js";
import { geminiToJob, includesThoughts } from "../src/gemini/translate-request.js";
import { CompletionGatherer } from "../src/openai/gather-completion.js";
import { PoolEventReader, encodeEvent } from "../src/pool/pool-events.js";
import { parseBody } from "../src/validate.js";

/* The Gemini door's pure parts, on fixtures: request → job, events → response, events → stream. */

const parse = (body: Record<string, unknown>) =>
  parseBody(GeminiGenerateContentRequestSchema, {
    contents: [{ role: "user", parts: [{ text: "Hi" }] }],
    ...body,
  });

const job = (body: Record<string, unknown>, attachments: JobAttachment[] = []) =>
  geminiToJob(parse(body), { model: "gemini-2.5-flash", stream: false }, attachments);

/** The 400 a body gets, as `param: message`. */
const refusal = (body: Record<string, unknown>): string => {
  try {
    parse(body);
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  throw new Error("the body was accepted");
};

/** Stand-ins for resolved files, numbered in the order they are handed out. */
const fakeFiles = (n: number): JobAttachment[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: "image" as const,
    mimeType: "image/png",
    filename: `f${i + 1}.png`,
    bytes: i + 1,
    sha256: "0".repeat(64),
  }));

const WEATHER = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: "OBJECT",
    properties: {
      city: { type: "STRING", description: "The city" },
      days: { type: "INTEGER", nullable: true, format: "int32" },
      units: { type: "STRING", format: "enum", enum: ["C", "F"] },
    },
    required: ["city"],
    propertyOrdering: ["city", "days", "units"],
  },
};

describe("a Gemini request as a job", () => {
  it("keeps the settings the page can act on, in either spelling of Google's field names", () => {
    const request = job({
      system_instruction: { parts: [{ text: "Be brief." }, { text: "Be kind." }] },
      generation_config: {
        temperature: 0.4,
        top_p: 0.9,
        top_k: 40,
        max_output_tokens: 300,
        stop_sequences: ["END"],
        candidate_count: 1,
        seed: 7,
        presencePenalty: 0.1,
        thinking_config: { thinking_budget: 512, include_thoughts: true },
      },
      safety_settings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
      tools: [
        { function_declarations: [WEATHER] },
        { google_search_retrieval: {} },
        { urlContext: {} },
        { codeExecution: {} },
      ],
    });
    expect(request).toEqual({
      model: "gemini-2.5-flash",
      messages: [
        { role: "system", content: "Be brief.\nBe kind." },
        { role: "user", content: "Hi" },
      ],
      temperature: 0.4,
      topP: 0.9,
      maxOutputTokens: 300,
      stop: ["END"],
      thinkingBudget: 512,
      tools: [
        {
          name: "get_weather",
          description: "Weather for a city",
          // Google's upper-case OpenAPI types, in the subset the page takes.
          parameters: {
            type: "object",
            properties: {
              city: { type: "string", description: "The city" },
              days: { type: "integer", format: "int32", nullable: true },
              units: { type: "string", format: "enum", enum: ["C", "F"] },
            },
            required: ["city"],
          },
        },
      ],
      toolChoice: "auto",
      responseFormat: { type: "text" },
      googleSearch: true,
      urlContext: true,
      codeExecution: true,
      stream: false,
    });
  });

  it("takes a string system instruction and JSON Schema parameters, and maps the output format", () => {
    const request = job({
      systemInstruction: "Answer in JSON.",
      tools: [
        {
          functionDeclarations: [
            {
              name: "lookup",
              parametersJsonSchema: {
                type: "object",
                properties: { id: { type: ["string", "null"] } },
                additionalProperties: false,
              },
            },
          ],
        },
      ],
      generationConfig: {
        responseMimeType: "application/json",
        responseSchema: {
          type: "ARRAY",
          items: { type: "OBJECT", properties: { n: { type: "NUMBER" } } },
        },
      },
    });
    expect(request.messages[0]).toEqual({ role: "system", content: "Answer in JSON." });
    expect(request.tools).toEqual([
      {
        name: "lookup",
        parameters: { type: "object", properties: { id: { type: "string", nullable: true } } },
      },
    ]);
    expect(request.responseFormat).toEqual({
      type: "json_schema",
      name: "response",
      schema: { type: "array", items: { type: "object", properties: { n: { type: "number" } } } },
    });
    expect(
      job({ generationConfig: { responseMimeType: "application/json" } }).responseFormat,
    ).toEqual({ type: "json_object" });
    expect(
      job({
        generationConfig: { responseJsonSchema: { type: "object", properties: {} } },
      }).responseFormat,
    ).toMatchObject({ type: "json_schema", schema: { type: "object" } });
  });

  it("maps thinking budgets and levels, and shows thoughts when asked or when the name asks", () => {
    const thinking = (thinkingConfig: Record<string, unknown>) => {
      const { thinkingBudget, reasoningEffort } = job({ generationConfig: { thinkingConfig } });
      return { thinkingBudget, reasoningEffort };
    };
    expect(thinking({ thinkingBudget: 0 })).toEqual({ thinkingBudget: 0 });
    // -1 is "let the model decide": the page's own default.
    expect(thinking({ thinkingBudget: -1 })).toEqual({});
    expect(thinking({ thinkingLevel: "low" })).toEqual({ reasoningEffort: "low" });
    expect(thinking({ thinking_level: "HIGH" })).toEqual({ reasoningEffort: "high" });
    expect(thinking({ thinkingLevel: "THINKING_LEVEL_UNSPECIFIED" })).toEqual({});

    const shows = (thinkingConfig: Record<string, unknown>, effort?: "none" | "high") =>
      includesThoughts(parse({ generationConfig: { thinkingConfig } }), {
        settings: effort ? { reasoningEffort: effort } : {},
      });
    expect(shows({})).toBe(false);
    expect(shows({ includeThoughts: true })).toBe(true);
    expect(shows({}, "high")).toBe(true);
    expect(shows({}, "none")).toBe(false);
    expect(shows({ includeThoughts: false }, "high")).toBe(false);
  });

  it("turns toolConfig into the job's tool choice; ANY also asks for the call in the prompt", () => {
    const tools = [{ functionDeclarations: [WEATHER, { name: "get_time" }] }];
    const choice = (functionCallingConfig: Record<string, unknown>) => {
      const request = job({ tools, toolConfig: { functionCallingConfig } });
      return {
        toolChoice: request.toolChoice,
        tools: request.tools.map((t) => t.name),
        system: request.messages.find((m) => m.role === "system")?.content,
      };
    };
    expect(choice({ mode: "AUTO" })).toEqual({
      toolChoice: "auto",
      tools: ["get_weather", "get_time"],
      system: undefined,
    });
    expect(choice({ mode: "none" })).toMatchObject({ toolChoice: "none" });
    expect(choice({ mode: "ANY" })).toEqual({
      toolChoice: "required",
      tools: ["get_weather", "get_time"],
      system: "You must answer this turn by calling one of the declared functions.",
    });
    expect(choice({ mode: "ANY", allowedFunctionNames: ["get_time"] })).toEqual({
      toolChoice: { name: "get_time" },
      tools: ["get_time"],
      system: "You must answer this turn by calling the function get_time.",
    });
    expect(choice({ mode: "VALIDATED", allowedFunctionNames: ["get_weather"] })).toEqual({
      toolChoice: "auto",
      tools: ["get_weather"],
      system: undefined,
    });
  });

  it("keeps every turn in place: calls get ids, responses find their call, thoughts are dropped", () => {
    const request = job(
      {
        contents: [
          {
            role: "user",
            parts: [
              { text: "Weather in Paris and Rome?" },
              { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            ],
          },
          {
            role: "model",
            parts: [
              { text: "Thinking about it", thought: true, thoughtSignature: "c2ln" },
              { text: "Checking both." },
              { functionCall: { name: "get_weather", args: { city: "Paris" } } },
              { functionCall: { name: "get_weather", args: { city: "Rome" } } },
              { functionCall: { id: "t1", name: "get_time", args: {} } },
              { thoughtSignature: "c2ln" },
            ],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { id: "t1", name: "get_time", response: { time: "noon" } } },
              { functionResponse: { name: "get_weather", response: { temp: 18 } } },
              {
                functionResponse: {
                  name: "get_weather",
                  response: { temp: 21 },
                  parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }],
                },
              },
              { text: "Thanks. And run this:" },
              { executableCode: { language: "PYTHON", code: "print(1)" } },
              { codeExecutionResult: { outcome: "OUTCOME_OK", output: "1\n" } },
            ],
          },
        ],
      },
      fakeFiles(2),
    );
    const [first, second] = fakeFiles(2);
    expect(request.messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?", attachments: [first] },
      {
        role: "assistant",
        content: "Checking both.",
        toolCalls: [
          { id: "call_1_2", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: "call_1_3", name: "get_weather", arguments: '{"city":"Rome"}' },
          { id: "t1", name: "get_time", arguments: "{}" },
        ],
      },
      { role: "tool", content: '{"time":"noon"}', toolCallId: "t1", name: "get_time" },
      // Without ids, responses answer the calls of their name in order.
      { role: "tool", content: '{"temp":18}', toolCallId: "call_1_2", name: "get_weather" },
      {
        role: "tool",
        content: '{"temp":21}',
        toolCallId: "call_1_3",
        name: "get_weather",
        attachments: [second],
      },
      {
        role: "user",
        content:
          "Thanks. And run this:\n```python\nprint(1)\n```\nCode execution result (OUTCOME_OK):\n1\n",
      },
    ]);
  });

  it("lists the files in the order the translation takes them, with their request paths", () => {
    const body = parse({
      systemInstruction: {
        parts: [{ file_data: { mime_type: "application/pdf", file_uri: "https://x.test/a.pdf" } }],
      },
      contents: [
        {
          parts: [
            { text: "Look" },
            // URL-safe base64 without padding, as Google's JSON mapping of bytes allows.
            { inlineData: { mimeType: "image/png", data: "-_8" } },
            { inlineData: { mimeType: "audio/wav", data: "AAAA", displayName: "clip.wav" } },
          ],
        },
        { role: "model", parts: [{ text: "old", thought: true }, { functionCall: { name: "f" } }] },
        {
          parts: [
            {
              functionResponse: {
                name: "f",
                response: {},
                parts: [{ fileData: { fileUri: "https://x.test/b.png", mimeType: "image/png" } }],
              },
            },
          ],
        },
      ],
    });
    expect(geminiAttachmentSources(body)).toEqual([
      {
        kind: "file",
        param: "systemInstruction.parts[0].fileData.fileUri",
        source: { type: "url", url: "https://x.test/a.pdf" },
      },
      {
        kind: "image",
        param: "contents[0].parts[1].inlineData.data",
        source: { type: "base64", data: "+/8=", mimeType: "image/png" },
      },
      {
        kind: "audio",
        param: "contents[0].parts[2].inlineData.data",
        source: { type: "base64", data: "AAAA", mimeType: "audio/wav" },
        filename: "clip.wav",
      },
      {
        kind: "image",
        param: "contents[2].parts[0].functionResponse.parts[0].fileData.fileUri",
        source: { type: "url", url: "https://x.test/b.png" },
      },
    ]);
    const request = geminiToJob(body, { model: "models/gemini-2.5-flash", stream: true }, [
      ...fakeFiles(4),
    ]);
    expect(request.model).toBe("gemini-2.5-flash");
    expect(request.messages.map((m) => m.attachments?.map((a) => a.filename))).toEqual([
      ["f1.png"],
      ["f2.png", "f3.png"],
      undefined,
      ["f4.png"],
    ]);
  });

  it("counts either bare contents or a whole generateContentRequest", () => {
    const bare = parseBody(GeminiCountTokensRequestSchema, {
      contents: [{ parts: [{ text: "Count me" }] }],
    });
    expect(countedRequest(bare)).toEqual({ contents: [{ parts: [{ text: "Count me" }] }] });
    const whole = parseBody(GeminiCountTokensRequestSchema, {
      generate_content_request: {
        model: "models/gemini-2.5-flash",
        contents: [{ parts: [{ text: "Count me" }] }],
        systemInstruction: "Be brief.",
      },
    });
    expect(geminiToJob(countedRequest(whole), { model: "m", stream: false }).messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Count me" },
    ]);
    expect(() => parseBody(GeminiCountTokensRequestSchema, {})).toThrow(
      /send either contents or generateContentRequest/,
    );
  });

  it("refuses what the page cannot do, naming the field", () => {
    const fine = { contents: [{ parts: [{ text: "x" }] }] };
    expect(refusal({ generationConfig: { candidateCount: 2 } })).toMatch(
      /^generationConfig\.candidateCount: only candidateCount 1/,
    );
    expect(refusal({ cachedContent: "cachedContents/abc" })).toMatch(/^cachedContent: /);
    expect(
      refusal({
        contents: [
          {
            parts: [
              {
                fileData: {
                  fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc123",
                },
              },
            ],
          },
        ],
      }),
    ).toMatch(/^contents\[0\]\.parts\[0\]\.fileData\.fileUri: Google Files API URIs cannot/);
    expect(
      refusal({ contents: [{ parts: [{ fileData: { fileUri: "gs://bucket/a.pdf" } }] }] }),
    ).toMatch(/^contents\[0\]\.parts\[0\]\.fileData\.fileUri: Cloud Storage/);
    expect(refusal({ generationConfig: { responseMimeType: "text/x.enum" } })).toMatch(
      /^generationConfig\.responseMimeType: text\/x\.enum is not supported/,
    );
    expect(refusal({ generationConfig: { responseModalities: ["TEXT", "AUDIO"] } })).toMatch(
      /^generationConfig\.responseModalities\[1\]: AUDIO output/,
    );
    expect(
      refusal({
        generationConfig: { thinkingConfig: { thinkingBudget: 10, thinkingLevel: "LOW" } },
      }),
    ).toMatch(/^generationConfig\.thinkingConfig\.thinkingLevel: /);
    expect(
      refusal({
        generationConfig: {
          responseSchema: {
            type: "OBJECT",
            properties: { v: { anyOf: [{ type: "STRING" }, { type: "INTEGER" }] } },
          },
        },
      }),
    ).toMatch(
      /^generationConfig\.responseSchema\.properties\.v\.anyOf\[1\]: a union of several types/,
    );
    expect(refusal({ tools: [{ googleMaps: {} }] })).toMatch(/^tools\[0\]\.googleMaps: /);
    expect(
      refusal({
        tools: [{ functionDeclarations: [WEATHER] }],
        toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["nope"] } },
      }),
    ).toMatch(
      /^toolConfig\.functionCallingConfig\.allowedFunctionNames\[0\]: no function named 'nope'/,
    );
    expect(refusal({ toolConfig: { functionCallingConfig: { mode: "ANY" } } })).toMatch(
      /^toolConfig\.functionCallingConfig\.mode: mode ANY needs/,
    );
    expect(
      refusal({ contents: [{ role: "user", parts: [{ functionCall: { name: "f" } }] }] }),
    ).toMatch(/^contents\[0\]\.parts\[0\]\.functionCall: a functionCall belongs in a model turn/);
    expect(
      refusal({
        contents: [{ parts: [{ text: "a", inlineData: { mimeType: "image/png", data: "AA" } }] }],
      }),
    ).toMatch(/^contents\[0\]\.parts\[0\]: a part holds one kind of data/);
    expect(refusal({ contents: [{ role: "assistant", parts: [{ text: "x" }] }] })).toMatch(
      /^contents\[0\]\.role: /,
    );
    expect(refusal({ contents: [] })).toMatch(/^contents: /);
    expect(
      refusal({ ...fine, systemInstruction: { parts: [{ inlineData: { data: "AA" } }] } }),
    ).toBe("systemInstruction.parts[0].inlineData.mimeType: inlineData needs its mimeType");
    // Free-form values are bounded before anything walks them.
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(
      refusal({
        contents: [{ role: "model", parts: [{ functionCall: { name: "f", args: deep } }] }],
      }),
    ).toMatch(/^contents\[0\]\.parts\[0\]\.functionCall\.args: nested more than/);
  });
});

// Answers.

const toolAnswer: JobEvent[] = [
  { t: "started" },
  { t: "thought", text: "Let me see." },
  { t: "text", text: "Calling it." },
  {
    t: "tool_calls",
    toolCalls: [
      { index: 1, id: "call_b", name: "g", arguments: "not json" },
      { index: 0, id: "call_a", name: "f", arguments: '{"city":"Paris"}' },
    ],
  },
  {
    t: "done",
    finishReason: "tool_calls",
    usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, reasoningTokens: 3 },
  },
];

const IDENTITY = { modelVersion: "my-alias", responseId: "resp1" };

function gathered(events: JobEvent[], includeThoughts: boolean) {
  const gather = new CompletionGatherer({ id: "resp1", created: 0, model: "my-alias" });
  for (const event of events) gather.add(event);
  return geminiResponse(gather, { identity: IDENTITY, includeThoughts, inputEstimate: 99 });
}

describe("events as a GenerateContentResponse", () => {
  it("orders thoughts, text and calls in one candidate, with args objects and Google's usage", () => {
    expect(gathered(toolAnswer, true)).toEqual({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "Let me see.", thought: true },
              { text: "Calling it." },
              { functionCall: { id: "call_a", name: "f", args: { city: "Paris" } } },
              { functionCall: { id: "call_b", name: "g", args: {} } },
            ],
          },
          // Gemini has no finish reason of its own for a call.
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 4,
        totalTokenCount: 17,
        thoughtsTokenCount: 3,
      },
      modelVersion: "my-alias",
      responseId: "resp1",
    });
  });

  it("leaves thoughts out unless asked, maps finish reasons and estimates missing usage", () => {
    expect(gathered(toolAnswer, false).candidates[0]!.content.parts.map(Object.keys)).toEqual([
      ["text"],
      ["functionCall"],
      ["functionCall"],
    ]);
    const cut = gathered(
      [
        { t: "text", text: "12345678" },
        { t: "done", finishReason: "length" },
      ],
      false,
    );
    expect(cut.candidates[0]!.finishReason).toBe("MAX_TOKENS");
    expect(cut.usageMetadata).toEqual({
      promptTokenCount: 99,
      candidatesTokenCount: 2,
      totalTokenCount: 101,
    });
    const filtered = gathered([{ t: "done", finishReason: "content_filter" }], false);
    expect(filtered.candidates[0]).toMatchObject({
      finishReason: "SAFETY",
      // Clients that read parts[0].text find a part.
      content: { parts: [{ text: "" }] },
    });
    const image = gathered(
      [
        { t: "image", mimeType: "image/png", data: "iVBORw0KGgo=" },
        { t: "done", finishReason: "stop" },
      ],
      false,
    );
    expect(image.candidates[0]!.content.parts).toEqual([
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
    ]);
  });
});

/** A pool reader over these events, as the pool's NDJSON stream carries them. */
function readerOf(events: JobEvent[], onCancel: () => void = () => undefined): PoolEventReader {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encodeEvent(event));
      controller.close();
    },
  });
  return new PoolEventReader(body, onCancel);
}

const streamText = (events: JobEvent[], form: StreamForm, includeThoughts = false) =>
  new Response(
    geminiStream(readerOf(events), {
      form,
      identity: IDENTITY,
      includeThoughts,
      requestId: "req_1",
      inputEstimate: 5,
      describeError: (e) => `named: ${e.message}`,
    }),
  ).text();

/** The data of each SSE event and the comments, in order. */
const sseOf = (text: string) =>
  text
    .split("\r\n\r\n")
    .filter((block) => block !== "")
    .map((block) =>
      block.startsWith(": ") ? { comment: block.slice(2) } : JSON.parse(block.slice(6)),
    );

describe("events as Google's stream", () => {
  const answer: JobEvent[] = [
    { t: "queued", position: 1 },
    { t: "started" },
    { t: "settings_dropped", settings: ["generationConfig.topP"] },
    { t: "thought", text: "Hmm." },
    { t: "text", text: "Hel" },
    { t: "text", text: "lo" },
    {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, reasoningTokens: 2 },
    },
  ];

  it("writes SSE events of new parts only, CRLF-delimited, the last with finish and usage", async () => {
    const text = await streamText(answer, "sse");
    expect(text.endsWith("\r\n\r\n")).toBe(true);
    const chunk = (parts: unknown[]) => ({
      candidates: [{ content: { role: "model", parts }, index: 0 }],
      modelVersion: "my-alias",
      responseId: "resp1",
    });
    expect(sseOf(text)).toEqual([
      { comment: "queued 1" },
      { comment: "dropped-settings generationConfig.topP" },
      chunk([{ text: "Hel" }]),
      chunk([{ text: "lo" }]),
      {
        candidates: [
          { content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 },
        ],
        usageMetadata: {
          promptTokenCount: 3,
          candidatesTokenCount: 2,
          totalTokenCount: 7,
          thoughtsTokenCount: 2,
        },
        modelVersion: "my-alias",
        responseId: "resp1",
      },
    ]);
    const shown = sseOf(await streamText(answer, "sse", true));
    expect(shown[2]).toEqual(chunk([{ text: "Hmm.", thought: true }]));
  });

  it("writes the same chunks as one JSON array without alt=sse", async () => {
    const text = await streamText(answer, "json");
    expect(text.trimStart().startsWith("[{")).toBe(true);
    const chunks = JSON.parse(text) as Array<{ candidates: Array<{ finishReason?: string }> }>;
    expect(chunks).toHaveLength(3);
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe("STOP");
    expect(chunks).toEqual(sseOf(await streamText(answer, "sse")).filter((e) => !("comment" in e)));
    // Calls are one chunk, args as objects.
    const calls = JSON.parse(await streamText(toolAnswer, "json")) as Array<{
      candidates: Array<{ content: { parts: unknown[] } }>;
    }>;
    expect(calls[1]!.candidates[0]!.content.parts).toEqual([
      { functionCall: { id: "call_a", name: "f", args: { city: "Paris" } } },
      { functionCall: { id: "call_b", name: "g", args: {} } },
    ]);
    expect(
      JSON.parse(await streamText([{ t: "done", finishReason: "stop" }], "json")),
    ).toHaveLength(1);
  });

  it("ends a failure after output with Google's error object as the last chunk", async () => {
    const failed: JobEvent[] = [
      { t: "text", text: "Half" },
      { t: "error", code: "host_disconnected", message: "gone" },
    ];
    const error = {
      error: {
        code: 502,
        message: "named: gone",
        status: "UNAVAILABLE",
        details: [expect.objectContaining({ reason: "host_disconnected" })],
      },
    };
    expect(sseOf(await streamText(failed, "sse")).at(-1)).toEqual(error);
    expect((JSON.parse(await streamText(failed, "json")) as unknown[]).at(-1)).toEqual(error);
    // A stream that stops without its end is not complete either.
    const cut = sseOf(await streamText([{ t: "text", text: "Half" }], "sse"));
    expect(cut.at(-1)).toMatchObject({ error: { code: 500, status: "INTERNAL" } });
  });

  it("cancels the job when the client goes away", async () => {
    let cancelled = 0;
    const events = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encodeEvent({ t: "text", text: "partial" }));
      },
    });
    const stream = geminiStream(new PoolEventReader(events, () => (cancelled += 1)), {
      form: "sse",
      identity: IDENTITY,
      includeThoughts: false,
      requestId: "r",
      inputEstimate: 0,
    });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(cancelled).toBe(1);
  });
});

describe("Google's model list and method paths", () => {
  const models = ["a", "b", "c"].map((id) => ({ id, displayName: id.toUpperCase() }));
  const page = (query: Record<string, string>) =>
    geminiModelPage(models, parseBody(GeminiModelQuerySchema, query));

  it("pages with pageSize and the nextPageToken it hands out", () => {
    const first = page({ pageSize: "2" });
    expect(first.models.map((m) => m.name)).toEqual(["models/a", "models/b"]);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = page({ pageSize: "2", pageToken: first.nextPageToken! });
    expect(second).toEqual({ models: [expect.objectContaining({ name: "models/c" })] });
    expect(page({}).models).toHaveLength(3);
    expect(() => page({ pageSize: "lots" })).toThrow(/^pageSize: /);
  });

  it("describes a model and an alias as Google's Model resource", () => {
    expect(geminiModel({ id: "a", displayName: "A" })).toEqual({
      name: "models/a",
      baseModelId: "a",
      version: "aistudio",
      displayName: "A",
      supportedGenerationMethods: ["generateContent", "countTokens"],
    });
    expect(geminiModel({ id: "fast", displayName: null, aliasOf: "a" })).toMatchObject({
      name: "models/fast",
      baseModelId: "a",
      displayName: "fast",
      description: "An alias of a.",
    });
  });

  it("splits a method path at its last colon, and refuses an unknown method or model name", () => {
    expect(methodOfPath("gemini-2.5-flash:streamGenerateContent", "POST")).toEqual({
      model: "gemini-2.5-flash",
      method: "streamGenerateContent",
    });
    expect(methodOfPath("tuned:v2:countTokens", "POST")).toEqual({
      model: "tuned:v2",
      method: "countTokens",
    });
    const status = (spec: string) => {
      try {
        methodOfPath(spec, "POST");
      } catch (err) {
        return err instanceof ApiError ? err.code : String(err);
      }
      return "accepted";
    };
    expect(status("gemini-2.5-flash:embedContent")).toBe("not_found");
    expect(status("gemini-2.5-flash")).toBe("not_found");
    expect(status("bad name!:generateContent")).toBe("model_not_found");
  });
});
