import { SELF } from "cloudflare:test";
import type { HostModel } from "@aistudio-edge/shared";
import { BASE, MODELS, type TestHost } from "./helpers.js";

/** An image model as a host announces it (protocol v3 `imageOutput`). */
export const IMAGE_MODEL: HostModel = {
  id: "gemini-2.5-flash-image",
  displayName: "Nano Banana",
  imageOutput: true,
};
/** The text models of the other tests, and the image model. */
export const WITH_IMAGE_MODEL: HostModel[] = [...MODELS, IMAGE_MODEL];

/** A 1×1 PNG, base64 as an `image` event carries it. */
export const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
export const PNG_URL = `data:image/png;base64,${PNG}`;

/** Plays an image-model answer: text, the image, more text, then done with usage. */
export function answerWithImage(
  host: TestHost,
  jobId: string,
  parts: Array<string | { mimeType: string; data: string }> = [
    "Here:",
    { mimeType: "image/png", data: PNG },
    "Done.",
  ],
  usage = { promptTokens: 6, completionTokens: 1290, totalTokens: 1296 },
): void {
  host.event(jobId, { t: "started" });
  for (const part of parts)
    host.event(
      jobId,
      typeof part === "string" ? { t: "text", text: part } : { t: "image", ...part },
    );
  host.event(jobId, { t: "done", finishReason: "stop", usage });
}

/** `POST /v1/images/generations` with a key. */
export function generate(key: string, body: Record<string, unknown>): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
