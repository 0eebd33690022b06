import { ImagesResponseSchema } from "@aistudio-edge/shared";
import { afterEach, describe, expect, it } from "vitest";
import { MODELS, TestHost, chat, closeAllHosts, createKey } from "./helpers.js";
import { IMAGE_MODEL, PNG, WITH_IMAGE_MODEL, answerWithImage, generate } from "./image-host.js";

afterEach(closeAllHosts);

const errorOf = async (res: Response) => (await res.json<any>()).error;

describe("POST /v1/images/generations", () => {
  it("runs the prompt as a one-message job on the first image model and answers the image as b64_json", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = generate(key, { prompt: "A cat in a hat", size: "1024x1024", quality: "high" });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: IMAGE_MODEL.id,
      messages: [{ role: "user", content: "A cat in a hat" }],
      imageAspectRatio: "1:1",
      stream: false,
    });
    answerWithImage(host, job.jobId);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit-requests")).not.toBeNull();
    const body = ImagesResponseSchema.strict().parse(await res.json());
    expect(body).toEqual({
      created: expect.any(Number),
      data: [{ b64_json: PNG }],
      output_format: "png",
      usage: {
        input_tokens: 6,
        output_tokens: 1290,
        total_tokens: 1296,
        input_tokens_details: { text_tokens: 6, image_tokens: 0 },
      },
    });
  });

  it("maps size to the nearest aspect ratio the page offers; auto and no size keep the page's default", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const cases: Array<[string | undefined, string | undefined]> = [
      ["1792x1024", "16:9"],
      ["1024x1536", "2:3"],
      ["1536x1024", "3:2"],
      ["1024x1792", "9:16"],
      ["auto", undefined],
      [undefined, undefined],
    ];
    for (const [size, ratio] of cases) {
      const pending = generate(key, { prompt: "x", model: `models/${IMAGE_MODEL.id}`, size });
      const job = await host.next("job");
      expect(job.request.model).toBe(IMAGE_MODEL.id);
      expect(job.request.imageAspectRatio, `size ${size}`).toBe(ratio);
      answerWithImage(host, job.jobId);
      const res = await pending;
      expect(res.status).toBe(200);
      // Read to the end: the body holds the key's concurrency slot until then.
      expect((await res.json<any>()).data[0].b64_json).toBe(PNG);
    }
  });

  it("refuses what it cannot honour with a 400 naming the field, before any job", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const refused: Array<[Record<string, unknown>, string, string]> = [
      [{ size: "1000x100" }, "size", "16:9"],
      [{ size: "big" }, "size", "auto"],
      [{ size: "0x0" }, "size", "WxH"],
      [{ response_format: "url" }, "response_format", "inline"],
      [{ n: 2 }, "n", "n = 1"],
      [{ stream: true }, "stream", "not supported"],
      [{ model: MODELS[0]!.id }, "model", "text only"],
      [{ prompt: "  " }, "prompt", "empty"],
      [{ prompt: undefined }, "prompt", ""],
    ];
    for (const [fields, param, says] of refused) {
      const res = await generate(key, { prompt: "A cat", ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      const error = await errorOf(res);
      expect(error).toMatchObject({
        code: "invalid_request",
        type: "invalid_request_error",
        param,
      });
      expect(error.message).toContain(says);
    }
    await host.expectNo("job", 200);
  });

  it("accepts and ignores OpenAI's other fields, and strips unknown ones", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = generate(key, {
      prompt: "x",
      n: 1,
      response_format: "b64_json",
      quality: "hd",
      style: "vivid",
      user: "u1",
      background: "transparent",
      output_format: "webp",
      output_compression: 80,
      moderation: "low",
      stream: false,
      something_new: { a: 1 },
    });
    const job = await host.next("job");
    expect(Object.keys(job.request)).not.toContain("something_new");
    answerWithImage(host, job.jobId);
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json<any>()).data).toEqual([{ b64_json: PNG }]);
  });

  it("an unserved model gets the same refusal as a chat completion; no image model at all is a 404 too", async () => {
    const { key } = await createKey();
    await TestHost.connect({ models: MODELS });
    const viaChat = await errorOf(await chat(key, { model: "no-such-model" }));
    const res = await generate(key, { prompt: "x", model: "no-such-model" });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual(viaChat);
    expect(viaChat).toMatchObject({ code: "model_not_found", param: "model" });

    const none = await generate(key, { prompt: "x" });
    expect(none.status).toBe(404);
    const error = await errorOf(none);
    expect(error).toMatchObject({ code: "model_not_found", param: "model" });
    expect(error.message).toContain("gemini-2.5-flash");
  });

  it("an answer without an image is a 502 quoting at most 200 characters of the model's text", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = generate(key, { prompt: "x" });
    const job = await host.next("job");
    // Text first: only an image settles the status, so this is still a real 502.
    answerWithImage(host, job.jobId, ["I can't draw that. ", "x".repeat(300)]);
    const res = await pending;
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: "upstream_error", type: "server_error" });
    expect(error.message).toContain("The model returned no image");
    expect(error.message).toContain(`"I can't draw that. ${"x".repeat(181)}…"`);
    expect(error.message).not.toContain("x".repeat(182));
  });

  it("a host's error before the image keeps its status", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect({ models: WITH_IMAGE_MODEL });
    const pending = generate(key, { prompt: "x" });
    const job = await host.next("job");
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Drawing…" });
    host.fail(job.jobId, "upstream_quota", { retryable: false, outputStarted: true });
    const res = await pending;
    expect(res.status).toBe(429);
    expect(await errorOf(res)).toMatchObject({ code: "upstream_quota" });
  });
});
