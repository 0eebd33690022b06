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
  it("refuses to read a body no bodyLimit bounded (a route missing it is a bug, not a read of any size)", async () => {
    const req = new Request("https://edge.test/x", { method: "POST", body: "{}" });
    await expect(readJson(req)).rejects.toThrow(/no bodyLimit/);
    expect(req.bodyUsed).toBe(false);
  });
});
