import { z } from "zod";
import { IMAGE_ASPECT_RATIOS, type ImageAspectRatio } from "./attachments.js";

/*
 * `POST /v1/images/generations` as OpenAI's Images API defines it, and the answer in the
 * gpt-image-1 shape. AI Studio's image models take a prompt and an aspect ratio, so `size` is
 * mapped to the nearest ratio the page offers; what cannot be honoured without changing the
 * answer's shape (several images, a URL, a stream) is a 400 naming the field. Unknown fields are
 * stripped, as in the chat request.
 */

/** How far a requested width/height ratio may be from the page's nearest one (5 %). */
const RATIO_TOLERANCE = 0.05;

const RATIOS = IMAGE_ASPECT_RATIOS.map((name) => {
  const [w, h] = name.split(":").map(Number) as [number, number];
  return { name, value: w / h };
});

/**
 * The page's aspect ratio for an OpenAI `size`: `"auto"` → `"auto"` (the page's default),
 * `"WxH"` → the nearest of IMAGE_ASPECT_RATIOS when it is within 5 % of W/H, anything else →
 * null (not accepted).
 */
export function aspectRatioOfSize(size: string): ImageAspectRatio | "auto" | null {
  if (size === "auto") return "auto";
  const match = /^([1-9]\d{0,5})x([1-9]\d{0,5})$/.exec(size);
  if (!match) return null;
  const wanted = Number(match[1]) / Number(match[2]);
  let best = RATIOS[0]!;
  for (const ratio of RATIOS)
    if (Math.abs(Math.log(ratio.value / wanted)) < Math.abs(Math.log(best.value / wanted)))
      best = ratio;
  return Math.abs(best.value / wanted - 1) <= RATIO_TOLERANCE ? best.name : null;
}

const SIZE_ACCEPTED = `size must be "auto" or "WxH" (e.g. 1024x1024, 1536x1024, 1024x1536, 1792x1024) whose width/height is within 5% of an aspect ratio AI Studio offers: ${IMAGE_ASPECT_RATIOS.join(", ")}`;

export const ImageGenerationRequestSchema = z.object({
  prompt: z.string().refine((prompt) => prompt.trim() !== "", "prompt must not be empty"),
  /** Absent: the first connected model that answers with images. */
  model: z.string().min(1).nullish(),
  n: z.literal(1, "only n = 1 is supported: AI Studio gives one answer per run").nullish(),
  size: z
    .string()
    .refine((size) => aspectRatioOfSize(size) !== null, SIZE_ACCEPTED)
    .nullish(),
  response_format: z
    .literal(
      "b64_json",
      'only response_format "b64_json" is supported: the image is returned inline, because nothing is stored to serve a URL from',
    )
    .nullish(),
  stream: z
    .literal(false, "streaming image generation is not supported; send stream: false or omit it")
    .nullish(),
  // Accepted and ignored: AI Studio's image models have no setting for these, and refusing
  // them would break clients that always send them. `partial_images` only matters when
  // streaming, which is refused above.
  quality: z.string().nullish(),
  style: z.string().nullish(),
  user: z.string().nullish(),
  background: z.string().nullish(),
  output_format: z.string().nullish(),
  output_compression: z.number().nullish(),
  moderation: z.string().nullish(),
  partial_images: z.number().nullish(),
});
export type ImageGenerationRequest = z.infer<typeof ImageGenerationRequestSchema>;

/** The page's aspect ratio a validated request asks for; undefined keeps the page's default. */
export function requestedAspectRatio(req: ImageGenerationRequest): ImageAspectRatio | undefined {
  if (req.size === null || req.size === undefined) return undefined;
  const ratio = aspectRatioOfSize(req.size);
  if (ratio === null)
    throw new Error(`an unvalidated size reached requestedAspectRatio: ${req.size}`);
  return ratio === "auto" ? undefined : ratio;
}

/** `ImagesResponse` of OpenAI's SDK, as gpt-image-1 answers: images inline, token usage. */
export const ImagesResponseSchema = z.object({
  created: z.number().int(),
  data: z.array(
    z.object({
      b64_json: z.string(),
      revised_prompt: z.string().optional(),
    }),
  ),
  output_format: z.enum(["png", "webp", "jpeg"]).optional(),
  usage: z
    .object({
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      total_tokens: z.number().int(),
      input_tokens_details: z.object({
        text_tokens: z.number().int(),
        image_tokens: z.number().int(),
      }),
    })
    .optional(),
});
export type ImagesResponse = z.infer<typeof ImagesResponseSchema>;
