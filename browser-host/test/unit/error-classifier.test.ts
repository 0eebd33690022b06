import { describe, expect, it } from "vitest";
import type { PageErrors } from "../../src/driver/aistudio-page.js";
import { classifyFailure, finishReasonOf } from "../../src/driver/error-classifier.js";
import { AuthExpiredError } from "../../src/driver/errors.js";
import type { CaptureEnd } from "../../src/driver/stream-capture.js";
import {
  INTERNAL,
  PERMISSION_DENIED,
  QUOTA_EXHAUSTED,
  RATE_LIMITED,
  UNAUTHENTICATED,
} from "../../simulator/rpc-bodies.js";

/*
 * What AI Studio did, as the wire code a client gets: the HTTP answer and its JSPB body first,
 * the page's own texts where the request never completed, a sign-in redirect above all.
 */

const NO_UI: PageErrors = { callout: null, toast: null, turnError: null };
const ended = (status: number, errorBody = "", failed: string | null = null): CaptureEnd => ({
  status,
  errorBody,
  failed,
});
const classify = (
  end: CaptureEnd | null,
  ui: Partial<PageErrors> = {},
  signIn: string | null = null,
) => {
  const err = classifyFailure(end, { ...NO_UI, ...ui }, signIn);
  return {
    code: err.code,
    retryable: err.retryable,
    message: err.message,
    auth: err instanceof AuthExpiredError,
  };
};

describe("failure classification", () => {
  it("puts a sign-in redirect above everything the answer says", () => {
    const got = classify(
      ended(429, QUOTA_EXHAUSTED),
      { callout: "user has exceeded quota" },
      "sign-in page https://accounts.google.com/v3/signin",
    );
    expect(got).toMatchObject({ code: "auth_expired", retryable: true, auth: true });
    expect(got.message).toContain("https://accounts.google.com/v3/signin");
    expect(got.message).toContain("npm run auth -- login");
  });

  it("reads 401 and gRPC UNAUTHENTICATED as an expired login", () => {
    expect(classify(ended(401))).toMatchObject({ code: "auth_expired", auth: true });
    // The status may be anything when the body says UNAUTHENTICATED (16).
    expect(classify(ended(400, UNAUTHENTICATED))).toMatchObject({
      code: "auth_expired",
      auth: true,
    });
  });

  it("reads quota from the status, the JSPB code, or the page's text, and another lane may succeed", () => {
    for (const got of [
      classify(ended(429)),
      classify(ended(400, QUOTA_EXHAUSTED)),
      classify(ended(429, RATE_LIMITED)),
      classify(null, {
        callout: "Failed to generate content, user has exceeded quota. Please try again later.",
      }),
      classify(null, { turnError: "You've reached your rate limit. Please try again later." }),
      classify(null, { toast: "Resource has been exhausted" }),
      classify(null, { toast: "You are out of free generations" }),
    ]) {
      expect(got).toMatchObject({ code: "upstream_quota", retryable: true });
    }
  });

  it("names the JSPB status and message, or the HTTP status, and the page's texts in the message", () => {
    expect(classify(ended(429, QUOTA_EXHAUSTED)).message).toBe(
      "AI Studio refused for quota (RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).).",
    );
    expect(classify(ended(429)).message).toBe("AI Studio refused for quota (HTTP 429).");
    expect(
      classify(null, { callout: "user has exceeded quota", turnError: "rate limit" }).message,
    ).toBe("AI Studio refused for quota: user has exceeded quota / rate limit.");
  });

  it("reads 403 as permission (not quota: the account must not cool down on it) and never retries it", () => {
    expect(classify(ended(403, PERMISSION_DENIED))).toMatchObject({
      code: "upstream_permission",
      retryable: false,
    });
    expect(classify(ended(400, PERMISSION_DENIED))).toMatchObject({ code: "upstream_permission" });
    // What the page shows for a 403: a permission toast and an "internal error" turn. Permission wins.
    const page = {
      toast: "Failed to generate content: permission denied. Please try again.",
      turnError: "An internal error has occurred.",
    };
    expect(classify(null, page)).toMatchObject({ code: "upstream_permission", retryable: false });
    expect(classify(ended(403, PERMISSION_DENIED), page).message).toContain(
      "PERMISSION_DENIED: The caller does not have permission",
    );
  });

  it("puts quota above permission when the page shows both", () => {
    expect(classify(ended(403), { callout: "user has exceeded quota" })).toMatchObject({
      code: "upstream_quota",
    });
  });

  it.each([
    "Prohibited content",
    "Content blocked",
    "The response was blocked due to safety reasons",
  ])("reads the page's %j as upstream_blocked, not retried on another lane", (text) => {
    const err = classifyFailure(null, { ...NO_UI, toast: text }, null);
    expect(err.code).toBe("upstream_blocked");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(text);
  });

  it("the §9 rate-limit and permission texts keep their codes", () => {
    expect(
      classifyFailure(
        null,
        { ...NO_UI, callout: "You have reached a rate limit. Set up billing to continue." },
        null,
      ).code,
    ).toBe("upstream_quota");
    expect(
      classifyFailure(
        null,
        { ...NO_UI, toast: "Failed to generate content: permission denied. Please try again." },
        null,
      ).code,
    ).toBe("upstream_permission");
  });

  it("reads 5xx and the page's internal error as a retryable upstream_error", () => {
    const got = classify(ended(500, INTERNAL));
    expect(got).toMatchObject({ code: "upstream_error", retryable: true });
    expect(got.message).toBe(
      "AI Studio reported an internal error (INTERNAL: Internal error encountered.).",
    );
    expect(classify(ended(503))).toMatchObject({ code: "upstream_error", retryable: true });
    expect(classify(null, { turnError: "An internal error has occurred." }).message).toContain(
      "internal error",
    );
  });

  it("says how the request failed when it never got an answer", () => {
    const got = classify(ended(0, "", "net::ERR_CONNECTION_RESET"));
    expect(got).toMatchObject({ code: "upstream_error", retryable: true });
    expect(got.message).toBe("The GenerateContent request failed: net::ERR_CONNECTION_RESET.");
  });

  it("falls back to a retryable upstream_error that says what little is known", () => {
    expect(classify(null)).toMatchObject({
      code: "upstream_error",
      retryable: true,
      message: "AI Studio failed.",
    });
    expect(classify(ended(400)).message).toBe("AI Studio failed (HTTP 400).");
    expect(classify(null, { toast: "Something odd happened" }).message).toBe(
      "AI Studio failed: Something odd happened.",
    );
    // An unparseable body is no detail, not a crash.
    expect(classify(ended(418, "<html>teapot</html>")).message).toBe(
      "AI Studio failed (HTTP 418).",
    );
  });
});

describe("finish reasons", () => {
  it("maps the public FinishReason codes to OpenAI's", () => {
    expect(finishReasonOf(1, false)).toBe("stop");
    expect(finishReasonOf(null, false)).toBe("stop");
    expect(finishReasonOf(2, false)).toBe("length");
    for (const code of [3, 4, 6, 7, 8, 10])
      expect(finishReasonOf(code, false), String(code)).toBe("content_filter");
    // Codes with no special meaning end normally.
    for (const code of [0, 5, 9, 11])
      expect(finishReasonOf(code, false), String(code)).toBe("stop");
  });

  it("ends with tool_calls when calls came, unless the answer was cut or filtered", () => {
    expect(finishReasonOf(1, true)).toBe("tool_calls");
    expect(finishReasonOf(null, true)).toBe("tool_calls");
    expect(finishReasonOf(2, true)).toBe("length");
    expect(finishReasonOf(3, true)).toBe("content_filter");
  });
});

describe("the texts of the 2026-08 page's error surfaces (facts §9)", () => {
  it("reads a rate limit in a snack bar or alert as quota, with no answer to go by", () => {
    expect(
      classify(null, {
        toast: "You have reached a rate limit. Set up billing to continue using AI Studio.",
      }).code,
    ).toBe("upstream_quota");
    expect(classify(null, { callout: "You have reached a rate limit." }).code).toBe(
      "upstream_quota",
    );
  });

  it("reads prohibited or blocked content as upstream_blocked, not retried", () => {
    for (const text of ["Prohibited content", "Content blocked"])
      expect(classify(ended(200), { turnError: text })).toMatchObject({
        code: "upstream_blocked",
        retryable: false,
      });
  });

  it("reads the misleading permission text as upstream_permission", () => {
    expect(
      classify(null, {
        toast: "Failed to generate content: permission denied. Please try again.",
      }).code,
    ).toBe("upstream_permission");
  });
});
