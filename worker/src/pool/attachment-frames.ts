import {
  ATTACHMENT_CHUNK_BYTES,
  type JobAttachment,
  type OutPoolFrame,
} from "@aistudio-edge/shared";
import { encodeBase64 } from "../base64.js";

/*
 * A job's attachment bytes on the wire: after the `job` frame, each attachment in order, in
 * pieces of ATTACHMENT_CHUNK_BYTES (the last piece of each may be shorter), numbered on from
 * the job frame's seq. Built one piece at a time, so the pool holds one piece's base64 at once.
 */

export function* attachmentFrames(
  jobId: string,
  firstSeq: number,
  files: readonly Uint8Array[],
): Generator<OutPoolFrame> {
  let seq = firstSeq;
  for (const [index, file] of files.entries()) {
    for (let offset = 0; offset < file.byteLength; offset += ATTACHMENT_CHUNK_BYTES) {
      yield {
        type: "job.attachment",
        jobId,
        seq: seq++,
        index,
        offset,
        data: encodeBase64(file.subarray(offset, offset + ATTACHMENT_CHUNK_BYTES)),
      };
    }
  }
}

/** How many pieces `attachmentFrames` makes of these files. */
export const pieceCount = (files: readonly Uint8Array[]): number =>
  files.reduce((n, f) => n + Math.ceil(f.byteLength / ATTACHMENT_CHUNK_BYTES), 0);

/**
 * Why a submission's files do not match its job's attachments (count and sizes), or null.
 * The Worker and the pool may run different deployments, so the pool checks.
 */
export function filesMismatch(
  attachments: readonly JobAttachment[],
  files: readonly Uint8Array[],
): string | null {
  if (files.length !== attachments.length)
    return `${files.length} files for ${attachments.length} attachments`;
  const wrong = attachments.findIndex((a, i) => files[i]!.byteLength !== a.bytes);
  return wrong < 0
    ? null
    : `file ${wrong} has ${files[wrong]!.byteLength} bytes, its attachment says ${attachments[wrong]!.bytes}`;
}
