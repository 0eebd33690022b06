import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, inject, it } from "vitest";
import worker from "../src/index.js";
import { pattern } from "../../shared/test-support/file-pattern.js";
import { BASE, TestHost, bindings, chat, closeAllHosts, createKey, sha256Hex } from "./helpers.js";

/*
 * Attachments by http(s) URL, fetched by the Worker from a file server on loopback (started in
 * Node by the suite's globalSetup). The caps in the tests: 4 MiB per file, 6 MiB per request,
 * a 1.5 s fetch timeout, 3 redirects.
 */

afterEach(closeAllHosts);

const server = inject("attachmentServer");
const MiB = 1024 * 1024;
const PARAM = "messages[0].content[1].image_url.url";

const withImage = (url: string, ...more: string[]) => ({
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        ...[url, ...more].map((u) => ({ type: "image_url", image_url: { url: u } })),
      ],
    },
  ],
});

async function errorOf(res: Response) {
  return { status: res.status, error: (await res.json<any>()).error };
}

describe("attachments by URL", () => {
  it("fetches an image and sends it to the host in pieces of 1 MiB that put it back together", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const size = 2 * MiB + 12_345;
    const pending = chat(key, withImage(`${server}/bytes/cat?size=${size}&type=image/png`));
    const job = await host.next("job");
    const body = pattern(size);
    expect(job.request.messages[0]!.attachments).toEqual([
      {
        kind: "image",
        mimeType: "image/png",
        filename: "cat.png",
        bytes: size,
        sha256: await sha256Hex(body),
      },
    ]);
    const { files, frames } = await host.attachments(job);
    expect(frames.map((f) => f.offset)).toEqual([0, MiB, 2 * MiB]);
    expect(files[0]!.length).toBe(size);
    expect(await sha256Hex(files[0]!)).toBe(await sha256Hex(body));
    host.answer(job.jobId, "a cat");
    expect((await pending).status).toBe(200);
  });

  it("takes the type from the URL's extension when the server says application/octet-stream", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(
      key,
      withImage(`${server}/bytes/photo.webp?size=10&type=application/octet-stream`),
    );
    const job = await host.next("job");
    expect(job.request.messages[0]!.attachments![0]).toMatchObject({
      mimeType: "image/webp",
      filename: "photo.webp",
    });
    host.answer(job.jobId, "ok");
    expect((await pending).status).toBe(200);
  });

  it("follows up to ATTACHMENT_MAX_REDIRECTS redirects", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();
    const pending = chat(key, withImage(`${server}/redirect?n=2`));
    const job = await host.next("job");
    expect(job.request.messages[0]!.attachments![0]).toMatchObject({
      filename: "final.png",
      bytes: 100,
    });
    host.answer(job.jobId, "ok");
    expect((await pending).status).toBe(200);
  });

  it("refuses a URL with too many redirects, naming the part", async () => {
    const { key } = await createKey();
    const { status, error } = await errorOf(await chat(key, withImage(`${server}/redirect?n=4`)));
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_request", param: PARAM });
    expect(error.message).toContain("more than 3 redirects");
  });

  it("answers 400 with the part for a URL it cannot reach, without echoing user info or the query", async () => {
    const { key } = await createKey();
    const port = inject("closedPort");
    const { status, error } = await errorOf(
      await chat(key, withImage(`http://user:hunter2@127.0.0.1:${port}/x.png?token=SECRET`)),
    );
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_request", param: PARAM });
    expect(error.message).toContain(`could not fetch http://127.0.0.1:${port}/x.png: `);
    expect(error.message).not.toContain("SECRET");
    expect(error.message).not.toContain("hunter2");
  });

  it("answers 400 for a server that sends an error status or no answer in time", async () => {
    const { key } = await createKey();
    const missing = await errorOf(await chat(key, withImage(`${server}/nothing.png`)));
    expect(missing.status).toBe(400);
    expect(missing.error.message).toContain("HTTP 404");
    const slow = await errorOf(await chat(key, withImage(`${server}/hang`)));
    expect(slow.status).toBe(400);
    expect(slow.error.param).toBe(PARAM);
    expect(slow.error.message).toContain("within 1500 ms");
  });

  it("refuses a response whose content type the part does not take, naming the type", async () => {
    const { key } = await createKey();
    const { status, error } = await errorOf(
      await chat(key, withImage(`${server}/bytes/page?size=10&type=text/html;%20charset=utf-8`)),
    );
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_request", param: PARAM });
    expect(error.message).toContain("is text/html, but this part takes an image");
  });

  it("answers 413 with the part for a file past the per-file cap, without reading it all", async () => {
    const { key } = await createKey();
    // The server never stops sending: only a reader that gives up at the cap can answer.
    const endless = await errorOf(await chat(key, withImage(`${server}/endless?type=image/png`)));
    expect(endless.status).toBe(413);
    expect(endless.error).toMatchObject({ code: "request_too_large", param: PARAM });
    expect(endless.error.message).toContain("4194304 bytes per file");
    // A declared Content-Length past the cap is refused before the body is read.
    const declared = await errorOf(
      await chat(key, withImage(`${server}/bytes/big.png?size=${5 * MiB}`)),
    );
    expect(declared.status).toBe(413);
  });

  it("answers 413 when the request's files together pass the per-request cap", async () => {
    const { key } = await createKey();
    const url = `${server}/bytes/a.png?size=${3.5 * MiB}`;
    const { status, error } = await errorOf(await chat(key, withImage(url, url)));
    expect(status).toBe(413);
    expect(error.code).toBe("request_too_large");
    expect([
      "messages[0].content[1].image_url.url",
      "messages[0].content[2].image_url.url",
    ]).toContain(error.param);
    expect(error.message).toContain("together are larger than the limit of 6291456 bytes");
  });

  it("refuses loopback and private hosts unless ATTACHMENT_ALLOW_PRIVATE_URLS is on", async () => {
    const { key } = await createKey();
    const strict = { ...bindings, ATTACHMENT_ALLOW_PRIVATE_URLS: "false" };
    for (const url of [
      `${server}/bytes/a.png`,
      "http://localhost:8080/a.png",
      "http://10.1.2.3/a.png",
      "http://[::1]/a.png",
      "http://0x7f.1/a.png",
      "https://metadata.internal/a.png",
    ]) {
      const res = await worker.fetch!(
        new Request(`${BASE}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gemini-2.5-flash", ...withImage(url) }),
        }) as Request<unknown, IncomingRequestCfProperties>,
        strict,
        createExecutionContext(),
      );
      const { status, error } = await errorOf(res);
      expect(status, url).toBe(400);
      expect(error.param).toBe(PARAM);
      expect(error.message).toContain("private networks are refused");
    }
  });
});
