import { EventEmitter } from "node:events";
import type { CDPSession } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import { classifyFailure } from "../../src/driver/error-classifier.js";
import { DriverError } from "../../src/driver/errors.js";
import { StreamCapture, type CaptureEnd } from "../../src/driver/stream-capture.js";
import type { WireEvent } from "../../src/wire/generate-content-response.js";
import { readCapture } from "../captures.js";

/*
 * The answer capture against a fake DevTools session: the events a page's GenerateContent
 * request produces, and reads of its body that work or fail as each test says.
 */

const URL_GENERATE =
  "https://alkalimakersuite-pa.clients6.google.com/$rpc/google.internal.alkali.applications.makersuite.v1.MakerSuiteService/GenerateContent";
const NO_UI = { callout: null, toast: null, turnError: null };

type Reply = (params: Record<string, unknown>) => Promise<unknown>;

class FakeCdp extends EventEmitter {
  readonly calls: string[] = [];
  constructor(private readonly replies: Record<string, Reply>) {
    super();
  }
  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    this.calls.push(method);
    return (this.replies[method] ?? (async () => ({})))(params);
  }
  /** One request's life as Chromium reports it. */
  request(requestId: string, status: number): void {
    this.emit("Network.requestWillBeSent", {
      requestId,
      request: { url: URL_GENERATE, method: "POST" },
    });
    this.emit("Network.responseReceived", { requestId, response: { status } });
  }
}

async function capture(replies: Record<string, Reply>, run: (cdp: FakeCdp) => void) {
  const cdp = new FakeCdp(replies);
  const stream = await StreamCapture.attach(cdp as unknown as CDPSession);
  const events: WireEvent[] = [];
  const ended = new Promise<CaptureEnd>((onEnd) =>
    stream.arm({
      onRequest: () => undefined,
      onBytes: () => undefined,
      onEvent: (e) => events.push(e),
      onEnd,
    }),
  );
  run(cdp);
  return { end: await ended, events, cdp };
}

const base64 = (text: string) => Buffer.from(text).toString("base64");
const cdpError = (message: string) => async () => {
  throw new Error(message);
};

describe("StreamCapture", () => {
  it("feeds the streamed answer and ends with its status", async () => {
    const body = JSON.stringify(JSON.parse(readCapture("generate-plain-hi.json")));
    const { end, events } = await capture(
      { "Network.streamResourceContent": async () => ({ bufferedData: base64(body) }) },
      (cdp) => {
        cdp.request("r1", 200);
        // The end is reported only after the buffered data was fed.
        cdp.emit("Network.loadingFinished", { requestId: "r1" });
      },
    );
    expect(end).toEqual({ status: 200, errorBody: "", failed: null });
    expect(
      events
        .filter((e) => e.type === "text")
        .map((e) => (e as { text: string }).text)
        .join(""),
    ).toBe("Hello! How can I help you today?");
  });

  it("reads a finished answer whole when streaming can no longer start", async () => {
    const body = JSON.stringify(JSON.parse(readCapture("generate-plain-hi.json")));
    const { end, events } = await capture(
      {
        "Network.streamResourceContent": cdpError(
          "Request content was evicted from inspector cache",
        ),
        "Network.getResponseBody": async () => ({ body, base64Encoded: false }),
      },
      (cdp) => {
        cdp.request("r2", 200);
        cdp.emit("Network.loadingFinished", { requestId: "r2" });
      },
    );
    expect(end.failed).toBeNull();
    expect(events.some((e) => e.type === "text")).toBe(true);
  });

  it("fails the job, with the cause, when neither read of a 200 answer works (never an empty answer)", async () => {
    const { end, events, cdp } = await capture(
      {
        "Network.streamResourceContent": cdpError("Protocol error: Target closed"),
        "Network.getResponseBody": cdpError("No resource with given identifier found"),
      },
      (c) => {
        c.request("r3", 200);
        c.emit("Network.loadingFinished", { requestId: "r3" });
      },
    );
    expect(cdp.calls).toEqual([
      "Network.enable",
      "Network.streamResourceContent",
      "Network.getResponseBody",
    ]);
    expect(events).toEqual([]);
    expect(end.status).toBe(200);
    expect(end.failed).toMatch(
      /answer could not be read.*Target closed.*No resource with given identifier/,
    );
    expect(end.error).toBeInstanceOf(DriverError);
    expect(end.error).toMatchObject({ code: "upstream_error", retryable: true });
    const cause = end.error!.cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.errors.map((e: Error) => e.message)).toEqual([
      "Protocol error: Target closed",
      "No resource with given identifier found",
    ]);
    // The job fails with that very error, its cause kept.
    expect(classifyFailure(end, NO_UI, null)).toBe(end.error);
  });

  it("still classifies by the HTTP status when a failed answer's body cannot be read", async () => {
    const { end } = await capture(
      {
        "Network.streamResourceContent": cdpError("gone"),
        "Network.getResponseBody": cdpError("gone too"),
      },
      (cdp) => {
        cdp.request("r4", 429);
        cdp.emit("Network.loadingFinished", { requestId: "r4" });
      },
    );
    expect(classifyFailure(end, NO_UI, null)).toMatchObject({ code: "upstream_quota" });
  });
});
