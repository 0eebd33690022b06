import { ApiError } from "../errors.js";

/*
 * The markdown switch: image-model answers also write each image into `content` as
 * `![image](data:…)`, for clients that render only text. A request asks for it with the body
 * field `image_markdown` or this header (for clients that cannot add body fields); the body
 * wins, then the header, then the deployment's default.
 */

export const IMAGE_MARKDOWN_HEADER = "x-aistudio-image-markdown";

const ON = new Set(["1", "true", "yes", "on"]);
const OFF = new Set(["0", "false", "no", "off"]);

/** Whether the answer writes its images into `content`; a header it cannot read is a 400. */
export function wantsImageMarkdown(
  field: boolean | null | undefined,
  header: string | undefined,
  fallback = false,
): boolean {
  if (field !== null && field !== undefined) return field;
  const value = header?.trim().toLowerCase() ?? "";
  if (value === "") return fallback;
  if (ON.has(value)) return true;
  if (OFF.has(value)) return false;
  throw new ApiError(
    "invalid_request",
    `${IMAGE_MARKDOWN_HEADER}: expected 1 or true (or 0 or false), got '${header?.slice(0, 32) ?? ""}'`,
    { param: IMAGE_MARKDOWN_HEADER },
  );
}
