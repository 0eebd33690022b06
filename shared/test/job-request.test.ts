import { describe, expect, it } from "vitest";
import {
  ChatCompletionRequestSchema,
  attachmentSources,
  paramOf,
  toJobRequest,
} from "../src/index.js";

const parse = (body: Record<string, unknown>) =>
  toJobRequest(
    ChatCompletionRequestSchema.parse({
      model: "gemini-2.5-pro",
      messages: [{ role: "user", content: "Hi" }],
      ...body,
    }),
  );

describe("toJobRequest", () => {
  it("gives one spelling to the three names of max tokens, preferring max_completion_tokens", () => {
    expect(parse({ max_tokens: 10 }).maxOutputTokens).toBe(10);
    expect(parse({ max_output_tokens: 12 }).maxOutputTokens).toBe(12);
    expect(parse({ max_tokens: 10, max_completion_tokens: 20 }).maxOutputTokens).toBe(20);
    expect(parse({}).maxOutputTokens).toBeUndefined();
  });

  it("keeps 0 meaningful for temperature and top_p", () => {
    const job = parse({ temperature: 0, top_p: 0 });
    expect(job.temperature).toBe(0);
    expect(job.topP).toBe(0);
  });

  it("maps stop, tool choice and the deprecated functions API", () => {
    expect(parse({ stop: "x" }).stop).toEqual(["x"]);
    expect(parse({ stop: ["a", "b"] }).stop).toEqual(["a", "b"]);
    expect(parse({ stop: null }).stop).toEqual([]);
    const legacy = parse({
      functions: [{ name: "f", parameters: { type: "object" } }],
      function_call: "none",
    });
    expect(legacy.tools).toEqual([{ name: "f", parameters: { type: "object" } }]);
    expect(legacy.toolChoice).toBe("none");
    // A forced call ('required', a named function) is refused at validation: the page has no way to force one.
    expect(parse({ tool_choice: "none" }).toolChoice).toBe("none");
    expect(parse({}).toolChoice).toBe("auto");
  });

  it("turns developer messages into system ones and function replies into tool ones", () => {
    const job = parse({
      messages: [
        { role: "developer", content: "Be terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } },
        { role: "function", name: "f", content: "42" },
      ],
    });
    expect(job.messages).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "", toolCalls: [{ id: "f", name: "f", arguments: "{}" }] },
      { role: "tool", content: "42", toolCallId: "f", name: "f" },
    ]);
  });

  it("turns on the built-in tools a request lists by the Gemini API's names", () => {
    const job = parse({
      tools: [
        { type: "url_context" },
        { type: "code_execution", options: { ignored: true } },
        { type: "function", function: { name: "f" } },
      ],
    });
    expect(job).toMatchObject({ urlContext: true, codeExecution: true, googleSearch: false });
    expect(job.tools).toEqual([{ name: "f" }]);
    expect(parse({ tools: [{ type: "google_search" }] }).googleSearch).toBe(true);
    expect(parse({ web_search_options: {} }).googleSearch).toBe(true);
    const plain = parse({});
    expect(plain.urlContext).toBeUndefined();
    expect(plain.codeExecution).toBeUndefined();
    expect(() => parse({ tools: [{ type: "file_search" }] })).toThrow();
  });

  it("strips the models/ prefix and ignores unknown fields", () => {
    const job = parse({ model: "models/gemini-2.5-pro", frobnicate: 1 });
    expect(job.model).toBe("gemini-2.5-pro");
    expect(job).not.toHaveProperty("frobnicate");
  });
});

describe("paramOf", () => {
  it("names nested parameters the way OpenAI does", () => {
    expect(paramOf(["messages", 0, "content"])).toBe("messages[0].content");
    expect(paramOf(["tools", 2, "function", "name"])).toBe("tools[2].function.name");
    expect(paramOf([])).toBeNull();
  });
});

describe("attachment sources", () => {
  const audio = (format: string) =>
    attachmentSources(
      ChatCompletionRequestSchema.parse({
        model: "gemini-2.5-flash",
        messages: [
          { role: "system", content: "Listen." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is said?" },
              { type: "input_audio", input_audio: { data: "AAAA", format } },
            ],
          },
        ],
      }),
    );

  it("names each part's path and gives input_audio the type of its format", () => {
    expect(audio("mp3")).toEqual([
      {
        kind: "audio",
        param: "messages[1].content[1].input_audio.data",
        source: { type: "base64", data: "AAAA", mimeType: "audio/mpeg" },
      },
    ]);
    expect(audio("wav")[0]!.source).toMatchObject({ mimeType: "audio/wav" });
    // webm is also a video extension, pcm16 no extension at all.
    expect(audio("webm")[0]!.source).toMatchObject({ mimeType: "audio/webm" });
    expect(audio("pcm16")[0]!.source).toMatchObject({ mimeType: "audio/l16" });
    expect(audio("AMR!")[0]!.source).toMatchObject({ mimeType: "audio/amr" });
  });
});
