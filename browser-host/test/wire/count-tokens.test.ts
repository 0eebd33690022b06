import { describe, expect, it } from "vitest";
import { countedTexts, decodeCountTokens } from "../../src/wire/count-tokens.js";
import { countTokensBody } from "../../simulator/rpc-bodies.js";
import { readExpected } from "../captures.js";

/* CountTokens bodies: the real capture, the simulator's, and what is not a count. */

const captured = readExpected<{ CountTokens: { request: string; response: string } }>(
  "other-rpcs-2026-02.json",
).CountTokens;

describe("CountTokens", () => {
  it("reads the total of the real answer and the texts of the real request", () => {
    expect(decodeCountTokens(captured.response)).toBe(3);
    expect(countedTexts(captured.request)).toEqual(["Hi!"]);
  });

  it("reads the simulator's answers alike, with or without the anti-XSSI line", () => {
    expect(decodeCountTokens(countTokensBody(1234))).toBe(1234);
    expect(decodeCountTokens(`)]}'\n${countTokensBody(7)}`)).toBe(7);
    expect(decodeCountTokens("[]")).toBe(0);
  });

  it.each([
    ["not JSON", "{nope"],
    ["an error body (leading elision)", '[,[3,"Request contains an invalid argument."]]'],
    ["an object", '{"total":3}'],
    ["a negative total", "[-1]"],
    ["a fractional total", "[2.5]"],
    ["a text total", '["3"]'],
  ])("answers null for %s", (_what, body) => {
    expect(decodeCountTokens(body)).toBeNull();
  });

  it("takes every turn's text parts, not files or thoughts, and nothing from a malformed body", () => {
    const body = JSON.stringify([
      "models/gemini-2.5-flash",
      [
        [
          [
            [null, null, ["image/png", "iVBORw=="]],
            [null, "first"],
          ],
          "user",
        ],
        [
          [
            [null, "a thought", null, null, null, null, null, null, null, null, null, null, 1],
            [null, "answer"],
          ],
          "model",
        ],
      ],
    ]);
    expect(countedTexts(body)).toEqual(["first", "answer"]);
    expect(countedTexts("nope")).toEqual([]);
    expect(countedTexts('["models/x", "not contents"]')).toEqual([]);
  });
});
