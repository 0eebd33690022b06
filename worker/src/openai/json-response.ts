import {
  errorBody,
  isOutput,
  type ChatCompletion,
  type ErrorCode,
  type JobEvent,
} from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import { log } from "../log.js";
import type { PoolEventReader } from "../pool/pool-events.js";
import type { CompletionIdentity } from "./completion-parts.js";
import { CompletionGatherer } from "./gather-completion.js";

/*
 * The non-streamed answer. Until the job's first output nothing is settled: an error keeps its
 * own status (429, 502, …), and the pool may still retry the job elsewhere. Once output has
 * started the job cannot fail over any more, so the status is 200 whatever happens next, and
 * the response starts at once with a space every KEEPALIVE interval ahead of the JSON. JSON
 * parsers skip leading whitespace; the writes keep proxies with idle timeouts from cutting a
 * long answer, and a write is how the runtime notices a client that went away — which cancels
 * the job and frees its lane and the key's slot instead of holding them to the deadline.
 * (A route may settle later than the first output: the images route waits for the first image,
 * so that an answer without one is still a real 502; see `jsonAnswer`'s `commitOn`.)
 *
 * Late failure: an error after output ends the body with OpenAI's error object instead of the
 * completion, `{"error":{"message","type","param","code"}}`, still under status 200. OpenAI's
 * SDKs read a 200 body as the completion, so clients that care check for `error` in it.
 */

/**
 * A compressing layer (workerd's, Cloudflare's for JSON) would hold the spaces back: gzip buffers
 * input this small. `identity` keeps the body as written, and no-transform asks proxies the same.
 */
export const KEEPALIVE_JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "content-encoding": "identity",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

const encoder = new TextEncoder();
const SPACE = encoder.encode(" ");

/**
 * The completion when it was complete before any output, else a body that ends with it; and the
 * settings the host dropped, which it reports before any output (so before the headers go).
 */
export function jsonCompletion(
  events: PoolEventReader,
  identity: CompletionIdentity,
  options: { requestId: string; keepAliveMs: number; imageMarkdown?: boolean },
): Promise<{ answer: ChatCompletion | ReadableStream<Uint8Array>; dropped: string[] }> {
  const gather = new CompletionGatherer(identity, { imageMarkdown: options.imageMarkdown });
  return jsonAnswer(events, gather, {
    ...options,
    commitOn: isOutput,
    render: (done) => done.completion(),
  });
}

/**
 * The general form: `render` makes the answer of a complete gather (an `ApiError` it throws is
 * the answer's error), and `commitOn` names the event from which the status is 200 and the
 * keep-alive body starts. Until then an error, `render`'s included, keeps its own status.
 */
export async function jsonAnswer<T>(
  events: PoolEventReader,
  gather: CompletionGatherer,
  options: {
    requestId: string;
    keepAliveMs: number;
    commitOn: (event: JobEvent) => boolean;
    /** May be async: a door that stores the answer finishes storing before the client has it. */
    render: (done: CompletionGatherer) => T | Promise<T>;
    /** The body of a failure after output, in the door's shape (OpenAI's when absent). */
    renderError?: (code: ErrorCode, message: string) => unknown;
  },
): Promise<{ answer: T | ReadableStream<Uint8Array>; dropped: string[] }> {
  /** The next event; a stream that ends before `done` or `error` is our failure. */
  const next = async () => {
    const event = await events.next();
    if (event !== null) return event;
    throw new ApiError(
      "internal_error",
      `The answer ended before it was complete (request ${options.requestId}).`,
    );
  };
  for (;;) {
    const event = await next();
    gather.add(event);
    if (gather.done) return { answer: await options.render(gather), dropped: gather.dropped };
    if (options.commitOn(event)) break;
  }

  let open = true;
  let timer: ReturnType<typeof setInterval> | null = null;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (bytes: Uint8Array) => {
        if (open) controller.enqueue(bytes);
      };
      write(SPACE);
      timer = setInterval(() => write(SPACE), options.keepAliveMs);
      void (async () => {
        let tail: string;
        try {
          while (!gather.done) gather.add(await next());
          tail = JSON.stringify(await options.render(gather));
        } catch (err) {
          tail = JSON.stringify(lateError(err, options.requestId, options.renderError));
        }
        if (timer !== null) clearInterval(timer);
        write(encoder.encode(tail));
        if (open) controller.close();
        open = false;
      })();
    },
    cancel() {
      // The client went away (seen on a write): stop the job and free its lane.
      open = false;
      if (timer !== null) clearInterval(timer);
      void events.cancel();
    },
  });
  return { answer: body, dropped: gather.dropped };
}

function lateError(
  err: unknown,
  requestId: string,
  render?: (code: ErrorCode, message: string) => unknown,
) {
  if (err instanceof ApiError) return render ? render(err.code, err.message) : err.body;
  log.error("the answer failed after output", {
    requestId,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  const message = `The answer failed (request ${requestId}).`;
  return render ? render("internal_error", message) : errorBody("internal_error", message);
}
