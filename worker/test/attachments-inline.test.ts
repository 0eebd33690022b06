import { afterEach, describe, expect, it } from "vitest";
import { TestHost, chat, closeAllHosts, createKey, sha256Hex } from "./helpers.js";

/*
 * Attachments sent inline (data: URLs, bare base64): resolved by the Worker, described in the
 * job, and their bytes reaching the host in `job.attachment` frames.
 */

afterEach(closeAllHosts);

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2]);
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const text = (s: string) => new TextEncoder().encode(s);

const withParts = (...parts: unknown[]) => ({
  messages: [{ role: "user", content: [{ type: "text", text: "Look" }, ...parts] }],
});

async function refusal(res: Response) {
  return { status: res.status, error: (await res.json<any>()).error };
}

describe("inline attachments", () => {
  it("carries a data: URL, a percent-encoded file and bare base64 audio to the host, described and whole", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const wav = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const pending = chat(
      key,
      withParts(
        { type: "image_url", image_url: { url: `data:image/png;base64,${base64(PNG)}` } },
        {
          type: "file",
          file: {
            filename: "notes.txt",
            file_data: "data:text/plain;charset=utf-8,h%C3%A9llo%20there",
          },
        },
        { type: "input_audio", input_audio: { data: base64(wav), format: "wav" } },
        { type: "file", file: { filename: "dir/report.pdf", file_data: base64(text("%PDF-1.4")) } },
      ),
    );
    const job = await host.next("job");
    const expected = [PNG, text("héllo there"), wav, text("%PDF-1.4")];
    expect(job.request.messages[0]!.attachments).toEqual([
      {
        kind: "image",
        mimeType: "image/png",
        filename: "attachment-1.png",
        bytes: PNG.length,
        sha256: await sha256Hex(PNG),
      },
      {
        kind: "file",
        mimeType: "text/plain",
        filename: "notes.txt",
        bytes: expected[1]!.length,
        sha256: await sha256Hex(expected[1]!),
      },
      {
        kind: "audio",
        mimeType: "audio/wav",
        filename: "attachment-3.wav",
        bytes: 300,
        sha256: await sha256Hex(wav),
      },
      {
        kind: "file",
        mimeType: "application/pdf",
        filename: "report.pdf",
        bytes: 8,
        sha256: await sha256Hex(expected[3]!),
      },
    ]);
    expect(job.request.messages[0]!.content).toBe("Look");
    const { files, frames } = await host.attachments(job);
    expect(files).toEqual(expected);
    expect(frames.map((f) => [f.index, f.offset, f.seq])).toEqual([
      [0, 0, 1],
      [1, 0, 2],
      [2, 0, 3],
      [3, 0, 4],
    ]);
    host.answer(job.jobId, "a picture");
    expect((await pending).status).toBe(200);
  });

  it("refuses a data: URL whose base64 is not strict, naming the part", async () => {
    const { key } = await createKey();
    const res = await chat(
      key,
      withParts({ type: "image_url", image_url: { url: "data:image/png;base64,AAA A" } }),
    );
    const { status, error } = await refusal(res);
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: "invalid_request",
      type: "invalid_request_error",
      param: "messages[0].content[1].image_url.url",
    });
    expect(error.message).toContain("not valid base64");
  });

  it("refuses a data: URL of a type the part does not take, naming the type", async () => {
    const { key } = await createKey();
    const { status, error } = await refusal(
      await chat(
        key,
        withParts({ type: "image_url", image_url: { url: "data:text/html,<p>hi</p>" } }),
      ),
    );
    expect(status).toBe(400);
    expect(error.param).toBe("messages[0].content[1].image_url.url");
    expect(error.message).toContain("text/html");
  });

  it("refuses bare base64 in a file part whose name gives no type", async () => {
    const { key } = await createKey();
    const { status, error } = await refusal(
      await chat(key, withParts({ type: "file", file: { filename: "blob", file_data: "AAAA" } })),
    );
    expect(status).toBe(400);
    expect(error.param).toBe("messages[0].content[1].file.file_data");
    expect(error.message).toContain("cannot tell the type");
  });

  it("refuses file ids: there is no file store", async () => {
    const { key } = await createKey();
    const { status, error } = await refusal(
      await chat(key, withParts({ type: "file", file: { file_id: "file-abc123" } })),
    );
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: "invalid_request",
      param: "messages[0].content[1].file.file_id",
    });
    expect(error.message).toContain("no file store");
  });

  it("refuses more files than ATTACHMENTS_MAX_COUNT (4 in the tests)", async () => {
    const { key } = await createKey();
    const image = { type: "image_url", image_url: { url: `data:image/png;base64,${base64(PNG)}` } };
    const { status, error } = await refusal(
      await chat(key, withParts(image, image, image, image, image)),
    );
    expect(status).toBe(400);
    expect(error.param).toBe("messages[0].content[5].image_url.url");
    expect(error.message).toContain("at most 4");
  });

  it("refuses URLs of other schemes", async () => {
    const { key } = await createKey();
    const { status, error } = await refusal(
      await chat(key, withParts({ type: "image_url", image_url: { url: "file:///etc/passwd" } })),
    );
    expect(status).toBe(400);
    expect(error.message).toContain("not file: URLs");
  });
});
