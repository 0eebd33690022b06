import type { ImagesResponse } from "@aistudio-edge/shared";
import { ApiError } from "../errors.js";
import type { CompletionGatherer } from "./gather-completion.js";

/*
 * A gathered answer as `POST /v1/images/generations` returns it, in the gpt-image-1 shape that
 * OpenAI's SDKs parse (`ImagesResponse`): every image of the answer inline as `b64_json`, the
 * format when the images share one OpenAI names, and the token counts. The model's text beside
 * its images has no place in that shape and is left out.
 */

const FORMATS: Record<string, NonNullable<ImagesResponse["output_format"]>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/webp": "webp",
};

/** How much of the model's text a no-image error quotes. */
const QUOTED_CHARS = 200;

export function imagesResponse(gather: CompletionGatherer, requestId: string): ImagesResponse {
  const images = gather.images;
  if (images.length === 0) throw noImage(gather, requestId);
  const formats = new Set(images.map((i) => FORMATS[i.mimeType]));
  const [format] = formats;
  const usage = gather.reportedUsage;
  return {
    created: gather.identity.created,
    data: images.map((i) => ({ b64_json: i.data })),
    ...(formats.size === 1 && format !== undefined ? { output_format: format } : {}),
    ...(usage
      ? {
          usage: {
            input_tokens: usage.promptTokens,
            output_tokens: usage.completionTokens,
            total_tokens: usage.totalTokens,
            // The prompt is text only: this route takes no input images.
            input_tokens_details: { text_tokens: usage.promptTokens, image_tokens: 0 },
          },
        }
      : {}),
  };
}

/** The model answered, but without an image: its text (the client's own answer) is quoted. */
function noImage(gather: CompletionGatherer, requestId: string): ApiError {
  const chars = Array.from(gather.answerText.trim());
  const quoted =
    chars.length === 0
      ? ""
      : `; its text: "${chars.slice(0, QUOTED_CHARS).join("")}${chars.length > QUOTED_CHARS ? "…" : ""}"`;
  const filtered =
    gather.finishReason === "content_filter"
      ? " (AI Studio's safety filter stopped the answer)"
      : "";
  return new ApiError(
    "upstream_error",
    `The model returned no image${filtered}${quoted} (request ${requestId}).`,
  );
}
