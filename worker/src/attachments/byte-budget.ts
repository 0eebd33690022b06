import { attachmentTooLarge } from "./attachment-errors.js";

/**
 * The bytes one request's attachments may take: ATTACHMENT_MAX_BYTES each and
 * ATTACHMENTS_MAX_BYTES together. Shared by every attachment of the request while they are
 * decoded and fetched (fetches run side by side), so the request is refused the moment either
 * cap is passed, whichever attachment passes it.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    readonly perFile: number,
    readonly perRequest: number,
  ) {}

  /** Refuses a size known in advance (a Content-Length, a decoded data URL) before it is read. */
  check(param: string, size: number): void {
    this.refuseOver(param, size, this.used + size);
  }

  /** Counts `bytes` more of an attachment that now has `fileSize` bytes. */
  take(param: string, bytes: number, fileSize: number): void {
    this.used += bytes;
    this.refuseOver(param, fileSize, this.used);
  }

  private refuseOver(param: string, fileSize: number, total: number): void {
    if (fileSize > this.perFile)
      throw attachmentTooLarge(
        param,
        `the attachment is larger than the limit of ${this.perFile} bytes per file`,
      );
    if (total > this.perRequest)
      throw attachmentTooLarge(
        param,
        `the request's attachments together are larger than the limit of ${this.perRequest} bytes`,
      );
  }
}
