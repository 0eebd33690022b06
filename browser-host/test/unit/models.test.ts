import { describe, expect, it } from "vitest";
import { hostModels } from "../../src/models.js";
import { decodeListModels } from "../../src/wire/list-models.js";
import { readCapture } from "../captures.js";

/* Which models of a real ListModels answer a host offers, and which of them answer with images. */

describe("the models a host announces", () => {
  const models = hostModels(decodeListModels(readCapture("listmodels-2026-02-14.json")).models);
  const ids = models.map((m) => m.id);

  it("offers the chat and image models of the chat page, and none of speech, live audio, Imagen or Veo", () => {
    expect(ids).toContain("gemini-3-flash-preview");
    expect(ids).toContain("gemini-2.5-flash-image");
    expect(ids).toContain("gemini-3-pro-image-preview");
    expect(ids.filter((id) => /tts|native-audio|imagen|veo/.test(id))).toEqual([]);
  });

  it("marks the image models, and only them", () => {
    expect(
      models
        .filter((m) => m.imageOutput)
        .map((m) => m.id)
        .sort(),
    ).toEqual(["gemini-2.5-flash-image", "gemini-3-pro-image-preview"]);
  });
});
