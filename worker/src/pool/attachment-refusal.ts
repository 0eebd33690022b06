import {
  publicHostMessage,
  type AttachmentRefusal,
  type HostErrorEvent,
  type JobAttachment,
} from "@aistudio-edge/shared";

/*
 * A host's `attachment_refused` as the client reads it. The file is named from the pool's own
 * copy of the job (its number, name, type and size), never from the host's text; the host only
 * says which one and why, in the protocol's few words.
 */

const BECAUSE: Record<AttachmentRefusal, string> = {
  type: "the page does not take this file type",
  size: "the file is larger than the page takes",
  count: "the page takes no more files in one prompt",
  unreadable: "the page could not read the file",
};

/**
 * The client's message for a refusal, and the index it names (absent when the host named no
 * attachment, or one the job does not have: the generic message then).
 */
export function refusalMessage(
  event: HostErrorEvent,
  attachments: readonly JobAttachment[],
  requestId: string,
): { message: string; attachment?: number } {
  const index = event.attachment?.index;
  const file = index !== undefined ? attachments[index] : undefined;
  if (index === undefined || file === undefined || event.attachment === undefined)
    return { message: publicHostMessage("attachment_refused", requestId) };
  const what = `${file.filename}, ${file.mimeType}, ${file.bytes} bytes`;
  return {
    message: `AI Studio refused attachment ${index + 1} (${what}): ${BECAUSE[event.attachment.reason]}. (request ${requestId})`,
    attachment: index,
  };
}
