import type { ErrorCode, JobEvent } from "@aistudio-edge/shared";
import { log } from "../log.js";
import type { PoolEventReader } from "../pool/pool-events.js";

/*
 * The pull loop of a door's SSE stream (Anthropic's, Responses'): the writer turns job events
 * into the door's events; this reads the pool's stream into it. A stream never ends without
 * the writer's last event or its error event, which a client would otherwise take for a
 * complete answer, and a client that goes away cancels the job on its host.
 */

/** What a door's stream writer does; `ended` once its last event (or error) is rendered. */
export interface EventWriter {
  readonly ended: boolean;
  /** The events sent before the first job event (the door's "started" event). */
  start(): string;
  /** A job event as the door's events; "" when it writes nothing. */
  render(event: JobEvent): string;
  /** The door's error event, which ends the stream. */
  error(code: ErrorCode, message: string): string;
  /** Work the last event waits for (a store write), if any. */
  readonly settled?: Promise<void> | void;
}

const encoder = new TextEncoder();

export function eventStream(
  events: PoolEventReader,
  writer: EventWriter,
  requestId: string,
): ReadableStream<Uint8Array> {
  let started = false;
  const failure = (message: string) =>
    writer.error("internal_error", `${message} (request ${requestId})`);

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(writer.start()));
        return;
      }
      try {
        // A pull must enqueue something: workerd does not pull again after one that did not,
        // and some events (started, hidden thoughts) write nothing.
        for (let text = ""; text === "";) {
          const next = await events.next();
          if (next === null) {
            if (!writer.ended)
              controller.enqueue(
                encoder.encode(failure("The answer ended before it was complete.")),
              );
            controller.close();
            return;
          }
          text = writer.render(next);
          if (writer.ended) await writer.settled;
          if (text !== "") controller.enqueue(encoder.encode(text));
        }
        if (writer.ended) controller.close();
      } catch (err) {
        // The exception's text is ours, not the client's: it goes to the log with the request id.
        log.error("the answer stream failed", {
          requestId,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        controller.enqueue(encoder.encode(failure("The answer stream failed.")));
        controller.close();
      }
    },
    async cancel() {
      // The client went away: cancelling the pool's stream cancels the job on its host.
      await events.cancel();
    },
  });
}
