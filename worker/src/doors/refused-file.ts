import type { ErrorEvent } from "@aistudio-edge/shared";
import { nameRefusedPart, refusedParam } from "../attachments/refused-part.js";
import type { ResolvedAttachment } from "../attachments/resolve-attachments.js";
import { ApiError } from "../errors.js";

/*
 * For doors whose error body has no `param` (Anthropic's, Google's): a file the page refused is
 * named in the message itself, by its path in the request (`messages[0].content[1].source.data:
 * AI Studio refused…`, `contents[0].parts[1].inlineData.data: …`), as those doors' validation
 * errors are.
 */

/** The message of an error event, led by the refused file's request path when there is one. */
export function describeError(event: ErrorEvent, files: readonly ResolvedAttachment[]): string {
  const param = refusedParam(event, files);
  return param !== null ? `${param}: ${event.message}` : event.message;
}

/** A non-streamed answer's error, with the refused file's path in its message. */
export function nameRefusedFile(
  err: unknown,
  event: ErrorEvent | null,
  files: readonly ResolvedAttachment[],
): unknown {
  const named = nameRefusedPart(err, event, files);
  if (named === err || !(named instanceof ApiError)) return named;
  const param = named.options.param ?? null;
  return param !== null
    ? new ApiError(named.code, `${param}: ${named.message}`, { ...named.options, cause: err })
    : named;
}
