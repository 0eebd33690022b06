import { createHash } from "node:crypto";
import { pngSize, solidPng } from "./png.js";

/*
 * The parts of the simulated answer that come from media, exported so tests can predict them:
 * one line per attached file (type, size, SHA-256, and a PNG's pixel size), and the image model's
 * picture, a real PNG of one colour taken from the prompt, sized by the aspect ratio.
 */

/** A file of the last user turn, with its bytes (inline data decoded, or Drive bytes looked up). */
export interface ResolvedFile {
  mimeType: string;
  bytes: Buffer;
}

/** What the final image adds to the candidates' token count (candidatesTokensDetails IMAGE). */
export const IMAGE_OUTPUT_TOKENS = 1290;
/** The long side of the simulated image, in pixels. */
export const IMAGE_LONG_SIDE = 64;

export const sha256Hex = (bytes: Buffer | string) =>
  createHash("sha256").update(bytes).digest("hex");

/** `Attachment <n>: <mime>, <bytes> bytes, sha256 <hex>[, <w>x<h> pixels].` */
export function attachmentLine(
  n: number,
  mimeType: string,
  bytes: number,
  sha256: string,
  png?: { w: number; h: number },
): string {
  return `Attachment ${n}: ${mimeType}, ${bytes} bytes, sha256 ${sha256}${png ? `, ${png.w}x${png.h} pixels` : ""}.`;
}

/** The lines an answer to these files begins with, one per file, in order. */
export function attachmentLines(files: ResolvedFile[]): string {
  return files
    .map((f, i) => {
      const png = f.mimeType === "image/png" ? pngSize(f.bytes) : null;
      return attachmentLine(
        i + 1,
        f.mimeType,
        f.bytes.length,
        sha256Hex(f.bytes),
        png ?? undefined,
      );
    })
    .join("\n");
}

const DIRECTIVE_TEXT = /\[\[sim:[a-z_]+\]\]/g;
const firstLine = (prompt: string) => prompt.replace(DIRECTIVE_TEXT, "").trim().split("\n")[0]!;

/** The image model's text part: `Simulated image for "<first line of prompt>".` */
export const imageAnswerText = (prompt: string) => `Simulated image for "${firstLine(prompt)}".`;

/** Width × height for an aspect ratio "a:b": the long side 64 px; "Auto" (null) is square. */
export function imageSize(aspectRatio: string | null): { width: number; height: number } {
  const m = /^(\d+):(\d+)$/.exec(aspectRatio ?? "");
  const a = m ? Number(m[1]) : 1;
  const b = m ? Number(m[2]) : 1;
  if (a <= 0 || b <= 0) return { width: IMAGE_LONG_SIDE, height: IMAGE_LONG_SIDE };
  return a >= b
    ? { width: IMAGE_LONG_SIDE, height: Math.round((IMAGE_LONG_SIDE * b) / a) }
    : { width: Math.round((IMAGE_LONG_SIDE * a) / b), height: IMAGE_LONG_SIDE };
}

const colourOf = (prompt: string): [number, number, number] => {
  const d = createHash("sha256").update(prompt).digest();
  return [d[0]!, d[1]!, d[2]!];
};

/** The final image for a prompt: one colour from the prompt's SHA-256, sized by the ratio. */
export function simulatedImage(
  prompt: string,
  aspectRatio: string | null,
): { png: Buffer; width: number; height: number } {
  const { width, height } = imageSize(aspectRatio);
  return { png: solidPng(width, height, colourOf(prompt)), width, height };
}

/** The thought-preview image: 16 × 16, the final colour halfway to grey. */
export function previewImage(prompt: string): Buffer {
  const [r, g, b] = colourOf(prompt);
  return solidPng(16, 16, [(r + 128) >> 1, (g + 128) >> 1, (b + 128) >> 1]);
}

/** The image model's thoughts: two parts, as the captured answer streams several. */
export function imageThoughts(prompt: string): string[] {
  return [
    `**Composing the scene**\n\nThe request is "${firstLine(prompt).slice(0, 80)}"; one flat colour will stand for it.\n\n\n`,
    "**Rendering the image**\n\nA small preview first, then the final picture.\n\n\n",
  ];
}
