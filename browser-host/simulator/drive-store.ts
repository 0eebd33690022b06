import { randomBytes } from "node:crypto";

/*
 * The simulator's stand-in for Drive: files the page uploaded because they were too big to go
 * inline, kept by id so GenerateContent and CountTokens can resolve a part [5] reference. Memory
 * is bounded: past the byte or count budget the oldest files are dropped, and a request that
 * still names one gets the unknown-file error, as a deleted Drive file would.
 */

export interface StoredFile {
  mimeType: string;
  bytes: Buffer;
}

export class DriveStore {
  private readonly files = new Map<string, StoredFile>();
  private total = 0;

  constructor(
    private readonly maxBytes = 512 * 2 ** 20,
    private readonly maxFiles = 256,
  ) {}

  /** Keeps a file and returns its new id (Drive-like: 33 url-safe characters). */
  put(file: StoredFile): string {
    const id = `1${randomBytes(24).toString("base64url")}`;
    this.files.set(id, file);
    this.total += file.bytes.length;
    for (const [old, f] of this.files) {
      if (this.total <= this.maxBytes && this.files.size <= this.maxFiles) break;
      if (old === id) break;
      this.files.delete(old);
      this.total -= f.bytes.length;
    }
    return id;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  clear(): void {
    this.files.clear();
    this.total = 0;
  }
}
