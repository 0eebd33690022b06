import { APIError } from "openai";
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import { Stream } from "openai/streaming";
import { describe, expect, it } from "vitest";
import {
  ResponsesRequestSchema,
  type JobAttachment,
  type JobEvent,
  type JobMessage,
} from "@aistudio-edge/shared";
import { ApiError } from "../src/errors.js";
import { CompletionGatherer } from "../src/openai/gather-completion.js";
import { PoolEventReader, encodeEvent } from "../src/pool/pool-events.js";
import { responsesAttachmentSources } from "../src/responses/media-sources.js";
import { gatheredResponse, type ResponseContext } from "../src/responses/response-gather.js";
import { responseBase, type ResponseObject } from "../src/responses/response-object.js";
import { responseStream } from "../src/responses/response-stream.js";
import { assistantTurn } from "../src/responses/stored-responses.js";
import { responsesToJob } from "../src/responses/translate-request.js";
import { parseBody } from "../src/validate.js";

/* The Responses door's pure parts, on fixtures: request → job, events → response, events → SSE. */

const PNG = "iVBORw0KGgo=";
const PDF = "JVBERi0xLjQ=";

const parse = (body: Record<string, unknown>) =>
  parseBody(ResponsesRequestSchema, { model: "gpt-5-codex", input: "Hi", ...body });

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

describe("the request schema", () => {
  it("reads a string input as one user message and instructions as the system instruction", () => {
    const { request, conversation, dropped } = responsesToJob(
      parse({ instructions: "Be brief.", input: "Hello", max_output_tokens: 64 }),
    );
    expect(request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello" },
    ]);
    expect(request).toMatchObject({
      model: "gpt-5-codex",
      maxOutputTokens: 64,
      toolChoice: "auto",
      googleSearch: false,
      stream: false,
    });
    // The instructions are not part of what a continuation replays.
    expect(conversation).toEqual([{ role: "user", content: "Hello" }]);
    expect(dropped).toEqual([]);
  });

  it("refuses what would silently change the answer, naming the field", () => {
    const image = (part: Record<string, unknown>) => ({
      input: [{ role: "user", content: [{ type: "input_text", text: "x" }, part] }],
    });
    expect(refusal(image({ type: "input_image", file_id: "file-1", detail: "auto" }))).toMatch(
      /^input\[0\]\.content\[1\]\.file_id: file ids are not supported/,
    );
    expect(refusal(image({ type: "input_file", file_id: "file-1" }))).toMatch(
      /^input\[0\]\.content\[1\]\.file_id: file ids are not supported/,
    );
    expect(refusal(image({ type: "input_image", detail: "auto" }))).toMatch(
      /^input\[0\]\.content\[1\]\.image_url: /,
    );
    expect(refusal(image({ type: "input_audio" }))).toMatch(
      /^input\[0\]\.content\[1\]\.type: unsupported content part type/,
    );
    expect(refusal({ input: [{ type: "item_reference", id: "msg_1" }] })).toMatch(
      /^input\[0\]: item references are not supported/,
    );
    expect(refusal({ background: true })).toMatch(/^background: background responses/);
    expect(refusal({ conversation: "conv_1" })).toMatch(/^conversation: conversations are/);
    expect(refusal({ prompt: { id: "pmpt_1" } })).toMatch(/^prompt: prompt templates/);
    expect(refusal({ input: undefined })).toBe("input: Field required");
    expect(refusal({ input: [{ content: "no role or type" }] })).toMatch(
      /^input\[0\]\.type: unsupported input item type/,
    );
    expect(
      refusal({
        tools: [{ type: "function", name: "f", parameters: { type: "object" } }],
        tool_choice: { type: "function", name: "g" },
      }),
    ).toMatch(/^tool_choice\.name: tool_choice names the function tool 'g'/);
    expect(refusal({ tool_choice: "required" })).toMatch(/^tool_choice: /);
    expect(
      refusal({
        tools: [{ type: "function", name: "f", parameters: { type: "object", not: {} } }],
      }),
    ).toMatch(/^tools\[0\]\.parameters\.not: /);
    expect(
      refusal({
        text: { format: { type: "json_schema", name: "x", schema: { type: "object", not: {} } } },
      }),
    ).toMatch(/^text\.format\.schema\.not: /);
    expect(refusal({ temperature: 3 })).toMatch(/^temperature: /);
  });

  it("accepts the fields SDKs and Codex always send, and a background of false", () => {
    const body = parse({
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
      metadata: { run: "1" },
      user: "u",
      truncation: "auto",
      prompt_cache_key: "k",
      safety_identifier: "s",
      service_tier: "auto",
      background: false,
      parallel_tool_calls: true,
      text: { verbosity: "low" },
      reasoning: { effort: "max", summary: "auto" },
      client_metadata: { unknown: "stripped" },
    });
    expect(body.store).toBe(false);
    expect("client_metadata" in body).toBe(false);
    expect(responsesToJob(body).request.reasoningEffort).toBe("xhigh");
  });
});

describe("input items as the job's conversation", () => {
  const items = [
    { type: "message", role: "developer", content: "Use tools." },
    {
      role: "user",
      content: [
        { type: "input_text", text: "Look." },
        { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
        { type: "input_file", file_data: PDF, filename: "r.pdf" },
        { type: "input_file", file_url: "https://example.com/a.pdf" },
      ],
    },
    { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "hmm" }] },
    {
      type: "message",
      role: "assistant",
      id: "msg_1",
      status: "completed",
      content: [{ type: "output_text", text: "Checking.", annotations: [] }],
    },
    { type: "function_call", id: "fc_1", call_id: "call_1", name: "look", arguments: "{}" },
    { type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: "*** Begin" },
    {
      type: "function_call_output",
      call_id: "call_1",
      output: [
        { type: "input_text", text: "a dot" },
        { type: "input_image", image_url: "https://example.com/dot.png" },
      ],
    },
    { type: "custom_tool_call_output", call_id: "call_2", output: "Done!" },
    { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search" } },
    {
      type: "local_shell_call",
      id: "lsh_1",
      call_id: "call_3",
      status: "completed",
      action: { type: "exec", command: ["ls"], env: {} },
    },
    { type: "local_shell_call_output", id: "lsh_1", output: "a.txt" },
    { type: "shell_call", call_id: "call_4", action: { commands: ["pwd"] } },
    {
      type: "shell_call_output",
      call_id: "call_4",
      output: [{ stdout: "/w", stderr: "warn", outcome: { type: "exit", exit_code: 1 } }],
    },
    {
      type: "apply_patch_call",
      call_id: "call_5",
      status: "completed",
      operation: { type: "delete_file", path: "a.txt" },
    },
    { type: "apply_patch_call_output", call_id: "call_5", status: "failed", output: "no file" },
  ];

  it("lists the files in order, with the request path a 400 names", () => {
    const sources = responsesAttachmentSources(parse({ input: items }));
    expect(sources.map((s) => [s.kind, s.param, s.source.type])).toEqual([
      ["image", "input[1].content[1].image_url", "url"],
      ["file", "input[1].content[2].file_data", "base64"],
      ["file", "input[1].content[3].file_url", "url"],
      ["image", "input[6].output[1].image_url", "url"],
    ]);
    expect(sources[1]!.filename).toBe("r.pdf");
  });

  it("keeps the turns, merges calls into the assistant turn and names each result", () => {
    const files = fakeFiles(4);
    const { request } = responsesToJob(parse({ input: items }), [], files);
    expect(request.messages).toEqual([
      { role: "system", content: "Use tools." },
      { role: "user", content: "Look.", attachments: files.slice(0, 3) },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [
          { id: "call_1", name: "look", arguments: "{}" },
          { id: "call_2", name: "apply_patch", arguments: '{"input":"*** Begin"}' },
        ],
      },
      {
        role: "tool",
        content: "a dot",
        toolCallId: "call_1",
        name: "look",
        attachments: [files[3]],
      },
      { role: "tool", content: "Done!", toolCallId: "call_2", name: "apply_patch" },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          {
            id: "call_3",
            name: "local_shell",
            arguments: '{"type":"exec","command":["ls"],"env":{}}',
          },
        ],
      },
      { role: "tool", content: "a.txt", toolCallId: "call_3", name: "local_shell" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_4", name: "shell", arguments: '{"commands":["pwd"]}' }],
      },
      {
        role: "tool",
        content: "/w\nstderr:\nwarn\n(exit code 1)",
        toolCallId: "call_4",
        name: "shell",
      },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "call_5", name: "apply_patch", arguments: '{"type":"delete_file","path":"a.txt"}' },
        ],
      },
      { role: "tool", content: "no file", toolCallId: "call_5", name: "apply_patch" },
    ]);
  });

  it("continues a stored conversation: earlier files become a note, earlier calls name results", () => {
    const [file] = fakeFiles(1);
    const previous: JobMessage[] = [
      { role: "user", content: "See this.", attachments: [file!] },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_9", name: "zoom", arguments: "{}" }],
      },
    ];
    const { request, conversation } = responsesToJob(
      parse({
        instructions: "New instructions.",
        input: [{ type: "function_call_output", call_id: "call_9", output: "big" }],
      }),
      previous,
    );
    expect(request.messages).toEqual([
      { role: "system", content: "New instructions." },
      {
        role: "user",
        content: "See this.\n[an earlier image, f1.png (image/png), is not sent again]",
      },
      previous[1],
      { role: "tool", content: "big", toolCallId: "call_9", name: "zoom" },
    ]);
    expect(conversation).toEqual(request.messages.slice(1));
  });
});

describe("tools and settings", () => {
  const tools = [
    {
      type: "function",
      name: "get_weather",
      description: "Weather",
      parameters: { type: "object", properties: { city: { type: "string" } } },
      strict: true,
    },
    {
      type: "custom",
      name: "apply_patch",
      description: "Edit files.",
      format: { type: "grammar", syntax: "lark", definition: "start: /.+/" },
    },
    { type: "web_search", search_context_size: "low" },
    { type: "code_interpreter", container: { type: "auto" } },
    { type: "file_search", vector_store_ids: ["vs_1"] },
  ];

  it("declares functions and custom tools; other built-ins are named as dropped", () => {
    const job = responsesToJob(parse({ tools }));
    expect(job.request.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
      {
        name: "apply_patch",
        description: expect.stringContaining("lark grammar:\nstart: /.+/"),
        parameters: {
          type: "object",
          properties: { input: { type: "string", description: expect.any(String) } },
          required: ["input"],
        },
      },
    ]);
    // The page runs no built-in tool beside function calling: the functions win.
    expect(job.request.googleSearch).toBe(false);
    expect(job.request.codeExecution).toBeUndefined();
    expect(job.dropped).toEqual([
      "tools[2] (web_search, beside function tools)",
      "tools[3] (code_interpreter, beside function tools)",
      "tools[4] (file_search)",
    ]);
    expect([...job.customTools]).toEqual(["apply_patch"]);
  });

  it("maps web_search to Google Search and code_interpreter to code execution on their own", () => {
    const job = responsesToJob(parse({ tools: tools.slice(2, 4) }));
    expect(job.request).toMatchObject({ googleSearch: true, codeExecution: true, tools: [] });
    const none = responsesToJob(parse({ tools, tool_choice: "none" }));
    expect(none.request).toMatchObject({ googleSearch: true, codeExecution: true });
  });

  it("asks for forced and single calls in the system instruction (the page cannot force one)", () => {
    const system = (body: Record<string, unknown>) => {
      const { request } = responsesToJob(parse({ tools: tools.slice(0, 2), ...body }));
      return { choice: request.toolChoice, system: request.messages[0]!.content };
    };
    expect(system({ tool_choice: "required" })).toEqual({
      choice: "required",
      system: "You must answer this turn by calling one of the declared tools.",
    });
    expect(
      system({
        instructions: "Hi.",
        tool_choice: { type: "custom", name: "apply_patch" },
        parallel_tool_calls: false,
      }),
    ).toEqual({
      choice: { name: "apply_patch" },
      system:
        "Hi.\n\nYou must answer this turn by calling the tool apply_patch.\n\nCall at most one tool.",
    });
    const allowed = responsesToJob(
      parse({
        tools: tools.slice(0, 2),
        tool_choice: {
          type: "allowed_tools",
          mode: "auto",
          tools: [{ type: "function", name: "get_weather" }],
        },
      }),
    );
    expect(allowed.request.tools.map((t) => t.name)).toEqual(["get_weather"]);
    expect(allowed.request.messages).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("maps text.format, reasoning and sampling settings", () => {
    const schema = {
      type: "object",
      properties: { n: { type: "integer" } },
      required: ["n"],
      additionalProperties: false,
    };
    const { request } = responsesToJob(
      parse({
        text: { format: { type: "json_schema", name: "count", schema, strict: true } },
        reasoning: { effort: "low" },
        temperature: 0.2,
        top_p: 0.5,
      }),
    );
    expect(request).toMatchObject({
      responseFormat: {
        type: "json_schema",
        name: "count",
        schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
      },
      reasoningEffort: "low",
      temperature: 0.2,
      topP: 0.5,
    });
    expect(
      responsesToJob(parse({ text: { format: { type: "json_object" } } })).request.responseFormat,
    ).toEqual({ type: "json_object" });
  });
});

const context = (body: Record<string, unknown> = {}, summary = true): ResponseContext => ({
  base: responseBase(parse(body), { id: "resp_1", createdAt: 1_700_000_000, stored: true }),
  customTools: new Set(["apply_patch"]),
  summary,
  inputEstimate: 5,
});

const toolAnswer: JobEvent[] = [
  { t: "queued", position: 1 },
  { t: "started" },
  { t: "thought", text: "Weather " },
  { t: "thought", text: "needed." },
  { t: "text", text: "Let me " },
  { t: "text", text: "check." },
  {
    t: "tool_calls",
    toolCalls: [
      { index: 1, id: "call_b", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}' },
      { index: 0, id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
  },
  {
    t: "done",
    finishReason: "tool_calls",
    usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, reasoningTokens: 3 },
  },
];

function gathered(events: JobEvent[], ctx = context()): ResponseObject {
  const gather = new CompletionGatherer({ id: "resp_1", created: 0, model: "m" });
  for (const event of events) gather.add(event);
  return gatheredResponse(gather, ctx);
}

/** The output without its generated ids, to compare two answers' items. */
const withoutIds = (output: Array<{ id?: string }>) => output.map(({ id: _, ...rest }) => rest);

describe("events as the response object", () => {
  it("has the reasoning, the message and the calls in order, with usage and the request echoed", () => {
    const response = gathered(toolAnswer);
    expect(response).toMatchObject({
      id: "resp_1",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      model: "gpt-5-codex",
      error: null,
      incomplete_details: null,
      store: true,
      tool_choice: "auto",
      parallel_tool_calls: true,
      previous_response_id: null,
      text: { format: { type: "text" } },
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 3 },
        total_tokens: 17,
      },
    });
    expect(response.completed_at).toEqual(expect.any(Number));
    expect("output_text" in response).toBe(false);
    expect(withoutIds(response.output)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "Weather needed." }] },
      {
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "Let me check.", annotations: [] }],
      },
      {
        type: "function_call",
        call_id: "call_a",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
        status: "completed",
      },
      {
        type: "custom_tool_call",
        call_id: "call_b",
        name: "apply_patch",
        input: "*** Begin Patch",
      },
    ]);
    expect(response.output.map((o) => o.id.split("_")[0])).toEqual(["rs", "msg", "fc", "ctc"]);
  });

  it("keeps the reasoning summary empty unless asked, and marks a cut answer incomplete", () => {
    const hidden = gathered(toolAnswer, context({}, false));
    expect(hidden.output[0]).toMatchObject({ type: "reasoning", summary: [] });
    const cut = gathered(
      [
        { t: "text", text: "Half" },
        { t: "done", finishReason: "length" },
      ],
      context(),
    );
    expect(cut).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      // No usage from the host: estimated from the request and the output.
      usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 },
    });
    expect(cut.output[0]).toMatchObject({ type: "message", status: "incomplete" });
  });

  it("is what a continuation replays as the assistant turn", () => {
    expect(assistantTurn(gathered(toolAnswer).output)).toEqual({
      role: "assistant",
      content: "Let me check.",
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
        { id: "call_b", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}' },
      ],
    });
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
  data: Record<string, unknown> & { type: string; sequence_number: number };
}

async function sseText(
  events: JobEvent[],
  ctx = context(),
  onCompleted?: (r: ResponseObject) => void,
): Promise<string> {
  return new Response(
    responseStream(readerOf(events), {
      ...ctx,
      requestId: "req_1",
      paramOf: () => "input[0].content[1].image_url",
      ...(onCompleted ? { onCompleted } : {}),
    }),
  ).text();
}

const parseSse = (text: string): Sse[] =>
  text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [head, data] = block.split("\n");
      return { event: head!.slice(7), data: JSON.parse(data!.slice(6)) };
    });

describe("events as the Responses stream", () => {
  it("sends the documented events in order, each with the next sequence number", async () => {
    const text = await sseText(toolAnswer);
    expect(text).toContain(": queued 1\n\n");
    const sse = parseSse(text);
    expect(sse.every((e) => e.data.type === e.event)).toBe(true);
    expect(sse.map((e) => e.data.sequence_number)).toEqual(sse.map((_, i) => i));
    expect(sse.map((e) => e.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.custom_tool_call_input.delta",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sse[0]!.data.response).toMatchObject({
      id: "resp_1",
      status: "in_progress",
      output: [],
      usage: null,
    });
    expect(sse[11]!.data).toMatchObject({ output_index: 1, content_index: 0, delta: "Let me " });
    expect(sse[17]!.data).toMatchObject({ output_index: 2, delta: '{"city":"Paris"}' });
    expect(sse[21]!.data).toMatchObject({ output_index: 3, delta: "*** Begin Patch" });
  });

  it("is a stream the SDK's ResponseStream assembles into the gathered response", async () => {
    let completed: ResponseObject | null = null;
    const sse = parseSse(await sseText(toolAnswer, context(), (r) => (completed = r)));
    const ndjson = sse.map((e) => `${JSON.stringify(e.data)}\n`).join("");
    const final = await ResponseStream.fromReadableStream(
      new Response(ndjson).body as never,
    ).finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe("Let me check.");
    // The SDK adds its own `parsed` fields; everything we sent is as the gathered answer has it.
    expect(withoutIds(final.output)).toMatchObject(withoutIds(gathered(toolAnswer).output));
    expect(final.usage).toEqual(gathered(toolAnswer).usage);
    // The route stores what the client got.
    expect(completed).toEqual(sse.at(-1)!.data.response);
  });

  it("ends a cut answer with response.incomplete, and stores nothing", async () => {
    let completed = 0;
    const sse = parseSse(
      await sseText(
        [
          { t: "text", text: "Half" },
          { t: "done", finishReason: "length" },
        ],
        context(),
        () => (completed += 1),
      ),
    );
    expect(sse.at(-1)!.event).toBe("response.incomplete");
    expect(sse.at(-1)!.data.response).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ type: "message", status: "incomplete" }],
    });
    expect(completed).toBe(0);
  });

  it("sends an image model's picture as an image_generation_call item", async () => {
    const sse = parseSse(
      await sseText([
        { t: "image", mimeType: "image/png", data: PNG },
        { t: "done", finishReason: "stop" },
      ]),
    );
    expect(sse.map((e) => e.event).slice(2)).toEqual([
      "response.output_item.added",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sse[3]!.data.item).toMatchObject({
      type: "image_generation_call",
      status: "completed",
      result: PNG,
    });
  });

  it("keeps hidden thoughts out of the stream but gives the reasoning item", async () => {
    const sse = parseSse(
      await sseText(
        [
          { t: "thought", text: "secret" },
          { t: "text", text: "ok" },
          { t: "done", finishReason: "stop" },
        ],
        context({}, false),
      ),
    );
    expect(JSON.stringify(sse)).not.toContain("secret");
    expect(sse[2]!.data.item).toMatchObject({ type: "reasoning", summary: [] });
  });

  it("ends a failure with response.failed and an error event the SDK throws as an APIError", async () => {
    const text = await sseText([
      { t: "text", text: "Half" },
      { t: "error", code: "attachment_refused", message: "refused", attachment: 0 },
    ]);
    const sse = parseSse(text);
    expect(sse.slice(-2).map((e) => e.event)).toEqual(["response.failed", "error"]);
    expect(sse.at(-2)!.data.response).toMatchObject({
      status: "failed",
      error: { code: "invalid_prompt", message: "refused" },
    });
    expect(sse.at(-1)!.data).toMatchObject({
      code: "attachment_refused",
      message: "refused",
      param: "input[0].content[1].image_url",
      error: { type: "invalid_request_error", code: "attachment_refused" },
    });
    const stream = Stream.fromSSEResponse(
      new Response(text, { headers: { "content-type": "text/event-stream" } }),
      new AbortController(),
    );
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of stream) seen.push((event as { type: string }).type);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toBe("refused");
    expect(seen.at(-1)).toBe("response.failed");

    // A stream that stops without its end is a failure too, never a complete answer.
    const cut = parseSse(await sseText([{ t: "text", text: "Half" }]));
    expect(cut.slice(-2).map((e) => e.event)).toEqual(["response.failed", "error"]);
    expect(cut.at(-1)!.data).toMatchObject({ code: "internal_error" });
  });

  it("cancels the job when the client goes away", async () => {
    let cancelled = 0;
    const never = new ReadableStream<Uint8Array>();
    const stream = responseStream(new PoolEventReader(never, () => (cancelled += 1)), {
      ...context(),
      requestId: "r",
    });
    const reader = stream.getReader();
    await reader.read(); // response.created
    await reader.cancel();
    expect(cancelled).toBe(1);
  });
});
