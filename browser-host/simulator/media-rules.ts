/*
 * The page's rules for uploaded media (facts §9 "Upload"), shared by the simulated page and the
 * server so both count and refuse the same way: which types are accepted (from File.type, else
 * the extension), the refusal texts, what a file adds to the token count, and which files go
 * inline and which through Drive. Imports nothing: the page bundles it.
 */

/** Files up to this size go inline as part [2]; larger ones are uploaded to Drive, part [5]. */
export const INLINE_LIMIT_BYTES = 512 * 1024;

/** Where the page uploads a file too big to go inline (the simulator's stand-in for Drive). */
export const DRIVE_UPLOAD_PATH = "/upload/drive/v3/files";

const IMAGE_TYPES = [
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/heic",
  "image/heif",
  "image/gif",
];
const AUDIO_SUBTYPES = ["wav", "mpeg", "mp3", "ogg", "flac", "aac", "mp4", "webm", "l16"];

const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  gif: "image/gif",
  wav: "audio/wav",
  mp3: "audio/mp3",
  ogg: "audio/ogg",
  flac: "audio/flac",
  aac: "audio/aac",
  m4a: "audio/mp4",
  weba: "audio/webm",
  mp4: "video/mp4",
  mpeg: "video/mpeg",
  mov: "video/quicktime",
  webm: "video/webm",
  avi: "video/x-msvideo",
  "3gp": "video/3gpp",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  ts: "text/x-typescript",
  py: "text/x-python",
  xml: "text/xml",
  json: "application/json",
};

/** Whether the page takes a file of this MIME type. */
export function isAcceptedType(mimeType: string): boolean {
  const [type, subtype = ""] = mimeType.toLowerCase().split("/");
  if (type === "image") return IMAGE_TYPES.includes(mimeType.toLowerCase());
  if (type === "audio") return AUDIO_SUBTYPES.includes(subtype.replace(/^x-/, ""));
  if (type === "video" || type === "text") return subtype !== "";
  return mimeType === "application/pdf" || mimeType === "application/json";
}

/** The type the page uses for a file: File.type when set, else the extension's; null = refused. */
export function acceptedType(fileType: string, name: string): string | null {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  const type = fileType !== "" ? fileType.toLowerCase() : (BY_EXTENSION[ext] ?? "");
  return type !== "" && isAcceptedType(type) ? type : null;
}

/** What a file adds to the token count: 258 for an image, bytes/1000 for audio, bytes/400 else. */
export function fileTokens(mimeType: string, bytes: number): number {
  if (mimeType.startsWith("image/")) return 258;
  if (mimeType.startsWith("audio/")) return Math.ceil(bytes / 1000);
  return Math.ceil(bytes / 400);
}

/** Bytes as the refusal text shows them: MB (2^20 bytes), up to three significant digits. */
export const megabytes = (bytes: number): string =>
  String(Number((bytes / 2 ** 20).toPrecision(3)));

export const unsupportedText = (name: string) => `Unsupported file type: ${name}`;
export const tooLargeText = (name: string, maxBytes: number) =>
  `${name} is too large. The maximum file size is ${megabytes(maxBytes)} MB.`;
export const tooManyText = (maxFiles: number) => `You can upload up to ${maxFiles} files.`;
export const unreadableText = (name: string) => `Could not read ${name}`;

/** How long the page's simulated upload of a file takes. */
export const uploadMs = (bytes: number, delayMs: number, msPerMb: number) =>
  Math.round(delayMs + (bytes / 2 ** 20) * msPerMb);

/** The image-output models: ids with an `-image` word (not Imagen, whose id is `imagen-…`). */
export const isImageModel = (id: string): boolean => /-image(-|$)/.test(id);

/** The aspect ratios the image models' select offers after "Auto" (null on the wire). */
export const ASPECT_RATIOS = [
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "16:9",
  "21:9",
] as const;
