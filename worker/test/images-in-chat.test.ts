import {
  ChatCompletionChunkSchema,
  ChatCompletionSchema,
  type ChatCompletionChunk,
} from "@aistudio-edge/shared";
import { afterEach, describe, expect, it } from "vitest";
import { SELF } from "cloudflare:test";
import { BASE, TestHost, chat, closeAllHosts, createKey, readSse } from "./helpers.js";
import { IMAGE_MODEL, PNG, PNG_URL, WITH_IMAGE_MODEL, answerWithImage } from "./image-host.js";

afterEach(closeAllHosts);

const IMAGE = { type: "image_url", image_url: { url: PNG_URL } };
const JPEG = "/9j/4AAQSkZJRg==";
const MARKDOWN = `Here:\n\n![image](${PNG_URL})\n\nDone.`;

const ask = (
  key: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  chat(
    key,
    { model: IMAGE_MODEL.id, messages: [{ role: "user", content: "Draw a cat" }], ...body },
    { headers },
  );

async function chunksOf(res: Response): Promise<ChatCompletionChunk[]> {
  const events = await readSse(res);
  expect(events.at(-1)).toEqual({ data: "[DONE]" });
  return events
    .filter((e) => e.data !== undefined && e.data !== "[DONE]")
    .map((e) => ChatCompletionChunkSchema.parse(JSON.parse(e.data!)));
}

describe("images in chat completions", () => {
  it("gathers an answer's images into message.images, the text alone into content", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = ask(key);
    const job = await host.next("job");
    answerWithImage(host, job.jobId, [
      "Here:",
      { mimeType: "image/png", data: PNG },
      { mimeType: "image/jpeg", data: JPEG },
      "Done.",
    ]);
    const res = await pending;
    expect(res.status).toBe(200);
    const body = ChatCompletionSchema.parse(await res.json());
    expect(body.choices[0]!.message).toEqual({
      role: "assistant",
      content: "Here:Done.",
      refusal: null,
      images: [IMAGE, { type: "image_url", image_url: { url: `data:image/jpeg;base64,${JPEG}` } }],
    });
    expect(body.usage).toEqual({ prompt_tokens: 6, completion_tokens: 1290, total_tokens: 1296 });
  });

  it("streams each image as a chunk with one delta.images entry, at its place", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = ask(key, { stream: true, stream_options: { include_usage: true } });
    const job = await host.next("job");
    answerWithImage(host, job.jobId);
    const chunks = await chunksOf(await pending);
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    const at = deltas.findIndex((d) => d.images !== undefined);
    expect(deltas[at]).toEqual({ images: [IMAGE] });
    expect(
      deltas
        .slice(0, at)
        .map((d) => d.content ?? "")
        .join(""),
    ).toBe("Here:");
    expect(
      deltas
        .slice(at + 1)
        .map((d) => d.content ?? "")
        .join(""),
    ).toBe("Done.");
    expect(deltas.filter((d) => d.images !== undefined)).toHaveLength(1);
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 6,
      completion_tokens: 1290,
      total_tokens: 1296,
    });
  });

  it("with image_markdown: true also writes each image into content, non-streamed", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = ask(key, { image_markdown: true });
    answerWithImage(host, (await host.next("job")).jobId);
    const body = ChatCompletionSchema.parse(await (await pending).json());
    expect(body.choices[0]!.message.content).toBe(MARKDOWN);
    expect(body.choices[0]!.message.images).toEqual([IMAGE]);
  });

  it("with the x-aistudio-image-markdown header streams the markdown as content at its place", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    for (const value of ["1", "true"]) {
      const pending = ask(key, { stream: true }, { "x-aistudio-image-markdown": value });
      answerWithImage(host, (await host.next("job")).jobId);
      const deltas = (await chunksOf(await pending)).flatMap((c) =>
        c.choices.map((ch) => ch.delta),
      );
      expect(deltas.map((d) => d.content ?? "").join("")).toBe(MARKDOWN);
      const image = deltas.find((d) => d.images !== undefined);
      expect(image).toEqual({ content: `\n\n![image](${PNG_URL})`, images: [IMAGE] });
    }
  });

  it("the body field wins over the header, and an unreadable header is a 400 naming it", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = ask(key, { image_markdown: false }, { "x-aistudio-image-markdown": "1" });
    answerWithImage(host, (await host.next("job")).jobId);
    const body = ChatCompletionSchema.parse(await (await pending).json());
    expect(body.choices[0]!.message.content).toBe("Here:Done.");

    const bad = await ask(key, {}, { "x-aistudio-image-markdown": "maybe" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: "invalid_request", param: "x-aistudio-image-markdown" },
    });
    const badField = await ask(key, { image_markdown: "yes" });
    expect(badField.status).toBe(400);
    expect(await badField.json()).toMatchObject({ error: { param: "image_markdown" } });
    await host.expectNo("job", 200);
  });
});

describe("image models in /v1/models", () => {
  it("lists a host's image model with output_modalities text and image", async () => {
    const { key } = await createKey();
    await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const headers = { authorization: `Bearer ${key}` };
    const list = await (await SELF.fetch(`${BASE}/v1/models`, { headers })).json<any>();
    const image = list.data.find((m: { id: string }) => m.id === IMAGE_MODEL.id);
    expect(image).toEqual({
      id: IMAGE_MODEL.id,
      object: "model",
      created: expect.any(Number),
      owned_by: "google",
      output_modalities: ["text", "image"],
    });
    expect(
      list.data.find((m: { id: string }) => m.id === "gemini-2.5-flash").output_modalities,
    ).toEqual(["text"]);
    const one = await SELF.fetch(`${BASE}/v1/models/models/${IMAGE_MODEL.id}`, { headers });
    expect((await one.json<any>()).output_modalities).toEqual(["text", "image"]);
  });
});
