import { describe, expect, it } from "vitest";
import {
  IMAGE_ASPECT_RATIOS,
  ImageGenerationRequestSchema,
  aspectRatioOfSize,
  requestedAspectRatio,
} from "../src/index.js";

describe("aspectRatioOfSize", () => {
  it("maps OpenAI's sizes to the nearest ratio the page offers", () => {
    expect(aspectRatioOfSize("1024x1024")).toBe("1:1");
    expect(aspectRatioOfSize("256x256")).toBe("1:1");
    expect(aspectRatioOfSize("1792x1024")).toBe("16:9");
    expect(aspectRatioOfSize("1024x1792")).toBe("9:16");
    expect(aspectRatioOfSize("1024x1536")).toBe("2:3");
    expect(aspectRatioOfSize("1536x1024")).toBe("3:2");
    expect(aspectRatioOfSize("2560x1080")).toBe("21:9");
    expect(aspectRatioOfSize("auto")).toBe("auto");
  });

  it("maps every ratio's own size to itself", () => {
    for (const ratio of IMAGE_ASPECT_RATIOS) {
      const [w, h] = ratio.split(":").map((n) => Number(n) * 100);
      expect(aspectRatioOfSize(`${w}x${h}`)).toBe(ratio);
    }
  });

  it("accepts a ratio within 5% and refuses one further off, or anything not WxH", () => {
    expect(aspectRatioOfSize("1040x1000")).toBe("1:1"); // 4 % off
    expect(aspectRatioOfSize("1070x1000")).toBeNull(); // 7 % off 1:1, 14 % off 5:4
    expect(aspectRatioOfSize("1000x100")).toBeNull();
    for (const bad of [
      "",
      "1024",
      "1024x",
      "x1024",
      "0x1024",
      "1024x0",
      "-1x1",
      "1024X1024",
      "1e3x1e3",
    ])
      expect(aspectRatioOfSize(bad), bad).toBeNull();
  });
});

describe("ImageGenerationRequestSchema", () => {
  const parse = (body: Record<string, unknown>) =>
    ImageGenerationRequestSchema.safeParse({ prompt: "a cat", ...body });

  it("names the field it refuses", () => {
    const pathOf = (body: Record<string, unknown>) => {
      const result = parse(body);
      return result.success ? null : result.error.issues[0]!.path.join(".");
    };
    expect(pathOf({ size: "1000x100" })).toBe("size");
    expect(pathOf({ n: 2 })).toBe("n");
    expect(pathOf({ response_format: "url" })).toBe("response_format");
    expect(pathOf({ stream: true })).toBe("stream");
    expect(pathOf({ prompt: "" })).toBe("prompt");
    expect(pathOf({ prompt: 3 })).toBe("prompt");
  });

  it("gives the job its aspect ratio, none for auto or no size, and strips unknown fields", () => {
    const ratio = (size?: string | null) =>
      requestedAspectRatio(ImageGenerationRequestSchema.parse({ prompt: "x", size }));
    expect(ratio("1792x1024")).toBe("16:9");
    expect(ratio("auto")).toBeUndefined();
    expect(ratio(null)).toBeUndefined();
    expect(ratio()).toBeUndefined();
    const parsed = parse({ n: null, quality: "hd", future_field: 1 });
    expect(parsed.success && Object.keys(parsed.data)).toEqual(["prompt", "n", "quality"]);
  });
});
