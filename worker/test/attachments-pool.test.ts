import { MAX_IMAGE_BASE64, plainJobRequest } from "@aistudio-edge/shared";
import { afterEach, describe, expect, inject, it } from "vitest";
import { poolStub } from "../src/pool-client.js";
import { PoolEventReader } from "../src/pool/pool-events.js";
import { pattern } from "../../shared/test-support/file-pattern.js";
import {
  TestHost,
  bindings,
  chat,
  closeAllHosts,
  createKey,
  hostWithJob,
  readSse,
  sha256Hex,
} from "./helpers.js";

/*
 * The pool's side of attachments: it holds a job's bytes while the job waits, sends them after
 * every dispatch (a retry included), names a refused file from its own copy of the job, and
 * forwards an answer's images, however large their frames.
 */

afterEach(closeAllHosts);

const server = inject("attachmentServer");
const MiB = 1024 * 1024;

const twoFiles = (size: number) => ({
  messages: [
    { role: "user", content: "First, no file." },
    {
      role: "user",
      content: [
        { type: "text", text: "Compare" },
        { type: "image_url", image_url: { url: `${server}/bytes/left.png?size=${size}` } },
        {
          type: "file",
          file: { filename: "photo.heic", file_data: `data:image/heic;base64,${btoa("heic!")}` },
        },
      ],
    },
  ],
});

describe("attachments in the pool", () => {
  it("sends the pieces again to the host a failed attempt is retried on", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "a" });
    const b = await TestHost.connect({ id: "b" });
    const size = MiB + 5;
    const pending = chat(key, twoFiles(size));
    const { host: first, job, others } = await hostWithJob([a, b]);
    const once = await first.attachments(job);
    expect(once.frames).toHaveLength(3);
    first.fail(job.jobId, "upstream_error", { message: "page broke" });

    const second = others[0]!;
    const retried = await second.next("job");
    expect(retried.jobId).not.toBe(job.jobId);
    const again = await second.attachments(retried);
    second.answer(retried.jobId, "same");
    expect((await pending).status).toBe(200);
    // Compared by digest: a deep equality over a MiB of bytes takes seconds.
    const digest = await sha256Hex(pattern(size));
    expect(await sha256Hex(once.files[0]!)).toBe(digest);
    expect(await sha256Hex(again.files[0]!)).toBe(digest);
    expect(new TextDecoder().decode(again.files[1]!)).toBe("heic!");
  });

  it("answers a refused attachment with 400 attachment_refused naming the file and its part, not retried", async () => {
    const { key } = await createKey();
    const a = await TestHost.connect({ id: "a" });
    const b = await TestHost.connect({ id: "b" });
    const pending = chat(key, twoFiles(10));
    const { host, job, others } = await hostWithJob([a, b]);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, {
      t: "error",
      code: "attachment_refused",
      message: "the page said: /home/me/secret/photo.heic is not supported",
      retryable: false,
      outputStarted: false,
      attachment: { index: 1, reason: "type" },
    });
    const res = await pending;
    expect(res.status).toBe(400);
    const { error } = await res.json<any>();
    expect(error).toMatchObject({
      code: "attachment_refused",
      type: "invalid_request_error",
      param: "messages[1].content[2].file.file_data",
    });
    expect(error.message).toMatch(
      /^AI Studio refused attachment 2 \(photo\.heic, image\/heic, 5 bytes\): the page does not take this file type\. \(request req_/,
    );
    expect(error.message).not.toContain("secret");
    await others[0]!.expectNo("job", 300);
  });

  it("streams a refusal as the error event with the file's name, even when the host says retryable", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, { ...twoFiles(10), stream: true });
    const job = await host.next("job");
    host.event(job.jobId, {
      t: "error",
      code: "attachment_refused",
      message: "too big",
      retryable: true,
      outputStarted: false,
      attachment: { index: 0, reason: "size" },
    });
    const events = await readSse(await pending);
    const error = JSON.parse(events.at(-1)!.data!).error;
    expect(error.code).toBe("attachment_refused");
    expect(error.message).toContain(
      "refused attachment 1 (left.png, image/png, 10 bytes): the file is larger than the page takes",
    );
    expect(error.param).toBe("messages[1].content[1].image_url.url");
    await host.expectNo("job", 300);
  });

  it("gives the generic message when a host names an attachment the job does not have", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, twoFiles(10));
    const job = await host.next("job");
    host.event(job.jobId, {
      t: "error",
      code: "attachment_refused",
      message: "?",
      retryable: false,
      outputStarted: false,
      attachment: { index: 7, reason: "count" },
    });
    const res = await pending;
    expect(res.status).toBe(400);
    const { error } = await res.json<any>();
    expect(error.param).toBeNull();
    expect(error.message).toContain("AI Studio's page refused a file of this request.");
  });

  it("refuses a submission whose files do not match its attachments", async () => {
    await TestHost.connect();
    const result = await poolStub(bindings).submit({
      request: plainJobRequest({
        model: "gemini-2.5-flash",
        messages: [
          {
            role: "user",
            content: "x",
            attachments: [
              {
                kind: "image",
                mimeType: "image/png",
                filename: "a.png",
                bytes: 4,
                sha256: "0".repeat(64),
              },
            ],
          },
        ],
      }),
      keyId: "k",
      requestId: "req_test",
      files: [new Uint8Array(3)],
    });
    expect(result).toMatchObject({ ok: false, code: "internal_error" });
  });

  it("forwards an image event as large as the protocol allows", async () => {
    const host = await TestHost.connect();
    const result = await poolStub(bindings).submit({
      request: plainJobRequest({
        model: "gemini-2.5-flash",
        messages: [{ role: "user", content: "Draw" }],
      }),
      keyId: "k",
      requestId: "req_image",
    });
    if (!result.ok) throw new Error(result.message);
    const job = await host.next("job");
    const data = "A".repeat(MAX_IMAGE_BASE64);
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "image", mimeType: "image/png", data });
    host.event(job.jobId, { t: "done", finishReason: "stop" });
    const reader = new PoolEventReader(result.stream, () => undefined);
    const seen: Array<{ t: string; length?: number }> = [];
    for await (const event of reader)
      seen.push(
        event.t === "image"
          ? { t: "image", length: event.data.length }
          : { t: event.t, ...(event.t === "error" ? { message: event.message } : {}) },
      );
    expect(seen).toEqual([
      { t: "started" },
      { t: "image", length: MAX_IMAGE_BASE64 },
      { t: "done" },
    ]);
  });
});
