import type { CDPSession } from "puppeteer-core";
import { decodeChunk, type WireEvent } from "../wire/generate-content-response.js";
import { JspbArrayScanner } from "../wire/jspb-array-scanner.js";
import { DriverError } from "./errors.js";

/*
 * Reads the answer from the page's own GenerateContent response as it streams, through the
 * DevTools protocol: when the request is seen, `Network.streamResourceContent` returns what was
 * buffered so far and from then on every `Network.dataReceived` carries its bytes. The bytes
 * are decoded (gzip is already undone by the browser), scanned for complete chunks and turned
 * into wire events. Requests are matched by path: the page also calls CountTokens and
 * StreamGenerateContentPerUserQuota, whose URLs contain "GenerateContent" too (facts §0.7).
 */

const GENERATE_PATH = /\.MakerSuiteService\/GenerateContent$/;

export function isGenerateContent(url: string, method: string): boolean {
  if (method !== "POST") return false;
  try {
    return GENERATE_PATH.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

export interface CaptureEnd {
  status: number;
  /** The body of a non-200 answer (JSPB error), for classification. */
  errorBody: string;
  /** The request failed or was cancelled before it finished, or its answer could not be read. */
  failed: string | null;
  /** Set when the capture itself failed (the answer could not be read): the job's error, as is. */
  error?: DriverError;
}

export interface CaptureCallbacks {
  onRequest(): void;
  onEvent(event: WireEvent): void;
  /** Any bytes arrived (for the stall watchdog). */
  onBytes(): void;
  onEnd(end: CaptureEnd): void;
}

/** One answer being captured; created armed, before Run is pressed, so the request cannot be missed. */
class Capture {
  requestId: string | null = null;
  status = 0;
  private streaming = false;
  private pending: string[] = [];
  private readonly decoder = new TextDecoder();
  private readonly scanner = new JspbArrayScanner();
  private errorText = "";
  done = false;
  private markStarted!: () => void;
  /** Resolves once buffered data has been fed; the end must not overtake it. */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(readonly callbacks: CaptureCallbacks) {}

  feedBase64(data: string): void {
    if (data === "" || this.done) return;
    const text = this.decoder.decode(Buffer.from(data, "base64"), { stream: true });
    this.callbacks.onBytes();
    if (this.status !== 0 && this.status !== 200) {
      this.errorText += text;
      return;
    }
    for (const element of this.scanner.push(text)) {
      let chunk: unknown;
      try {
        chunk = JSON.parse(element);
      } catch {
        continue; // A malformed element is skipped; the rest of the answer still counts.
      }
      for (const event of decodeChunk(chunk)) this.callbacks.onEvent(event);
    }
  }

  /** Data events that arrive before the stream command's reply must follow its buffered data. */
  data(data: string): void {
    if (this.streaming) this.feedBase64(data);
    else this.pending.push(data);
  }

  startStreaming(buffered: string): void {
    this.feedBase64(buffered);
    this.streaming = true;
    for (const data of this.pending) this.feedBase64(data);
    this.pending = [];
    this.markStarted();
  }

  finish(failed: string | null): void {
    if (this.done) return;
    this.done = true;
    this.callbacks.onEnd({ status: this.status, errorBody: this.errorText, failed });
  }

  /** Ends the capture as failed now, whatever the request itself still does. */
  fail(error: DriverError): void {
    if (this.done) return;
    this.done = true;
    this.markStarted();
    this.callbacks.onEnd({
      status: this.status,
      errorBody: this.errorText,
      failed: error.message,
      error,
    });
  }
}

export class StreamCapture {
  private armed: Capture | null = null;
  private readonly active = new Map<string, Capture>();

  private constructor(private readonly cdp: CDPSession) {}

  static async attach(cdp: CDPSession): Promise<StreamCapture> {
    const capture = new StreamCapture(cdp);
    cdp.on("Network.requestWillBeSent", (e) =>
      capture.onRequest(e.requestId, e.request.url, e.request.method),
    );
    cdp.on("Network.responseReceived", (e) => {
      const c = capture.active.get(e.requestId);
      if (c) c.status = e.response.status;
    });
    cdp.on("Network.dataReceived", (e) => {
      const data = (e as { data?: string }).data;
      if (data !== undefined) capture.active.get(e.requestId)?.data(data);
    });
    cdp.on("Network.loadingFinished", (e) => capture.end(e.requestId, null));
    cdp.on("Network.loadingFailed", (e) =>
      capture.end(e.requestId, e.canceled ? "cancelled" : e.errorText),
    );
    // Large answers must not be dropped from the browser's buffer before we read them.
    await cdp.send("Network.enable", {
      maxTotalBufferSize: 64 * 1024 * 1024,
      maxResourceBufferSize: 32 * 1024 * 1024,
    });
    return capture;
  }

  /** Prepares to capture the next GenerateContent request the page sends. */
  arm(callbacks: CaptureCallbacks): { cancel(): void } {
    const capture = new Capture(callbacks);
    this.armed = capture;
    return {
      cancel: () => {
        if (this.armed === capture) this.armed = null;
        capture.done = true;
      },
    };
  }

  private onRequest(requestId: string, url: string, method: string): void {
    if (!this.armed || !isGenerateContent(url, method)) return;
    const capture = this.armed;
    this.armed = null;
    capture.requestId = requestId;
    this.active.set(requestId, capture);
    capture.callbacks.onRequest();
    // Feeding what was read can throw too (a sink that failed): that ends this capture, not the process.
    this.startReading(capture, requestId).catch((err: unknown) =>
      capture.fail(
        new DriverError("upstream_error", `Reading the answer failed: ${messageOf(err)}.`, false, {
          cause: err,
        }),
      ),
    );
  }

  private async startReading(capture: Capture, requestId: string): Promise<void> {
    let buffered: string;
    try {
      buffered = (await this.cdp.send("Network.streamResourceContent", { requestId })).bufferedData;
    } catch (streamError) {
      // The response may have finished before streaming could start: read it whole instead.
      try {
        const body = await this.cdp.send("Network.getResponseBody", { requestId });
        buffered = body.base64Encoded ? body.body : Buffer.from(body.body).toString("base64");
      } catch (bodyError) {
        // Starting empty would let a 200 end as an empty answer: nothing was read, so the job
        // fails, and another lane may well read its answer.
        this.active.delete(requestId);
        const cause = new AggregateError(
          [streamError, bodyError],
          "Network.streamResourceContent and Network.getResponseBody both failed",
        );
        capture.fail(
          new DriverError(
            "upstream_error",
            `The answer could not be read from the browser: ${messageOf(streamError)}; then ${messageOf(bodyError)}.`,
            true,
            { cause },
          ),
        );
        return;
      }
    }
    capture.startStreaming(buffered);
  }

  private end(requestId: string, failed: string | null): void {
    const capture = this.active.get(requestId);
    if (!capture) return;
    this.active.delete(requestId);
    void capture.started.then(() => capture.finish(failed));
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
