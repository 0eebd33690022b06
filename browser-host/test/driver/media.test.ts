import { createHash } from "node:crypto";
import type { Browser } from "puppeteer-core";
import type { JobAttachment, JobMessage } from "@aistudio-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentRefusedError } from "../../src/driver/errors.js";
import { Lane } from "../../src/lane.js";
import { createLogger } from "../../src/log.js";
import { attachmentLines, simulatedImage } from "../../simulator/media-answers.js";
import { INLINE_LIMIT_BYTES } from "../../simulator/media-rules.js";
import { pngSize } from "../../simulator/png.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import { launchChromium } from "../chromium.js";
import { failureOf, hostConfig, jobFrame, quietLog, runOnLane } from "./harness.js";

/*
 * Files into the page, on every UI generation: the driver uploads each through the media menu
 * and waits for its preview and the token count; the simulator puts the bytes into the
 * GenerateContent request as the page does (inline, or a Drive reference for big files) and its
 * answer names each file's type, size and SHA-256, so the bytes are proven to arrive intact.
 */

const MAX_UPLOAD = 1024 * 1024;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const describeFile = (
  kind: JobAttachment["kind"],
  mimeType: string,
  filename: string,
  bytes: Uint8Array,
): JobAttachment => ({
  kind,
  mimeType,
  filename,
  bytes: bytes.length,
  sha256: sha(bytes),
});

/** Bytes that differ per name, so no two files of a test can be mistaken for each other. */
function noise(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

const PNG = simulatedImage("a red square for the test", "1:1").png;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(3000, "jpeg")]);
/** Over the page's inline limit: it goes to Drive first. */
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), noise(INLINE_LIMIT_BYTES + 90_000, "pdf")]);
const WAV = (() => {
  const samples = noise(8000, "wav");
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write("data", 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
})();

for (const ui of ["2026-08", "2026", "2025"] as const) {
  describe(`files into the page, UI ${ui}`, () => {
    let sim: Simulator;
    let browser: Browser;
    let lane: Lane;
    const last = () => sim.state.requests.at(-1)!.request;

    beforeAll(async () => {
      sim = await startSimulator({
        ui,
        pace: { paceMs: 0, chunkChars: 400 },
        maxUploadBytes: MAX_UPLOAD,
      });
      browser = await launchChromium();
      lane = new Lane(
        0,
        hostConfig(sim.url),
        process.env.MEDIA_DEBUG ? createLogger("debug") : quietLog,
      );
      await lane.open(browser);
    });
    afterAll(async () => {
      await lane?.close();
      await browser?.close();
      await sim?.close();
    });

    it("one image: its bytes arrive inline, and the answer names them", async () => {
      const files = [PNG];
      const job = jobFrame({
        messages: [
          {
            role: "user",
            content: "What is in this picture?",
            attachments: [describeFile("image", "image/png", "square.png", PNG)],
          },
        ],
      });
      const out = await runOnLane(lane, browser, job, undefined, files);
      expect(
        out.text.startsWith(`${attachmentLines([{ mimeType: "image/png", bytes: PNG }])}\n\n`),
      ).toBe(true);
      expect(out.text).toContain(`, ${pngSize(PNG)!.w}x${pngSize(PNG)!.h} pixels.`);
      const turn = last().contents.at(-1)!;
      expect(turn.files).toEqual([{ mimeType: "image/png", data: PNG.toString("base64") }]);
      expect(turn.text).toBe("What is in this picture?\n\n[attachment 1: image/png]");
    });

    it("several files in one message and an image in an earlier turn, a PDF through Drive and an audio clip", async () => {
      const messages: JobMessage[] = [
        {
          role: "user",
          content: "Remember this picture.",
          attachments: [describeFile("image", "image/png", "first.png", PNG)],
        },
        { role: "assistant", content: "I will." },
        {
          role: "user",
          content: "Compare the first picture with these, the report and the recording.",
          attachments: [
            describeFile("image", "image/jpeg", "second.jpg", JPEG),
            describeFile("file", "application/pdf", "report.pdf", PDF),
            describeFile("audio", "audio/wav", "clip.wav", WAV),
          ],
        },
      ];
      const files = [PNG, JPEG, PDF, WAV];
      const out = await runOnLane(lane, browser, jobFrame({ messages }), undefined, files);
      const expected = attachmentLines([
        { mimeType: "image/png", bytes: PNG },
        { mimeType: "image/jpeg", bytes: JPEG },
        { mimeType: "application/pdf", bytes: PDF },
        { mimeType: "audio/wav", bytes: WAV },
      ]);
      expect(out.text.startsWith(`${expected}\n\n`)).toBe(true);
      const turn = last().contents.at(-1)!;
      // Small files inline, the big PDF as a Drive reference; in upload order.
      expect(turn.files?.map((f) => ("driveId" in f ? "drive" : f.mimeType))).toEqual([
        "image/png",
        "image/jpeg",
        "drive",
        "audio/wav",
      ]);
      // The prompt says which turn sent which file.
      expect(turn.text).toContain("[User]\nRemember this picture.\n[attachment 1: image/png]");
      expect(turn.text).toContain(
        "[attachment 2: image/jpeg]\n[attachment 3: application/pdf]\n[attachment 4: audio/wav]",
      );
    });

    it("a file larger than the page takes fails the job naming it", async () => {
      const big = noise(MAX_UPLOAD + 200_000, "big");
      const job = jobFrame({
        messages: [
          {
            role: "user",
            content: "Look at both.",
            attachments: [
              describeFile("image", "image/png", "fine.png", PNG),
              describeFile("image", "image/jpeg", "huge-photo.jpg", big),
            ],
          },
        ],
      });
      const before = sim.state.requests.length;
      const err = await failureOf(lane, browser, job, undefined, [PNG, big]);
      expect(err).toBeInstanceOf(AttachmentRefusedError);
      expect(err).toMatchObject({
        code: "attachment_refused",
        index: 1,
        reason: "size",
        retryable: false,
      });
      expect(err.message).toContain("attachment 2 (huge-photo.jpg, image/jpeg");
      expect(err.message).toContain("too large");
      // Nothing was sent to the model.
      expect(sim.state.requests.length).toBe(before);
    });

    it("a file type the page does not take fails the job naming it", async () => {
      const exe = Buffer.concat([Buffer.from("MZ"), noise(500, "exe")]);
      const job = jobFrame({
        messages: [
          {
            role: "user",
            content: "Run this.",
            attachments: [describeFile("file", "application/x-msdownload", "tool.exe", exe)],
          },
        ],
      });
      const err = await failureOf(lane, browser, job, undefined, [exe]);
      expect(err).toMatchObject({ code: "attachment_refused", index: 0, reason: "type" });
      expect(err.message).toContain("attachment 1 (tool.exe");
      // The next job on the same lane is served: the refused file left nothing behind.
      const out = await runOnLane(lane, browser, jobFrame({ prompt: "after the refusal" }));
      expect(out.text).toContain("after the refusal");
      expect(last().contents.at(-1)!.files ?? []).toEqual([]);
    });

    it("an image model: the aspect ratio reaches the request, and the answer's image comes out whole", async () => {
      const prompt = "A lighthouse at dusk";
      const out = await runOnLane(
        lane,
        browser,
        jobFrame({ model: "gemini-3.1-flash-image-preview", prompt, imageAspectRatio: "16:9" }),
      );
      expect(last()).toMatchObject({ aspectRatio: "16:9" });
      // Only the answer's image: the preview the model shows while thinking is not sent.
      expect(out.images).toHaveLength(1);
      const png = Buffer.from(out.images[0]!.data, "base64");
      expect(out.images[0]!.mimeType).toBe("image/png");
      expect(png.equals(simulatedImage(prompt, "16:9").png)).toBe(true);
      expect(pngSize(png)).toEqual({ w: 64, h: 36 });
      expect(out.text).toContain("Simulated image for");
      // The next image job without a ratio sets the page back to Auto.
      await runOnLane(lane, browser, jobFrame({ model: "gemini-3.1-flash-image-preview", prompt }));
      expect(last().aspectRatio ?? null).toBeNull();
    });
  });
}
