import { decodeBase64 } from "../base64.js";

/*
 * `data:[<type>][;param=value…][;base64],<data>` (RFC 2397 as the Fetch standard reads it).
 * Base64 data is decoded strictly; other data is percent-decoded byte by byte, so an escape
 * such as %FF stays that byte rather than failing as UTF-8.
 */

export type DataUrl =
  { ok: true; declaredType: string; bytes: Uint8Array } | { ok: false; why: string };

const encoder = new TextEncoder();

export function parseDataUrl(url: string): DataUrl {
  if (!/^data:/i.test(url)) return { ok: false, why: "not a data: URL" };
  const comma = url.indexOf(",");
  if (comma < 0) return { ok: false, why: "a data: URL needs a ',' before its data" };
  const header = url.slice(5, comma);
  const data = url.slice(comma + 1);
  const base64 = /;\s*base64\s*$/i.test(header);
  const declaredType = base64 ? header.replace(/;\s*base64\s*$/i, "") : header;
  if (base64) {
    const bytes = decodeBase64(data);
    if (bytes === null)
      return {
        ok: false,
        why: "the data of a ';base64' data: URL is not valid base64 (standard alphabet, padded with '=', no spaces or line breaks)",
      };
    return { ok: true, declaredType, bytes };
  }
  const bytes = percentDecode(data);
  if (bytes === null)
    return { ok: false, why: "the data: URL has a '%' that is not followed by two hex digits" };
  return { ok: true, declaredType, bytes };
}

function percentDecode(text: string): Uint8Array | null {
  // '%' and hex digits are ASCII, so escapes can be undone on the UTF-8 bytes in place.
  const bytes = encoder.encode(text);
  let out = 0;
  for (let i = 0; i < bytes.length; i++, out++) {
    if (bytes[i] !== 0x25) {
      bytes[out] = bytes[i]!;
      continue;
    }
    const high = hexValue(bytes[i + 1]);
    const low = hexValue(bytes[i + 2]);
    if (high < 0 || low < 0) return null;
    bytes[out] = high * 16 + low;
    i += 2;
  }
  return bytes.slice(0, out);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
