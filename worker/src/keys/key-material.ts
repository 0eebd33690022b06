/*
 * API keys are `sk-` followed by 48 base62 characters (≈ 285 bits), drawn with rejection
 * sampling so every character is equally likely. Only their SHA-256 is ever stored.
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const KEY_PREFIX = "sk-";
const KEY_BODY_LENGTH = 48;
/** A shape check before any lookup, so junk never costs a KV read. */
export const KEY_PATTERN = /^sk-[0-9A-Za-z]{32,128}$/;

export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      // 248 = 4 × 62: bytes at or above it would make the first characters likelier.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateKey(): string {
  return KEY_PREFIX + randomBase62(KEY_BODY_LENGTH);
}

export function generateKeyId(): string {
  return `key_${randomBase62(16)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** What a listing shows so a person can tell keys apart: never more than the last 4 characters. */
export function keyHint(key: string): string {
  // ASCII only: the record also travels as KV metadata, which is sent in an HTTP header.
  return `${KEY_PREFIX}...${key.slice(-4)}`;
}
