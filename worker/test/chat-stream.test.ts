import { ChatCompletionChunkSchema, ChatCompletionSchema } from "@aistudio-edge/shared";
import { afterEach, describe, expect, it } from "vitest";
import { TestHost, chat, createKey, readSse, closeAllHosts } from "./helpers.js";

afterEach(closeAllHosts);

describe("chat completions through a connected host", () => {
  it("answers without streaming, with reasoning, tool calls and usage gathered", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();

    const pending = chat(key, {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
      ],
      temperature: 0.3,
    });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: "gemini-2.5-flash",
      temperature: 0.3,
      stream: false,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
      ],
    });
    expect(job.deadline).toBeGreaterThan(Date.now());
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "thought", text: "Let me think. " });
    host.event(job.jobId, { t: "thought", text: "Done." });
    host.event(job.jobId, { t: "text", text: "Calling " });
    host.event(job.jobId, { t: "text", text: "a tool." });
    host.event(job.jobId, {
      t: "tool_calls",
      toolCalls: [{ index: 0, id: "call_1", name: "getWeather", arguments: '{"city":"Paris"}' }],
    });
    host.event(job.jobId, {
      t: "done",
      finishReason: "tool_calls",
      usage: { promptTokens: 10, completionTokens: 7, totalTokens: 30, reasoningTokens: 13 },
    });

    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("60");
    const body = ChatCompletionSchema.parse(await res.json<any>());
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: "Calling a tool.",
        refusal: null,
        reasoning_content: "Let me think. Done.",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "getWeather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(body.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 30,
      completion_tokens_details: { reasoning_tokens: 13 },
    });
    expect(body.model).toBe("gemini-2.5-flash");
  });

  it("streams OpenAI chunks: role first, one id, reasoning_content, tool calls, one finish_reason, usage, [DONE]", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();

    const pending = chat(key, { stream: true, stream_options: { include_usage: true } });
    const job = await host.next("job");
    expect(job.request.stream).toBe(true);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "thought", text: "Hmm." });
    host.event(job.jobId, { t: "text", text: "Hel" });
    host.event(job.jobId, { t: "text", text: "lo ✓" });
    host.event(job.jobId, {
      t: "tool_calls",
      toolCalls: [{ index: 0, id: "call_9", name: "f", arguments: "{}" }],
    });
    host.event(job.jobId, {
      t: "done",
      finishReason: "tool_calls",
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    });

    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("cache-control")).toContain("no-transform");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();

    const events = await readSse(res);
    expect(events.at(-1)).toEqual({ data: "[DONE]" });
    const chunks = events
      .slice(0, -1)
      .map((e) => ChatCompletionChunkSchema.parse(JSON.parse(e.data!)));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    expect(deltas.map((d) => d.reasoning_content ?? "").join("")).toBe("Hmm.");
    expect(deltas.map((d) => d.content ?? "").join("")).toBe("Hello ✓");
    expect(deltas.flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: "call_9", type: "function", function: { name: "f", arguments: "{}" } },
    ]);
    const finishes = chunks
      .flatMap((c) => c.choices.map((ch) => ch.finish_reason))
      .filter((f) => f !== null);
    expect(finishes).toEqual(["tool_calls"]);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    // With include_usage, every other chunk carries usage: null, as OpenAI sends it.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("omits the usage chunk unless asked", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, { stream: true });
    const job = await host.next("job");
    host.answer(job.jobId, "ok");
    const events = await readSse(await pending);
    const chunks = events
      .filter((e) => e.data && e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data!));
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it("names the settings a lenient host dropped: a header, or an SSE comment once streaming", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const plain = chat(key, { stop: ["X"], top_p: 0.5 });
    const first = await host.next("job");
    host.event(first.jobId, { t: "started" });
    host.event(first.jobId, { t: "settings_dropped", settings: ["stop", "top_p"] });
    host.answer(first.jobId, "ok");
    const res = await plain;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-aistudio-dropped-settings")).toBe("stop, top_p");
    expect(ChatCompletionSchema.parse(await res.json<any>()).choices[0]!.message.content).toBe(
      "ok",
    );

    const streamed = chat(key, { stream: true, stop: ["X"] });
    const second = await host.next("job");
    host.event(second.jobId, { t: "started" });
    host.event(second.jobId, { t: "settings_dropped", settings: ["stop"] });
    host.answer(second.jobId, "ok");
    const events = await readSse(await streamed);
    expect(events).toContainEqual({ comment: "dropped-settings stop" });
    expect(events.at(-1)).toEqual({ data: "[DONE]" });

    // A strict host (the default) sends nothing of the kind: no header.
    const strict = chat(key, {});
    const third = await host.next("job");
    host.answer(third.jobId, "ok");
    expect((await strict).headers.get("x-aistudio-dropped-settings")).toBeNull();
  });

  it("normalises the request for the host: max tokens, stop, tools, response format, images", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, {
      model: "models/gemini-3-pro-preview",
      max_completion_tokens: 100,
      stop: "END",
      reasoning_effort: "high",
      top_p: 0.5,
      tools: [
        {
          type: "function",
          function: { name: "getWeather", description: "w", parameters: { type: "object" } },
        },
      ],
      tool_choice: "auto",
      response_format: {
        type: "json_schema",
        json_schema: { name: "r", schema: { type: "object" } },
      },
      web_search_options: {},
      messages: [
        { role: "developer", content: [{ type: "text", text: "Rules." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "getWeather", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
      some_unknown_field: true,
    });
    const job = await host.next("job");
    expect(job.request).toEqual({
      model: "gemini-3-pro-preview",
      maxOutputTokens: 100,
      stop: ["END"],
      reasoningEffort: "high",
      topP: 0.5,
      tools: [{ name: "getWeather", description: "w", parameters: { type: "object" } }],
      toolChoice: "auto",
      responseFormat: { type: "json_schema", name: "r", schema: { type: "object" } },
      googleSearch: true,
      stream: false,
      messages: [
        { role: "system", content: "Rules." },
        {
          role: "user",
          content: "Look",
          attachments: [
            {
              kind: "image",
              mimeType: "image/png",
              filename: "attachment-1.png",
              bytes: 3,
              sha256: "709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c",
            },
          ],
        },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "c1", name: "getWeather", arguments: "{}" }],
        },
        { role: "tool", content: "sunny", toolCallId: "c1" },
      ],
    });
    host.answer(job.jobId, "{}");
    expect((await pending).status).toBe(200);
  });
});
