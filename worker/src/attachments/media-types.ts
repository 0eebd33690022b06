import type { AttachmentKind } from "@aistudio-edge/shared";

export { extensionFor, mimeFromName, normalizeMime, saysNothing } from "@aistudio-edge/shared";

/*
 * Which types each kind of content part may carry (the extension table is shared/media-types.ts).
 */

/** What a kind of part accepts, as the 400 says it. */
export const ACCEPTED: Record<AttachmentKind, string> = {
  image: "an image (image/*)",
  audio: "audio (audio/*)",
  file: "application/pdf, text/*, application/json, image/* or audio/*",
};

export function accepts(kind: AttachmentKind, mimeType: string): boolean {
  const [type] = mimeType.split("/");
  switch (kind) {
    case "image":
      return type === "image";
    case "audio":
      return type === "audio";
    case "file":
      return (
        type === "text" ||
        type === "image" ||
        type === "audio" ||
        mimeType === "application/pdf" ||
        mimeType === "application/json"
      );
  }
}
