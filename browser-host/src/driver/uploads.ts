import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  extensionFor,
  mimeFromName,
  type AttachmentRefusal,
  type JobAttachment,
} from "@aistudio-edge/shared";
import type { ElementHandle, Page } from "puppeteer-core";
import type { Logger } from "../log.js";
import { AttachmentRefusedError, TimeoutError } from "./errors.js";
import type { Locator } from "./locate.js";
import { waitFor } from "./wait.js";

/*
 * A job's files, put into the prompt the way a person does it (facts §9 "Upload"): the media
 * button opens a menu, its hidden file input takes the file (or, where the menu has none, the
 * "Upload a file" item opens a file chooser), and the page shows a preview with "Remove media"
 * once it has the file. One file at a time, so a file the page refuses is known by name: the
 * page says why in a toast and shows no preview.
 *
 * The page reads a file's type from its name (Chromium derives it from the extension when the
 * input takes a path), so each file is written under a name whose extension says its type.
 */

/** One file ready for the page: written to a private directory under a name the page reads right. */
export interface UploadFile {
  /** 0-based place among the job's attachments. */
  index: number;
  path: string;
  name: string;
  mimeType: string;
  bytes: number;
}

/** How long an open menu gets to show its file input before the file chooser is used instead. */
const INPUT_SHOWS_MS = 1_500;

/**
 * The name a file is uploaded under: the client's own name, with the extension of its type
 * added when the name's own says something else (a screenshot named "clipboard" or "x.bin").
 */
export function uploadName(attachment: JobAttachment): string {
  const wanted = extensionFor(attachment.mimeType);
  if (wanted === "bin" || mimeFromName(attachment.filename) === attachment.mimeType)
    return attachment.filename;
  return `${attachment.filename}.${wanted}`;
}

/**
 * Writes the job's files into a fresh private directory (0700, files 0600: they are the
 * client's content); `remove` deletes it, whatever happened to the job.
 */
export async function stageFiles(
  attachments: readonly JobAttachment[],
  files: readonly Uint8Array[],
): Promise<{ files: UploadFile[]; remove: () => Promise<void> }> {
  if (files.length !== attachments.length)
    throw new Error(`the job has ${attachments.length} attachments but ${files.length} files`);
  const dir = await mkdtemp(join(tmpdir(), "aistudio-upload-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const staged: UploadFile[] = [];
    for (const [index, attachment] of attachments.entries()) {
      // One directory per file: two files of one job may share a name.
      const name = uploadName(attachment);
      const path = join(dir, String(index), name);
      await mkdir(join(dir, String(index)), { mode: 0o700 });
      await writeFile(path, files[index]!, { mode: 0o600 });
      staged.push({
        index,
        path,
        name,
        mimeType: attachment.mimeType,
        bytes: attachment.bytes,
      });
    }
    return { files: staged, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Why the page refused a file, from the words of its toast. */
export function refusalOf(text: string): AttachmentRefusal {
  if (/unsupported|not supported|file type|format/i.test(text)) return "type";
  if (/too large|too big|maximum file size|exceeds|size limit/i.test(text)) return "size";
  if (/up to \d+ files|too many|maximum number|limit of \d+ files/i.test(text)) return "count";
  return "unreadable";
}

export class Uploader {
  constructor(
    private readonly page: Page,
    private readonly locate: Locator,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  private opts(signal?: AbortSignal) {
    return { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) };
  }

  /** Puts every file into the prompt, in order; the first one the page refuses fails the job. */
  async upload(files: readonly UploadFile[], signal?: AbortSignal): Promise<void> {
    for (const file of files) await this.uploadOne(file, signal);
  }

  private async uploadOne(file: UploadFile, signal?: AbortSignal): Promise<void> {
    const label = `attachment ${file.index + 1} (${file.name}, ${file.mimeType}, ${file.bytes} bytes)`;
    const previews = await this.locate.count("mediaRemove");
    const earlierToasts = new Set(await this.locate.values("toastError"));

    await this.locate.clickUntil(
      "mediaButton",
      () => this.locate.has("openMenu"),
      "the media menu to open",
      this.opts(signal),
    );
    await this.choose(file, signal);

    const outcome = await waitFor(
      async () => {
        if ((await this.locate.count("mediaRemove")) > previews) return { taken: true as const };
        const toast = (await this.locate.values("toastError")).find(
          (t) => t !== "" && !earlierToasts.has(t),
        );
        return toast === undefined ? null : { taken: false as const, toast };
      },
      { what: `the page to take ${label}`, ...this.opts(signal) },
    );
    if (!outcome.taken) {
      const reason = refusalOf(outcome.toast);
      throw new AttachmentRefusedError(
        file.index,
        reason,
        `AI Studio refused ${label}: "${outcome.toast.slice(0, 200)}".`,
      );
    }
    this.log.debug("the page took a file", { attachment: file.index + 1, bytes: file.bytes });
  }

  /** Gives the open menu the file: through its file input, else through the file chooser. */
  private async choose(file: UploadFile, signal?: AbortSignal): Promise<void> {
    const input = await waitFor(() => this.locate.find("uploadInput"), {
      what: "the media menu's file input",
      timeoutMs: INPUT_SHOWS_MS,
      ...(signal ? { signal } : {}),
    }).catch((err: unknown) => {
      if (err instanceof TimeoutError) return null;
      throw err;
    });
    if (input) {
      try {
        await (input as ElementHandle<HTMLInputElement>).uploadFile(file.path);
      } finally {
        await input.dispose();
      }
      return;
    }
    this.log.debug("the media menu has no file input; using the file chooser");
    const chooser = this.page.waitForFileChooser({
      timeout: this.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    // Caught here and thrown below: a chooser that never opens must not be an unhandled rejection.
    chooser.catch(() => undefined);
    if (!(await this.locate.clickWhere("uploadMenuItem", "Upload a file")))
      throw this.locate.notFound("uploadMenuItem");
    await (await chooser).accept([file.path]);
  }
}

/** Removes a staged directory without failing the job that used it. */
export async function removeQuietly(remove: () => Promise<void>, log: Logger): Promise<void> {
  await remove().catch((err: unknown) =>
    log.warn("could not remove a job's staged files", { error: (err as Error).message }),
  );
}
