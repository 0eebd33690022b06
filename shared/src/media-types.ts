/*
 * The media types the project knows by file-name extension: the Worker falls back on them when
 * a server or a client does not say (no type, or application/octet-stream), and a host names
 * each file it uploads so that the page reads the right type from its extension.
 */

export const MIME_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  avif: "image/avif",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  wav: "audio/wav",
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  aac: "audio/aac",
  m4a: "audio/mp4",
  aiff: "audio/aiff",
  weba: "audio/webm",
  pdf: "application/pdf",
  json: "application/json",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  html: "text/html",
  htm: "text/html",
  xml: "text/xml",
  css: "text/css",
  js: "text/javascript",
  py: "text/x-python",
  rtf: "text/rtf",
};

/** The extension a made-up file name gets for a type (the first one listed above wins). */
const EXTENSION_OF = new Map<string, string>();
for (const [extension, type] of Object.entries(MIME_BY_EXTENSION))
  if (!EXTENSION_OF.has(type)) EXTENSION_OF.set(type, extension);

/** Spellings that mean a type listed above. */
const ALIASES: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "audio/mp3": "audio/mpeg",
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/x-flac": "audio/flac",
  "audio/x-m4a": "audio/mp4",
  "application/x-pdf": "application/pdf",
};

const MIME = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/;

/**
 * A Content-Type (or a data URL's type) as `type/subtype`: lower case, parameters such as
 * `; charset=` dropped. Null when there is none, when it says nothing (application/octet-stream)
 * or when it is not a type at all.
 */
export function normalizeMime(declared: string | null | undefined): string | null {
  const bare = (declared ?? "").split(";")[0]!.trim().toLowerCase();
  if (bare === "" || bare === "application/octet-stream" || !MIME.test(bare)) return null;
  return ALIASES[bare] ?? bare;
}

/** Whether a declared type is there but unusable (so the fallback applies, and a wrong one is named). */
export const saysNothing = (declared: string | null | undefined): boolean =>
  normalizeMime(declared) === null;

/** The type a file name's extension stands for, if it is one this table knows. */
export function mimeFromName(name: string | undefined): string | null {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(name ?? "");
  return match ? (MIME_BY_EXTENSION[match[1]!.toLowerCase()] ?? null) : null;
}

/** The extension (no dot) a file of this type is named with; "bin" for a type not listed. */
export function extensionFor(mimeType: string): string {
  return EXTENSION_OF.get(mimeType) ?? "bin";
}
