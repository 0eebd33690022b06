import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "../src/errors.js";
import { MAX_BODY_DEPTH, parseBody, readJson } from "../src/validate.js";

const nested = (levels: number): unknown => JSON.parse("[".repeat(levels) + "]".repeat(levels));

describe("parseBody", () => {
  // A schema that forgot to bound a free-form field must still not let deep JSON through.
  const Careless = z.object({ name: z.string(), blob: z.unknown() });

  it("refuses a validated body nested past MAX_BODY_DEPTH, naming the field", () => {
    let thrown: unknown;
    try {
      parseBody(Careless, { name: "x", blob: nested(100_000) });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).body.error).toMatchObject({
      code: "invalid_request",
      param: "blob",
    });
    expect((thrown as ApiError).status).toBe(400);
  });

  it("lets a body up to the limit through", () => {
    expect(parseBody(Careless, { name: "x", blob: nested(MAX_BODY_DEPTH - 1) }).name).toBe("x");
    expect(() => parseBody(Careless, { name: "x", blob: nested(MAX_BODY_DEPTH) })).toThrow(
      ApiError,
    );
  });
});

describe("readJson", () => {
  it("refuses a body no bodyLimit read (a route missing it is a bug, not a read of any size)", () => {
    expect(() => readJson(undefined)).toThrow(/no bodyLimit/);
  });

  it("parses what bodyLimit read, and answers invalid_json for the rest", () => {
    expect(readJson(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
    expect(() => readJson(new TextEncoder().encode("{"))).toThrow(ApiError);
  });
});
