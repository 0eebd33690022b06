import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planAnswer, simulatedImage } from "../../simulator/answers.js";
import {
  acceptedType,
  fileTokens,
  isImageModel,
  tooLargeText,
} from "../../simulator/media-rules.js";
import { PNG_SIGNATURE, pngSize } from "../../simulator/png.js";
import { answerChunks } from "../../simulator/response-body.js";
import { RPC_PREFIX } from "../../simulator/rpc-bodies.js";
import { startSimulator, type Simulator } from "../../simulator/server.js";
import {
  decodeRequest,
  encodeRequest,
  type RequestSpec,
} from "../../src/wire/generate-content-request.js";
import { decodeChunk } from "../../src/wire/generate-content-response.js";
import { decodeListModels } from "../../src/wire/list-models.js";
import { readCapture } from "../captures.js";

/*
 * The media and image-model parts of the simulator without a browser: the request codec's file
 * parts and image config, the PNG the image model makes, the upload rules, and the server's
 * Drive store, CountTokens and unknown-file error.
 */

const base: RequestSpec = {
  model: "gemini-3-flash-preview",
  contents: [{ role: "user", text: "Look." }],
  systemInstruction: null,
  stopSequences: [],
  maxOutputTokens: 8192,
  temperature: 1,
  topP: 0.95,
  topK: 64,
  responseMimeType: null,
  responseSchema: null,
  thinking: null,
  tools: { googleSearch: false, codeExecution: false, urlContext: false, functions: [] },
  token: "!token",
  previousResponseId: null,
  timeZone: null,
};

describe("request codec: files and image config", () => {
  it("writes files before the text ([2] inline, [5] Drive) and reads them back", () => {
    const spec: RequestSpec = {
      ...base,
      contents: [
        {
          role: "user",
          text: "Look.",
          files: [{ mimeType: "image/png", data: "iVBORw0=" }, { driveId: "1abc" }],
        },
      ],
    };
    const raw = encodeRequest(spec) as unknown[][];
    expect(JSON.stringify((raw[1]![0] as unknown[])[0])).toBe(
      '[[null,null,["image/png","iVBORw0="]],[null,null,null,null,null,["1abc"]],[null,"Look."]]',
    );
    expect(decodeRequest(JSON.parse(JSON.stringify(raw)))).toEqual(spec);
  });

  it("writes [14] and [26] for an image model and reads the captured image request", () => {
    const spec: RequestSpec = {
      ...base,
      model: "gemini-3.1-flash-image-preview",
      responseModalities: ["IMAGE", "TEXT"],
      aspectRatio: null,
      imageSize: "1K",
    };
    const config = encodeRequest(spec)[3] as unknown[];
    expect(config[14]).toEqual([2, 1]);
    expect(config[26]).toEqual([null, "1K"]);
    expect(decodeRequest(JSON.parse(JSON.stringify(encodeRequest(spec))))).toEqual(spec);
    const captured = decodeRequest(JSON.parse(readCapture("request-image-cat.json")));
    expect(captured).toMatchObject({
      model: "gemini-3.1-flash-image-preview",
      responseModalities: ["IMAGE", "TEXT"],
      aspectRatio: null,
      imageSize: "512",
    });
    // A text model's request has no image fields at all.
    expect(decodeRequest(encodeRequest(base))).not.toHaveProperty("aspectRatio");
  });
});

describe("upload rules", () => {
  it("takes the type from File.type, else the extension, and refuses the rest", () => {
    expect(acceptedType("", "photo.JPG")).toBe("image/jpeg");
    expect(acceptedType("audio/x-wav", "a.wav")).toBe("audio/x-wav");
    expect(acceptedType("", "data.json")).toBe("application/json");
    expect(acceptedType("application/zip", "a.zip")).toBeNull();
    expect(acceptedType("", "a.xyz")).toBeNull();
    expect(acceptedType("image/bmp", "a.bmp")).toBeNull();
    expect(fileTokens("image/png", 10_000_000)).toBe(258);
    expect(fileTokens("audio/mpeg", 1001)).toBe(2);
    expect(fileTokens("application/pdf", 401)).toBe(2);
    expect(tooLargeText("a.mp4", 100 * 2 ** 20)).toBe(
      "a.mp4 is too large. The maximum file size is 100 MB.",
    );
  });
});

describe("the image model", () => {
  it("is in ListModels after the chat models, and the default model is unchanged", () => {
    const dump = join(dirname(fileURLToPath(import.meta.url)), "../../simulator/models-dump.json");
    const { models } = decodeListModels(readFileSync(dump, "utf8"));
    const ids = models.map((m) => m.id.replace("models/", ""));
    expect(ids.slice(0, 2)).toEqual(["gemini-3-pro-preview", "gemini-3-flash-preview"]);
    expect(ids.filter(isImageModel)).toEqual([
      "gemini-3-pro-image-preview",
      "gemini-3.1-flash-image-preview",
      "gemini-2.5-flash-image",
    ]);
    expect(models.find((m) => m.id.endsWith("3.1-flash-image-preview"))!.displayName).toBe(
      "Nano Banana 2",
    );
  });

  it("makes a real PNG sized by the aspect ratio, the same for the same prompt", () => {
    const sizes: Array<[string | null, number, number]> = [
      [null, 64, 64],
      ["1:1", 64, 64],
      ["16:9", 64, 36],
      ["9:16", 36, 64],
      ["21:9", 64, 27],
      ["4:5", 51, 64],
    ];
    for (const [ratio, w, h] of sizes) {
      const { png, width, height } = simulatedImage("a cat", ratio);
      expect([width, height], String(ratio)).toEqual([w, h]);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(pngSize(png)).toEqual({ w, h });
      // IDAT inflates to one filter byte and w RGB pixels per row.
      const idat = png.indexOf("IDAT");
      const len = png.readUInt32BE(idat - 4);
      expect(inflateSync(png.subarray(idat + 4, idat + 4 + len)).length).toBe(h * (1 + 3 * w));
      expect(png.subarray(-8, -4).toString("latin1")).toBe("IEND");
    }
    expect(simulatedImage("a cat", "3:2").png.equals(simulatedImage("a cat", "3:2").png)).toBe(
      true,
    );
    expect(simulatedImage("a cat", null).png.equals(simulatedImage("a dog", null).png)).toBe(false);
  });

  it("streams thoughts, a thought preview image, the text and the final PNG, like the capture", () => {
    const spec: RequestSpec = {
      ...base,
      model: "gemini-3.1-flash-image-preview",
      responseModalities: ["IMAGE", "TEXT"],
      aspectRatio: "3:4",
      imageSize: "1K",
    };
    const chunks = answerChunks(planAnswer(spec, "auto"), { chunkChars: 1000 });
    const events = chunks.flatMap(decodeChunk);
    const kinds = events
      .filter((e) => ["thought", "text", "inline_data", "finish"].includes(e.type))
      .map((e) => (e.type === "inline_data" ? `image${e.thought ? "(thought)" : ""}` : e.type));
    expect(kinds).toEqual(["thought", "thought", "image(thought)", "text", "image", "finish"]);
    const final = events.find((e) => e.type === "inline_data" && !e.thought) as {
      data: string;
      mimeType: string;
    };
    expect(final.mimeType).toBe("image/png");
    expect(Buffer.from(final.data, "base64").equals(simulatedImage("Look.", "3:4").png)).toBe(true);
    const last = chunks.at(-2) as unknown[];
    expect((last[2] as unknown[])[6]).toEqual([
      [1, expect.any(Number)],
      [2, 1290],
    ]);
  });
});

describe("the server's Drive store and file-aware RPCs", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ maxUploadBytes: 1000 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  const rpc = (name: string, body: unknown) =>
    fetch(`${sim.url}${RPC_PREFIX}${name}`, { method: "POST", body: JSON.stringify(body) });
  const upload = (bytes: Buffer, type: string) =>
    fetch(`${sim.url}/upload/drive/v3/files?uploadType=media`, {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(bytes),
    });

  it("keeps uploads by id, refuses one over the limit, and counts files by their tokens", async () => {
    const res = await upload(Buffer.alloc(800, 1), "audio/wav");
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(sim.state.drive.get(id)).toMatchObject({ mimeType: "audio/wav" });
    expect((await upload(Buffer.alloc(1001), "audio/wav")).status).toBe(413);

    const text = [[[null, "hi"]], "user"];
    const withFiles = [
      [
        [null, null, ["image/png", Buffer.alloc(50).toString("base64")]],
        [null, null, null, null, null, [id]],
        [null, "hi"],
      ],
      "user",
    ];
    const count = async (contents: unknown[]) =>
      ((await (await rpc("CountTokens", ["models/x", contents])).json()) as number[])[0]!;
    expect((await count([withFiles])) - (await count([text]))).toBe(258 + 1);
  });

  it("answers a request naming an unknown Drive file with INVALID_ARGUMENT", async () => {
    const spec: RequestSpec = {
      ...base,
      contents: [{ role: "user", text: "Look.", files: [{ driveId: "1nope" }] }],
    };
    const res = await rpc("GenerateContent", encodeRequest(spec));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('[,[3,"Request contains an invalid argument."]]');
  });
});
