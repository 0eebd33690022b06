import type { ErrorEvent } from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import type { ResolvedAttachment } from "./resolve-attachments.js";

/** The request's path to the attachment an error event names, or null. */
export function refusedParam(
  event: ErrorEvent | null,
  files: readonly ResolvedAttachment[],
): string | null {
  if (event?.code !== "attachment_refused" || event.attachment === undefined) return null;
  return files[event.attachment]?.param ?? null;
}

/**
 * The error a non-streamed answer failed with, with `param` set to the request's path to the
 * attachment the page refused (the pool says which by index; only the Worker knows the paths).
 * Anything else is passed through unchanged.
 */
export function nameRefusedPart(
  err: unknown,
  event: ErrorEvent | null,
  files: readonly ResolvedAttachment[],
): unknown {
  if (!(err instanceof ApiError) || err.code !== "attachment_refused") return err;
  const param = refusedParam(event, files);
  if (param === null) return err;
  return new ApiError(err.code, err.message, { ...err.options, param, cause: err });
}
