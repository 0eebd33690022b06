import { extensionFor } from "./media-types.js";

/*
 * The file name the page is given for an attachment: the part's own name, else the last segment
 * of the URL's path, else `attachment-<n>.<ext>`. Every name is made plain (no directories, no
 * control characters) so it satisfies JobAttachmentSchema whatever the client sent.
 */

const MAX_NAME = 255;

/** A client's or a URL's name as a plain file name, or null when nothing usable is left. */
export function plainName(raw: string): string | null {
  const last = raw.split(/[/\\]/).pop() ?? "";
  // Control characters, and what file systems and upload widgets choke on.
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  let name = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_").trim();
  name = name.replace(/^\.+/, "");
  if (name === "") return null;
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    name = name.slice(0, MAX_NAME - extension.length) + extension;
  }
  return name;
}

/** The last path segment of an http(s) URL, decoded, or null when the path ends in '/'. */
export function urlName(url: URL): string | null {
  const segment = url.pathname.split("/").pop() ?? "";
  if (segment === "") return null;
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // A malformed escape: the segment as written is still a name.
  }
  return plainName(decoded);
}

/**
 * The name for attachment `number` (1-based, across the conversation): `given` (the part's
 * filename) kept as the client wrote it once made plain; a URL's name gets the type's extension
 * when it has none, so the page can tell what it is.
 */
export function attachmentName(
  number: number,
  mimeType: string,
  given: string | undefined,
  url: URL | null,
): string {
  const own = given !== undefined ? plainName(given) : null;
  if (own !== null) return own;
  const fromUrl = url !== null ? urlName(url) : null;
  const extension = extensionFor(mimeType);
  if (fromUrl !== null)
    return /\.[A-Za-z0-9]{1,8}$/.test(fromUrl)
      ? fromUrl
      : (plainName(`${fromUrl}.${extension}`) ?? fromUrl);
  return `attachment-${number}.${extension}`;
}
