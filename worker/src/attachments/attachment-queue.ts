import type { JobAttachment } from "@aistudio-edge/shared";

/**
 * Hands a door's translation the resolved attachments in the order its `…AttachmentSources`
 * listed them, a part at a time: the sources and the translation walk the request alike.
 */
export class AttachmentQueue {
  private next = 0;
  constructor(
    private readonly all: readonly JobAttachment[],
    /** Who walks the queue, for the error that says the two walks disagree. */
    private readonly walker: string,
  ) {}

  take(count: number): JobAttachment[] {
    const taken = this.all.slice(this.next, this.next + count);
    if (taken.length < count)
      throw new Error(`${this.walker}: fewer resolved attachments than the request has`);
    this.next += count;
    return taken;
  }
}
