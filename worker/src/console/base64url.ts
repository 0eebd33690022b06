import { decodeBase64, encodeBase64 } from "../base64.js";

/** Unpadded base64url (RFC 4648 §5), as the session cookie carries it. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of unpadded base64url text, or null when it is anything else. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replaceAll("-", "+").replaceAll("_", "/");
  return decodeBase64(padded + "=".repeat((4 - (padded.length % 4)) % 4));
}
