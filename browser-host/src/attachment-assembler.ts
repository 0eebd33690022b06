import { createHash, type Hash } from "node:crypto";
import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENTS_HARD_CAP_BYTES,
  ATTACHMENTS_HARD_CAP_COUNT,
  STRICT_BASE64,
  type JobAttachment,
  type JobAttachmentFrame,
} from "@aistudio-edge/shared";
import { AbortedError, DriverError } from "./driver/errors.js";

/*
 * Puts a job's attachments back together from the `job.attachment` frames that follow its `job`
 * frame. The pool sends each attachment's pieces in order, every piece but an attachment's last
 * exactly ATTACHMENT_CHUNK_BYTES, so anything else (a gap, an overlap, a piece out of order, too
 * long or too short, one too many) is a broken transfer, as is a file whose SHA-256 is not the
 * job's. The wait is bounded: by the job's deadline, and by how long the pieces may pause.
 */

/** The transfer broke or stalled: another host (which gets the pieces again) may do better. */
export class AttachmentTransferError extends DriverError {
  override readonly name = "AttachmentTransferError";
  constructor(message: string) {
    super("upstream_error", `The job's attachments did not arrive intact: ${message}.`, true);
  }
}

export interface AssemblerOptions {
  /** Epoch ms after which the job is given up anyway. */
  deadline: number;
  /** The longest pause between pieces (they are sent right after the job). */
  idleMs: number;
  /** Aborting it (the job was cancelled) ends the wait with `AbortedError`. */
  signal: AbortSignal;
}

export class AttachmentAssembler {
  /** The job's files, once every piece is in and checked. */
  readonly files: Promise<Uint8Array[]>;
  private readonly buffers: Uint8Array[] = [];
  private hash: Hash | null = null;
  private index = 0;
  private offset = 0;
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private resolve!: (files: Uint8Array[]) => void;
  private reject!: (err: DriverError) => void;
  private readonly onAbort: () => void;

  constructor(
    private readonly attachments: readonly JobAttachment[],
    private readonly options: AssemblerOptions,
  ) {
    this.files = new Promise<Uint8Array[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Whoever awaits it sees the failure; one nobody awaits (a refused job) must not crash us.
    this.files.catch(() => undefined);
    this.onAbort = () => this.fail(new AbortedError(String(options.signal.reason ?? "cancelled")));
    const total = attachments.reduce((n, a) => n + a.bytes, 0);
    if (attachments.length > ATTACHMENTS_HARD_CAP_COUNT || total > ATTACHMENTS_HARD_CAP_BYTES) {
      this.fail(
        new AttachmentTransferError(
          `the job declares ${attachments.length} files of ${total} bytes, more than a job may carry`,
        ),
      );
      return;
    }
    if (options.signal.aborted) {
      this.onAbort();
      return;
    }
    options.signal.addEventListener("abort", this.onAbort, { once: true });
    this.advance();
  }

  /**
   * Takes the next piece. Returns false when the piece was not accepted: the wait fails with the
   * reason, or, when the files were complete already, the piece is one too many (the caller logs
   * it; the job runs on the files it has).
   */
  add(piece: Pick<JobAttachmentFrame, "index" | "offset" | "data">): boolean {
    if (this.settled) return false;
    const attachment = this.attachments[this.index];
    if (attachment === undefined || piece.index !== this.index || piece.offset !== this.offset) {
      this.fail(
        new AttachmentTransferError(
          `got the piece of attachment ${piece.index} at ${piece.offset} where ${
            attachment === undefined ? "none more" : `attachment ${this.index} at ${this.offset}`
          } was due`,
        ),
      );
      return false;
    }
    if (!STRICT_BASE64.test(piece.data)) {
      this.fail(new AttachmentTransferError(`a piece of attachment ${this.index} is not base64`));
      return false;
    }
    const bytes = Buffer.from(piece.data, "base64");
    const due = Math.min(ATTACHMENT_CHUNK_BYTES, attachment.bytes - this.offset);
    if (bytes.length !== due) {
      this.fail(
        new AttachmentTransferError(
          `a piece of attachment ${this.index} at ${this.offset} has ${bytes.length} bytes where ${due} were due`,
        ),
      );
      return false;
    }
    let buffer = this.buffers[this.index];
    if (buffer === undefined) {
      buffer = new Uint8Array(attachment.bytes);
      this.buffers[this.index] = buffer;
      this.hash = createHash("sha256");
    }
    buffer.set(bytes, this.offset);
    this.hash!.update(bytes);
    this.offset += bytes.length;
    if (this.offset === attachment.bytes) {
      const digest = this.hash!.digest("hex");
      if (digest !== attachment.sha256) {
        this.fail(
          new AttachmentTransferError(
            `attachment ${this.index} (${attachment.filename}) does not match its SHA-256`,
          ),
        );
        return false;
      }
      this.index += 1;
      this.offset = 0;
    }
    this.advance();
    return true;
  }

  /** Stops waiting (the job ended without needing its files); frees the timer. */
  dispose(): void {
    this.fail(new AbortedError("the job ended"));
  }

  /** Resolves once every file is whole; otherwise re-arms the wait for the next piece. */
  private advance(): void {
    clearTimeout(this.timer);
    if (this.index === this.attachments.length) {
      this.settle();
      this.resolve(this.buffers);
      return;
    }
    const left = this.options.deadline - Date.now();
    const byDeadline = left <= this.options.idleMs;
    const wait = Math.max(0, Math.min(this.options.idleMs, left));
    this.timer = setTimeout(() => {
      const next = `attachment ${this.index} at ${this.offset}`;
      this.fail(
        new AttachmentTransferError(
          byDeadline
            ? `the job's deadline passed while waiting for ${next}`
            : `no piece for ${wait} ms while waiting for ${next}`,
        ),
      );
    }, wait);
  }

  private fail(err: DriverError): void {
    if (this.settled) return;
    this.settle();
    this.buffers.length = 0;
    this.reject(err);
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.options.signal.removeEventListener("abort", this.onAbort);
  }
}
