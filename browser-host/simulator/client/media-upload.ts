import type { FilePart } from "../../src/wire/generate-content-request.js";
import type { UploadConfig } from "../boot-config.js";
import {
  acceptedType,
  DRIVE_UPLOAD_PATH,
  INLINE_LIMIT_BYTES,
  tooLargeText,
  tooManyText,
  unreadableText,
  unsupportedText,
  uploadMs,
} from "../media-rules.js";
import { closePane, openPane } from "./dialogs.js";
import { snackBar } from "./error-surfaces.js";
import { h } from "./h.js";
import type { AppState, Attachment } from "./state.js";

/*
 * Media upload (facts §9 "Upload"). The media button opens a menu in the overlay container, over
 * a transparent backdrop that swallows every click outside it; only while it is open does the
 * menu hold the hidden file input (2026-08 and 2026: `data-test-upload-file-input`). Files set on
 * it are checked (type, size, count: a refusal is a snack bar and no chip), read, and "uploaded"
 * for a while that grows with the size; files over the inline limit are POSTed to the simulated
 * Drive meanwhile. Only then does the chip show (`ms-prompt-media-chip`, 2025 `div.media-chip`,
 * with the name and "Remove media"); until every upload is done the page ignores Run.
 */

const MENU_CLASS = "add-media-menu";
const MENU_ITEMS = [
  "Upload a file",
  "Drive",
  "Record audio",
  "Camera",
  "YouTube video",
  "Sample media",
];

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function readFile(file: File): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error("unreadable"));
    reader.readAsArrayBuffer(file);
  });
}

/** The simulated Drive upload of a file too big to go inline: its bytes in, its id out. */
function driveUpload(bytes: ArrayBuffer, mimeType: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${DRIVE_UPLOAD_PATH}?uploadType=media`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", mimeType);
    xhr.onloadend = () => {
      try {
        const id = (JSON.parse(xhr.responseText) as { id?: unknown }).id;
        if (xhr.status === 200 && typeof id === "string") return resolve(id);
      } catch {
        // Falls through to the rejection: an upload without an id is a failed upload.
      }
      reject(new Error(`Drive upload failed with ${xhr.status}`));
    };
    xhr.send(bytes);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MediaUploads {
  private nextKey = 1;
  /** Bumped by clear(): uploads started before a new chat must not land in it. */
  private epoch = 0;

  constructor(
    private readonly state: AppState,
    private readonly config: UploadConfig,
    /** Called when a chip appears or goes: the page recounts and re-enables Run. */
    private readonly changed: () => void,
  ) {}

  /** True while any file is still uploading: Run does nothing meanwhile. */
  pending(): boolean {
    return this.state.attachments.some((a) => a.status === "pending");
  }

  /** The ready files, in chip order, as the parts of the next user turn. */
  files(): FilePart[] {
    return this.state.attachments.flatMap((a) => (a.part ? [a.part] : []));
  }

  /** Run took the files: they leave the prompt box with the text. */
  take(): { files: FilePart[]; names: string[] } {
    const taken = { files: this.files(), names: this.state.attachments.map((a) => a.name) };
    this.clear();
    return taken;
  }

  /** A new chat: every chip goes, and uploads still running are forgotten. */
  clear(): void {
    this.epoch += 1;
    this.state.attachments = [];
    this.render();
  }

  remove(key: number): void {
    this.state.attachments = this.state.attachments.filter((a) => a.key !== key);
    this.render();
    this.changed();
  }

  openMenu(): void {
    const latest = this.state.ui !== "2025";
    const input = h("input", {
      type: "file",
      multiple: true,
      hidden: true,
      ...(latest ? { "data-test-upload-file-input": true } : {}),
    }) as HTMLInputElement;
    const items = MENU_ITEMS.map((label) =>
      h("button", { class: "mat-mdc-menu-item", role: "menuitem", type: "button" }, label),
    );
    const menu = h(
      "div",
      { class: `mat-mdc-menu-panel ${MENU_CLASS}`, role: "menu" },
      ...items,
      input,
    );
    const pane = openPane("menu", menu, { transparentBackdrop: true });
    items[0]!.addEventListener("click", () => input.click());
    // Drive, recording, camera, YouTube and samples lead nowhere here: the menu just closes.
    for (const item of items.slice(1)) item.addEventListener("click", () => closePane(pane));
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      closePane(pane);
      if (files.length > 0) this.add(files);
    });
  }

  /** Checks a selection file by file: refusals are snack bars, the rest start uploading. */
  private add(files: File[]): void {
    const { maxUploadBytes, maxUploadFiles } = this.config;
    let tooMany = false;
    for (const file of files) {
      const mimeType = acceptedType(file.type, file.name);
      if (mimeType === null) {
        snackBar(unsupportedText(file.name), { stack: true });
        continue;
      }
      if (file.size > maxUploadBytes) {
        snackBar(tooLargeText(file.name, maxUploadBytes), { stack: true });
        continue;
      }
      if (this.state.attachments.length >= maxUploadFiles) {
        tooMany = true;
        continue;
      }
      const attachment: Attachment = {
        key: this.nextKey++,
        name: file.name,
        mimeType,
        size: file.size,
        status: "pending",
        part: null,
      };
      this.state.attachments.push(attachment);
      void this.upload(file, attachment);
    }
    if (tooMany) snackBar(tooManyText(maxUploadFiles), { stack: true });
    this.render();
  }

  private async upload(file: File, attachment: Attachment): Promise<void> {
    const epoch = this.epoch;
    const { uploadDelayMs, uploadMsPerMb } = this.config;
    const delay = sleep(uploadMs(file.size, uploadDelayMs, uploadMsPerMb));
    try {
      const bytes = await readFile(file);
      const part: FilePart =
        bytes.byteLength <= INLINE_LIMIT_BYTES
          ? { mimeType: attachment.mimeType, data: toBase64(new Uint8Array(bytes)) }
          : { driveId: await driveUpload(bytes, attachment.mimeType) };
      await delay;
      if (epoch !== this.epoch || !this.state.attachments.includes(attachment)) return;
      attachment.part = part;
      attachment.status = "ready";
    } catch (err) {
      await delay;
      if (epoch !== this.epoch) return;
      this.state.attachments = this.state.attachments.filter((a) => a !== attachment);
      snackBar(
        err instanceof Error && err.message.startsWith("Drive")
          ? `Could not upload ${file.name}`
          : unreadableText(file.name),
        { stack: true },
      );
    }
    this.render();
    this.changed();
  }

  /** Redraws the chips above the prompt: pending uploads as a spinner, ready ones as chips. */
  private render(): void {
    const box = document.querySelector("footer .prompt-box-container");
    if (!box) return;
    let host = box.querySelector<HTMLElement>(".media-chips");
    if (!host) {
      host = h("div", { class: "media-chips" });
      box.prepend(host);
    }
    const chipTag = this.state.ui === "2025" ? "div" : "ms-prompt-media-chip";
    host.replaceChildren(
      ...this.state.attachments.map((a) => {
        if (a.status === "pending")
          return h(
            "div",
            { class: "media-chip-pending" },
            h("mat-progress-spinner", { role: "progressbar", mode: "indeterminate" }),
            h("span", { class: "media-chip-name" }, a.name),
          );
        const remove = h("button", { class: "ms-button-icon", "aria-label": "Remove media" }, "×");
        remove.addEventListener("click", () => this.remove(a.key));
        return h(
          chipTag,
          { class: "media-chip" },
          h("span", { class: "media-chip-name" }, a.name),
          h("span", { class: "media-chip-type" }, a.mimeType),
          remove,
        );
      }),
    );
  }
}

/** The open media menu's pane, if any. */
const mediaPane = () =>
  document.querySelector(`.cdk-overlay-container > .cdk-overlay-pane .${MENU_CLASS}`)
    ?.parentElement ?? null;

/**
 * 2026 and 2025 have no general overlay guard (2026-08's overlay-guard.ts does this for every
 * overlay): while the media menu is open, a click outside it does nothing, one on the backdrop
 * closes it, and so does Escape. Capture phase, ahead of every other handler.
 */
export function installMediaMenuGuard(): void {
  document.addEventListener(
    "click",
    (event) => {
      const pane = mediaPane();
      const target = event.target as Element;
      if (!pane || pane.contains(target)) return;
      event.stopImmediatePropagation();
      event.preventDefault();
      if (target.classList.contains("cdk-overlay-backdrop")) closePane(pane);
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    const pane = mediaPane();
    if (pane && event.key === "Escape") closePane(pane);
  });
}
