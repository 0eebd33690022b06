import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "@aistudio-edge/shared";
import { doorError } from "../src/doors/error-shape.js";
import { BASE } from "./helpers.js";

describe("errors in each door's shape", () => {
  it("spells every catalogue code for every door", () => {
    for (const code of ERROR_CODES) {
      const anthropic = doorError("anthropic", code, "m", { requestId: "r1" });
      expect(anthropic.body).toMatchObject({
        type: "error",
        error: { message: "m" },
        request_id: "r1",
      });
      expect([400, 401, 403, 404, 413, 429, 499, 500, 504, 529]).toContain(anthropic.status);
      const gemini = doorError("gemini", code, "m");
      expect(gemini.body).toMatchObject({ error: { code: gemini.status, message: "m" } });
      expect((gemini.body as { error: { status: string } }).error.status).not.toBe("UNKNOWN");
    }
  });

  it("answers a saturated pool as Anthropic's overloaded_error 529", () => {
    expect(doorError("anthropic", "queue_full", "busy")).toEqual({
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "busy" } },
    });
    expect(doorError("gemini", "queue_full", "busy").body).toMatchObject({
      error: { code: 429, status: "RESOURCE_EXHAUSTED" },
    });
    expect(doorError("openai", "invalid_request", "bad", { param: "model" })).toEqual({
      status: 400,
      body: {
        error: {
          message: "bad",
          type: "invalid_request_error",
          param: "model",
          code: "invalid_request",
        },
      },
    });
  });

  it("answers an unknown path in the shape of the vendor whose URL space it is in", async () => {
    const gemini = await SELF.fetch(`${BASE}/v1beta/nothing-here`);
    expect(gemini.status).toBe(404);
    expect(await gemini.json<any>()).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    const anthropic = await SELF.fetch(`${BASE}/v1/messages/nothing/here`, { method: "PUT" });
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json<any>()).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
    const openai = await SELF.fetch(`${BASE}/v1/nothing`);
    expect((await openai.json<any>()).error.code).toBe("not_found");
  });
});
