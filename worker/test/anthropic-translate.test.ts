import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { describe, expect, it } from "vitest";
import {
  AnthropicCountTokensRequestSchema,
  AnthropicMessagesRequestSchema,
  type JobAttachment,
  type JobEvent,
} from "@aistudio-edge/shared";
import { anthropicAttachmentSources } from "../src/anthropic/media-sources.js";
import { anthropicMessage } from "../src/anthropic/message-gather.js";
import { thinkingView, type ThinkingView } from "../src/anthropic/message-parts.js";
import { anthropicStream } from "../src/anthropic/message-stream.js";
import { anthropicModelPage } from "../src/anthropic/model-list.js";
import { anthropicToJob } from "../src/anthropic/translate-request.js";
import { ApiError } from "../src/errors.js";
import { CompletionGatherer } from "../src/openai/gather-completion.js";
import { PoolEventReader, encodeEvent } from "../src/pool/pool-events.js";
import { parseBody } from "../src/validate.js";

/* The Anthropic door's pure parts, on fixtures: request → job, events → message, events → SSE. */

const PNG_A = "iVBORw0KGgo=";
const PDF = "JVBERi0xLjQ=";

const parse = (body: Record<string, unknown>) =>
  parseBody(AnthropicMessagesRequestSchema, {
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    messages: [{ role: "user", content: "Hi" }],
    ...body,
  });

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

const conversation = {
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
  temperature: 0.5,
  top_p: 0.9,
  top_k: 40,
  stop_sequences: ["END"],
  metadata: { user_id: "u1" },
  service_tier: "auto",
  thinking: { type: "enabled", budget_tokens: 512 },
  tools: [
    {
      name: "get_weather",
      description: "Weather for a city",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
    },
    { type: "web_search_20250305", name: "web_search", max_uses: 3 },
  ],
  tool_choice: { type: "tool", name: "get_weather" },
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "Look at these." },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_A } },
        { type: "image", source: { type: "url", url: "https://example.com/b.png" } },
        {
          type: "document",
          title: "Report",
          source: { type: "base64", media_type: "application/pdf", data: PDF },
        },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "Notes." } },
        {
          type: "document",
          source: {
            type: "content",
            content: [
              { type: "text", text: "Inside." },
              { type: "image", source: { type: "url", url: "https://example.com/c.png" } },
            ],
          },
        },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "secret", signature: "sig" },
        { type: "redacted_thinking", data: "xyz" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "sunny" },
        {
          type: "tool_result",
          tool_use_id: "toolu_1",
          is_error: true,
          content: [
            { type: "text", text: "map failed" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_A } },
          ],
        },
        { type: "text", text: "And now?" },
      ],
    },
  ],
};

describe("an Anthropic request as a job", () => {
  it("keeps every turn, block and setting the page can act on", () => {
    const body = parse(conversation);
    const sources = anthropicAttachmentSources(body);
    expect(sources.map((s) => [s.kind, s.param, s.source.type])).toEqual([
      ["image", "messages[0].content[1].source.data", "base64"],
      ["image", "messages[0].content[2].source.url", "url"],
      ["file", "messages[0].content[3].source.data", "base64"],
      ["image", "messages[0].content[5].source.content[1].source.url", "url"],
      ["image", "messages[2].content[1].content[1].source.data", "base64"],
    ]);
    expect(sources[2]!.source).toEqual({ type: "base64", data: PDF, mimeType: "application/pdf" });

    const files = fakeFiles(5);
    const job = anthropicToJob(body, files);
    expect(job).toEqual({
      model: "claude-sonnet-4-5",
      messages: [
        {
          role: "system",
          content: "Be brief.\n\nYou must answer this turn by calling the tool get_weather.",
        },
        {
          role: "user",
          content: 'Look at these.\n[Document "Report"]\n[Document]\nNotes.\n[Document]\nInside.',
          attachments: files.slice(0, 4),
        },
        {
          role: "assistant",
          content: "Checking.",
          toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
        },
        { role: "tool", content: "sunny", toolCallId: "toolu_1", name: "get_weather" },
        {
          role: "tool",
          content: "Error: map failed",
          toolCallId: "toolu_1",
          name: "get_weather",
          attachments: [files[4]],
        },
        { role: "user", content: "And now?" },
      ],
      temperature: 0.5,
      topP: 0.9,
      maxOutputTokens: 1024,
      stop: ["END"],
      thinkingBudget: 512,
      tools: [
        {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
      toolChoice: { name: "get_weather" },
      responseFormat: { type: "text" },
      googleSearch: true,
      stream: false,
    });
  });

  it("maps tool_choice, thinking, built-in tools and output_config", () => {
    const any = anthropicToJob(
      parse({
        tools: [{ name: "f", input_schema: { type: "object" } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
        thinking: { type: "disabled" },
      }),
    );
    expect(any.toolChoice).toBe("required");
    expect(any.thinkingBudget).toBe(0);
    expect(any.messages[0]).toEqual({
      role: "system",
      content:
        "You must answer this turn by calling one of the declared tools. Call at most one tool.",
    });

    const none = anthropicToJob(
      parse({
        stream: true,
        tools: [
          { name: "f", input_schema: { type: "object" } },
          { type: "web_search_20250305", name: "web_search" },
        ],
        tool_choice: { type: "none" },
        thinking: { type: "adaptive" },
        output_config: {
          effort: "max",
          format: { type: "json_schema", schema: { type: "object", additionalProperties: false } },
        },
      }),
    );
    expect(none).toMatchObject({
      toolChoice: "none",
      reasoningEffort: "xhigh",
      googleSearch: true,
      stream: true,
      responseFormat: { type: "json_schema", name: "output", schema: { type: "object" } },
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(none.thinkingBudget).toBeUndefined();

    const counted = parseBody(AnthropicCountTokensRequestSchema, {
      model: "m",
      system: "S",
      messages: [
        { role: "user", content: "a" },
        { role: "system", content: [{ type: "text", text: "mid" }] },
      ],
    });
    // A conversation of nothing the page is shown still makes a valid job.
    const thoughtsOnly = parse({
      messages: [{ role: "assistant", content: [{ type: "thinking", thinking: "t" }] }],
    });
    expect(anthropicToJob(thoughtsOnly).messages).toEqual([{ role: "user", content: "" }]);

    expect(anthropicToJob(counted).messages).toEqual([
      { role: "system", content: "S" },
      { role: "user", content: "a" },
      { role: "system", content: "mid" },
    ]);
  });

  it("turns web_fetch and code_execution into the page's URL context and code execution", () => {
    const job = (tools: unknown[]) =>
      anthropicToJob(
        AnthropicMessagesRequestSchema.parse({
          model: "gemini-3-flash-preview",
          max_tokens: 64,
          messages: [{ role: "user", content: "Read https://example.com and compute 2**10" }],
          tools,
        }),
      );
    const both = job([
      { type: "web_fetch_20250910", name: "web_fetch", max_uses: 2 },
      { type: "code_execution_20250825", name: "code_execution" },
    ]);
    expect(both).toMatchObject({ urlContext: true, codeExecution: true, googleSearch: false });
    expect(both.tools).toEqual([]);
    const none = job([{ type: "web_search_20250305", name: "web_search" }]);
    expect(none.urlContext).toBeUndefined();
    expect(none.codeExecution).toBeUndefined();
  });

  it("refuses what the page cannot do, naming the field as Anthropic's 400 does", () => {
    expect(refusal({ max_tokens: undefined, messages: [{ role: "user", content: "x" }] })).toBe(
      "max_tokens: Field required",
    );
    expect(refusal({ tools: [{ type: "bash_20250124", name: "bash" }] })).toMatch(
      /^tools\[0\]\.type: the built-in tool type 'bash_20250124' is not supported/,
    );
    expect(refusal({ tools: [{ type: "memory_20250818", name: "memory" }] })).toMatch(
      /^tools\[0\]\.type: the built-in tool type 'memory_20250818' is not supported/,
    );
    expect(refusal({ tools: [{ name: "f" }] })).toBe("tools[0].input_schema: Field required");
    expect(
      refusal({
        tools: [
          { name: "f", input_schema: { type: "object", properties: { a: { $ref: "#/x" } } } },
        ],
      }),
    ).toMatch(/^tools\[0\]\.input_schema\.properties\.a/);
    expect(refusal({ temperature: 1.5 })).toMatch(/^temperature: /);
    expect(refusal({ thinking: { type: "enabled", budget_tokens: 2048 } })).toBe(
      "thinking.budget_tokens: budget_tokens must be less than max_tokens",
    );
    expect(
      refusal({
        tools: [{ name: "f", input_schema: { type: "object" } }],
        tool_choice: { type: "tool", name: "g" },
      }),
    ).toMatch(/^tool_choice\.name: tool_choice names 'g'/);
    expect(
      refusal({
        messages: [
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "?" }],
          },
        ],
      }),
    ).toMatch(/^messages\[0\]\.content\[0\]\.tool_use_id: unexpected tool_use_id 'toolu_x'/);
    expect(
      refusal({
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "file", file_id: "file_1" } }],
          },
        ],
      }),
    ).toMatch(/^messages\[0\]\.content\[0\]\.source: file sources need Anthropic's Files API/);
    expect(
      refusal({ messages: [{ role: "user", content: [{ type: "video", url: "x" }] }] }),
    ).toMatch(/^messages\[0\]\.content\[0\]\.type: unsupported content block type/);
    expect(refusal({ messages: [] })).toBe("messages: messages must contain at least one message");
  });

  it("shows thinking when the request or the model name turns it on", () => {
    const plain = { model: "m", settings: {} };
    expect(thinkingView({ type: "enabled", budget_tokens: 1 }, plain)).toBe("shown");
    expect(thinkingView({ type: "adaptive", display: "omitted" }, plain)).toBe("omitted");
    expect(thinkingView({ type: "disabled" }, plain)).toBe("hidden");
    expect(thinkingView(undefined, plain)).toBe("hidden");
    expect(thinkingView(undefined, { model: "m", settings: { reasoningEffort: "high" } })).toBe(
      "shown",
    );
    expect(thinkingView(undefined, { model: "m", settings: { reasoningEffort: "none" } })).toBe(
      "hidden",
    );
  });
});

const toolAnswer: JobEvent[] = [
  { t: "queued", position: 1 },
  { t: "started" },
  { t: "thought", text: "Let me " },
  { t: "thought", text: "see." },
  { t: "text", text: "Calling " },
  { t: "text", text: "it." },
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

function gathered(events: JobEvent[], thinking: ThinkingView) {
  const gather = new CompletionGatherer(
    { id: "msg_1", created: 0, model: "claude-x" },
    { imageMarkdown: true },
  );
  for (const event of events) gather.add(event);
  return anthropicMessage(gather, { thinking, inputEstimate: 99 });
}

describe("events as a message", () => {
  it("orders thinking, text and tool_use, with parsed input and Anthropic's usage", () => {
    const message = gathered(toolAnswer, "shown");
    expect(message).toEqual({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: [
        { type: "thinking", thinking: "Let me see.", signature: expect.any(String) },
        { type: "text", text: "Calling it.", citations: null },
        { type: "tool_use", id: "call_a", name: "f", input: { city: "Paris" } },
        { type: "tool_use", id: "call_b", name: "g", input: {} },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      stop_details: null,
      usage: {
        input_tokens: 10,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens_details: { thinking_tokens: 3 },
      },
    });
    expect(message.content[0]).toMatchObject({ signature: expect.stringMatching(/.{8,}/) });
  });

  it("returns no thinking unless asked, an empty one when omitted, and estimates missing usage", () => {
    expect(gathered(toolAnswer, "hidden").content.map((b) => b.type)).toEqual([
      "text",
      "tool_use",
      "tool_use",
    ]);
    expect(gathered(toolAnswer, "omitted").content[0]).toMatchObject({
      type: "thinking",
      thinking: "",
    });
    const cut = gathered(
      [
        { t: "text", text: "12345678" },
        { t: "done", finishReason: "length" },
      ],
      "hidden",
    );
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.usage).toMatchObject({ input_tokens: 99, output_tokens: 2 });
    const filtered = gathered([{ t: "done", finishReason: "content_filter" }], "hidden");
    expect(filtered).toMatchObject({ stop_reason: "refusal", content: [] });
    expect(gathered([{ t: "done", finishReason: "stop" }], "hidden").stop_reason).toBe("end_turn");
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

interface Sse {
  event: string;
  data: Record<string, unknown>;
}

async function streamed(events: JobEvent[], thinking: ThinkingView = "shown"): Promise<Sse[]> {
  const text = await new Response(
    anthropicStream(readerOf(events), {
      id: "msg_1",
      model: "claude-x",
      requestId: "req_1",
      thinking,
      inputEstimate: 5,
      describeError: (e) => `named: ${e.message}`,
    }),
  ).text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [head, data] = block.split("\n");
      return { event: head!.slice(7), data: JSON.parse(data!.slice(6)) };
    });
}

describe("events as Anthropic's stream", () => {
  it("sends message_start, pings, one block per kind of output, message_delta and message_stop", async () => {
    const sse = await streamed(toolAnswer);
    expect(sse.map((e) => `${e.event}${"index" in e.data ? `:${e.data.index}` : ""}`)).toEqual([
      "message_start",
      "ping",
      "ping", // queued
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_delta:0", // the signature
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "content_block_start:2",
      "content_block_delta:2",
      "content_block_stop:2",
      "content_block_start:3",
      "content_block_delta:3",
      "content_block_stop:3",
      "message_delta",
      "message_stop",
    ]);
    expect(sse.every((e) => e.data.type === e.event)).toBe(true);
    expect(sse[0]!.data.message).toMatchObject({
      id: "msg_1",
      model: "claude-x",
      content: [],
      stop_reason: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    expect(sse[3]!.data.content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    expect(sse[6]!.data.delta).toMatchObject({ type: "signature_delta" });
    expect(sse[12]!.data.content_block).toEqual({
      type: "tool_use",
      id: "call_a",
      name: "f",
      input: {},
    });
    expect(sse[13]!.data.delta).toEqual({
      type: "input_json_delta",
      partial_json: '{"city":"Paris"}',
    });
    expect(sse.at(-2)!.data).toMatchObject({
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { input_tokens: 10, output_tokens: 7 },
    });
  });

  it("is a stream the SDK's MessageStream assembles into the same message", async () => {
    const sse = await streamed(toolAnswer);
    const ndjson = sse.map((e) => `${JSON.stringify(e.data)}\n`).join("");
    const final = await MessageStream.fromReadableStream(
      new Response(ndjson).body as never,
    ).finalMessage();
    const gatheredMessage = gathered(toolAnswer, "shown");
    expect(final.content).toEqual(gatheredMessage.content);
    expect(final.stop_reason).toBe("tool_use");
    expect(final.usage).toMatchObject({ input_tokens: 10, output_tokens: 7 });
  });

  it("leaves thoughts out unless asked, and opens a new block when the kind changes back", async () => {
    const events: JobEvent[] = [
      { t: "thought", text: "a" },
      { t: "text", text: "b" },
      { t: "thought", text: "c" },
      { t: "text", text: "d" },
      { t: "done", finishReason: "stop" },
    ];
    const hidden = await streamed(events, "hidden");
    const starts = (sse: Sse[]) =>
      sse
        .filter((e) => e.event === "content_block_start")
        .map((e) => (e.data.content_block as { type: string }).type);
    expect(starts(hidden)).toEqual(["text"]);
    expect(hidden.at(-2)!.data).toMatchObject({
      delta: { stop_reason: "end_turn" },
      usage: { input_tokens: 5, output_tokens: 1 },
    });
    expect(starts(await streamed(events, "shown"))).toEqual([
      "thinking",
      "text",
      "thinking",
      "text",
    ]);
    const omitted = await streamed(events, "omitted");
    expect(
      omitted.some((e) => (e.data.delta as { type?: string })?.type === "thinking_delta"),
    ).toBe(false);
  });

  it("ends a failure after output with an error event in Anthropic's shape", async () => {
    const sse = await streamed([
      { t: "text", text: "Half" },
      { t: "error", code: "host_disconnected", message: "gone" },
    ]);
    expect(sse.at(-1)).toEqual({
      event: "error",
      data: {
        type: "error",
        error: { type: "api_error", message: "named: gone" },
        request_id: "req_1",
      },
    });
    // A stream that stops without its end is not complete either.
    const cut = await streamed([{ t: "text", text: "Half" }]);
    expect(cut.at(-1)!.event).toBe("error");
    expect(cut.at(-1)!.data.error).toMatchObject({ type: "api_error" });
  });

  it("cancels the job when the client goes away", async () => {
    let cancelled = 0;
    const never = new ReadableStream<Uint8Array>();
    const stream = anthropicStream(new PoolEventReader(never, () => (cancelled += 1)), {
      id: "m",
      model: "x",
      requestId: "r",
      thinking: "hidden",
      inputEstimate: 0,
    });
    const reader = stream.getReader();
    await reader.read(); // message_start
    await reader.cancel();
    expect(cancelled).toBe(1);
  });
});

describe("Anthropic's model pages", () => {
  const models = ["a", "b", "c", "d"].map((id) => ({ id, displayName: id.toUpperCase() }));
  const page = (q: Record<string, string | number>) =>
    anthropicModelPage(models, { limit: 20, ...q });

  it("pages forwards and backwards with the cursors the SDK sends", () => {
    expect(page({ limit: 2 })).toMatchObject({ has_more: true, first_id: "a", last_id: "b" });
    expect(page({ limit: 2, after_id: "b" })).toMatchObject({
      has_more: false,
      first_id: "c",
      last_id: "d",
    });
    expect(page({ limit: 2, before_id: "d" })).toMatchObject({
      has_more: true,
      first_id: "b",
      last_id: "c",
    });
    expect(page({}).data[0]).toMatchObject({ type: "model", id: "a", display_name: "A" });
    expect(() => page({ after_id: "zz" })).toThrow(/after_id/);
  });
});
