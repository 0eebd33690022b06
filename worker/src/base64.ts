/*
 * Base64 without Node's Buffer (the Worker runs without nodejs_compat). Decoding is strict:
 * the standard alphabet, padded to a multiple of four, nothing else — `atob` alone would skip
 * whitespace and take unpadded text, and a client's typo must be a 400, not other bytes.
 */

import { STRICT_BASE64 } from "@aistudio-edge/shared";

/** The bytes `text` stands for, or null when it is not strict, padded base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!STRICT_BASE64.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** How many bytes strict base64 of this length decodes to, before decoding it. */
export function decodedLength(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor(text.length / 4) * 3 - padding;
}

/** Base64 of the bytes, built in slices so no call gets a million arguments. */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000)
    parts.push(String.fromCharCode(...bytes.subarray(i, i + 0x8000)));
  return btoa(parts.join(""));
}
